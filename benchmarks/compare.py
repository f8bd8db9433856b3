"""PCA versus skae's autoencoders on one data set, side by side in one run.

Every estimator is fitted on the same training rows and evaluated on the same
held-out rows, for each code size, in this one process, so ratios between rows
are fair on a noisy machine. For each estimator and size it measures:

- test reconstruction MSE, and the MSE to the clean test rows when the test
  input is noisy (denoising);
- accuracy of a LogisticRegression trained on the codes (when labels exist);
- fit time, batched transform time, single-row transform time;
- peak resident memory added during fit: the highest resident set size
  sampled while the fit runs, less the resident size just before it, taken
  after garbage collection and glibc's ``malloc_trim`` have returned the
  memory freed by earlier fits to the system, so that every row starts from
  what is live (otherwise a fit reusing an earlier fit's freed pages shows
  almost nothing added). Each fit is timed and measured as the first of its
  network in the process, as a user's first fit is: skae keeps one traced
  training graph per architecture, and a later fit of the same layers would
  skip the tracing's time and memory.

It prints a Markdown table, writes the same numbers as JSON (with library
versions, seeds and machine information) and PNG plots.

    python benchmarks/compare.py                      # digits, offline
    python benchmarks/compare.py --quick              # smoke run
    python benchmarks/compare.py --data-dir ../shared/data --dataset fashion-mnist \\
        --n-components 2 8 32 64
    python benchmarks/compare.py --dataset my.csv --label-column label
    python benchmarks/compare.py --merge run-k2/results.json run-k8/results.json --out both

``--merge`` joins the results of runs of one data set and settings that
each measured other code sizes (long runs, one per size) into one table,
results.json and error plot, fitting nothing.

No estimator is tuned: each runs with skae's defaults except where the table's
"settings" column says otherwise, and every setting is written to the JSON.
"""

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from common import (
    PeakMemory,
    add_data_arguments,
    environment,
    forget_traced_networks,
    load_dataset,
    subsample,
)
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skae import (
    AutoencoderTransformer,
    ConvAutoencoder,
    DenoisingAutoencoder,
    StackedAutoencoder,
)

# ------------------------------------------------------------ estimators


