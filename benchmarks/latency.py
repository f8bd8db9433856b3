"""Single-row and batched transform latency of AutoencoderTransformer.

Prints times next to PCA.transform and Keras' Model.predict, all measured in
this process on the same rows, plus their ratios. On digits (the default) the
batch is the standardized table tiled 20 times (35,940 rows); on another
dataset it is the training rows as loaded (Fashion-MNIST: 60,000 x 784,
pixels / 255, float64):

    python benchmarks/latency.py [--repeats 300]
    python benchmarks/latency.py --data-dir ../shared/data --dataset fashion-mnist \\
        --n-components 32 --max-iter 2 --hidden 128 256

The network's weights, not its quality, set the time: ``--max-iter`` only
shortens the fit.
"""

import argparse
import time

import numpy as np
from common import add_data_arguments, load_dataset, subsample
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

from skae import AutoencoderTransformer


def per_call_ms(fn, repeats):
    fn()  # warm up (traces graphs, fills caches)
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats * 1e3


def rows_to_time(args):
    """The rows to fit on and the batch to time."""
    if args.dataset == "digits":
        X = StandardScaler().fit_transform(load_digits().data)
        return X, np.tile(X, (20, 1))
    X_train, _, y_train, _, _, _ = load_dataset(args)
    X_train, _ = subsample(X_train, y_train, args.train_size, args.seed)
    return X_train, X_train


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_arguments(parser)
    parser.add_argument("--repeats", type=int, default=300, help="calls timed on one row")
    parser.add_argument("--n-components", type=int, default=8)
    parser.add_argument("--max-iter", type=int, default=20, help="epochs of the fit (default 20)")
    parser.add_argument("--hidden", type=int, nargs="+",
                        help="widths of the one hidden layer to time, each its own "
                             "autoencoder (default: skae's default network)")
    parser.add_argument("--seed", type=int, default=0, help="train/test split of a table file")
    args = parser.parse_args()

    X, big = rows_to_time(args)
    row, n = X[:1], len(big)
    pca = PCA(args.n_components, random_state=0).fit(X)
    pca_1 = per_call_ms(lambda: pca.transform(row), args.repeats)
    pca_n = per_call_ms(lambda: pca.transform(big), 20)
    print(f"{args.dataset}: {X.shape[1]} features, {args.n_components} components")
    print(f"{'call':<60}{'ms':>10}")
    print(f"{'PCA.transform, 1 row':<60}{pca_1:>10.3f}")
    print(f"{f'PCA.transform, {n} rows':<60}{pca_n:>10.3f}")
    networks = [{}] if args.hidden is None else [{"hidden_layer_sizes": (w,)} for w in args.hidden]
    for params in networks:
        ae = AutoencoderTransformer(args.n_components, max_iter=args.max_iter, random_state=0,
                                    **params).fit(X)
        encoder, row32 = ae.encoder_, row.astype(np.float32)
        skae_1 = per_call_ms(lambda: ae.transform(row), args.repeats)
        keras_1 = per_call_ms(lambda: encoder.predict(row32, verbose=0), 20)
        skae_n = per_call_ms(lambda: ae.transform(big), 20)
        keras_n = per_call_ms(lambda: encoder.predict(big, verbose=0, batch_size=4096), 5)
        label = f"hidden {ae.hidden_layer_sizes}"
        for call, ms in ((f"AutoencoderTransformer.transform, 1 row, {label}", skae_1),
                         (f"keras encoder.predict, 1 row, {label}", keras_1),
                         (f"AutoencoderTransformer.transform, {n} rows, {label}", skae_n),
                         (f"keras encoder.predict, {n} rows, {label}", keras_n)):
            print(f"{call:<60}{ms:>10.3f}")
        print(f"  {label}: 1 row skae / PCA = {skae_1 / pca_1:.1f}x, "
              f"keras predict / skae = {keras_1 / skae_1:.0f}x; "
              f"{n} rows skae / PCA = {skae_n / pca_n:.2f}x, "
              f"keras predict / skae = {keras_n / skae_n:.2f}x")


if __name__ == "__main__":
    main()
