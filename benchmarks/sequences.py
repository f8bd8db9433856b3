"""Sequences: recurrent and convolutional autoencoders against PCA, a dense autoencoder and IsolationForest.

ECG5000 heartbeats (``--data-dir`` holding ``ecg5000/``): 140 steps a beat,
class 1 normal, 2-5 abnormal. With both of the archive's splits there
(``ECG5000_TRAIN.txt`` and ``ECG5000_TEST.txt``, 5,000 beats, 2,919 normal),
for each seed the normal beats of both are shuffled, 2,000 train every model,
and the other 919 normal beats and all 2,081 abnormal ones are the test set.
With the training split alone (500 beats), 60% of its normal beats train and
the rest test. Measured side by side in one process, averaged over the seeds:

- reconstruction MSE on the held-out normal beats, for PCA, the dense
  ``AutoencoderTransformer``, ``ConvAutoencoder`` on the 140-step signal and
  ``RecurrentAutoencoder`` (LSTM and GRU at their defaults, and the classic
  LSTM autoencoder that reads one step at a time) at each code size;
- ROC-AUC and average precision of the reconstruction error (higher for
  abnormal beats is better) for the same models, and of IsolationForest's
  ``-score_samples``;
- fit seconds.

Without ``--data-dir`` it runs offline on generated sequences: a bump at a
random place (normal) against two bumps (abnormal).

    python benchmarks/sequences.py                                   # offline
    python benchmarks/sequences.py --data-dir ../shared/data --out results/sequences
    python benchmarks/sequences.py --data-dir ../shared/data --models PCA "dense AE" "conv AE"
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
from common import environment
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.metrics import average_precision_score, roc_auc_score, roc_curve

from skae import AutoencoderTransformer, ConvAutoencoder, RecurrentAutoencoder


def load_ecg5000(data_dir):
    """Beats, which are abnormal, and whether the archive's test split was there too."""
    folder = Path(data_dir) / "ecg5000"
    parts = [np.loadtxt(folder / f"ECG5000_{split}.txt") for split in ("TRAIN", "TEST")
             if (folder / f"ECG5000_{split}.txt").exists()]
    a = np.vstack(parts)
    return a[:, 1:], a[:, 0].astype(int) != 1, len(parts) == 2


def generated(seed=0, n_normal=300, n_abnormal=60, n_steps=48):
    """Bumps at a random place; the abnormal sequences have a second one."""
    rng = np.random.RandomState(seed)
    t = np.arange(n_steps)

    def bumps(n):
        return np.exp(-0.5 * ((t - rng.uniform(4, n_steps - 5, (n, 1))) / 2.0) ** 2)

    X = np.vstack([bumps(n_normal), bumps(n_abnormal) + bumps(n_abnormal)])
    X += rng.normal(0, 0.05, X.shape)
    return X, np.r_[np.zeros(n_normal, bool), np.ones(n_abnormal, bool)]


def split(abnormal, seed, n_train=None, train_share=0.6):
    """Shuffled normal rows: ``n_train`` (or ``train_share`` of them) to train; the rest and all abnormal to test."""
    rng = np.random.RandomState(seed)
    normal = rng.permutation(np.flatnonzero(~abnormal))
    if n_train is None:
        n_train = round(train_share * len(normal))
    return normal[:n_train], np.r_[normal[n_train:], np.flatnonzero(abnormal)]


def detection(y_test, scores):
    """How well ``scores`` (higher for abnormal) find the abnormal rows."""
    return {"roc_auc": roc_auc_score(y_test, scores),
            "average_precision": average_precision_score(y_test, scores)}


def errors(model, X):
    return np.mean((X - model.inverse_transform(model.transform(X))) ** 2, axis=1)


