"""
==========================================
A ratings recommender from a sparse matrix
==========================================

A recommender predicts the ratings users have not given. An
:class:`~skae.AutoencoderImputer` with ``missing_values="unstored"`` reads a
SciPy sparse matrix as it is: stored entries are the observed ratings, and
everything else is missing, never "rated zero". Each row is one item's
ratings by every user (the item-based layout of I-AutoRec, Sedhain et al.,
2015), and the network learns from the stored ratings only.

The ratings are MovieLens latest-small (100,836 ratings; its licence is in
its README), read from the folder that ``SKAE_DATA`` names (by default the
data folder beside this repository). Without it the example makes a
synthetic low-rank rating matrix, so it runs anywhere.
"""

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from scipy import sparse

from skae import AutoencoderImputer

FAST = os.environ.get("SKAE_EXAMPLES_FAST") == "1"  # the test suite's quick run
DATA = Path(os.environ.get("SKAE_DATA", "../../shared/data"))

rng = np.random.RandomState(0)
ratings_csv = DATA / "movielens" / "ml-latest-small" / "ratings.csv"
if ratings_csv.exists():
    name = "MovieLens latest-small"
    table = np.loadtxt(ratings_csv, delimiter=",", skiprows=1, usecols=(0, 1, 2))
    users = np.unique(table[:, 0], return_inverse=True)[1]
    items = np.unique(table[:, 1], return_inverse=True)[1]
    values = table[:, 2]
else:
    name = "synthetic ratings (MovieLens not found)"
    n_users, n_items, n_ratings = (60, 40, 800) if FAST else (600, 400, 30000)
    taste = rng.normal(size=(n_users, 3)) @ rng.normal(size=(3, n_items))
    cells = rng.choice(n_users * n_items, size=n_ratings, replace=False)
    users, items = np.divmod(cells, n_items)
    values = np.clip(np.round(3.5 + taste[users, items] + 0.5 * rng.normal(size=n_ratings)), 1, 5)
if FAST and len(values) > 5000:  # the real ratings, cut to a corner
    keep = (items < 300) & (users < 200)
    users, items, values = users[keep], items[keep], values[keep]
    users = np.unique(users, return_inverse=True)[1]
    items = np.unique(items, return_inverse=True)[1]
shape = (items.max() + 1, users.max() + 1)  # items x users
print(f"{name}: {len(values)} ratings of {shape[0]} items by {shape[1]} users "
      f"({len(values) / np.prod(shape):.1%} of the matrix)")

# %%
# Hold out 10% of the ratings; train on the rest as a sparse matrix.
test = rng.rand(len(values)) < 0.1
train = sparse.csr_matrix((values[~test], (items[~test], users[~test])), shape=shape)

imputer = AutoencoderImputer(
    missing_values="unstored", n_components=16, hidden_layer_sizes=(128,),
    mask_fraction=0.3, alpha=1e-5, n_estimators=1, random_state=0, max_iter=2 if FAST else 200,
).fit(train)
predicted = np.clip(imputer.predict_entries(train, items[test], users[test]), 0.5, 5.0)

# %%
# Two baselines: the mean rating, and the mean plus user and item biases.
mean = values[~test].mean()
item_bias = np.bincount(items[~test], values[~test] - mean, shape[0]) / np.maximum(
    np.bincount(items[~test], minlength=shape[0]), 1)
residual = values[~test] - mean - item_bias[items[~test]]
user_bias = np.bincount(users[~test], residual, shape[1]) / np.maximum(
    np.bincount(users[~test], minlength=shape[1]), 1)
baselines = {
    "global mean": np.full(test.sum(), mean),
    "user + item biases": np.clip(mean + item_bias[items[test]] + user_bias[users[test]], 0.5, 5),
    "AutoencoderImputer": predicted,
}
rmse = {k: np.sqrt(np.mean((v - values[test]) ** 2)) for k, v in baselines.items()}
for k, v in rmse.items():
    print(f"{k:>20}: test RMSE {v:.4f}")

# %%
fig, ax = plt.subplots()
ax.barh(list(rmse), list(rmse.values()))
ax.set_xlabel("test RMSE on held-out ratings (lower is better)")
ax.set_title(name)
plt.tight_layout()
plt.show()
