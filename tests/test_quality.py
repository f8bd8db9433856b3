"""Fit quality at default settings on the README's main job (digits).

The rows of issue 10's targets that are small enough for CI: only
``n_components`` is set (plus a linear network for the linear rows), on the
split of ``benchmarks/compare.py``: pixels / 16, a stratified quarter held out
with ``random_state=0``.
"""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from skae import AutoencoderTransformer

LINEAR = dict(hidden_layer_sizes=(), activation="linear")


@pytest.fixture(scope="module")
def main_job():
    data = load_digits()
    return train_test_split(
        data.data / 16.0, test_size=0.25, random_state=0, stratify=data.target
    )[:2]


def _mse(estimator, X):
    return np.mean((X - estimator.inverse_transform(estimator.transform(X))) ** 2)


@pytest.mark.parametrize("n_components", [2, 8, 32])
def test_default_autoencoder_beats_pca_on_held_out_rows(main_job, n_components):
    X_train, X_test = main_job
    pca = PCA(n_components).fit(X_train)
    ae = AutoencoderTransformer(n_components, random_state=0).fit(X_train)
    # Measured on x86-64: 0.64, 0.44 and 0.95 times PCA's error (random_state
    # 0; 0.64, 0.44 and 0.92 to 0.95 over random_state 0 to 2).
    assert _mse(ae, X_test) < _mse(pca, X_test)


# Measured on x86-64: 1.001 and 1.004 times PCA's error at k=2 and 8 (at most
# 1.001 and 1.006 over random_state 0 to 2). k=32 is an open target of issue 10 (measured
# 1.015 to 1.022): add it here when the engine reaches it.
@pytest.mark.parametrize("n_components", [2, 8])
def test_linear_autoencoder_within_one_percent_of_pca_on_training_rows(main_job, n_components):
    X_train, _ = main_job
    pca = PCA(n_components).fit(X_train)
    ae = AutoencoderTransformer(n_components, random_state=0, **LINEAR).fit(X_train)
    # PCA's error is the least any linear map of rank k reaches on these rows.
    assert _mse(ae, X_train) <= 1.01 * _mse(pca, X_train)
