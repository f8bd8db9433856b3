"""
======================================================
A variational autoencoder: sampling and the latent map
======================================================

A :class:`~skae.VariationalAutoencoder` learns a probabilistic model of the
rows: codes follow a standard normal prior, and the decoder turns a code
into the parameters of each pixel's distribution. New rows come from
decoding codes drawn from the prior, and a grid of codes shows how the
decoded rows change across the latent plane.
"""

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import norm
from sklearn.datasets import load_digits

from skae import LatentSpaceDisplay, VariationalAutoencoder

FAST = os.environ.get("SKAE_EXAMPLES_FAST") == "1"  # the test suite's quick run

X, y = load_digits(return_X_y=True)
X = X / 16.0
if FAST:
    X, y = X[:300], y[:300]

# %%
# Pixels in [0, 1] fit a Bernoulli likelihood (binary cross-entropy).
vae = VariationalAutoencoder(
    n_components=2, likelihood="bernoulli", hidden_layer_sizes=(256,), random_state=0,
    max_iter=3 if FAST else 300, n_importance_samples=5 if FAST else 50,
).fit(X)
print(f"mean log-likelihood per row: {vae.score(X):.2f} nats")

# %%
# The posterior means of the codes, coloured by digit.
LatentSpaceDisplay.from_estimator(vae, X, y)
plt.show()

# %%
# The latent map: decode a grid of codes spread by the prior's quantiles
# (``inverse_transform`` gives the decoder's mean of each pixel).
n = 12
grid = norm.ppf(np.linspace(0.03, 0.97, n))
codes = np.array([[a, b] for b in grid[::-1] for a in grid])
images = vae.inverse_transform(codes).reshape(n, n, 8, 8)
fig, ax = plt.subplots(figsize=(6, 6))
ax.imshow(images.transpose(0, 2, 1, 3).reshape(n * 8, n * 8), cmap="gray")
ax.set_axis_off()
ax.set_title("decoded grid of codes")
plt.show()

# %%
# New digits: codes drawn from the prior, decoded to pixel means.
rng = np.random.RandomState(0)
samples = vae.inverse_transform(rng.normal(size=(10, 2)))
fig, axes = plt.subplots(1, 10, figsize=(10, 1.3))
for ax, image in zip(axes, samples):
    ax.imshow(image.reshape(8, 8), cmap="gray", vmin=0, vmax=1)
    ax.set_axis_off()
plt.show()
