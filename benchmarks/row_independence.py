"""How much a row's output depends on the other rows in the same call.

Every public estimator is fitted with default settings (``n_components=8``
for the transformers) on the training rows. Then each of 1,000 test rows
(test rows, then training rows where the test split is smaller) goes
through every inference method alone and inside the 1,000-row batch,
and the largest absolute and relative differences are printed. For
comparison, the same is measured for the fitted float32 Keras encoder
called directly, in this process on the same rows.

    python benchmarks/row_independence.py                # digits, offline
    python benchmarks/row_independence.py --data-dir ../shared/data --dataset fashion-mnist --train-size 5000
"""

import argparse

import numpy as np
from common import add_data_arguments, load_dataset, subsample

from skae import (
    AutoencoderAnomalyDetector,
    AutoencoderTransformer,
    DenoisingAutoencoder,
    StackedAutoencoder,
)

METHODS = ("transform", "inverse_transform", "score_samples", "decision_function",
           "predict", "feature_errors")


def differences(alone, batch):
    """Largest absolute and relative difference between two result arrays."""
    alone, batch = np.asarray(alone, dtype=np.float64), np.asarray(batch, dtype=np.float64)
    absolute = np.abs(alone - batch)
    scale = np.maximum(np.abs(batch), np.finfo(np.float64).tiny)
    return absolute.max(), (absolute / scale).max()


def measure(call, batch):
    in_batch = call(batch)
    alone = np.stack([call(batch[i : i + 1])[0] for i in range(len(batch))])
    return differences(alone, in_batch)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_arguments(parser)
    parser.add_argument("--rows", type=int, default=1000, help="rows in the batch")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    X_train, X_test, y_train, _, _, _ = load_dataset(args)
    X_train, _ = subsample(X_train, y_train, args.train_size, args.seed)
    # Test rows first; small sets (digits has 450) are filled up with training rows.
    batch = np.vstack([X_test, X_train])[: args.rows]

    estimators = [
        AutoencoderTransformer(8, random_state=0),
        DenoisingAutoencoder(8, random_state=0),
        StackedAutoencoder(8, random_state=0),
        AutoencoderAnomalyDetector(random_state=0),
    ]
    print(f"{len(X_train)} training rows, {len(batch)} rows in the batch\n")
    print(f"| {'estimator':<28} | {'method':<18} | {'max abs diff':>12} | {'max rel diff':>12} |")
    print(f"|{'-' * 30}|{'-' * 20}|{'-' * 14}|{'-' * 14}|")
    for est in estimators:
        est.fit(X_train)
        name = type(est).__name__
        for method in METHODS:
            if not hasattr(est, method):
                continue
            data = est.transform(batch) if method == "inverse_transform" else batch
            a, r = measure(getattr(est, method), data)
            print(f"| {name:<28} | {method:<18} | {a:>12.3g} | {r:>12.3g} |", flush=True)
        if hasattr(est, "encoder_"):
            encoder = est.encoder_
            batch32 = batch.astype(np.float32)
            a, r = measure(lambda x: encoder(x).numpy(), batch32)
            print(f"| {name:<28} | {'encoder_ (Keras)':<18} | {a:>12.3g} | {r:>12.3g} |", flush=True)


if __name__ == "__main__":
    main()
