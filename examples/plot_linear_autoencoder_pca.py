"""
=========================================
A linear autoencoder recovers PCA's plane
=========================================

An autoencoder with no hidden layer and linear activations, trained on the
squared error, has PCA's plane as its optimum (Baldi and Hornik, 1989):
its codes need not be the principal components themselves (any basis of
the plane reconstructs as well), but at the optimum the plane, and so every
reconstruction, is PCA's.

We draw a cloud of 3-D points near a tilted plane, fit
:class:`~sklearn.decomposition.PCA` and a linear
:class:`~skae.AutoencoderTransformer` with two components each, and compare
the two planes by their principal angles. ``linear_components=0`` turns
off skae's linear path, which would start the network at PCA's solution:
here training has to find it.
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
n_samples = 200 if FAST else 500
plane = rng.normal(size=(n_samples, 2)) * [3.0, 1.5]
tilt = np.linalg.qr(rng.normal(size=(3, 3)))[0][:, :2]
X = plane @ tilt.T + 0.2 * rng.normal(size=(n_samples, 3))

# %%
# Fit both. ``hidden_layer_sizes=()`` leaves only the code layer, and
# ``activation="linear"`` keeps the whole network linear. We fit the
# autoencoder twice: at its defaults, where early stopping ends training
# when the held-out error stops improving, and trained to convergence on
# every row, with no early stopping and a larger learning rate.
pca = PCA(n_components=2).fit(X)
linear = dict(n_components=2, hidden_layer_sizes=(), activation="linear", linear_components=0,
              random_state=0)
autoencoders = {
    "defaults": AutoencoderTransformer(max_iter=20 if FAST else 300, **linear).fit(X),
    "to convergence": AutoencoderTransformer(
        max_iter=5 if FAST else 200, early_stopping=False, learning_rate=1e-2, **linear,
    ).fit(X),
}


def mse(X, X_rec):
    return np.mean((X - X_rec) ** 2)


mse_pca = mse(X, pca.inverse_transform(pca.transform(X)))
print(f"PCA: training MSE {mse_pca:.5f}")
for name, ae in autoencoders.items():
    # The decoder's plane is spanned by the reconstructions of the unit
    # codes, less the reconstruction of the zero code (its bias).
    origin = ae.inverse_transform(np.zeros((1, 2)))
    basis = ae.inverse_transform(np.eye(2)) - origin
    angles = np.degrees(subspace_angles(pca.components_.T, basis.T))
    mse_ae = mse(X, ae.inverse_transform(ae.transform(X)))
    print(f"linear autoencoder, {name} ({ae.n_iter_} epochs): angles to PCA's plane "
          f"{np.round(angles, 2)} degrees, training MSE {mse_ae:.5f} "
          f"= {mse_ae / mse_pca:.3f} x PCA")

# %%
# Both planes are within a degree of PCA's. The reconstructions come close
# to PCA's error only when training goes on: the encoder must also learn to
# project orthogonally onto the plane, and the last per cents of error come
# slowly; early stopping, judged on held-out rows, ends before them.

# %%
# Both reconstructions lie on the same plane: seen edge-on, along the
# plane's own direction, the two sets of reconstructed points coincide.
normal = np.cross(*pca.components_)
edge_on = np.column_stack([pca.components_[0], normal])
fig, axes = plt.subplots(1, 2, figsize=(9, 4), sharex=True, sharey=True)
for ax, (name, est) in zip(axes, [("PCA", pca),
                                  ("linear autoencoder", autoencoders["to convergence"])]):
    X_rec = est.inverse_transform(est.transform(X))
    ax.scatter(*(X @ edge_on).T, s=4, c="lightgray", label="data")
    ax.scatter(*(X_rec @ edge_on).T, s=4, label="reconstructions")
    ax.set_title(f"{name}, seen edge-on")
    ax.set_xlabel("first principal direction")
axes[0].set_ylabel("distance from PCA's plane")
axes[0].legend(loc="upper left")
plt.tight_layout()
plt.show()
