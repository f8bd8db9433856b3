"""
============
Tied weights
============

With ``tied_weights=True`` each decoder layer uses the transpose of the
matching encoder layer's weights (only the biases are its own), halving the
number of weights. Fewer weights means less to fit, which matters most when
rows are few; the constraint also ties the decoder to the encoder, which a
linear autoencoder satisfies at PCA's solution anyway.

We fit the same network with and without tying on growing numbers of
training digits and compare the test error.
"""

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skae import AutoencoderTransformer

FAST = os.environ.get("SKAE_EXAMPLES_FAST") == "1"  # the test suite's quick run

X = load_digits().data / 16.0
X_train, X_test = train_test_split(X, test_size=0.3, random_state=0)
sizes = [100] if FAST else [100, len(X_train)]

results = {False: [], True: []}
n_weights = {}
for n in sizes:
    for tied in (False, True):
        ae = AutoencoderTransformer(
            n_components=16, hidden_layer_sizes=(128,), tied_weights=tied, random_state=0,
            max_iter=3 if FAST else 100,
        ).fit(X_train[:n])
        X_rec = ae.inverse_transform(ae.transform(X_test))
        results[tied].append(np.mean((X_test - X_rec) ** 2))
        n_weights[tied] = ae.model_.count_params()
    print(f"{n:>5} training rows: test MSE untied {results[False][-1]:.5f}, "
          f"tied {results[True][-1]:.5f}")

print(f"parameters: untied {n_weights[False]}, tied {n_weights[True]}")

# %%
fig, ax = plt.subplots()
ax.plot(sizes, results[False], "o-", label="untied")
ax.plot(sizes, results[True], "s--", label="tied")
ax.set_xscale("log")
ax.set_xlabel("training rows")
ax.set_ylabel("test MSE")
ax.legend()
plt.show()
