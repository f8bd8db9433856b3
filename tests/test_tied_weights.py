"""Tied weights really tie, halve the kernels, and survive Keras saving and pickling."""

import pickle

import keras
import numpy as np
import pytest
from numpy.testing import assert_allclose

from skae import AutoencoderTransformer, DenoisingAutoencoder, StackedAutoencoder
from skae._keras.networks import dense_autoencoder

N_FEATURES, N_COMPONENTS, HIDDEN = 10, 3, (8,)


def _kernel_and_bias_counts(model):
    kernels = sum(int(np.prod(w.shape)) for w in model.weights if w.name == "kernel")
    return kernels, model.count_params() - kernels


def test_tied_model_has_half_the_kernel_parameters():
    untied = dense_autoencoder(N_FEATURES, N_COMPONENTS, HIDDEN, seed=0).model
    tied = dense_autoencoder(N_FEATURES, N_COMPONENTS, HIDDEN, tied_weights=True, seed=0).model
    kernels = N_FEATURES * 8 + 8 * N_COMPONENTS
    biases = (8 + N_COMPONENTS) + (8 + N_FEATURES)  # encoder + decoder, never shared
    assert _kernel_and_bias_counts(untied) == (2 * kernels, biases)
    assert _kernel_and_bias_counts(tied) == (kernels, biases)


def test_changing_an_encoder_kernel_changes_the_decoder_output():
    networks = dense_autoencoder(N_FEATURES, N_COMPONENTS, HIDDEN, tied_weights=True, seed=0)
    codes = np.random.RandomState(0).normal(size=(5, N_COMPONENTS)).astype(np.float32)
    before = networks.decoder(codes).numpy()
    first = networks.encoder.layers[1]
    first.kernel.assign(first.kernel.numpy() * 3.0)
    after = networks.decoder(codes).numpy()
    assert not np.allclose(before, after)

    untied = dense_autoencoder(N_FEATURES, N_COMPONENTS, HIDDEN, seed=0)
    before = untied.decoder(codes).numpy()
    first = untied.encoder.layers[1]
    first.kernel.assign(first.kernel.numpy() * 3.0)
    assert_allclose(untied.decoder(codes).numpy(), before)


def test_decoder_kernel_is_the_encoder_kernel_transposed(blobs):
    ae = AutoencoderTransformer(
        3, hidden_layer_sizes=(), activation="linear", tied_weights=True, linear_components=0,
        max_iter=3, random_state=0,
    ).fit(blobs)
    layer = ae.model_.get_layer("tied_dense_0")
    W, c = layer.kernel.numpy(), layer.transpose_bias.numpy()
    codes = ae.transform(blobs)
    assert_allclose(ae.inverse_transform(codes), codes @ W.T + c, rtol=1e-5, atol=1e-5)


def test_tied_model_saves_and_reloads_as_a_keras_model(tmp_path, blobs):
    ae = AutoencoderTransformer(3, hidden_layer_sizes=(8,), tied_weights=True, linear_components=0,
                                max_iter=3, random_state=0)
    ae.fit(blobs)
    path = tmp_path / "tied.keras"
    ae.model_.save(path)
    reloaded = keras.saving.load_model(path)
    X = blobs.astype(np.float32)
    assert_allclose(reloaded(X).numpy(), ae.model_(X).numpy(), rtol=1e-6)
    assert reloaded.count_params() == ae.model_.count_params()
    # Still tied after reloading: one kernel drives both halves.
    layer = reloaded.get_layer("tied_dense_0")
    layer.kernel.assign(layer.kernel.numpy() * 0.0)
    assert not np.allclose(reloaded(X).numpy(), ae.model_(X).numpy())


OPTIONS = [
    (AutoencoderTransformer, {}),
    (AutoencoderTransformer, {"tied_weights": True}),
    (AutoencoderTransformer, {"code_l1": 0.1}),
    (AutoencoderTransformer, {"code_activation": "sigmoid", "sparsity_target": 0.1}),
    (DenoisingAutoencoder, {"noise": "gaussian"}),
    (DenoisingAutoencoder, {"noise": "masking", "tied_weights": True}),
    (DenoisingAutoencoder, {"noise": "salt_and_pepper", "clip": True}),
    (StackedAutoencoder, {"pretrain_max_iter": 2}),
    (StackedAutoencoder, {"pretrain_max_iter": 2, "tied_weights": True, "code_l1": 0.01}),
]


@pytest.mark.parametrize(
    "cls, params", OPTIONS, ids=[f"{c.__name__}-{'-'.join(p) or 'default'}" for c, p in OPTIONS]
)
def test_pickle_round_trip_for_each_option(blobs, cls, params):
    est = cls(3, hidden_layer_sizes=(8,), max_iter=2, random_state=0, **params).fit(blobs)
    restored = pickle.loads(pickle.dumps(est))
    codes = est.transform(blobs)
    np.testing.assert_array_equal(restored.transform(blobs), codes)
    np.testing.assert_array_equal(restored.inverse_transform(codes), est.inverse_transform(codes))
    assert restored.model_.count_params() == est.model_.count_params()
