"""Training engine measurements, beside plain Keras and PCA in the same process.

Three parts, each run in this one process (``--parts`` picks some):

``speed``
    Seconds per epoch of ``AutoencoderTransformer`` (or ``ConvAutoencoder``,
    ``--estimator``) and of a plain Keras model of the same layers, batch
    size and validation split, and the
    arithmetic rate each achieves (GFLOPS: six multiply-adds per weight and
    training row, two per weight and validation row) beside the peak of a
    large float32 matrix product measured first, in TensorFlow and in NumPy.
    An epoch's time is the difference between fits of ``1`` and
    ``1 + --epochs`` epochs over ``--epochs``, so one-off costs (tracing,
    building) cancel. The figures mean something on large data only: a
    short skae fit runs eagerly (``execution_plan``), and a plain Keras
    model traces its step again for a short last batch (TensorFlow then
    warns of retracing, counting the traces of Keras' step across models).
``memory``
    Resident memory growth per fit: a grid search fits one architecture many
    times in one process, so memory must not grow fit after fit. This fits
    the estimator ``--fits`` times (a new estimator each time, as
    ``GridSearchCV`` does), then a plain Keras model of the same layers as
    many times, and prints the resident memory after each block and its
    growth per fit: the least-squares slope over the fits after the first
    tenth (warm-up: imports, first traces). Both train in graph mode, the mode
    in which upstream TensorFlow keeps every traced graph.
``quality``
    Time to quality: test MSE against training seconds and against epochs,
    PCA's test MSE as the line to beat, for a plain Keras model of the
    ``--hidden`` layers written as users write one (sigmoid output for data
    in [0, 1], Adam at 1e-3, batches of 256, ``--keras-epochs`` epochs, the
    test error taken after each epoch), for skae with the same layers and
    for skae's defaults (and each ``--params`` candidate). Each skae point is
    a whole fit stopped at ``max_iter`` = 2, 4, 8, ... epochs, up to the one
    that stops by itself, so every point is what a user gets for that time.
    It prints when each skae configuration first reaches the plain model's
    final error, as a share of the plain model's time. A small fit first
    takes the one-off costs (imports, Keras start-up) out of the first
    point. With ``--out`` it writes ``time_to_quality.png``.

    python benchmarks/training.py                 # digits, offline
    python benchmarks/training.py --data-dir ../shared/data --dataset fashion-mnist \\
        --n-components 32 --hidden 512 256 --parts quality --max-epochs 64 --out results/training
"""

import argparse
import gc
import json
import math
import time
import warnings
from pathlib import Path

import numpy as np
from common import PeakMemory, add_data_arguments, load_dataset, subsample
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning

from skae import AutoencoderTransformer, ConvAutoencoder

PARTS = ("speed", "memory", "quality")
ESTIMATORS = {"AutoencoderTransformer": AutoencoderTransformer, "ConvAutoencoder": ConvAutoencoder}


def keras_autoencoder(n_features, args, output_activation=None):
    """A plain Keras model of the layers skae's network has for ``args``."""
    import keras

    if args.estimator == "ConvAutoencoder":
        return keras_conv_autoencoder(n_features, args.n_components, args.filters, output_activation)
    return keras.Sequential(
        [keras.Input((n_features,))]
        + [keras.layers.Dense(int(h), activation="relu") for h in args.hidden]
        + [keras.layers.Dense(args.n_components)]
        + [keras.layers.Dense(int(h), activation="relu") for h in reversed(args.hidden)]
        + [keras.layers.Dense(n_features, activation=output_activation)]
    )


