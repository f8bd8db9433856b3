"""Serving a fitted model: cold start, peak memory and latency, beside PCA and IsolationForest.

Each skae estimator is fitted on the digits (or ``--dataset``), saved with
joblib and skops, and exported to ONNX; PCA (the baseline of the
transformers) and IsolationForest (the detector's) are saved the same way.
Then, for each model and format, a fresh Python process loads the file and
computes one row (``transform``; the detector's ``decision_function``): the
wall time from starting the process to that first result, the process's
peak resident memory by then, and whether TensorFlow was imported. The same
process then times calls on one row and on 10,000 rows. Ratios are against
the baseline in the same format, measured in the same run::

    python benchmarks/serving.py [--out docs/results/serving] [--repeats 3]

``--formats joblib`` runs with a skae that has no skops or ONNX support
(to measure an older version). The fits are short (``--max-iter``): serving
costs depend on the network's size, not on its training.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from common import add_data_arguments, load_dataset
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

import skae

#: The child process: load one file, compute one row, report; then time calls.
_CHILD = r"""
import json, sys, time
fmt, path, data = sys.argv[1], sys.argv[2], sys.argv[3]
import numpy as np
X = np.load(data)
row, many = X[:1], np.tile(X, (-(-10000 // len(X)), 1))[:10000]
if fmt == "joblib":
    import joblib
    model = joblib.load(path)
elif fmt == "skops":
    import skops.io as sio
    import skae
    # The IsolationForest baseline's trees are a type skops asks to trust by name.
    model = sio.load(path, trusted=skae.trusted_types() + ["sklearn.tree._tree.Tree"])
if fmt == "onnx":
    import onnxruntime as ort
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    last = len(session.get_outputs()) - 1  # codes, or the detector's scores
    def call(rows):
        return session.run(None, {name: rows.astype(np.float32)})[last]
else:
    method = getattr(model, "decision_function", None) or model.transform
    def call(rows):
        return method(rows)
call(row)
first = time.time()
# VmHWM, the peak resident memory of this program (ru_maxrss would count
# the parent's, which it inherits across exec).
with open("/proc/self/status") as status:
    peak_mb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024
tensorflow = "tensorflow" in sys.modules

def per_call_ms(rows, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call(rows)
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))

print(json.dumps({"first": first, "peak_mb": peak_mb, "tensorflow": tensorflow,
                  "row_ms": per_call_ms(row, 200), "rows_10k_ms": per_call_ms(many, 5)}))
"""

ESTIMATORS = {
    "AutoencoderTransformer": lambda k, it, shape: skae.AutoencoderTransformer(k, max_iter=it),
    "DenoisingAutoencoder": lambda k, it, shape: skae.DenoisingAutoencoder(k, max_iter=it),
    "StackedAutoencoder": lambda k, it, shape: skae.StackedAutoencoder(
        k, hidden_layer_sizes=(64, 32), max_iter=it, pretrain_max_iter=it),
    "ConvAutoencoder": lambda k, it, shape: skae.ConvAutoencoder(k, image_shape=shape, max_iter=it),
    "RecurrentAutoencoder": lambda k, it, shape: skae.RecurrentAutoencoder(k, max_iter=it),
    "VariationalAutoencoder": lambda k, it, shape: skae.VariationalAutoencoder(k, max_iter=it),
    "ConvVariationalAutoencoder": lambda k, it, shape: skae.ConvVariationalAutoencoder(
        k, image_shape=shape, max_iter=it),
    "RecurrentVariationalAutoencoder": lambda k, it, shape: skae.RecurrentVariationalAutoencoder(
        k, max_iter=it),
    "AutoencoderImputer": lambda k, it, shape: skae.AutoencoderImputer(n_components=k, max_iter=it),
    "AutoencoderAnomalyDetector": lambda k, it, shape: skae.AutoencoderAnomalyDetector(max_iter=it),
}


def _save(model, stem, formats, X):
    paths = {}
    if "joblib" in formats:
        import joblib

        paths["joblib"] = stem.with_suffix(".joblib")
        joblib.dump(model, paths["joblib"])
    if "skops" in formats:
        import skops.io as sio

        paths["skops"] = stem.with_suffix(".skops")
        sio.dump(model, paths["skops"])
    if "onnx" in formats:
        import skl2onnx

        import skae.onnx  # noqa: F401  (registers skae's converters)

        paths["onnx"] = stem.with_suffix(".onnx")
        # IsolationForest's converter writes version 3 of the ML domain.
        onx = skl2onnx.to_onnx(model, X[:1].astype(np.float32),
                               target_opset={"": 18, "ai.onnx.ml": 3})
        paths["onnx"].write_bytes(onx.SerializeToString())
    return paths


def _serve(fmt, path, data, repeats):
    """Median over ``repeats`` fresh processes of the child's measurements."""
    runs = []
    for _ in range(repeats):
        start = time.time()
        # From the data's folder: the package imported is the one installed
        # (or on PYTHONPATH), never a source tree in the working directory.
        done = subprocess.run([sys.executable, "-c", _CHILD, fmt, str(path), str(data)],
                              capture_output=True, text=True, check=False, cwd=Path(data).parent)
        if done.returncode != 0:
            raise RuntimeError(f"serving {path} failed:\n{done.stderr}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        result["cold_s"] = result.pop("first") - start
        runs.append(result)
    return {key: (float(np.median([r[key] for r in runs])) if key != "tensorflow"
                  else any(r[key] for r in runs)) for key in runs[0]}


def _table(results, formats):
    lines = ["| model | format | cold start s | / baseline | peak MB | - baseline MB | "
             "TensorFlow | 1 row ms | 10,000 rows ms |", "|---|---|---|---|---|---|---|---|---|"]
    for name, by_format in results.items():
        baseline_name = "IsolationForest" if name in ("AutoencoderAnomalyDetector",
                                                      "IsolationForest") else "PCA"
        for fmt in formats:
            r, base = by_format.get(fmt), results[baseline_name].get(fmt)
            if r is None:
                continue
            lines.append(
                f"| {name} | {fmt} | {r['cold_s']:.2f} | {r['cold_s'] / base['cold_s']:.2f} | "
                f"{r['peak_mb']:.0f} | {r['peak_mb'] - base['peak_mb']:+.0f} | "
                f"{'yes' if r['tensorflow'] else 'no'} | {r['row_ms']:.3f} | {r['rows_10k_ms']:.1f} |"
            )
    return "\n".join(lines)


def _plot(results, formats, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(results)
    fig, axes = plt.subplots(1, 2, figsize=(12, 0.45 * len(names) + 1.5), sharey=True)
    height = 0.8 / len(formats)
    for i, fmt in enumerate(formats):
        y = np.arange(len(names)) + i * height
        for ax, key in zip(axes, ("cold_s", "peak_mb")):
            values = [results[n].get(fmt, {}).get(key, np.nan) for n in names]
            ax.barh(y, values, height=height, label=fmt)
    for ax, title in zip(axes, ("cold start: load + first row (s)", "peak resident memory (MB)")):
        ax.set_title(title)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(np.arange(len(names)) + 0.4 - height / 2, names)
    axes[0].invert_yaxis()
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, title="format", loc="lower center", ncol=len(formats))
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    fig.savefig(path, dpi=110)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_arguments(parser)
    parser.add_argument("--formats", nargs="+", default=["joblib", "skops", "onnx"],
                        choices=["joblib", "skops", "onnx"])
    parser.add_argument("--models", nargs="+", default=list(ESTIMATORS), choices=list(ESTIMATORS))
    parser.add_argument("--n-components", type=int, default=8)
    parser.add_argument("--max-iter", type=int, default=3, help="epochs of each fit (default 3)")
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes per measurement")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="folder for results.json, results.md and serving.png")
    args = parser.parse_args()

    X_train, X_test, _, _, shape, _ = load_dataset(args)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    shape = None if shape is None else tuple(int(s) for s in shape)
    rng = np.random.RandomState(args.seed)
    with_gaps = np.where(rng.rand(*X_train.shape) < 0.1, np.nan, X_train)
    test_gaps = np.where(rng.rand(*X_test.shape) < 0.1, np.nan, X_test)

    results = {}
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        np.save(folder / "rows.npy", X_test)
        np.save(folder / "rows_with_gaps.npy", test_gaps)
        models = {"PCA": PCA(args.n_components, random_state=0),
                  "IsolationForest": IsolationForest(random_state=0)}
        models.update({name: ESTIMATORS[name](args.n_components, args.max_iter, shape)
                       .set_params(random_state=0) for name in args.models})
        for name, model in models.items():
            gaps = name == "AutoencoderImputer"
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.fit(with_gaps if gaps else X_train)
            paths = _save(model, folder / name, args.formats, X_test)
            data = folder / ("rows_with_gaps.npy" if gaps else "rows.npy")
            results[name] = {fmt: _serve(fmt, path, data, args.repeats)
                             for fmt, path in paths.items()}
            print(f"{name}: " + ", ".join(
                f"{fmt} {r['cold_s']:.2f} s {r['peak_mb']:.0f} MB"
                f"{' (TensorFlow)' if r['tensorflow'] else ''}" for fmt, r in results[name].items()),
                flush=True)

    table = _table(results, args.formats)
    print()
    print(f"{args.dataset}: {X_train.shape[1]} features, {args.n_components} components; "
          f"median of {args.repeats} fresh processes each")
    print(table)
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "results.json").write_text(json.dumps(
            {"args": vars(args), "results": results}, indent=1))
        (out / "results.md").write_text(table + "\n")
        _plot(results, args.formats, out / "serving.png")
        print(f"wrote {out}/results.json, results.md, serving.png")


if __name__ == "__main__":
    main()
