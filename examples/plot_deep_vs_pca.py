"""
===============================================
A deep autoencoder against PCA on Fashion-MNIST
===============================================

The case for an autoencoder in one figure: with the same number of
components, how much of each image comes back? PCA keeps the best plane;
an :class:`~skae.AutoencoderTransformer` can bend its surface to follow the
images, and the gap is widest at small codes.

The images are Fashion-MNIST (28x28 clothing photos, MIT licence), read
from the original IDX files in the folder that ``SKAE_DATA`` names (by
default the data folder beside this repository). Without them the example
falls back to scikit-learn's 8x8 digits, so it runs anywhere.
"""

# %%
import gzip
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from skae import AutoencoderTransformer, ReconstructionDisplay

FAST = os.environ.get("SKAE_EXAMPLES_FAST") == "1"  # the test suite's quick run
DATA = Path(os.environ.get("SKAE_DATA", "../../shared/data"))


def read_idx_images(path):
    """Images from an IDX file (the format MNIST and Fashion-MNIST ship in)."""
    with gzip.open(path) as f:
        data = f.read()
    n, rows, cols = np.frombuffer(data, dtype=">u4", count=3, offset=4)
    return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(n, rows * cols)


images = DATA / "fashion-mnist" / "train-images-idx3-ubyte.gz"
if images.exists():
    name, shape = "Fashion-MNIST", (28, 28)
    X = read_idx_images(images)[: 1000 if FAST else 4000] / 255.0
else:
    name, shape = "digits (Fashion-MNIST not found)", (8, 8)
    X = load_digits().data[: 300 if FAST else None] / 16.0
X_train, X_test = train_test_split(X, test_size=0.25, random_state=0)
print(f"{name}: {len(X_train)} training and {len(X_test)} test images of {shape}")

# %%
# Both fitted with the same code sizes; the autoencoder at its defaults
# (one hidden layer of 256 units each side) but for at most 30 epochs, to
# keep the example under a minute. Trained longer and on all 60,000
# images, the autoencoder's lead grows (see the Fashion-MNIST table in
# the results).
ks = [2, 8] if FAST else [2, 8, 32]
errors = {"PCA": [], "AutoencoderTransformer": []}
models = {}
for k in ks:
    pca = PCA(n_components=k).fit(X_train)
    ae = AutoencoderTransformer(n_components=k, random_state=0,
                                max_iter=2 if FAST else 30).fit(X_train)
    for label, model in [("PCA", pca), ("AutoencoderTransformer", ae)]:
        X_rec = model.inverse_transform(model.transform(X_test))
        errors[label].append(np.mean((X_test - X_rec) ** 2))
    models[k] = (pca, ae)
    print(f"k={k:>2}: test MSE PCA {errors['PCA'][-1]:.5f}, autoencoder "
          f"{errors['AutoencoderTransformer'][-1]:.5f} "
          f"({errors['AutoencoderTransformer'][-1] / errors['PCA'][-1]:.2f} x PCA)")

# %%
fig, ax = plt.subplots()
for label, values in errors.items():
    ax.plot(ks, values, "o-", label=label)
ax.set_xscale("log", base=2)
ax.set_xticks(ks, [str(k) for k in ks])
ax.set_xlabel("components")
ax.set_ylabel("test MSE")
ax.set_title(name)
ax.legend()
plt.show()

# %%
# Test images reconstructed from 8 numbers each, by PCA and by the
# autoencoder.
pca, ae = models[8]
for model in (pca, ae):
    ReconstructionDisplay.from_predictions(
        X_test, model.inverse_transform(model.transform(X_test)), n_samples=8,
        shape=shape, estimator_name=f"{type(model).__name__}, 8 components",
    )
plt.show()
