"""
===========================================
Maps of the codes: 2-D codes, PCA and t-SNE
===========================================

:class:`~skae.LatentSpaceDisplay` draws codes coloured by label. A code of
two units is drawn as it is; wider codes are brought to the plane with PCA
(linear, keeps large distances) or t-SNE (keeps neighbourhoods, so classes
that the codes separate show as islands).
"""

# %%
import os

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits

from skae import AutoencoderTransformer, LatentSpaceDisplay

FAST = os.environ.get("SKAE_EXAMPLES_FAST") == "1"  # the test suite's quick run

X, y = load_digits(return_X_y=True)
X = X / 16.0
if FAST:
    X, y = X[:120], y[:120]
max_iter = 3 if FAST else 200

ae2 = AutoencoderTransformer(n_components=2, random_state=0, max_iter=max_iter).fit(X)
ae16 = AutoencoderTransformer(n_components=16, random_state=0, max_iter=max_iter).fit(X)

fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
LatentSpaceDisplay.from_estimator(ae2, X, y, ax=axes[0])
LatentSpaceDisplay.from_estimator(ae16, X, y, projection="pca", ax=axes[1])
LatentSpaceDisplay.from_estimator(ae16, X, y, projection="tsne", random_state=0, ax=axes[2])
axes[0].set_title("2-unit code")
axes[1].set_title("16-unit code, PCA of the codes")
axes[2].set_title("16-unit code, t-SNE of the codes")
plt.tight_layout()
plt.show()
