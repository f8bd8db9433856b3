"""Fit quality of skae's defaults against PCA: the rows of issue 10's targets.

For each code size it fits PCA, the default AutoencoderTransformer (only
``n_components`` set) and the linear one (``hidden_layer_sizes=(),
activation="linear"``) on the same rows in one process, and prints their
errors as ratios to PCA's: on the training rows for the linear autoencoder
(PCA's error there is the least any rank-k linear map reaches), on the
held-out rows for the default one. Parameters given as JSON override the
defaults of both autoencoders, to measure candidate defaults the same way.

    python benchmarks/defaults.py                               # digits, k = 2 8 32
    python benchmarks/defaults.py --params '{"learning_rate_schedule": "cosine"}'
    python benchmarks/defaults.py --data-dir ../shared/data --dataset fashion-mnist \\
        --n-components 32
    python benchmarks/defaults.py --data-dir ../shared/data --dataset fashion-mnist \\
        --n-components 32 --estimator ConvAutoencoder --no-linear --params '{"max_iter": 15}'
"""

import argparse
import json
import time
import warnings

import numpy as np
from common import add_data_arguments, load_dataset, subsample
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning

import skae
from skae import AutoencoderTransformer

LINEAR = {"hidden_layer_sizes": (), "activation": "linear"}


def mse(estimator, X):
    return float(np.mean((X - estimator.inverse_transform(estimator.transform(X))) ** 2))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_arguments(parser)
    parser.add_argument("--n-components", type=int, nargs="+", default=[2, 8, 32])
    parser.add_argument("--params", default="{}", help="JSON: parameters for both autoencoders")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--estimator", default="AutoencoderTransformer",
                        choices=sorted(set(skae._ESTIMATORS) - {"AutoencoderAnomalyDetector"}),
                        help="the estimator of the 'defaults' row (the linear row is always "
                             "an AutoencoderTransformer)")
    parser.add_argument("--linear", action=argparse.BooleanOptionalAction, default=True,
                        help="also fit the linear autoencoder (default: yes)")
    args = parser.parse_args(argv)
    params = json.loads(args.params)

    X_train, X_test, y_train, _, _, preprocessing = load_dataset(args)
    X_train, _ = subsample(X_train, y_train, args.train_size, args.seed)
    print(f"{args.dataset}: {len(X_train)} train / {len(X_test)} test rows ({preprocessing}); "
          f"parameters {params or 'defaults'}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        AutoencoderTransformer(max_iter=1).fit(X_train[:50])  # import and warm up Keras first

    print("| k | model | train / PCA | test / PCA | epochs | fit s | PCA fit s |")
    print("|---|---|---|---|---|---|---|")
    for k in args.n_components:
        start = time.perf_counter()
        pca = PCA(k, random_state=args.seed).fit(X_train)
        pca_s = time.perf_counter() - start
        pca_train, pca_test = mse(pca, X_train), mse(pca, X_test)
        models = {"defaults": (getattr(skae, args.estimator), {})}
        if args.linear:
            models["linear"] = (AutoencoderTransformer, LINEAR)
        for name, (cls, extra) in models.items():
            start = time.perf_counter()
            ae = cls(k, random_state=args.seed, **{**extra, **params}).fit(X_train)
            fit_s = time.perf_counter() - start
            print(f"| {k} | {name} | {mse(ae, X_train) / pca_train:.4f} | "
                  f"{mse(ae, X_test) / pca_test:.4f} | {ae.n_iter_} | {fit_s:.1f} | {pca_s:.2f} |",
                  flush=True)


if __name__ == "__main__":
    main()
