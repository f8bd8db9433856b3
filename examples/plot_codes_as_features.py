"""
=================================================
Codes as features, and learning from a few labels
=================================================

An autoencoder's codes can feed a classifier in a
:class:`~sklearn.pipeline.Pipeline`, exactly as PCA's components do. When labels are scarce, the
autoencoder can learn from every row, labelled or not, and the classifier
from the few labels there are (unsupervised pretraining, then a supervised
model on the codes). Whether the codes beat the raw features or PCA's
depends on the data: this example measures it on the digits.
"""

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skae import AutoencoderTransformer

FAST = os.environ.get("SKAE_EXAMPLES_FAST") == "1"  # the test suite's quick run

X, y = load_digits(return_X_y=True)
X = X / 16.0
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)
if FAST:
    X_train, X_test, y_train, y_test = X_train[:300], X_test[:100], y_train[:300], y_test[:100]
max_iter = 3 if FAST else 200

# %%
# With every label: a pipeline of codes and logistic regression.
pipe = make_pipeline(
    AutoencoderTransformer(n_components=16, random_state=0, max_iter=max_iter),
    StandardScaler(),
    LogisticRegression(max_iter=2000),
).fit(X_train, y_train)
pca_pipe = make_pipeline(PCA(n_components=16), StandardScaler(),
                         LogisticRegression(max_iter=2000)).fit(X_train, y_train)
accuracy = {"all labels": {"PCA": pca_pipe.score(X_test, y_test),
                           "autoencoder": pipe.score(X_test, y_test)}}
print(f"all {len(y_train)} labels: autoencoder codes {accuracy['all labels']['autoencoder']:.3f}, "
      f"PCA components {accuracy['all labels']['PCA']:.3f}")

# %%
# With 5 labels per class: the encoders learn from every training row (the
# labels are not used), the classifiers from 50 labelled rows only.
rng = np.random.RandomState(0)
labelled = np.concatenate([rng.choice(np.flatnonzero(y_train == c), 5, replace=False)
                           for c in range(10)])
encoders = {
    "raw pixels": None,
    "PCA": PCA(n_components=16).fit(X_train),
    "autoencoder": AutoencoderTransformer(n_components=16, random_state=0,
                                          max_iter=max_iter).fit(X_train),
}
accuracy["50 labels"] = {}
for name, encoder in encoders.items():
    encode = (lambda Z: Z) if encoder is None else encoder.transform
    clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    clf.fit(encode(X_train[labelled]), y_train[labelled])
    accuracy["50 labels"][name] = clf.score(encode(X_test), y_test)
    print(f"50 labels, {name:>11}: test accuracy {accuracy['50 labels'][name]:.3f}")

# %%
# The test accuracies side by side.
fig, axes = plt.subplots(1, 2, figsize=(8, 3.2), sharey=True)
for ax, (setting, scores) in zip(axes, accuracy.items()):
    ax.bar(list(scores), list(scores.values()), color="tab:blue")
    for i, value in enumerate(scores.values()):
        ax.text(i, value + 0.01, f"{value:.3f}", ha="center", fontsize=8)
    ax.set_title(f"logistic regression trained on {setting}", fontsize=9)
axes[0].set(ylabel="test accuracy", ylim=(0, 1.05))
fig.tight_layout()
plt.show()
