"""
=========================================
Anomaly detection by reconstruction error
=========================================

An :class:`~skae.AutoencoderAnomalyDetector` learns to reconstruct normal
rows; rows it reconstructs badly, or whose codes fall far from the training
codes, score low. It follows :class:`~sklearn.ensemble.IsolationForest`'s
API: ``score_samples`` is higher for more normal rows, ``offset_`` is set
from ``contamination``, and ``predict`` gives +1 for inliers and -1 for
outliers.

Here the normal rows are handwritten digits and the anomalies are chimeras:
the left half of one test digit joined to the right half of a digit of
another class. Every pixel, and each half, is a plausible one; only the
whole is wrong.
"""

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from skae import AutoencoderAnomalyDetector, ScoreDistributionDisplay

FAST = os.environ.get("SKAE_EXAMPLES_FAST") == "1"  # the test suite's quick run

X, y = load_digits(return_X_y=True)
X = X / 16.0
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)
if FAST:
    X_train, X_test, y_train, y_test = X_train[:300], X_test[:100], y_train[:300], y_test[:100]
rng = np.random.RandomState(0)
n_anomalies = len(X_test) // 20
left = rng.choice(len(X_test), size=n_anomalies, replace=False)
right = [rng.choice(np.flatnonzero(y_test != y_test[i])) for i in left]
images = X_test.reshape(-1, 8, 8)
X_anomalies = np.concatenate([images[left, :, :4], images[right, :, 4:]], axis=2)
X_anomalies = X_anomalies.reshape(-1, 64)
X_eval = np.vstack([X_test, X_anomalies])
y_eval = np.r_[np.ones(len(X_test)), -np.ones(n_anomalies)]  # -1: anomaly

# %%
# Both detectors see only normal digits when fitting. ``contamination``
# says what fraction of the *training* rows to call outliers; it sets the
# threshold ``offset_`` and nothing else, so the ranking (and the ROC AUC)
# does not depend on it.
detector = AutoencoderAnomalyDetector(
    contamination=0.05, random_state=0, **({"n_estimators": 2, "max_iter": 3} if FAST else {}),
).fit(X_train)
forest = IsolationForest(contamination=0.05, random_state=0).fit(X_train)
for name, model in [("IsolationForest", forest), ("AutoencoderAnomalyDetector", detector)]:
    auc = roc_auc_score(y_eval == -1, -model.score_samples(X_eval))
    flagged = np.mean(model.predict(X_eval)[y_eval == -1] == -1)
    print(f"{name:>27}: ROC AUC {auc:.3f}, anomalies flagged {flagged:.0%}")

# %%
# The scores of normal digits and chimeras, and the threshold ``offset_``.
labels = np.where(y_eval == 1, "normal", "chimera")
ScoreDistributionDisplay.from_estimator(detector, X_eval, labels)
plt.show()
