"""
=========================================
Denoising with Gaussian and masking noise
=========================================

A :class:`~skae.DenoisingAutoencoder` corrupts its input while training and
learns to reconstruct the clean rows (Vincent et al., 2008). Two kinds of
corruption are common: additive Gaussian noise, and masking noise that sets
a random fraction of the inputs to zero. We train both on clean digits and
then denoise test digits corrupted by Gaussian noise, beside PCA and a
plain autoencoder with the same code size.
"""

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from skae import AutoencoderTransformer, DenoisingAutoencoder, ReconstructionDisplay

FAST = os.environ.get("SKAE_EXAMPLES_FAST") == "1"  # the test suite's quick run

X = load_digits().data / 16.0
X_train, X_test = train_test_split(X, test_size=0.25, random_state=0)
if FAST:
    X_train, X_test = X_train[:300], X_test[:100]
rng = np.random.RandomState(0)
X_noisy = np.clip(X_test + 0.3 * rng.normal(size=X_test.shape), 0.0, 1.0)

# %%
# Four ways to reconstruct the noisy test digits, each fitted on the clean
# training digits only.
params = dict(n_components=16, hidden_layer_sizes=(128,), random_state=0,
              max_iter=5 if FAST else 200)
models = {
    "PCA": PCA(n_components=16),
    "autoencoder": AutoencoderTransformer(**params),
    "denoising, Gaussian": DenoisingAutoencoder(noise="gaussian", noise_level=0.3, **params),
    "denoising, masking": DenoisingAutoencoder(noise="masking", noise_level=0.3, **params),
}
print(f"noisy input: MSE against the clean digits {np.mean((X_noisy - X_test) ** 2):.4f}")
for name, model in models.items():
    model.fit(X_train)
    X_rec = model.inverse_transform(model.transform(X_noisy))
    print(f"{name:>20}: MSE against the clean digits {np.mean((X_rec - X_test) ** 2):.4f}")

# %%
# The noisy digits and what the Gaussian denoising autoencoder makes of
# them.
ReconstructionDisplay.from_predictions(
    X_noisy, models["denoising, Gaussian"].inverse_transform(
        models["denoising, Gaussian"].transform(X_noisy)),
    n_samples=8, shape=(8, 8), estimator_name="DenoisingAutoencoder on noisy digits",
)
plt.show()
