"""
=================================================
Choosing n_components with score and GridSearchCV
=================================================

Every skae transformer's ``score`` is the negative mean reconstruction
error of the rows given (higher is better), so
:class:`~sklearn.model_selection.GridSearchCV` can choose the code size on
held-out folds with no labels at all, exactly as it can for
:class:`~sklearn.decomposition.PCA`, whose ``score`` is a log-likelihood.

We search the same code sizes for both and draw the cross-validated
reconstruction error of each.
"""

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import GridSearchCV, cross_val_score

from skae import AutoencoderTransformer

FAST = os.environ.get("SKAE_EXAMPLES_FAST") == "1"  # the test suite's quick run

X = load_digits().data / 16.0
if FAST:
    X = X[:200]
grid = {"n_components": [2, 8] if FAST else [2, 4, 8, 16]}

# %%
# The search: three folds, each candidate fitted on two and scored on the
# third. ``max_iter`` is capped and the best candidate is not refitted, to
# keep the example short.
search = GridSearchCV(
    AutoencoderTransformer(random_state=0, max_iter=2 if FAST else 25), grid, cv=3,
    refit=False,
).fit(X)
ae_errors = -search.cv_results_["mean_test_score"]
print(f"best n_components by held-out reconstruction error: "
      f"{search.best_params_['n_components']}")

# %%
# PCA's ``score`` is a log-likelihood, not an error: to compare like with
# like, score PCA's held-out reconstructions with the same error.


def reconstruction_score(estimator, X_test, y=None):
    X_rec = estimator.inverse_transform(estimator.transform(X_test))
    return -np.mean((X_test - X_rec) ** 2)


pca_errors = [-cross_val_score(PCA(k), X, cv=3, scoring=reconstruction_score).mean()
              for k in grid["n_components"]]
for k, ae_error, pca_error in zip(grid["n_components"], ae_errors, pca_errors):
    print(f"k={k:>2}: held-out MSE autoencoder {ae_error:.5f}, PCA {pca_error:.5f}")

# %%
# The error falls with every component added, fast at first: pick the
# smallest code past which the curve flattens, or let the downstream model
# choose by searching a whole pipeline.
fig, ax = plt.subplots()
ax.plot(grid["n_components"], ae_errors, "o-", label="AutoencoderTransformer")
ax.plot(grid["n_components"], pca_errors, "s--", label="PCA")
ax.set_xscale("log", base=2)
ax.set_xticks(grid["n_components"], [str(k) for k in grid["n_components"]])
ax.set_xlabel("n_components")
ax.set_ylabel("held-out reconstruction MSE (3-fold)")
ax.legend()
plt.show()
