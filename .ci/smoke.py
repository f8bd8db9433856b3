"""Smoke check of an installed skae, run from outside the source tree.

Imports the installed package, fits every public estimator briefly, and
round-trips each through pickle: what a user of the built wheel does first.
"""

import pickle
import sys
import warnings
from pathlib import Path

import numpy as np

import skae

SOURCE = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else None
installed = Path(skae.__file__).resolve()
if SOURCE is not None and SOURCE in installed.parents:
    sys.exit(f"skae was imported from the source tree ({installed}), not the installed wheel")

TINY = {"max_iter": 1, "hidden_layer_sizes": (4,), "units": 3, "filters": (2,), "n_estimators": 2,
        "n_importance_samples": 3, "n_components": 2, "batch_size": 64, "random_state": 0}
rng = np.random.default_rng(0)
X = rng.normal(size=(40, 16))  # 16 features: a 4x4 image, or 16 steps of one channel
X_missing = np.where(rng.random(X.shape) < 0.1, np.nan, X)

warnings.simplefilter("ignore")  # one-epoch fits warn that they stopped early
for name in sorted(skae._ESTIMATORS):
    cls = getattr(skae, name)
    params = {k: v for k, v in TINY.items() if k in cls().get_params()}
    data = X_missing if name == "AutoencoderImputer" else X
    estimator = cls(**params).fit(data)
    method = next(m for m in ("transform", "score_samples") if hasattr(estimator, m))
    out = getattr(estimator, method)(data)
    restored = pickle.loads(pickle.dumps(estimator))
    again = getattr(restored, method)(data)
    if not (np.all(np.isfinite(out)) and np.array_equal(out, again)):
        sys.exit(f"{name}.{method} is not finite or changed through pickle")
    print(f"{name}: fit, {method} {np.shape(out)}, pickle round trip: ok")
print(f"skae {skae.__version__} from {installed.parent}: {len(skae._ESTIMATORS)} estimators ok")
