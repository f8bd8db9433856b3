import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler


@pytest.fixture(scope="session")
def digits():
    """scikit-learn's digits, standardized: (1797, 64) floats and labels."""
    data = load_digits()
    return StandardScaler().fit_transform(data.data), data.target


@pytest.fixture(scope="session")
def blobs():
    """120 rows of 10 features near a 3-D subspace, standardized."""
    rng = np.random.RandomState(0)
    latent = rng.normal(size=(120, 3))
    X = latent @ rng.normal(size=(3, 10)) + 0.1 * rng.normal(size=(120, 10))
    return StandardScaler().fit_transform(X)


@pytest.fixture
def restore_global_seeds():
    """Put back the global seeds that a test sets on purpose."""
    import random

    import tensorflow as tf

    python_state, numpy_state = random.getstate(), np.random.get_state()
    yield
    random.setstate(python_state)
    np.random.set_state(numpy_state)
    tf.random.set_seed(None)
