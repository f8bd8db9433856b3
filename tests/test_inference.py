"""Float64 inference computes what the Keras layers compute, for every layer and activation."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skae._base import ACTIVATIONS
from skae import _keras
from skae._numerics import time_features

# Keras computes in float32: its results carry float32 rounding (1e-7
# relative) summed over the few terms of these small layers.
FLOAT32_ROUNDING = dict(rtol=1e-5, atol=1e-5)


@pytest.fixture(scope="module")
def X():
    return np.random.RandomState(0).normal(scale=2.0, size=(50, 7))


@pytest.mark.parametrize("tied_weights", [False, True], ids=["untied", "tied"])
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_forward_matches_the_keras_models(X, activation, tied_weights):
    networks = _keras.networks.dense_autoencoder(
        7, 3, (5,), activation=activation, output_activation=activation,
        code_activation=activation, tied_weights=tied_weights, code_l1=0.1, seed=0,
    )
    steps = networks.inference_steps()
    encode, decode = _keras.export.forward(steps["encoder"]), _keras.export.forward(steps["decoder"])
    codes = encode(X)
    assert codes.dtype == np.float64
    X32 = X.astype(np.float32)
    assert_allclose(codes, networks.encoder(X32).numpy(), **FLOAT32_ROUNDING)
    assert_allclose(decode(codes), networks.decoder(codes.astype(np.float32)).numpy(), **FLOAT32_ROUNDING)
    assert_allclose(decode(codes), networks.model(X32).numpy(), **FLOAT32_ROUNDING)


def _assert_forward_matches(networks, X):
    steps = networks.inference_steps()
    encode, decode = _keras.export.forward(steps["encoder"]), _keras.export.forward(steps["decoder"])
    codes = encode(X)
    X32 = X.astype(np.float32)
    assert codes.dtype == np.float64 and codes.shape == (len(X), networks.encoder.output.shape[-1])
    assert_allclose(codes, networks.encoder(X32).numpy(), **FLOAT32_ROUNDING)
    assert_allclose(decode(codes), networks.decoder(codes.astype(np.float32)).numpy(), **FLOAT32_ROUNDING)
    assert decode(codes).shape == X.shape


# Odd sizes (cropped after the transposed convolutions), a single step, a
# single pixel, several channels, one and three stages.
@pytest.mark.parametrize(
    "image_shape, filters",
    [((5, 5, 1), (3, 4)), ((6, 3, 2), (4,)), ((7, 1), (2, 3, 2)), ((1, 1), (3,)), ((1, 1, 1), (2, 2))],
    ids=str,
)
@pytest.mark.parametrize("kernel_size", [1, 2, 3])
def test_convolutional_forward_matches_the_keras_models(image_shape, filters, kernel_size):
    networks_module = _keras.networks
    n_features = int(np.prod(image_shape))
    networks = networks_module.conv_autoencoder(
        n_features, 3, image_shape, filters, kernel_size=kernel_size, activation="elu",
        output_activation="sigmoid", seed=0,
    )
    X = np.random.RandomState(1).normal(size=(9, n_features))
    _assert_forward_matches(networks, X)


def test_a_layer_without_a_float64_forward_is_named():
    import keras

    layer = keras.layers.SimpleRNN(2)
    with pytest.raises(NotImplementedError, match="no float64 inference for SimpleRNN layers"):
        _keras.export.forward([(layer, {})])


def test_dilated_convolutions_are_refused():
    import keras

    layer = keras.layers.Conv1D(2, 3, dilation_rate=2)
    layer.build((None, 8, 1))
    with pytest.raises(NotImplementedError, match="dilation"):
        _keras.export.forward([(layer, {})])


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["one-way", "bidirectional"])
@pytest.mark.parametrize("sequence_shape", [(6, 1), (4, 3), (1, 2)], ids=str)
@pytest.mark.parametrize("time_features", [0, 3])
def test_recurrent_forward_matches_the_keras_models(cell, bidirectional, sequence_shape, time_features):
    networks_module = _keras.networks
    n_features = int(np.prod(sequence_shape))
    networks = networks_module.recurrent_autoencoder(
        n_features, 3, sequence_shape, cell=cell, units=5, bidirectional=bidirectional,
        time_features=time_features, output_activation="sigmoid", seed=0,
    )
    X = np.random.RandomState(2).normal(size=(9, n_features))
    _assert_forward_matches(networks, X)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("output_activation", ["linear", "sigmoid", "unit_clip"])
def test_the_linear_path_matches_the_keras_models_with_padded_frames(cell, output_activation):
    # 7 steps in frames of 3: two padding steps; rows 1 and 2 are shorter sequences.
    networks = _keras.networks.recurrent_autoencoder(
        14, 3, (7, 2), cell=cell, units=4, frame_length=3, time_features=2, linear_components=2,
        output_activation=output_activation, seed=0,
    )
    X = np.random.RandomState(2).normal(size=(5, 7, 2))
    X[1, 5:] = X[2, 1:] = np.nan
    _assert_forward_matches(networks, X.reshape(5, 14))


def test_the_linear_path_adds_a_linear_map_of_the_row_to_the_code():
    networks_module = _keras.networks
    X = np.random.RandomState(3).normal(size=(6, 12))
    kwargs = dict(units=4, frame_length=2, seed=0)
    with_path = networks_module.recurrent_autoencoder(12, 3, (12, 1), linear_components=2, **kwargs)
    without = networks_module.recurrent_autoencoder(12, 3, (12, 1), **kwargs)
    for layer in without.model.layers:  # every layer but the paths, with the same weights
        layer.set_weights(with_path.model.get_layer(layer.name).get_weights())
    path, code = (with_path.encoder.get_layer(f"encoder_linear_{name}").kernel.numpy()
                  for name in ("path", "code"))
    assert path.shape == (12, 2) and code.shape == (2, 3)  # through two components
    expected = without.encoder(X.astype(np.float32)).numpy() + X @ path @ code
    assert_allclose(with_path.encoder(X.astype(np.float32)).numpy(), expected, **FLOAT32_ROUNDING)


def test_a_beside_step_merged_otherwise_than_by_adding_is_refused():
    import keras

    networks_module = _keras.networks
    dense = keras.layers.Dense(2)
    step = networks_module.Beside([(dense, {})], [], keras.layers.Multiply())
    with pytest.raises(NotImplementedError, match="Beside step merged by Multiply"):
        _keras.export.forward([(step, {})])


def test_bidirectional_sequences_come_back_in_time_order():
    import keras

    layer = keras.layers.Bidirectional(keras.layers.GRU(3, return_sequences=True))
    X = np.random.RandomState(3).normal(size=(4, 5, 2))
    expected = layer(X.astype(np.float32)).numpy()
    assert_allclose(_keras.export.forward([(layer, {})])(X), expected, **FLOAT32_ROUNDING)


def _recurrent_layer(cell, bidirectional, **kwargs):
    import keras

    layer = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[cell](3, **kwargs)
    return keras.layers.Bidirectional(layer) if bidirectional else layer


def _padded(X, lengths):
    padded = X.copy()
    for row, length in enumerate(lengths):
        padded[row, length:] = np.nan
    return padded


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["one-way", "bidirectional"])
def test_nan_padded_steps_are_skipped_as_if_the_sequence_ended_there(cell, bidirectional):
    layers = _keras.layers
    layer, missing = _recurrent_layer(cell, bidirectional), layers.MissingSteps()
    X = np.random.RandomState(4).normal(size=(4, 6, 2))
    lengths = [6, 4, 1, 3]
    padded = _padded(X, lengths)
    keras_padded = layer(missing(padded.astype(np.float32))).numpy()  # the mask goes along
    numpy_padded = _keras.export.forward([(missing, {}), (layer, {})])(padded)
    for row, length in enumerate(lengths):
        truncated = layer(X[row : row + 1, :length].astype(np.float32)).numpy()
        assert_allclose(keras_padded[row : row + 1], truncated, **FLOAT32_ROUNDING)
        assert_allclose(numpy_padded[row : row + 1], truncated, **FLOAT32_ROUNDING)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("zero_output_for_mask", [False, True])
def test_masked_steps_of_returned_sequences_match_keras(cell, zero_output_for_mask):
    layers = _keras.layers
    layer = _recurrent_layer(cell, False, return_sequences=True, zero_output_for_mask=zero_output_for_mask)
    missing = layers.MissingSteps()
    padded = _padded(np.random.RandomState(5).normal(size=(3, 5, 2)), [5, 2, 1])
    expected = layer(missing(padded.astype(np.float32))).numpy()
    got = _keras.export.forward([(missing, {}), (layer, {})])(padded)
    assert_allclose(got, expected, **FLOAT32_ROUNDING)


def test_time_features_are_sines_and_cosines_of_the_step():
    layers = _keras.layers
    features = time_features(4, 3)
    t = np.arange(4) / 4
    assert_allclose(features, np.column_stack([np.sin(np.pi * t), np.cos(np.pi * t), np.sin(2 * np.pi * t)]))
    out = layers.TimeFeatures(3)(np.zeros((2, 4, 1), np.float32)).numpy()
    assert out.shape == (2, 4, 4)
    assert_allclose(out[1, :, 1:], features, rtol=1e-6, atol=1e-7)