def make_estimators(n_components, seed, max_iter, image_shape=None):
    """Each estimator with the settings that differ from skae's defaults.

    Image data sets (``image_shape`` given) also get the convolutional
    autoencoder, told the images' shape.
    """
    common = {"random_state": seed, "max_iter": max_iter}
    specs = {
        "PCA": (PCA, {"random_state": seed}),
        "linear AE": (AutoencoderTransformer, {"hidden_layer_sizes": (), "activation": "linear", **common}),
        # skae's defaults: the row issue 10's targets are about.
        "AE, defaults": (AutoencoderTransformer, common),
        "deep AE": (AutoencoderTransformer, {"hidden_layer_sizes": (256, 64), **common}),
        # Pretraining gets a quarter of the fine-tuning epochs per layer, the
        # ratio of skae's defaults (50 and 200).
        "stacked AE": (
            StackedAutoencoder,
            {"hidden_layer_sizes": (256, 64), "pretrain_max_iter": max(1, max_iter // 4), **common},
        ),
        "stacked AE, no pretraining": (
            StackedAutoencoder, {"hidden_layer_sizes": (256, 64), "pretrain": False, **common}
        ),
        "denoising AE": (DenoisingAutoencoder, {"hidden_layer_sizes": (256, 64), **common}),
    }
    if image_shape is not None:
        specs["conv AE"] = (ConvAutoencoder, {"image_shape": (*image_shape, 1), **common})
    return {
        name: (cls(n_components=n_components, **params), {k: v for k, v in params.items() if k != "random_state"})
        for name, (cls, params) in specs.items()
    }


# ----------------------------------------------------------- measurement


def single_row_ms(estimator, row, repeats=50):
    estimator.transform(row)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        estimator.transform(row)
        times.append(time.perf_counter() - start)
    return float(np.median(times) * 1e3)


def reconstruct(estimator, X):
    return estimator.inverse_transform(estimator.transform(X))


def code_accuracy(codes_train, y_train, codes_test, y_test):
    clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    return float(clf.fit(codes_train, y_train).score(codes_test, y_test))


def measure(estimator, X_train, X_test, y_train, y_test, X_test_noisy):
    forget_traced_networks()
    # A fit that stops at max_iter is marked in the table's epochs column
    # instead of warning: the epoch budget is the benchmark's own setting.
    with PeakMemory() as memory, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        start = time.perf_counter()
        estimator.fit(X_train)
        fit_s = time.perf_counter() - start
    for warning in caught:
        if not issubclass(warning.category, ConvergenceWarning):
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    start = time.perf_counter()
    codes_test = estimator.transform(X_test)
    transform_s = time.perf_counter() - start
    row = {
        "train_mse": float(np.mean((X_train - reconstruct(estimator, X_train)) ** 2)),
        "test_mse": float(np.mean((X_test - reconstruct(estimator, X_test)) ** 2)),
        "denoising_mse": float(np.mean((X_test - reconstruct(estimator, X_test_noisy)) ** 2)),
        "accuracy": None,
        "fit_s": fit_s,
        "transform_batch_ms": transform_s * 1e3,
        "transform_row_ms": single_row_ms(estimator, X_test[:1]),
        "fit_peak_rss_added_mb": memory.added_mb,
        "n_iter": getattr(estimator, "n_iter_", None),
        "reached_max_iter": any(issubclass(w.category, ConvergenceWarning) for w in caught),
    }
    if y_train is not None:
        row["accuracy"] = code_accuracy(estimator.transform(X_train), y_train, codes_test, y_test)
    return row, codes_test


# ---------------------------------------------------------------- output


def markdown_table(results):
    header = ("estimator", "k", "test MSE", "denoise MSE", "accuracy", "fit s",
              "transform ms", "1-row ms", "fit peak MB", "epochs")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in results:
        acc = "" if r["accuracy"] is None else f"{r['accuracy']:.3f}"
        epochs = "" if r["n_iter"] is None else str(r["n_iter"])
        if r.get("reached_max_iter"):
            epochs += " (max_iter)"
        lines.append(
            f"| {r['estimator']} | {r['n_components']} | {r['test_mse']:.5f} | "
            f"{r['denoising_mse']:.5f} | {acc} | {r['fit_s']:.2f} | "
            f"{r['transform_batch_ms']:.1f} | {r['transform_row_ms']:.2f} | "
            f"{r['fit_peak_rss_added_mb']:.0f} | {epochs} |"
        )
    return "\n".join(lines)


def linear_ratios(results):
    """Linear AE / PCA reconstruction MSE on the training rows, where PCA is optimal."""
    by = {(r["estimator"], r["n_components"]): r["train_mse"] for r in results}
    return {
        k: by[("linear AE", k)] / by[("PCA", k)]
        for (name, k) in by
        if name == "PCA" and ("linear AE", k) in by
    }


def _save(fig, path, plt):
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


#: A marker and a line style per estimator, so that lines lying on one
#: another (PCA and the linear autoencoder) stay visible.
_STYLES = [("o", "-"), ("s", "--"), ("^", "-."), ("D", ":"), ("v", "-"), ("P", "--"), ("X", "-."),
           ("*", ":")]


def _split_text(split):
    return f"{split['n_test']} test rows (a model fitted on {split['n_train']})"


def _plot_mse(plt, results, dataset, split, path):
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for i, name in enumerate(dict.fromkeys(r["estimator"] for r in results)):
        rows = [r for r in results if r["estimator"] == name]
        marker, line = _STYLES[i % len(_STYLES)]
        ax.plot([r["n_components"] for r in rows], [r["test_mse"] for r in rows], marker=marker,
                linestyle=line, markersize=9 - i * 0.6, markerfacecolor="none", markeredgewidth=1.4,
                label=name)
    sizes = sorted({r["n_components"] for r in results})
    ax.set(xscale="log", yscale="log", xlabel="code size (n_components)",
           ylabel="test reconstruction MSE (log)")
    ax.set_xticks(sizes, [str(k) for k in sizes])
    ax.xaxis.set_minor_locator(plt.NullLocator())  # ticks at the measured sizes only
    ax.set_title(f"{dataset}: reconstruction error of {_split_text(split)}", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.tight_layout()
    return _save(fig, path, plt)


def _plot_reconstructions(plt, X_test, recon, image_shape, k, dataset, path, n_show=8):
    names = list(recon)
    fig, axes = plt.subplots(len(names) + 1, n_show, figsize=(n_show + 1.2, len(names) + 1.6))
    for j in range(n_show):
        axes[0, j].imshow(X_test[j].reshape(image_shape), cmap="gray", vmin=0, vmax=1)
        for i, name in enumerate(names, start=1):
            axes[i, j].imshow(recon[name][j].reshape(image_shape), cmap="gray", vmin=0, vmax=1)
    for i, name in enumerate(["original"] + names):
        axes[i, 0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize=8)
    for a in axes.ravel():
        a.set_xticks([])
        a.set_yticks([])
    fig.suptitle(f"{dataset}: the first {n_show} test images and their reconstructions "
                 f"from codes of size {k}", fontsize=10)
    fig.tight_layout()
    return _save(fig, path, plt)


def _plot_codes(plt, codes2d, y_test, dataset, path, n_columns=4):
    n = len(codes2d)
    n_rows = -(-n // n_columns)
    fig, axes = plt.subplots(n_rows, n_columns, figsize=(3.2 * n_columns, 3.2 * n_rows + 0.8),
                             squeeze=False)
    classes = np.unique(y_test)
    cmap = plt.get_cmap("tab10")
    for ax, (name, codes) in zip(axes.flat, codes2d.items()):
        for c in classes:
            chosen = y_test == c
            ax.scatter(codes[chosen, 0], codes[chosen, 1], s=3, color=cmap(int(c) % 10), label=str(c))
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("code 1", fontsize=8)
        ax.set_ylabel("code 2", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    handles = [plt.Line2D([], [], marker="o", linestyle="", color=cmap(int(c) % 10), label=str(c))
               for c in classes]
    fig.legend(handles=handles, title="class", loc="center right", fontsize=8, title_fontsize=8)
    fig.suptitle(f"{dataset}: 2-D codes of the {len(y_test)} test rows, coloured by class",
                 fontsize=11)
    fig.tight_layout(rect=(0, 0, 0.93, 1))
    return _save(fig, path, plt)


def _pyplot():
    """matplotlib's pyplot on the Agg backend, or None (said once) where it is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plots (pip install 'skae[plot]')", file=sys.stderr)
        return None
    return plt


def make_plots(out_dir, results, X_test, y_test, recon, codes2d, image_shape, dataset, split):
    """MSE against code size; reconstructions (images only); 2-D codes (labels only).

    ``split`` gives the numbers of training and test rows, for the titles.
    """
    plt = _pyplot()
    if plt is None:
        return []
    paths = [_plot_mse(plt, results, dataset, split, out_dir / "mse_vs_n_components.png")]
    if image_shape is not None:
        k = max(r["n_components"] for r in results)
        paths.append(_plot_reconstructions(plt, X_test, recon, image_shape, k, dataset,
                                           out_dir / "reconstructions.png"))
    if codes2d:
        paths.append(_plot_codes(plt, codes2d, y_test, dataset, out_dir / "codes_2d.png"))
    return paths


# ------------------------------------------------------------------ main


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_arguments(parser)
    parser.add_argument("--n-components", type=int, nargs="+", default=None,
                        help="code sizes (default 2 8 32; quick: 2 8)")
    parser.add_argument("--test-size", type=int, help="use at most this many test rows")
    parser.add_argument("--max-iter", type=int, default=None, help="epochs for every autoencoder (default 200; quick: 5)")
    parser.add_argument("--noise", type=float, default=0.2,
                        help="std of the Gaussian noise added to test rows for the denoising column, "
                             "as a fraction of the training data's std (default 0.2)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="benchmarks/out", help="folder for results.json and plots")
    parser.add_argument("--quick", action="store_true", help="smoke run: 2 sizes, 5 epochs, 500 training rows")
    parser.add_argument("--merge", nargs="+", metavar="RESULTS_JSON",
                        help="join these runs' results.json (one data set, other code sizes); fit nothing")
    return parser.parse_args(argv)


#: What runs to be merged must share.
_MERGE_KEYS = ("dataset", "preprocessing", "n_train", "n_test", "n_features", "max_iter", "seed",
               "denoising_noise_std", "settings")


def merge(paths, out_dir):
    """One report of several runs' ``results.json``: their rows by code size, one error plot.

    The reconstructions and 2-D codes plots of the runs that made them are
    copied (the largest code size's and the 2-component run's).
    """
    import shutil

    reports = sorted((json.loads(Path(p).read_text()) for p in paths),
                     key=lambda r: min(r["n_components"]))
    first = reports[0]
    for report, path in zip(reports, paths):
        differing = [key for key in _MERGE_KEYS if report.get(key) != first.get(key)]
        if differing:
            raise SystemExit(f"{path} differs from the other runs in {', '.join(differing)}: "
                             "only runs of one data set and settings merge")
    results = [row for report in reports for row in report["results"]]
    sizes = [row["n_components"] for row in results if row["estimator"] == "PCA"]
    if len(sizes) != len(set(sizes)):
        raise SystemExit(f"the runs measure code sizes {sorted(sizes)}: each size once, please")
    print(markdown_table(results))
    out_dir.mkdir(parents=True, exist_ok=True)
    plots = []
    plt = _pyplot()
    if plt is not None:
        plots.append(_plot_mse(plt, results, first["dataset"],
                               {"n_train": first["n_train"], "n_test": first["n_test"]},
                               out_dir / "mse_vs_n_components.png"))
    for report, name in ((reports[-1], "reconstructions.png"), (reports[0], "codes_2d.png")):
        source = next((Path(p) for p in report.get("plots", []) if Path(p).name == name), None)
        if source is not None and source.exists() and source.parent.resolve() != out_dir.resolve():
            shutil.copy(source, out_dir / name)
            plots.append(out_dir / name)
    merged = {**{key: first[key] for key in _MERGE_KEYS},
              "n_components": sorted(sizes), "results": results,
              "linear_ae_to_pca_mse_ratio": {str(k): v for k, v in linear_ratios(results).items()},
              "merged_from": [{"n_components": r["n_components"], "environment": r["environment"],
                               "total_seconds": r["total_seconds"]} for r in reports],
              "plots": [str(p) for p in plots]}
    (out_dir / "results.json").write_text(json.dumps(merged, indent=2))
    print(f"wrote {out_dir / 'results.json'}" + "".join(f", {p}" for p in plots), file=sys.stderr)


def main(argv=None):
    args = parse_args(argv)
    if args.merge:
        return merge(args.merge, Path(args.out))
    n_components = args.n_components or ([2, 8] if args.quick else [2, 8, 32])
    max_iter = args.max_iter or (5 if args.quick else 200)
    train_size = args.train_size or (500 if args.quick else None)

    X_train, X_test, y_train, y_test, image_shape, preprocessing = load_dataset(args)
    X_train, y_train = subsample(X_train, y_train, train_size, args.seed)
    X_test, y_test = subsample(X_test, y_test, args.test_size, args.seed + 1)
    noise_std = args.noise * float(X_train.std())
    X_test_noisy = X_test + np.random.RandomState(args.seed + 2).normal(0, noise_std, X_test.shape)
    if y_train is not None and len(np.unique(y_train)) < 2:
        y_train = y_test = None

    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    print(f"{args.dataset}: {X_train.shape[0]} train / {X_test.shape[0]} test rows, "
          f"{X_train.shape[1]} features ({preprocessing}); n_components={n_components}; "
          f"max_iter={max_iter}; seed={args.seed}", file=sys.stderr)

    # Load Keras and trace one tiny fit first, so that no estimator's row
    # pays for importing TensorFlow. One epoch is all it is meant to run.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        AutoencoderTransformer(max_iter=1, random_state=args.seed).fit(X_train[:50])

    results, settings, recon, codes2d = [], {}, {}, {}
    n_jobs = len(n_components) * len(make_estimators(2, args.seed, max_iter, image_shape))
    done = 0
    total_start = time.perf_counter()
    for k in n_components:
        for name, (estimator, params) in make_estimators(k, args.seed, max_iter, image_shape).items():
            done += 1
            print(f"[{done}/{n_jobs}] {name}, n_components={k} "
                  f"({time.perf_counter() - total_start:.0f} s elapsed)", file=sys.stderr, flush=True)
            row, codes_test = measure(estimator, X_train, X_test, y_train, y_test, X_test_noisy)
            settings[name] = {"class": type(estimator).__name__, **{p: repr(v) for p, v in params.items()}}
            results.append({"estimator": name, "n_components": k, **row})
            if k == max(n_components):
                recon[name] = reconstruct(estimator, X_test[:8])
            if k == 2 and y_test is not None:
                codes2d[name] = codes_test

    table = markdown_table(results)
    ratios = linear_ratios(results)
    print(table)
    print()
    print("linear AE / PCA MSE on the training rows (theory: cannot go below 1): "
          + ", ".join(f"k={k}: {r:.4f}" for k, r in ratios.items()))
    print("settings (all else skae's defaults):")
    for name, s in settings.items():
        print(f"  {name}: {s}")

    plots = make_plots(out_dir, results, X_test, y_test, recon, codes2d, image_shape, args.dataset,
                       {"n_train": int(X_train.shape[0]), "n_test": int(X_test.shape[0])})
    report = {
        "dataset": args.dataset,
        "preprocessing": preprocessing,
        "n_train": int(X_train.shape[0]),
        "n_test": int(X_test.shape[0]),
        "n_features": int(X_train.shape[1]),
        "n_components": n_components,
        "max_iter": max_iter,
        "seed": args.seed,
        "denoising_noise_std": noise_std,
        "settings": settings,
        "results": results,
        "linear_ae_to_pca_mse_ratio": {str(k): v for k, v in ratios.items()},
        "environment": environment(),
        "plots": [str(p) for p in plots],
        "total_seconds": time.perf_counter() - total_start,
    }
    (out_dir / "results.json").write_text(json.dumps(report, indent=2))
    print(f"wrote {out_dir / 'results.json'}" + "".join(f", {p}" for p in plots), file=sys.stderr)


if __name__ == "__main__":
    main()
