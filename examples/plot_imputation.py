"""
=========================
Filling in missing pixels
=========================

An :class:`~skae.AutoencoderImputer` learns from the observed entries only
(a masked loss), hiding some of them while training so that it learns to
predict what it cannot see. It follows
:class:`~sklearn.impute.IterativeImputer`'s API: ``transform`` keeps every
observed entry and fills the gaps.

We remove 30% of the digits' pixels at random and compare the imputations
with the true values.
"""

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.impute import KNNImputer, SimpleImputer

from skae import AutoencoderImputer, ReconstructionDisplay

FAST = os.environ.get("SKAE_EXAMPLES_FAST") == "1"  # the test suite's quick run

X = load_digits().data / 16.0
if FAST:
    X = X[:300]
rng = np.random.RandomState(0)
missing = rng.rand(*X.shape) < 0.3
X_missing = np.where(missing, np.nan, X)

# %%
imputers = {
    "column means": SimpleImputer(),
    "5 nearest neighbours": KNNImputer(),
    "autoencoder": AutoencoderImputer(random_state=0, max_iter=3 if FAST else 200),
}
filled = {}
for name, imputer in imputers.items():
    filled[name] = imputer.fit_transform(X_missing)
    rmse = np.sqrt(np.mean((filled[name][missing] - X[missing]) ** 2))
    print(f"{name:>20}: RMSE on the removed pixels {rmse:.4f}")

# %%
# Digits with their gaps (shown black) and the autoencoder's fill.
ReconstructionDisplay.from_predictions(
    np.nan_to_num(X_missing), filled["autoencoder"], n_samples=8, shape=(8, 8),
    estimator_name="AutoencoderImputer",
)
plt.show()
