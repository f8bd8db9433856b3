"""AutoencoderAnomalyDetector against the usual unsupervised detectors.

ADBench's unsupervised protocol: every detector is fitted on all the rows of
a set (anomalies included, no labels), standard-scaled, and scores those same
rows; ROC-AUC and average precision are computed against the labels. All
detectors run in this one process, one after another, so their seconds
(fit + score) compare. Stochastic detectors run once per seed; the tables
give their mean over seeds. Deterministic ones run once.

    python benchmarks/anomaly.py                                 # digits, offline
    python benchmarks/anomaly.py --data-dir ../shared/data/anomaly --out docs/results/anomaly
    python benchmarks/anomaly.py --data-dir ../shared/data/anomaly --half choose
    python benchmarks/anomaly.py --data 6_cardio.npz 38_thyroid.npz --data-dir DIR

A data folder's sets are its ``.npz`` files and those of its subfolders (the
tabular sets at the top, ``CV_by_ResNet18/`` and ``NLP_by_BERT/`` embeddings
below): one group each. Besides each set's row, the tables summarize every
group and the two halves of a fixed split of the 42 shared sets (``CHOOSE``
and ``CONFIRM``): a default is chosen on one half and confirmed on the other.

The peers: IsolationForest, LocalOutlierFactor and PCA reconstruction error
from scikit-learn, and, when the ``pyod`` package is installed
(``pip install pyod``; ``torch`` too for its AutoEncoder), PyOD's ECOD,
COPOD, HBOS, KNN and AutoEncoder. Every detector runs at its library's
defaults; PCA keeps ceil(sqrt(n_features)) components. A data file is an
``.npz`` with ``X`` (rows) and ``y`` (1 = anomaly).

Besides the tables it writes ``results.json``, ``ranks.png`` (average rank
of each detector over the sets) and ``per_set.png`` (ROC-AUC of each
detector on each set) into ``--out``.
"""

import argparse
import importlib
import importlib.metadata
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from common import environment
from scipy.stats import rankdata
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.neighbors import LocalOutlierFactor
from sklearn.preprocessing import StandardScaler

from skae import AutoencoderAnomalyDetector

OURS = "AutoencoderAnomalyDetector"
BASELINE = "IsolationForest"


def digits_anomalies(seed):
    """Digits 1-9 as inliers, a few zeros (5% of the rows) as anomalies."""
    data = load_digits()
    rng = np.random.RandomState(seed)
    inliers = data.data[data.target != 0]
    zeros = data.data[data.target == 0]
    n_out = int(0.05 * len(inliers))
    X = np.vstack([inliers, zeros[rng.choice(len(zeros), n_out, replace=False)]])
    y = np.r_[np.zeros(len(inliers)), np.ones(n_out)]
    return X, y


#: The split of ``../shared/data/anomaly``'s 42 sets into two halves, drawn
#: once (``numpy.random.RandomState(53)``, a permutation of each kind's
#: sorted names, tabular then embeddings, the first half of each to
#: ``CHOOSE``) and written here so that it never moves. Defaults are chosen
#: on ``CHOOSE`` and confirmed on ``CONFIRM``.
CHOOSE = (
    "12_fault", "14_glass", "15_Hepatitis", "20_letter", "21_Lymphography", "30_satellite",
    "31_satimage-2", "37_Stamps", "44_Wilt", "47_yeast", "4_breastw", "8_celeba",
    "CV_by_ResNet18/MVTec-AD_bottle", "CV_by_ResNet18/MVTec-AD_cable",
    "CV_by_ResNet18/MVTec-AD_carpet", "CV_by_ResNet18/MVTec-AD_hazelnut",
    "CV_by_ResNet18/MVTec-AD_leather", "CV_by_ResNet18/MVTec-AD_metal_nut",
    "CV_by_ResNet18/MVTec-AD_pill", "CV_by_ResNet18/MVTec-AD_screw",
    "CV_by_ResNet18/MVTec-AD_wood",
)
CONFIRM = (
    "16_http", "17_InternetAds", "18_Ionosphere", "19_landsat", "24_mnist", "27_PageBlocks",
    "28_pendigits", "29_Pima", "38_thyroid", "5_campaign", "6_cardio", "7_Cardiotocography",
    "CV_by_ResNet18/CIFAR10_0", "CV_by_ResNet18/MVTec-AD_capsule",
    "CV_by_ResNet18/MVTec-AD_grid", "CV_by_ResNet18/MVTec-AD_tile",
    "CV_by_ResNet18/MVTec-AD_toothbrush", "CV_by_ResNet18/MVTec-AD_transistor",
    "CV_by_ResNet18/MVTec-AD_zipper", "CV_by_ResNet18/SVHN_0", "NLP_by_BERT/20news_3",
)
HALVES = {"choose": CHOOSE, "confirm": CONFIRM}


