"""
=========================================
A linear autoencoder recovers PCA's plane
=========================================

An autoencoder with no hidden layer and linear activations, trained on the
squared error, learns the same subspace as PCA (Baldi and Hornik, 1989):
its codes need not be the principal components themselves (any basis of
the plane reconstructs as well), but the plane, and so every
reconstruction, is the same.

We draw a cloud of 3-D points near a tilted plane, fit
:class:`~sklearn.decomposition.PCA` and a linear
:class:`~skae.AutoencoderTransformer` with two components each, and compare
the two planes by their principal angles.
"""

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
from scipy.linalg import subspace_angles
from sklearn.decomposition import PCA

from skae import AutoencoderTransformer

FAST = os.environ.get("SKAE_EXAMPLES_FAST") == "1"  # the test suite's quick run

rng = np.random.RandomState(0)
n_samples = 200 if FAST else 1000
plane = rng.normal(size=(n_samples, 2)) * [3.0, 1.5]
tilt = np.linalg.qr(rng.normal(size=(3, 3)))[0][:, :2]
X = plane @ tilt.T + 0.2 * rng.normal(size=(n_samples, 3))

# %%
# Fit both. ``hidden_layer_sizes=()`` leaves only the code layer, and
# ``activation="linear"`` keeps the whole network linear.
pca = PCA(n_components=2).fit(X)
linear_ae = AutoencoderTransformer(
    n_components=2, hidden_layer_sizes=(), activation="linear",
    max_iter=20 if FAST else 300, random_state=0,
).fit(X)

# %%
# The decoder's plane is spanned by the reconstructions of the unit codes,
# less the reconstruction of the zero code (the decoder's bias).
origin = linear_ae.inverse_transform(np.zeros((1, 2)))
basis = linear_ae.inverse_transform(np.eye(2)) - origin
angles = np.degrees(subspace_angles(pca.components_.T, basis.T))
print(f"principal angles between the planes: {np.round(angles, 2)} degrees")


def mse(X, X_rec):
    return np.mean((X - X_rec) ** 2)


mse_pca = mse(X, pca.inverse_transform(pca.transform(X)))
mse_ae = mse(X, linear_ae.inverse_transform(linear_ae.transform(X)))
print(f"training MSE: PCA {mse_pca:.5f}, linear autoencoder {mse_ae:.5f} "
      f"(ratio {mse_ae / mse_pca:.3f})")

# %%
# Both reconstructions lie on the same plane: seen edge-on, along the
# plane's own direction, the two sets of reconstructed points coincide.
normal = np.cross(*pca.components_)
edge_on = np.column_stack([pca.components_[0], normal])
fig, axes = plt.subplots(1, 2, figsize=(9, 4), sharex=True, sharey=True)
for ax, (name, est) in zip(axes, [("PCA", pca), ("linear autoencoder", linear_ae)]):
    X_rec = est.inverse_transform(est.transform(X))
    ax.scatter(*(X @ edge_on).T, s=4, c="lightgray", label="data")
    ax.scatter(*(X_rec @ edge_on).T, s=4, label="reconstructions")
    ax.set_title(f"{name}, seen edge-on")
    ax.set_xlabel("first principal direction")
axes[0].set_ylabel("distance from PCA's plane")
axes[0].legend(loc="upper left")
plt.tight_layout()
plt.show()