def keras_conv_autoencoder(n_features, n_components, filters, output_activation=None):
    """ConvAutoencoder's default network for square single-channel images, in plain Keras."""
    import keras

    side = math.isqrt(n_features)
    if side * side != n_features:
        raise SystemExit(f"ConvAutoencoder here takes square single-channel images, not {n_features} features")
    sizes = [side]
    for _ in filters:
        sizes.append(-(-sizes[-1] // 2))
    conv = {"kernel_size": 3, "strides": 2, "padding": "same"}
    layers = [keras.Input((n_features,)), keras.layers.Reshape((side, side, 1))]
    layers += [keras.layers.Conv2D(f, activation="relu", **conv) for f in filters]
    layers += [keras.layers.Flatten(), keras.layers.Dense(n_components),
               keras.layers.Dense(sizes[-1] ** 2 * filters[-1], activation="relu"),
               keras.layers.Reshape((sizes[-1], sizes[-1], filters[-1]))]
    layers += [keras.layers.Conv2DTranspose(f, activation="relu", **conv) for f in reversed(filters[:-1])]
    layers += [keras.layers.Conv2DTranspose(1, activation=output_activation, **conv)]
    extra = sizes[-1] * 2 ** len(filters) - side
    if extra:
        layers.append(keras.layers.Cropping2D(((0, extra), (0, extra))))
    layers.append(keras.layers.Flatten())
    return keras.Sequential(layers)


def multiply_adds_per_row(model):
    """Multiply-adds of one row's forward pass through a Keras model's layers."""
    import keras

    total = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense):
            total += int(np.prod(layer.kernel.shape))
        elif isinstance(layer, (keras.layers.Conv2DTranspose, keras.layers.Conv1DTranspose)):
            total += int(np.prod(layer.kernel.shape)) * int(np.prod(layer.input.shape[1:-1]))
        elif isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv1D)):
            total += int(np.prod(layer.kernel.shape)) * int(np.prod(layer.output.shape[1:-1]))
    return total


def describe(model):
    """Layer output shapes, input first: ``784-256-32-256-784`` or ``784-(14, 14, 32)-...``."""
    shapes = [tuple(model.inputs[0].shape[1:])]
    shapes += [tuple(layer.output.shape[1:]) for layer in model.layers
               if layer.count_params() or layer is model.layers[-1]]
    return "-".join(str(s[0]) if len(s) == 1 else str(s) for s in shapes)


def skae_estimator(args, seed, **params):
    if args.estimator == "ConvAutoencoder":
        return ConvAutoencoder(args.n_components, filters=tuple(args.filters), random_state=seed,
                               **params)
    return AutoencoderTransformer(
        args.n_components, hidden_layer_sizes=tuple(args.hidden), random_state=seed, **params
    )


def fit_skae(X, seed, args, epochs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a fixed number of epochs is the point
        skae_estimator(args, seed, max_iter=epochs, n_iter_no_change=epochs + 1).fit(X)


def fit_keras(X, seed, args, epochs, batch_size=None):
    import keras

    keras.utils.set_random_seed(seed)
    model = keras_autoencoder(X.shape[1], args)
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="mse")
    model.fit(X, X, epochs=epochs, batch_size=batch_size or skae_batch_size(X, args),
              validation_split=0.1, verbose=0)


def skae_batch_size(X, args):
    """The batch size ``batch_size="auto"`` picks for the training rows."""
    return skae_estimator(args, 0)._batch_size(len(X) - int(np.ceil(0.1 * len(X))))


# ----------------------------------------------------------------- speed


def gemm_peak_gflops(n=2048, repeats=5):
    """Best rate of an ``n``-square float32 product: TensorFlow's and NumPy's."""
    import tensorflow as tf

    a, b = tf.random.normal((n, n)), tf.random.normal((n, n))
    an, bn = a.numpy(), b.numpy()
    rates = {}
    for name, product in (("TensorFlow", lambda: tf.linalg.matmul(a, b).numpy()),
                          ("NumPy", lambda: an @ bn)):
        product()
        best = min(_seconds(product) for _ in range(repeats))
        rates[name] = 2 * n**3 / best / 1e9
    return rates


def _seconds(call, *args):
    start = time.perf_counter()
    call(*args)
    return time.perf_counter() - start


def epoch_seconds(fit, X, args):
    """Seconds per epoch, from fits of 1 and ``1 + args.epochs`` epochs."""
    fit(X, 0, args, 1)  # warm-up: imports, the first trace
    short = _seconds(lambda: fit(X, 1, args, 1))
    long = _seconds(lambda: fit(X, 1, args, 1 + args.epochs))
    return (long - short) / args.epochs