def load_sets(args):
    if args.data_dir is None and not args.data:
        return {"digits (zeros as anomalies)": digits_anomalies(0)}
    folder = Path(args.data_dir) if args.data_dir else Path(".")
    if args.data:
        files = [folder / f for f in args.data]
    else:
        files = sorted([*folder.glob("*.npz"), *folder.glob("*/*.npz")],
                       key=lambda p: (p.parent != folder, p.parent.name, _set_order(p.stem)))
    sets = read_sets(files, folder)
    if args.half:
        sets = {name: data for name, data in sets.items() if name in HALVES[args.half]}
    return sets


def _set_order(stem):
    # ADBench's files are numbered ("6_cardio"): keep their order.
    number, _, name = stem.partition("_")
    return (int(number), name) if number.isdigit() else (10**9, stem)


def read_sets(files, folder=None):
    """``{name: (X, y)}`` of ``.npz`` files holding ``X`` and ``y`` (1 = anomaly).

    A set's name is its path below ``folder`` without the suffix
    (``"6_cardio"``, ``"CV_by_ResNet18/SVHN_0"``).
    """
    sets = {}
    for path in files:
        try:
            name = path.relative_to(folder).with_suffix("").as_posix()
        except (TypeError, ValueError):
            name = path.stem
        with np.load(path) as data:
            sets[name] = (data["X"].astype(float), data["y"].astype(int))
    return sets


def group_of(name):
    """The group of a set: its subfolder, or "tabular" for the folder's own files."""
    return name.split("/")[0] if "/" in name else "tabular"


def groups(names):
    """``{label: set names}``: all, each group, and each half of the split that is present."""
    found = {"all": list(names)}
    for group in dict.fromkeys(group_of(n) for n in names):
        found[group] = [n for n in names if group_of(n) == group]
    for half, members in HALVES.items():
        inside = [n for n in names if n in members]
        if inside:
            found[f"{half} half"] = inside
    return found


# Each detector: a function of (X, seed) giving the outlyingness of every row
# of X (higher = more anomalous), and whether it depends on the seed.

def ours(X, seed):
    return -AutoencoderAnomalyDetector(random_state=seed).fit(X).score_samples(X)


def isolation_forest(X, seed):
    return -IsolationForest(random_state=seed).fit(X).score_samples(X)


def lof(X, seed):
    return -LocalOutlierFactor().fit(X).negative_outlier_factor_


def pca_error(X, seed):
    k = int(np.ceil(np.sqrt(X.shape[1])))
    pca = PCA(k, random_state=seed).fit(X)
    return np.mean((X - pca.inverse_transform(pca.transform(X))) ** 2, axis=1)


def _version(package):
    """An installed package's version, or None."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _pyod(module, name):
    def score(X, seed):
        cls = getattr(importlib.import_module(f"pyod.models.{module}"), name)
        return cls().fit(X).decision_scores_

    return score


def _pyod_autoencoder(X, seed):
    import torch
    from pyod.models.auto_encoder import AutoEncoder

    torch.manual_seed(seed)
    return AutoEncoder(random_state=seed, verbose=0).fit(X).decision_scores_


DETECTORS = {
    OURS: (ours, True, None),
    "IsolationForest": (isolation_forest, True, None),
    "LocalOutlierFactor": (lof, False, None),
    "PCA reconstruction error": (pca_error, False, None),
    "ECOD (PyOD)": (_pyod("ecod", "ECOD"), False, "pyod.models.ecod"),
    "COPOD (PyOD)": (_pyod("copod", "COPOD"), False, "pyod.models.copod"),
    "HBOS (PyOD)": (_pyod("hbos", "HBOS"), False, "pyod.models.hbos"),
    "KNN (PyOD)": (_pyod("knn", "KNN"), False, "pyod.models.knn"),
    "AutoEncoder (PyOD)": (_pyod_autoencoder, True, "pyod.models.auto_encoder"),
}


def available(names):
    """The detectors among ``names`` whose libraries import, and why the others don't."""
    usable, missing = [], {}
    for name in names:
        requires = DETECTORS[name][2]
        try:
            if requires is not None:
                importlib.import_module(requires)
            usable.append(name)
        except ImportError as error:
            missing[name] = str(error)
    return usable, missing


