"""
================================
An LSTM autoencoder on sequences
================================

A :class:`~skae.RecurrentAutoencoder` reads each row as a sequence: an LSTM
(or GRU) encoder summarizes it into a code, and a recurrent decoder unrolls
the code back into the sequence. Rows stay flat and time major, as in a
Pipeline; 3-D arrays of ``(n_samples, n_timesteps, n_channels)`` work too.

The sequences here are noisy two-channel oscillations with random
frequency, phase and amplitude: three numbers describe each clean
sequence, so a code of three units should suffice.
"""

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.decomposition import PCA

from skae import ReconstructionDisplay, RecurrentAutoencoder

FAST = os.environ.get("SKAE_EXAMPLES_FAST") == "1"  # the test suite's quick run

rng = np.random.RandomState(0)
n_samples, n_steps = (60, 8) if FAST else (600, 30)
t = np.linspace(0, 1, n_steps)
frequency = rng.uniform(1, 3, size=(n_samples, 1))
phase = rng.uniform(0, 2 * np.pi, size=(n_samples, 1))
amplitude = rng.uniform(0.5, 1.5, size=(n_samples, 1))
clean = np.stack([amplitude * np.sin(2 * np.pi * frequency * t + phase),
                  amplitude * np.cos(2 * np.pi * frequency * t + phase)], axis=-1)
X = clean + 0.05 * rng.normal(size=clean.shape)  # (n_samples, n_steps, 2)
X_train, X_test = X[: n_samples * 4 // 5], X[n_samples * 4 // 5:]

# %%
rae = RecurrentAutoencoder(n_components=3, units=32, random_state=0,
                           max_iter=1 if FAST else 60).fit(X_train)
pca = PCA(n_components=3).fit(X_train.reshape(len(X_train), -1))
flat_test = X_test.reshape(len(X_test), -1)
print(f"sequence shape: {rae.sequence_shape_}")
for name, model in [("PCA", pca), ("RecurrentAutoencoder", rae)]:
    X_rec = model.inverse_transform(model.transform(flat_test))
    print(f"{name:>20}: test MSE {np.mean((flat_test - X_rec) ** 2):.4f} with 3 components")

# %%
# Test sequences (solid) and their reconstructions (dashed), both channels.
ReconstructionDisplay.from_estimator(rae, X_test, n_samples=4)
plt.show()
