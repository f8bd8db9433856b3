"""
=====================================
A convolutional autoencoder on images
=====================================

A :class:`~skae.ConvAutoencoder` reads each row as an image: its encoder is
a stack of strided convolutions, so it shares weights across positions and
sees neighbouring pixels together, where a dense network treats every pixel
as an unrelated feature. Rows stay flat, as everywhere in scikit-learn: the
8x8 digits are rows of 64 pixels, and the estimator infers the square
image.
"""

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from skae import ConvAutoencoder, ReconstructionDisplay

FAST = os.environ.get("SKAE_EXAMPLES_FAST") == "1"  # the test suite's quick run

X = load_digits().data / 16.0
X_train, X_test = train_test_split(X, test_size=0.25, random_state=0)
if FAST:
    X_train, X_test = X_train[:300], X_test[:100]

conv = ConvAutoencoder(n_components=8, filters=(16, 32), random_state=0,
                       max_iter=3 if FAST else 200).fit(X_train)
pca = PCA(n_components=8).fit(X_train)
print(f"image shape inferred: {conv.image_shape_}")
for name, model in [("PCA", pca), ("ConvAutoencoder", conv)]:
    X_rec = model.inverse_transform(model.transform(X_test))
    print(f"{name:>15}: test MSE {np.mean((X_test - X_rec) ** 2):.5f} with 8 components")

# %%
# Test digits (top) and their reconstructions from 8 numbers each (bottom).
ReconstructionDisplay.from_estimator(conv, X_test, n_samples=10)
plt.show()
