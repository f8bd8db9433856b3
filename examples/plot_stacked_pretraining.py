"""
===============================================
Greedy layer-wise pretraining, then fine-tuning
===============================================

A :class:`~skae.StackedAutoencoder` trains its encoder one layer at a time
(Bengio et al., 2007): the first layer as a shallow autoencoder of the
input, the second as a shallow autoencoder of the first layer's codes, and
so on; then the whole network is fine-tuned end to end. Pretraining was how
deep autoencoders were first trained at all; with modern optimizers and
initializations a deep network usually trains well without it, and this
example measures both on the digits.
"""

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from skae import AutoencoderTransformer, LossCurveDisplay, StackedAutoencoder

FAST = os.environ.get("SKAE_EXAMPLES_FAST") == "1"  # the test suite's quick run

X = load_digits().data / 16.0
X_train, X_test = train_test_split(X, test_size=0.25, random_state=0)
if FAST:
    X_train, X_test = X_train[:300], X_test[:100]

# %%
# The same network, 64-48-24-8 and back, trained with and without
# pretraining, beside PCA with as many components.
params = dict(n_components=8, hidden_layer_sizes=(48, 24), random_state=0,
              max_iter=5 if FAST else 60)
models = {
    "PCA": PCA(n_components=8),
    "no pretraining": AutoencoderTransformer(**params),
    "stacked": StackedAutoencoder(pretrain_max_iter=3 if FAST else 20, **params),
}
for name, model in models.items():
    model.fit(X_train)
    X_rec = model.inverse_transform(model.transform(X_test))
    print(f"{name:>15}: test MSE {np.mean((X_test - X_rec) ** 2):.5f}")

# %%
# The loss curves show each stage: the pretraining of each layer (each
# reconstructs its own input, so the levels are on different scales),
# then the fine-tuning of the whole network.
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
LossCurveDisplay.from_estimator(models["stacked"], ax=axes[0])
LossCurveDisplay.from_estimator(models["no pretraining"], ax=axes[1])
plt.tight_layout()
plt.show()