def models(k, seed, max_iter=None):
    """The models at their defaults but for the code size (and ``max_iter`` when given)."""
    fit = {"random_state": seed, **({"max_iter": max_iter} if max_iter else {})}
    return {
        "PCA": PCA(k, random_state=seed),
        "dense AE": AutoencoderTransformer(k, **fit),
        "conv AE": ConvAutoencoder(k, **fit),
        "LSTM AE": RecurrentAutoencoder(k, **fit),
        "GRU AE": RecurrentAutoencoder(k, cell="gru", **fit),
        # The classic LSTM autoencoder: one recurrent step per time step.
        "LSTM AE, step by step": RecurrentAutoencoder(k, frame_length=1, **fit),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="folder holding ecg5000/ (default: generated sequences)")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--n-components", type=int, nargs="+", default=[8, 16])
    parser.add_argument("--max-iter", type=int, help="epochs at most (default: each model's own)")
    parser.add_argument("--n-train", type=int, default=2000,
                        help="normal beats to train on when both ECG5000 splits are there (default 2000)")
    parser.add_argument("--out", type=Path, help="folder for results.json and the plots")
    parser.add_argument("--models", nargs="+", metavar="NAME",
                        help="fit only these models (default: all; IsolationForest always runs)")
    args = parser.parse_args(argv)
    names = list(models(2, 0, 1))
    unknown = sorted(set(args.models or ()) - set(names))
    if unknown:
        parser.error(f"unknown model(s) {unknown}; choose from {names}")

    n_train = None
    if args.data_dir:
        X, abnormal, both_splits = load_ecg5000(args.data_dir)
        name = "ECG5000 (both splits)" if both_splits else "ECG5000 (training split)"
        n_train = args.n_train if both_splits else None
    else:
        X, abnormal = generated()
        name = "generated bumps"
    print(f"{name}: {len(X)} sequences of {X.shape[1]} steps, {abnormal.sum()} abnormal; "
          f"{args.seeds} seeded splits\n")
    rows, curves, examples = [], {}, {}
    for seed in range(args.seeds):
        train, test = split(abnormal, seed, n_train)
        X_train, X_test, y_test = X[train], X[test], abnormal[test]
        sizes = {"train": len(train), "test_normal": int((~y_test).sum()), "test_abnormal": int(y_test.sum())}
        start = time.perf_counter()
        forest = IsolationForest(random_state=seed).fit(X_train)
        scores = -forest.score_samples(X_test)
        rows.append({"seed": seed, "model": "IsolationForest", "k": None, "normal_test_mse": None,
                     **detection(y_test, scores), "fit_s": time.perf_counter() - start})
        if seed == 0:
            curves["IsolationForest"] = roc_curve(y_test, scores)[:2]
        for k in args.n_components:
            for label, model in models(k, seed, args.max_iter).items():
                if args.models and label not in args.models:
                    continue
                start = time.perf_counter()
                model.fit(X_train)
                fit_s = time.perf_counter() - start
                e = errors(model, X_test)
                rows.append({"seed": seed, "model": label, "k": k,
                             "normal_test_mse": float(e[~y_test].mean()),
                             **detection(y_test, e), "fit_s": fit_s,
                             "epochs": getattr(model, "n_iter_", None)})
                print(f"seed {seed}, k={k}, {label}: normal test MSE {e[~y_test].mean():.4f}, "
                      f"ROC-AUC {rows[-1]['roc_auc']:.3f}, {fit_s:.1f} s", flush=True)
                if seed == 0 and k == args.n_components[0]:
                    curves[f"{label}, k={k}"] = roc_curve(y_test, e)[:2]
                    examples[label] = model.inverse_transform(model.transform(X_test[:4]))
        if seed == 0:
            examples["original"] = X_test[:4]

    print("\n| model | k | normal test MSE | ROC-AUC | average precision | fit s |")
    print("|---|---|---|---|---|---|")
    keys = sorted({(r["model"], r["k"]) for r in rows}, key=lambda m: (m[1] or 0, m[0]))
    summary = []
    for label, k in keys:
        sel = [r for r in rows if r["model"] == label and r["k"] == k]
        mse = [r["normal_test_mse"] for r in sel if r["normal_test_mse"] is not None]
        auc = [r["roc_auc"] for r in sel]
        ap = [r["average_precision"] for r in sel]
        fit = [r["fit_s"] for r in sel]
        summary.append({"model": label, "k": k, "normal_test_mse_mean": float(np.mean(mse)) if mse else None,
                        "roc_auc_mean": float(np.mean(auc)), "roc_auc_std": float(np.std(auc)),
                        "average_precision_mean": float(np.mean(ap)),
                        "fit_s_mean": float(np.mean(fit))})
        mse_text = f"{np.mean(mse):.4f} ± {np.std(mse):.4f}" if mse else ""
        print(f"| {label} | {k or ''} | {mse_text} | {np.mean(auc):.3f} ± {np.std(auc):.3f} | "
              f"{np.mean(ap):.3f} | {np.mean(fit):.1f} |")

    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "results.json").write_text(json.dumps(
            {"data": name, "sizes": sizes, "seeds": args.seeds, "max_iter": args.max_iter, "summary": summary,
             "runs": rows, "environment": environment()}, indent=2, default=float))
        plot(args.out, curves, examples, args.n_components[0])


def plot(out, curves, examples, k):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 5))
    for label, (fpr, tpr) in curves.items():
        ax.plot(fpr, tpr, label=label)
    # The good models differ where few normal beats are flagged: a log scale
    # spreads that corner out.
    chance = np.logspace(-3, 0, 50)
    ax.plot(chance, chance, color="grey", linestyle=":", label="chance")
    ax.set_xscale("log")
    ax.set_xlim(1e-3, 1)
    ax.set_xlabel("false positive rate (log scale)")
    ax.set_ylabel("true positive rate")
    ax.set_title("ROC of the held-out beats, seed 0")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "roc.png", dpi=120)
    plt.close(fig)

    original = examples.pop("original")
    fig, axes = plt.subplots(1, len(original), figsize=(3 * len(original), 2.5), sharey=True)
    for i, ax in enumerate(np.atleast_1d(axes)):
        ax.plot(original[i], color="black", label="original")
        for label, rec in examples.items():
            ax.plot(rec[i], label=label, alpha=0.8)
    np.atleast_1d(axes)[0].legend(fontsize=7)
    fig.suptitle(f"held-out sequences and their reconstructions at k = {k}, seed 0")
    fig.tight_layout()
    fig.savefig(out / "reconstructions.png", dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    main()