def speed(X, args):
    peaks = gemm_peak_gflops(args.gemm_size)
    n_val = int(np.ceil(0.1 * len(X)))
    model = keras_autoencoder(X.shape[1], args)
    macs = multiply_adds_per_row(model)
    # Training: forward, gradient of the activations, gradient of the weights.
    flops = 2 * macs * (3 * (len(X) - n_val) + n_val)
    print(f"float32 GEMM peak ({args.gemm_size}-square): TensorFlow {peaks['TensorFlow']:.1f} GFLOPS, "
          f"NumPy {peaks['NumPy']:.1f} GFLOPS")
    print(f"network {describe(model)}, "
          f"{len(X)} rows, batch {skae_batch_size(X, args)}, {flops / 1e9:.2f} GFLOP an epoch\n")
    print("| trainer | s per epoch | GFLOPS | share of TF GEMM peak |")
    print("|---|---|---|---|")
    seconds = {}
    for name, fit in ((f"skae {args.estimator}", fit_skae), ("plain Keras Model.fit", fit_keras)):
        seconds[name] = s = epoch_seconds(fit, X, args)
        print(f"| {name} | {s:.3f} | {flops / s / 1e9:.1f} | {flops / s / 1e9 / peaks['TensorFlow']:.2f} |",
              flush=True)
    skae_s, keras_s = seconds.values()
    print(f"\nepoch time, skae / plain Keras: {skae_s / keras_s:.2f}")
    return {"gemm_peak_gflops": peaks, "gflop_per_epoch": flops / 1e9, "epoch_seconds": seconds}


# ---------------------------------------------------------------- memory


