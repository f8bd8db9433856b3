"""AutoencoderImputer against SimpleImputer, KNNImputer and IterativeImputer.

Each table's columns are standardized (on the complete table), its rows
split 70/30 (stratified where there are labels), and entries removed
completely at random at each rate from both parts. Every imputer is fitted
on the training rows with their gaps and fills the gaps of the test rows:
the RMSE over the removed test entries (standardized units) is reported,
and, where there are class labels, the test accuracy of a logistic
regression trained on the imputed training rows. All imputers run in this
one process on the same gaps, with their libraries' defaults, except that
IterativeImputer uses at most 100 nearest features (a table of 784 features
would otherwise take hours: 784 BayesianRidge fits on 783 features for each
of its 10 rounds) and the same seed. AutoencoderImputer runs twice: with
``n_estimators=1`` (one network) and at its defaults (three averaged).

    python benchmarks/impute.py                          # bundled tables, offline
    python benchmarks/impute.py --data-dir ../shared/data   # + a Fashion-MNIST subset
    python benchmarks/impute.py --quick                  # smoke run (digits, one rate)
    python benchmarks/impute.py --data-dir ../shared/data --tables fashion --seeds 1 2
    python benchmarks/impute.py --combine out/a/results.json out/b/results.json  # one table
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
from common import environment, load_idx_set
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_wine
from sklearn.experimental import enable_iterative_imputer  # noqa: F401
from sklearn.impute import IterativeImputer, KNNImputer, SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skae import AutoencoderImputer

RATES = (0.1, 0.3, 0.5)


def load_tables(data_dir, fashion_rows, quick):
    """``{name: (X, y or None)}``: scikit-learn's tables, and Fashion-MNIST if found."""
    if quick:
        digits = load_digits()
        return {"digits": (digits.data[:400], digits.target[:400])}
    tables = {}
    for name, loader in (("digits", load_digits), ("breast cancer", load_breast_cancer),
                         ("wine", load_wine), ("diabetes", load_diabetes)):
        data = loader()
        tables[name] = (data.data, None if name == "diabetes" else data.target)
    folder = Path(data_dir) / "fashion-mnist" if data_dir else None
    if folder is not None and folder.exists():
        (X, y), _, _ = load_idx_set(folder)
        rows = np.random.RandomState(0).choice(len(X), fashion_rows, replace=False)
        tables[f"Fashion-MNIST ({fashion_rows} rows)"] = (X[rows], y[rows])
    return tables


def imputers(seed, max_iter, n_features):
    """Every imputer compared, by name, fresh."""
    epochs = {} if max_iter is None else {"max_iter": max_iter}
    return {
        "SimpleImputer(mean)": SimpleImputer(),
        "KNNImputer": KNNImputer(),
        "IterativeImputer": IterativeImputer(
            random_state=seed, n_nearest_features=min(100, n_features - 1)
        ),
        # One network: the default's first, alone.
        "AutoencoderImputer(n_estimators=1)": AutoencoderImputer(
            n_estimators=1, random_state=seed, **epochs),
        "AutoencoderImputer": AutoencoderImputer(random_state=seed, **epochs),
    }


def remove_entries(X, rate, rng):
    """A copy of X with ``rate`` of its entries set to NaN, at random."""
    X_missing = X.copy()
    X_missing[rng.uniform(size=X.shape) < rate] = np.nan
    return X_missing


def evaluate(name, X, y, rate, seed, max_iter):
    X = StandardScaler().fit_transform(X)
    split = train_test_split(X, *(() if y is None else (y,)), test_size=0.3, random_state=seed,
                             stratify=y)
    X_train, X_test = split[0], split[1]
    rng = np.random.RandomState(seed)
    train_missing, test_missing = remove_entries(X_train, rate, rng), remove_entries(X_test, rate, rng)
    holes = np.isnan(test_missing)
    rows = []
    for imputer_name, imputer in imputers(seed, max_iter, X.shape[1]).items():
        start = time.perf_counter()
        imputer.fit(train_missing)
        fit_s = time.perf_counter() - start
        test_filled = imputer.transform(test_missing)
        row = {
            "table": name, "rate": rate, "seed": seed, "imputer": imputer_name,
            "rmse": float(np.sqrt(np.mean((test_filled[holes] - X_test[holes]) ** 2))),
            "fit_s": fit_s,
        }
        if y is not None:
            y_train, y_test = split[2], split[3]
            classifier = LogisticRegression(max_iter=2000).fit(imputer.transform(train_missing), y_train)
            row["accuracy"] = float(classifier.score(test_filled, y_test))
        if isinstance(imputer, AutoencoderImputer):
            row["n_iter"] = int(imputer.n_iter_)
            # The network kept by hidden_layer_sizes="auto", and each one's
            # held-out error (per entry, standardized units).
            row["hidden_layer_sizes"] = list(imputer.hidden_layer_sizes_)
            row["candidates"] = [
                {**c, "hidden_layer_sizes": list(c["hidden_layer_sizes"])}
                for c in imputer.architecture_scores_
            ]
        print(f"  {name}, {rate:.0%} missing, {imputer_name}: RMSE {row['rmse']:.4f}"
              + (f", accuracy {row['accuracy']:.3f}" if "accuracy" in row else "")
              + f", fit {fit_s:.1f} s"
              + (f", network {tuple(row['hidden_layer_sizes'])}" if "candidates" in row else ""),
              flush=True)
        rows.append(row)
    return rows


