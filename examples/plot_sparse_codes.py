"""
==========================
Sparse, overcomplete codes
==========================

A code wider than the input (overcomplete) can copy the input through
unchanged; a sparsity penalty stops it, so that each row is described by a
few active units out of many. skae has both classic penalties: an L1
penalty on the code (``code_l1``), and the KL-divergence penalty of Ng's
sparse autoencoder, which holds each unit's mean activation near
``sparsity_target`` (with ``code_activation="sigmoid"``).

We fit 128-unit codes on the 64-pixel digits and count, for each row, how
many units carry 90% of its code's total activation: the fewer, the
sparser the code.
"""

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits

from skae import AutoencoderTransformer

FAST = os.environ.get("SKAE_EXAMPLES_FAST") == "1"  # the test suite's quick run

X = load_digits().data / 16.0
if FAST:
    X = X[:300]
params = dict(n_components=128, hidden_layer_sizes=(), random_state=0,
              max_iter=3 if FAST else 60)
models = {
    "ReLU code, no penalty": AutoencoderTransformer(code_activation="relu", **params),
    "ReLU code, L1 penalty": AutoencoderTransformer(code_activation="relu", code_l1=1e-3,
                                                    **params),
    "sigmoid code, KL target 0.05": AutoencoderTransformer(
        code_activation="sigmoid", sparsity_target=0.05, **params),
}

fig, ax = plt.subplots()
for name, model in models.items():
    model.fit(X)
    codes = model.transform(X)
    # Units holding 90% of each row's activation, largest first.
    mass = np.sort(np.abs(codes), axis=1)[:, ::-1].cumsum(axis=1)
    active = 1 + (mass < 0.9 * mass[:, -1:]).sum(axis=1)
    mse = np.mean((X - model.inverse_transform(codes)) ** 2)
    print(f"{name:>30}: median units for 90% {np.median(active):.0f} of 128, MSE {mse:.5f}")
    ax.hist(active, bins=np.arange(0, 130, 4), alpha=0.6, label=name)
ax.set_xlabel("code units holding 90% of a row's activation")
ax.set_ylabel("rows")
ax.legend()
plt.show()