def growth_per_fit(fit, X, args):
    """Resident MB after each of ``args.fits`` fits, and the slope past warm-up."""
    rss, start = [], time.perf_counter()
    for seed in range(args.fits):
        fit(X, seed, args, args.epochs)
        gc.collect()
        rss.append(PeakMemory.rss_bytes() / 2**20)
    skip = max(1, args.fits // 10)
    slope = np.polyfit(np.arange(skip, args.fits), rss[skip:], 1)[0]
    return np.array(rss), slope, (time.perf_counter() - start) / args.fits


def memory(X, args):
    print(f"{args.fits} fits, {args.epochs} epochs each\n")
    print("| trainer | RSS after first fit (MB) | RSS after last fit (MB) | growth per fit (MB) | s per fit |")
    print("|---|---|---|---|---|")
    slopes = {}
    for name, fit in ((f"skae {args.estimator}", fit_skae), ("plain Keras Model.fit", fit_keras)):
        rss, slope, seconds = growth_per_fit(fit, X, args)
        slopes[name] = slope
        print(f"| {name} | {rss[0]:.0f} | {rss[-1]:.0f} | {slope:.2f} | {seconds:.2f} |", flush=True)
    skae_slope, keras_slope = slopes.values()
    print(f"\ngrowth per fit, skae / plain Keras: {skae_slope / keras_slope:.2f}")
    return {"growth_mb_per_fit": slopes}


# --------------------------------------------------------------- quality


def test_mse(estimator, X):
    return float(np.mean((X - estimator.inverse_transform(estimator.transform(X))) ** 2))


def plain_keras_curve(X, X_test, args, pca_mse):
    """Test MSE / PCA's after each epoch of the plain Keras recipe, and the seconds spent training.

    The recipe is the usual hand-written one: the layers of ``--hidden``,
    a sigmoid output when the data lie in [0, 1], Adam at 1e-3, batches of
    256, ``--keras-epochs`` epochs, no early stopping. The test error is
    measured after each epoch by a callback whose own time is left out.
    """
    import keras

    keras.utils.set_random_seed(args.seed)
    in_unit_interval = X.min() >= 0 and X.max() <= 1
    model = keras_autoencoder(X.shape[1], args,
                              output_activation="sigmoid" if in_unit_interval else None)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    X32, X_test32 = X.astype(np.float32), X_test.astype(np.float32)
    points, clock = [], {"left_out": 0.0}

    class TestError(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            start = time.perf_counter()
            mse = float(np.mean((X_test32 - self.model.predict(X_test32, batch_size=2048, verbose=0)) ** 2))
            clock["left_out"] += time.perf_counter() - start
            points.append({"epochs": epoch + 1, "seconds": time.perf_counter() - clock["start"] - clock["left_out"],
                           "test_mse_to_pca": mse / pca_mse})

    clock["start"] = time.perf_counter()
    model.fit(X32, X32, epochs=args.keras_epochs, batch_size=256, verbose=0, callbacks=[TestError()])
    return points


def skae_curve(name, params, X, X_test, args, pca_mse):
    """Whole skae fits stopped at ``max_iter`` = 2, 4, 8, ... epochs: (seconds, test MSE / PCA's)."""
    points, max_iter = [], 2
    while True:
        ae = ESTIMATORS[args.estimator](args.n_components, random_state=args.seed,
                                        **{**params, "max_iter": max_iter})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # the budget is the point
            seconds = _seconds(ae.fit, X)
        ratio = test_mse(ae, X_test) / pca_mse
        points.append({"max_iter": max_iter, "epochs": ae.n_iter_, "seconds": seconds,
                       "test_mse_to_pca": ratio})
        print(f"| {name} | {ae.n_iter_} | {seconds:.1f} | {ratio:.4f} |", flush=True)
        if ae.n_iter_ < max_iter or max_iter >= args.max_epochs:
            return points
        max_iter = min(2 * max_iter, args.max_epochs)


def first_reaching(points, level):
    """The first point at or below ``level``, or None."""
    return next((p for p in points if p["test_mse_to_pca"] <= level), None)


def time_to_quality(X, X_test, args):
    """Test error against time and epochs: plain Keras and skae side by side, PCA as the line to beat.

    Every skae point is a whole fit stopped at ``max_iter``, what a user gets
    for that time (the plateau schedule does not depend on ``max_iter``).
    """
    pca = PCA(args.n_components, random_state=args.seed)
    pca_s = _seconds(lambda: pca.fit(X))
    pca_mse = test_mse(pca, X_test)
    print(f"PCA: test MSE {pca_mse:.5g} in {pca_s:.2f} s\n")
    hidden = tuple(args.hidden)
    configurations = {f"skae, hidden {hidden}": {"hidden_layer_sizes": hidden}, "skae, defaults": {}}
    configurations.update({json.dumps(p): p for p in map(json.loads, args.params)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ESTIMATORS[args.estimator](args.n_components, max_iter=1).fit(X[:50])  # imports, Keras start-up
    print("| trainer | epochs | fit s | test MSE / PCA |")
    print("|---|---|---|---|")
    keras_name = f"plain Keras, hidden {hidden}"
    curves = {keras_name: plain_keras_curve(X, X_test, args, pca_mse)}
    for p in curves[keras_name]:
        print(f"| {keras_name} | {p['epochs']} | {p['seconds']:.1f} | {p['test_mse_to_pca']:.4f} |", flush=True)
    for name, params in configurations.items():
        curves[name] = skae_curve(name, params, X, X_test, args, pca_mse)
    target = curves[keras_name][-1]
    print(f"\n{keras_name} after {target['epochs']} epochs: test MSE / PCA {target['test_mse_to_pca']:.4f} "
          f"in {target['seconds']:.1f} s")
    for name in configurations:
        hit = first_reaching(curves[name], target["test_mse_to_pca"])
        if hit is None:
            print(f"{name}: does not reach it within {args.max_epochs} epochs")
        else:
            print(f"{name}: reaches it in {hit['epochs']} epochs, {hit['seconds']:.1f} s "
                  f"({hit['seconds'] / target['seconds']:.2f} of plain Keras' time)")
    return {"pca_test_mse": pca_mse, "pca_fit_seconds": pca_s, "target": target, "curves": curves}


def plot_time_to_quality(result, path, title):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    styles = ["-", "--", "-.", ":"]
    for i, (name, points) in enumerate(result["curves"].items()):
        keras_curve = "max_iter" not in points[0]
        for ax, x in zip(axes, ("seconds", "epochs")):
            ax.plot([p[x] for p in points], [p["test_mse_to_pca"] for p in points],
                    linestyle=styles[i % len(styles)], marker="." if keras_curve else "o",
                    label=name + (" (after each epoch)" if keras_curve else " (whole fits)"))
    for ax, label in zip(axes, ("training seconds", "epochs")):
        ax.axhline(1.0, color="black", linewidth=0.8, label="PCA")
        ax.axhline(result["target"]["test_mse_to_pca"], color="grey", linewidth=0.8, linestyle=":",
                   label="plain Keras' final error")
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda value, _: f"{value:g}"))
        ax.xaxis.set_minor_formatter(matplotlib.ticker.FuncFormatter(  # 2, 5, 20, 50, ... only
            lambda value, _: f"{value:g}" if f"{value:g}"[0] in "25" else ""))
        ax.tick_params(axis="x", which="minor", labelsize=7)
        ax.set_xlabel(label)
        ax.grid(True, which="major", alpha=0.3)
    axes[0].set_ylabel("test MSE / PCA's")
    axes[1].legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_arguments(parser)
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS))
    parser.add_argument("--fits", type=int, default=100, help="memory: fits per trainer")
    parser.add_argument("--epochs", type=int, default=5,
                        help="memory: epochs per fit; speed: epochs timed")
    parser.add_argument("--estimator", choices=sorted(ESTIMATORS), default="AutoencoderTransformer",
                        help="the skae estimator (its defaults in the quality part); speed and "
                             "memory fit it and a plain Keras model of the same layers")
    parser.add_argument("--n-components", type=int, default=8)
    parser.add_argument("--hidden", type=int, nargs="*", default=[128],
                        help="hidden widths of the plain Keras model and of skae's same-layers "
                             "fits (default 128; skae's default is 256)")
    parser.add_argument("--filters", type=int, nargs="+", default=[32, 64],
                        help="speed, memory: ConvAutoencoder's filters (its default 32 64)")
    parser.add_argument("--params", nargs="*", default=[],
                        help="quality: JSON parameters of further skae configurations to plot")
    parser.add_argument("--keras-epochs", type=int, default=30,
                        help="quality: epochs of the plain Keras model (default 30)")
    parser.add_argument("--max-epochs", type=int, default=200,
                        help="quality: the longest fit (skae's default max_iter: 200)")
    parser.add_argument("--gemm-size", type=int, default=2048,
                        help="speed: the square matrix product that measures the peak")
    parser.add_argument("--out", type=Path, help="folder for training.json and the quality plot")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    # TensorFlow loaded as skae loads it: without its start-up lines.
    from skae._loader import load_keras

    load_keras()

    X_train, X_test, y_train, _, _, preprocessing = load_dataset(args)
    X, _ = subsample(X_train, y_train, args.train_size, args.seed)
    print(f"{args.dataset}: {len(X)} training rows, {X.shape[1]} features ({preprocessing}), "
          f"k = {args.n_components}\n")
    report = {"dataset": args.dataset, "n_train": len(X), "n_components": args.n_components}
    if "speed" in args.parts:
        print("## Epoch time and arithmetic rate\n")
        report["speed"] = speed(X.astype(np.float32), args)
    if "memory" in args.parts:
        print("\n## Memory growth per fit\n")
        report["memory"] = memory(X.astype(np.float32), args)
    if "quality" in args.parts:
        print("\n## Time to quality\n")
        report["quality"] = time_to_quality(X, X_test, args)
        if args.out is not None:
            args.out.mkdir(parents=True, exist_ok=True)
            plot_time_to_quality(report["quality"], args.out / "time_to_quality.png",
                                 f"{args.dataset}, {len(X)} rows, k = {args.n_components}")
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "training.json").write_text(json.dumps(report, indent=2, default=float))


if __name__ == "__main__":
    main()
