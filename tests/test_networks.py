"""Network builders: where a new network's output starts."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skae import _keras

RNG = np.random.RandomState(0)


def _zero_kernels(model):
    """Zero every weight matrix and tensor, so that the output is the output bias."""
    for variable in model.weights:
        if len(variable.shape) > 1:
            variable.assign(np.zeros(variable.shape, dtype=variable.dtype))


def _output_from_mean(networks, X):
    networks.start_at_mean(np.nanmean(X, axis=0))
    _zero_kernels(networks.model)
    return np.asarray(networks.model(np.nan_to_num(X[:3]).astype(np.float32)))


@pytest.mark.parametrize("tied_weights", [False, True])
def test_dense_output_starts_at_each_feature_mean(tied_weights):
    networks_module = _keras.networks
    X = RNG.normal(loc=np.arange(5.0), size=(40, 5))
    networks = networks_module.dense_autoencoder(5, 2, (4,), tied_weights=tied_weights)
    out = _output_from_mean(networks, X)
    assert_allclose(out, np.broadcast_to(X.mean(axis=0), out.shape), rtol=1e-5)


def test_sigmoid_output_starts_at_the_mean_kept_off_zero_and_one():
    networks_module = _keras.networks
    X = RNG.uniform(size=(40, 4)) * [1.0, 0.5, 0.0, 0.0]
    X[:, 3] = 1.0  # always 1: its logit would be infinite
    networks = networks_module.dense_autoencoder(4, 2, output_activation="sigmoid")
    out = _output_from_mean(networks, X)
    margin = networks_module.SIGMOID_START_MARGIN
    expected = np.clip(X.mean(axis=0), margin, 1 - margin)
    assert_allclose(out, np.broadcast_to(expected, out.shape), rtol=1e-5)


def test_conv_output_starts_at_each_channel_mean():
    networks_module = _keras.networks
    images = RNG.normal(loc=[3.0, -2.0], size=(30, 5, 7, 2))  # odd sizes are cropped
    X = images.reshape(30, -1)
    networks = networks_module.conv_autoencoder(70, 3, (5, 7, 2), (4,))
    out = _output_from_mean(networks, X).reshape(-1, 5, 7, 2)
    assert_allclose(out, np.broadcast_to(images.mean(axis=(0, 1, 2)), out.shape), rtol=1e-5)


def test_recurrent_output_starts_at_each_channel_mean_of_step_means():
    networks_module = _keras.networks
    sequences = RNG.normal(loc=[1.0, 5.0], size=(20, 6, 2))
    sequences[:5, 4:] = np.nan  # shorter sequences, padded with NaN
    X = sequences.reshape(20, -1)
    networks = networks_module.recurrent_autoencoder(12, 3, (6, 2), units=4)
    out = _output_from_mean(networks, X).reshape(-1, 6, 2)
    # Each step's mean over the rows that have it, then their mean.
    expected = np.nanmean(sequences, axis=0).mean(axis=0)
    assert_allclose(out, np.broadcast_to(expected, out.shape), rtol=1e-5)


def test_variational_output_bias_is_left_at_zero():
    # The Gaussian VAE standardizes its rows: its last layer works in
    # standardized units, where the mean is zero already.
    networks_module = _keras.networks
    levels = networks_module.dense_levels(4, 4, (3,))
    networks = networks_module.variational(
        levels, 4, 2, variance=dict(initial_variance=1.0)
    )
    before = [np.array(w) for w in networks.model.get_weights()]
    networks.start_at_mean(np.full(4, 7.0))
    for old, new in zip(before, networks.model.get_weights()):
        assert_array_equal(old, new)
