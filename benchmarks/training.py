"""Training engine measurements, beside plain Keras in the same process.

Memory growth per fit: a grid search fits one architecture many times in one
process, so resident memory must not grow fit after fit. This fits
``AutoencoderTransformer`` ``--fits`` times (a new estimator each time, as
``GridSearchCV`` does), then a plain Keras model of the same layers as many
times (a new model each time), and prints the resident memory after each
block and its growth per fit: the least-squares slope over the fits after the
first tenth (warm-up: imports, first traces).

    python benchmarks/training.py                 # digits, offline
    python benchmarks/training.py --fits 100 --data-dir ../shared/data --dataset fashion-mnist --train-size 5000

Both sides train in graph mode (more than 16 steps per fit), the mode in
which upstream TensorFlow keeps every traced graph.
"""

import argparse
import gc
import time

import numpy as np
from compare import PeakMemory, add_data_arguments, load_dataset, subsample

from skae import AutoencoderTransformer


def keras_autoencoder(n_features, n_components, hidden):
    import keras

    return keras.Sequential(
        [
            keras.Input((n_features,)),
            keras.layers.Dense(hidden, activation="relu"),
            keras.layers.Dense(n_components),
            keras.layers.Dense(hidden, activation="relu"),
            keras.layers.Dense(n_features),
        ]
    )


def fit_skae(X, seed, args):
    AutoencoderTransformer(
        args.n_components, hidden_layer_sizes=(args.hidden,), max_iter=args.epochs,
        n_iter_no_change=args.epochs, random_state=seed,
    ).fit(X)


def fit_keras(X, seed, args):
    import keras

    model = keras_autoencoder(X.shape[1], args.n_components, args.hidden)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    model.fit(X, X, epochs=args.epochs, batch_size=200, validation_split=0.1, verbose=0)


def growth_per_fit(fit, X, args):
    """Resident MB after each of ``args.fits`` fits, and the slope past warm-up."""
    rss, start = [], time.perf_counter()
    for seed in range(args.fits):
        fit(X, seed, args)
        gc.collect()
        rss.append(PeakMemory.rss_bytes() / 2**20)
    skip = max(1, args.fits // 10)
    slope = np.polyfit(np.arange(skip, args.fits), rss[skip:], 1)[0]
    return np.array(rss), slope, (time.perf_counter() - start) / args.fits


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_arguments(parser)
    parser.add_argument("--fits", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--n-components", type=int, default=8)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    X_train, _, y_train, _, _, _ = load_dataset(args)
    X, _ = subsample(X_train, y_train, args.train_size, args.seed)
    X = X.astype(np.float32)
    print(f"{args.fits} fits of {X.shape[1]}-{args.hidden}-{args.n_components}-"
          f"{args.hidden}-{X.shape[1]} on {len(X)} rows, {args.epochs} epochs each\n")
    print("| trainer | RSS after first fit (MB) | RSS after last fit (MB) | growth per fit (MB) | s per fit |")
    print("|---|---|---|---|---|")
    slopes = {}
    for name, fit in (("skae AutoencoderTransformer", fit_skae), ("plain Keras Model.fit", fit_keras)):
        rss, slope, seconds = growth_per_fit(fit, X, args)
        slopes[name] = slope
        print(f"| {name} | {rss[0]:.0f} | {rss[-1]:.0f} | {slope:.2f} | {seconds:.2f} |", flush=True)
    skae_slope, keras_slope = slopes.values()
    print(f"\ngrowth per fit, skae / plain Keras: {skae_slope / keras_slope:.2f}")


if __name__ == "__main__":
    main()
