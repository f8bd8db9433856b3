"""AutoencoderAnomalyDetector against IsolationForest, LocalOutlierFactor and PCA.

For each data set, every detector is fitted on the same rows (all of them,
anomalies included, as in unsupervised use), standard-scaled, in this one
process, and scored on those rows against the labels. Stochastic detectors
run once per seed and are reported as mean and standard deviation.

    python benchmarks/anomaly.py                                 # digits, offline
    python benchmarks/anomaly.py --data-dir ../shared/data/anomaly
    python benchmarks/anomaly.py --data 6_cardio.npz my_set.npz --data-dir DIR

A data file is an ``.npz`` with ``X`` (rows) and ``y`` (1 = anomaly). Every
detector runs with its library's defaults; PCA keeps ceil(sqrt(n_features))
components, the code size the autoencoder detector uses by default.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.neighbors import LocalOutlierFactor
from sklearn.preprocessing import StandardScaler

from skae import AutoencoderAnomalyDetector


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


def load_sets(args):
    if args.data_dir is None and not args.data:
        return {"digits (zeros as anomalies)": digits_anomalies(0)}
    folder = Path(args.data_dir) if args.data_dir else Path(".")
    files = [folder / f for f in args.data] if args.data else sorted(folder.glob("*.npz"))
    return read_sets(files)


def read_sets(files):
    """``{stem: (X, y)}`` of ``.npz`` files holding ``X`` and ``y`` (1 = anomaly)."""
    sets = {}
    for path in files:
        with np.load(path) as data:
            sets[path.stem] = (data["X"].astype(float), data["y"].astype(int))
    return sets


def pca_error_scores(X, seed):
    k = int(np.ceil(np.sqrt(X.shape[1])))
    pca = PCA(k, random_state=seed).fit(X)
    return np.mean((X - pca.inverse_transform(pca.transform(X))) ** 2, axis=1)


def lof_scores(X, seed):
    lof = LocalOutlierFactor()
    lof.fit(X)
    return -lof.negative_outlier_factor_


DETECTORS = {
    # name: (function of (X, seed) returning outlyingness: higher = more anomalous, stochastic?)
    "AutoencoderAnomalyDetector": (
        lambda X, seed: -AutoencoderAnomalyDetector(random_state=seed).fit(X).score_samples(X), True),
    "IsolationForest": (lambda X, seed: -IsolationForest(random_state=seed).fit(X).score_samples(X), True),
    "LocalOutlierFactor": (lof_scores, False),
    "PCA reconstruction error": (pca_error_scores, False),
}


def evaluate(X, y, seeds):
    rows = {}
    for name, (score, stochastic) in DETECTORS.items():
        aucs, aps, times = [], [], []
        for seed in seeds if stochastic else seeds[:1]:
            start = time.perf_counter()
            outlyingness = score(X, seed)
            times.append(time.perf_counter() - start)
            aucs.append(roc_auc_score(y, outlyingness))
            aps.append(average_precision_score(y, outlyingness))
        rows[name] = {"roc_auc": aucs, "average_precision": aps, "fit_score_s": times}
    return rows


def fmt(values):
    if len(values) == 1:
        return f"{values[0]:.3f}"
    return f"{np.mean(values):.3f} ± {np.std(values):.3f}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="folder of .npz sets (X, y); default: bundled digits")
    parser.add_argument("--data", nargs="*", help=".npz files (inside --data-dir if given)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args(argv)

    sets = load_sets(args)
    AutoencoderAnomalyDetector(n_estimators=1, max_iter=1).fit(np.random.rand(20, 3))  # load Keras first
    print("| data set | rows | anomalies | detector | ROC-AUC | average precision | fit+score s |")
    print("|---|---|---|---|---|---|---|")
    means = {name: [] for name in DETECTORS}
    for set_name, (X, y) in sets.items():
        print(f"{set_name}: {X.shape}, {int(y.sum())} anomalies", file=sys.stderr, flush=True)
        X = StandardScaler().fit_transform(X)
        for name, row in evaluate(X, y, args.seeds).items():
            means[name].append(np.mean(row["roc_auc"]))
            print(f"| {set_name} | {len(X)} | {y.mean():.1%} | {name} | {fmt(row['roc_auc'])} | "
                  f"{fmt(row['average_precision'])} | {np.mean(row['fit_score_s']):.1f} |", flush=True)
    print()
    print(f"mean ROC-AUC over {len(sets)} set(s), seeds {args.seeds} for the stochastic detectors:")
    for name, values in means.items():
        print(f"  {name}: {np.mean(values):.3f}")


if __name__ == "__main__":
    main()