def warm_up(names, X):
    """Fit each detector on small data and on X, so no timing holds a library's start-up.

    PyOD's HBOS compiles its numba code again for some data (seconds, once).
    """
    for rows in (np.random.RandomState(0).normal(size=(64, 3)), X):
        for name in names:
            DETECTORS[name][0](rows, 0)


def evaluate(X, y, names, seeds):
    """``{detector: {"roc_auc": [...], "average_precision": [...], "seconds": [...]}}``."""
    rows = {}
    for name in names:
        score, stochastic = DETECTORS[name][:2]
        aucs, aps, times = [], [], []
        for seed in seeds if stochastic else seeds[:1]:
            start = time.perf_counter()
            outlyingness = score(X, seed)
            times.append(time.perf_counter() - start)
            aucs.append(roc_auc_score(y, outlyingness))
            aps.append(average_precision_score(y, outlyingness))
        rows[name] = {"roc_auc": aucs, "average_precision": aps, "seconds": times}
    return rows


def summarize(results, names):
    """Per detector: mean ROC-AUC, mean AP, average rank (by ROC-AUC) and total seconds."""
    sets = list(results)
    auc = np.array([[np.mean(results[s][n]["roc_auc"]) for n in names] for s in sets])
    ap = np.array([[np.mean(results[s][n]["average_precision"]) for n in names] for s in sets])
    seconds = np.array([[np.mean(results[s][n]["seconds"]) for n in names] for s in sets])
    ranks = np.array([rankdata(-row) for row in auc])  # 1 = best; ties share the mean rank
    return {
        name: {
            "mean_roc_auc": float(auc[:, j].mean()),
            "mean_average_precision": float(ap[:, j].mean()),
            "average_rank": float(ranks[:, j].mean()),
            "total_seconds": float(seconds[:, j].sum()),
            "sets_ahead_of_baseline": (int(np.sum(auc[:, j] > auc[:, names.index(BASELINE)]))
                                       if BASELINE in names else None),
        }
        for j, name in enumerate(names)
    }


def _cell(values, digits=3):
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{np.mean(values):.{digits}f} ± {np.std(values):.{digits}f}"


def print_tables(results, summary, names, seeds):
    header = "| data set | rows | anomalies | " + " | ".join(names) + " |"
    rule = "|---|---|---|" + "---|" * len(names)
    for metric, title in (("roc_auc", "ROC-AUC"), ("average_precision", "average precision")):
        print(f"\n{title} (mean ± std over seeds {seeds} for the stochastic detectors)\n")
        print(header)
        print(rule)
        for set_name, (n_rows, share, rows) in results.items():
            cells = " | ".join(_cell(rows[n][metric]) for n in names)
            print(f"| {set_name} | {n_rows} | {share:.1%} | {cells} |")
        key = "mean_roc_auc" if metric == "roc_auc" else "mean_average_precision"
        print("| **mean** | | | " + " | ".join(f"{summary[n][key]:.3f}" for n in names) + " |")
        if metric == "roc_auc":
            print("| **average rank** | | | "
                  + " | ".join(f"{summary[n]['average_rank']:.2f}" for n in names) + " |")
    print("\nfit + score seconds (mean over seeds)\n")
    print(header)
    print(rule)
    for set_name, (n_rows, share, rows) in results.items():
        cells = " | ".join(f"{np.mean(rows[n]['seconds']):.2f}" for n in names)
        print(f"| {set_name} | {n_rows} | {share:.1%} | {cells} |")
    print("| **total** | | | " + " | ".join(f"{summary[n]['total_seconds']:.1f}" for n in names) + " |")
    if BASELINE in names:
        base = summary[BASELINE]["total_seconds"]
        print(f"| **total / {BASELINE}** | | | "
              + " | ".join(f"{summary[n]['total_seconds'] / base:.1f}x" for n in names) + " |")


def print_summaries(summaries, names):
    """One table a group of sets: mean ROC-AUC, mean AP, average rank, seconds over the baseline's."""
    for label, (n_sets, summary) in summaries.items():
        print(f"\n{label}: {n_sets} set(s)\n")
        print("| detector | mean ROC-AUC | mean average precision | average rank | seconds / "
              f"{BASELINE} |")
        print("|---|---|---|---|---|")
        base = summary[BASELINE]["total_seconds"] if BASELINE in names else None
        for n in sorted(names, key=lambda n: summary[n]["average_rank"]):
            s = summary[n]
            ratio = "" if base is None else f"{s['total_seconds'] / base:.1f}x"
            print(f"| {n} | {s['mean_roc_auc']:.3f} | {s['mean_average_precision']:.3f} | "
                  f"{s['average_rank']:.2f} | {ratio} |")


