"""Record every estimator's outputs on fixed data and seeds, to show a refactoring changes none.

Each estimator of ``estimators.tiny_estimators`` is fitted on 120 digits
(the imputer on them with 20% of the entries missing) and its
``transform``, ``inverse_transform``, ``score_samples``,
``decision_function``, ``predict``, ``feature_errors``, ``sample`` and
``loss_curve_`` are saved; ``--compare`` says which differ, bit for bit::

    python tests/record_outputs.py before.npz     # at the commit before
    python tests/record_outputs.py after.npz      # after the change
    python tests/record_outputs.py --compare before.npz after.npz
"""

import sys
import warnings
from pathlib import Path

import numpy as np


def record(out):
    import skae
    sys.path.insert(0, str(Path(__file__).parent))
    from estimators import tiny_estimators
    from sklearn.datasets import load_digits

    print("skae from", skae.__file__)
    X = load_digits().data[:120] / 16.0
    rng = np.random.RandomState(0)
    X_missing = X.copy()
    X_missing[rng.uniform(size=X.shape) < 0.2] = np.nan
    results = {}
    for est in tiny_estimators():
        name = type(est).__name__
        if "max_iter" in est.get_params():
            est.set_params(max_iter=3)
        data = X_missing if name == "AutoencoderImputer" else X
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(data)
            for method in ("transform", "score_samples", "decision_function", "predict",
                           "feature_errors"):
                if hasattr(est, method):
                    results[f"{name}.{method}"] = np.asarray(getattr(est, method)(data))
            if hasattr(est, "inverse_transform") and name != "AutoencoderImputer":
                results[f"{name}.inverse_transform"] = est.inverse_transform(est.transform(X))
            if hasattr(est, "sample"):
                results[f"{name}.sample"] = est.sample(5, random_state=0)
            if hasattr(est, "loss_curve_"):
                results[f"{name}.loss_curve_"] = np.asarray(est.loss_curve_)
        print(name, "recorded", flush=True)
    results.update(imputer_variants(X_missing))
    np.savez(out, **results)


def imputer_variants(X_missing):
    """The imputer's other paths: no held-out entries, sparse input, draws, chosen entries."""
    import scipy.sparse as sp

    from skae import AutoencoderImputer

    results = {}
    sparse = sp.csr_matrix(np.nan_to_num(X_missing))
    variants = {
        "default": (AutoencoderImputer(max_iter=3, random_state=0), X_missing),
        "no early stopping": (AutoencoderImputer(max_iter=3, early_stopping=False,
                                                 random_state=np.random.RandomState(1)), X_missing),
        "unstored": (AutoencoderImputer(max_iter=3, missing_values="unstored", n_components=4,
                                        random_state=2), sparse),
        "draws": (AutoencoderImputer(max_iter=3, sample_posterior=True, add_indicator=True,
                                     random_state=3), X_missing),
    }
    rows, cols = np.arange(0, 120, 7), np.arange(0, 64, 4)[np.arange(0, 120, 7) % 16]
    for label, (imputer, data) in variants.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            imputer.fit(data)
            key = f"AutoencoderImputer[{label}]"
            results[f"{key}.transform"] = np.asarray(imputer.transform(data))
            results[f"{key}.transform again"] = np.asarray(imputer.transform(data))
            results[f"{key}.predict_entries"] = imputer.predict_entries(data, rows, cols)
            results[f"{key}.residual_std_"] = imputer.residual_std_
            results[f"{key}.loss_curve_"] = np.asarray(imputer.loss_curve_)
            results[f"{key}.validation_scores_"] = np.asarray(
                imputer.validation_scores_ if imputer.validation_scores_ is not None else [])
            results[f"{key}.architecture_scores_"] = np.asarray(
                [s["validation_score"] or np.nan for s in imputer.architecture_scores_])
        print(key, "recorded", flush=True)
    return results


def compare(a, b):
    a, b = np.load(a), np.load(b)
    for key in sorted(set(a) | set(b)):
        if key not in a or key not in b:
            print(f"{key}: only in {'A' if key in a else 'B'}")
            continue
        same = a[key].shape == b[key].shape and np.array_equal(a[key], b[key], equal_nan=True)
        diff = "" if same or a[key].shape != b[key].shape else \
            f" max |diff| {np.nanmax(np.abs(a[key] - b[key])):.3g}"
        print(f"{key}: {'bit for bit' if same else 'DIFFERENT' + diff}")


if __name__ == "__main__":
    if sys.argv[1] == "--compare":
        compare(sys.argv[2], sys.argv[3])
    else:
        record(sys.argv[1])