def markdown_table(results):
    """One line per table and rate: each imputer's mean RMSE (and accuracy) over seeds."""
    names = list(dict.fromkeys(r["imputer"] for r in results))
    lines = ["| table | missing | " + " | ".join(names) + " |",
             "| --- | --- | " + " | ".join("---" for _ in names) + " |"]
    keys = list(dict.fromkeys((r["table"], r["rate"]) for r in results))
    for table, rate in keys:
        cells = []
        for name in names:
            rs = [r for r in results if (r["table"], r["rate"], r["imputer"]) == (table, rate, name)]
            rmse = np.mean([r["rmse"] for r in rs])
            cell = f"{rmse:.4f}"
            if "accuracy" in rs[0]:
                cell += f" / {np.mean([r['accuracy'] for r in rs]):.3f}"
            cells.append(cell)
        lines.append(f"| {table} | {rate:.0%} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="folder holding fashion-mnist/ (IDX files)")
    parser.add_argument("--fashion-rows", type=int, default=3000,
                        help="rows of the Fashion-MNIST subset (train and test parts together)")
    parser.add_argument("--rates", type=float, nargs="+", default=None)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--tables", nargs="+", default=None,
                        help="run only the tables whose names start with these words "
                             "(case ignored), e.g. fashion digits")
    parser.add_argument("--max-iter", type=int, default=None, help="AutoencoderImputer epochs (default: its own)")
    parser.add_argument("--out", default="benchmarks/out/impute", help="folder for results.json")
    parser.add_argument("--quick", action="store_true", help="smoke run: 400 digits, 30%% missing, 3 epochs")
    parser.add_argument("--combine", nargs="+", metavar="RESULTS_JSON",
                        help="run nothing: print the table of these runs' results together "
                             "(means over every seed they hold)")
    args = parser.parse_args(argv)
    if args.combine:
        results = [r for path in args.combine for r in json.loads(Path(path).read_text())["results"]]
        seeds = sorted({r["seed"] for r in results})
        per_cell = {}
        for r in results:
            per_cell.setdefault((r["table"], r["rate"], r["imputer"]), []).append(r["seed"])
        uneven = {key: sorted(s) for key, s in per_cell.items() if sorted(s) != seeds}
        print(f"Mean over seeds {seeds} of {len(args.combine)} runs:\n")
        for (table, rate, name), cell_seeds in uneven.items():
            print(f"  note: {table}, {rate:.0%}, {name} averages seeds {cell_seeds}")
        print(markdown_table(results))
        return
    rates = args.rates or ((0.3,) if args.quick else RATES)
    max_iter = 3 if args.quick and args.max_iter is None else args.max_iter

    results = []
    tables = load_tables(args.data_dir, args.fashion_rows, args.quick)
    if args.tables:
        wanted = tuple(t.lower() for t in args.tables)
        tables = {name: data for name, data in tables.items() if name.lower().startswith(wanted)}
        if not tables:
            parser.error(f"no table starts with any of {args.tables}")
    for name, (X, y) in tables.items():
        for rate in rates:
            for seed in args.seeds:
                results.extend(evaluate(name, X, y, rate, seed, max_iter))
    table = markdown_table(results)
    print("\nRMSE on the removed test entries (standardized) / test accuracy of a logistic "
          f"regression on the imputed rows; mean over seeds {args.seeds}:\n")
    print(table)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(
        {"environment": environment(), "args": vars(args), "results": results}, indent=1))
    (out / "table.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