def plot(results, summary, names, out):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    order = sorted(names, key=lambda n: summary[n]["average_rank"])
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(names) + 1.2))
    ranks = [summary[n]["average_rank"] for n in order]
    colors = ["tab:red" if n == OURS else "tab:gray" for n in order]
    ax.barh(range(len(order)), ranks, color=colors)
    for i, n in enumerate(order):
        ax.text(ranks[i] + 0.05, i, f"{ranks[i]:.2f}  (mean ROC-AUC {summary[n]['mean_roc_auc']:.3f})",
                va="center", fontsize=8)
    ax.set_yticks(range(len(order)), order)
    ax.invert_yaxis()
    ax.set_xlim(0, len(names) + 2.5)
    ax.set_xlabel(f"average rank by ROC-AUC over {len(results)} sets (1 = best)")
    ax.set_title("Unsupervised anomaly detection: average rank")
    fig.tight_layout()
    fig.savefig(out / "ranks.png", dpi=120)
    plt.close(fig)

    sets = list(results)
    fig, ax = plt.subplots(figsize=(8, 0.38 * len(sets) + 1.6))
    markers = "o^sDvP*Xh<>"
    # Red is ours alone: the peers take tab10's other colours.
    palette = [c for i, c in enumerate(plt.cm.tab10.colors) if i != 3]
    for j, n in enumerate(names):
        values = [np.mean(results[s][2][n]["roc_auc"]) for s in sets]
        ax.scatter(values, range(len(sets)), marker=markers[j % len(markers)], s=46 if n == OURS else 26,
                   color="tab:red" if n == OURS else palette[j % len(palette)], label=n,
                   zorder=3 if n == OURS else 2, alpha=0.9)
    ax.set_yticks(range(len(sets)), sets)
    ax.invert_yaxis()
    ax.grid(axis="x", alpha=0.3)
    ax.set_xlabel("ROC-AUC (all rows fitted and scored, no labels)")
    ax.set_title("ROC-AUC of each detector on each set")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.tight_layout()
    fig.savefig(out / "per_set.png", dpi=120)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="folder of .npz sets (X, y); default: bundled digits")
    parser.add_argument("--data", nargs="*", help=".npz files (inside --data-dir if given)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--detectors", nargs="+", choices=list(DETECTORS), metavar="NAME",
                        help="run only these detectors (default: every one whose library imports)")
    parser.add_argument("--out", default="benchmarks/out/anomaly", help="folder for results.json and plots")
    parser.add_argument("--no-plot", action="store_true", help="write no plots (no matplotlib needed)")
    parser.add_argument("--half", choices=list(HALVES),
                        help="run only this half of the fixed split of the shared sets")
    args = parser.parse_args(argv)

    names, missing = available(args.detectors or list(DETECTORS))
    for name, why in missing.items():
        print(f"skipped {name}: {why}", file=sys.stderr)
    sets = load_sets(args)
    with warnings.catch_warnings():
        # PyOD's AutoEncoder, at its defaults, warns about its own settings.
        warnings.simplefilter("ignore", UserWarning)
        warm_up(names, StandardScaler().fit_transform(next(iter(sets.values()))[0]))
        results = {}
        for set_name, (X, y) in sets.items():
            print(f"{set_name}: {X.shape}, {int(y.sum())} anomalies", file=sys.stderr, flush=True)
            X = StandardScaler().fit_transform(X)
            results[set_name] = (len(X), float(y.mean()), evaluate(X, y, names, args.seeds))
    per_set = {s: rows for s, (_, _, rows) in results.items()}
    summary = summarize(per_set, names)
    print_tables(results, summary, names, args.seeds)
    summaries = {label: (len(members), summarize({s: per_set[s] for s in members}, names))
                 for label, members in groups(list(per_set)).items()}
    print_summaries(summaries, names)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    report = {
        "args": vars(args),
        "environment": {**environment(), "pyod": _version("pyod")},
        "detectors": names,
        "skipped": missing,
        "sets": {s: {"rows": n, "anomaly_share": share, "results": rows}
                 for s, (n, share, rows) in results.items()},
        "summary": summary,
        "groups": {label: {"sets": n_sets, "summary": s} for label, (n_sets, s) in summaries.items()},
    }
    (out / "results.json").write_text(json.dumps(report, indent=1))
    if not args.no_plot:
        plot(results, summary, names, out)
    print(f"\nwrote {out / 'results.json'}" + ("" if args.no_plot else ", ranks.png, per_set.png"))


if __name__ == "__main__":
    main()
