"""Sparsity penalties on the code do what they say, against the same fit without them."""

import numpy as np
import pytest

from skae import AutoencoderTransformer, DenoisingAutoencoder, StackedAutoencoder

FIT = dict(hidden_layer_sizes=(32,), max_iter=40, early_stopping=False, random_state=0)


@pytest.mark.parametrize("cls", [AutoencoderTransformer, DenoisingAutoencoder, StackedAutoencoder])
def test_l1_penalty_lowers_mean_absolute_code(digits, cls):
    X, _ = digits
    X = X[:600]
    extra = {"pretrain_max_iter": 5} if cls is StackedAutoencoder else {}
    plain = cls(16, **FIT, **extra).fit(X)
    sparse = cls(16, code_l1=0.05, **FIT, **extra).fit(X)
    assert np.abs(sparse.transform(X)).mean() < 0.5 * np.abs(plain.transform(X)).mean()


def test_kl_penalty_pulls_mean_activation_toward_target(digits):
    X, _ = digits
    X = X[:600]
    params = dict(code_activation="sigmoid", **FIT)
    plain = AutoencoderTransformer(16, **params).fit(X)
    sparse = AutoencoderTransformer(16, sparsity_target=0.05, sparsity_weight=1.0, **params).fit(X)
    plain_mean = plain.transform(X).mean(axis=0)
    sparse_mean = sparse.transform(X).mean(axis=0)
    assert np.abs(sparse_mean - 0.05).mean() < 0.5 * np.abs(plain_mean - 0.05).mean()


def test_kl_penalty_needs_a_sigmoid_code(blobs):
    with pytest.raises(ValueError, match="sparsity_target needs code activations in"):
        AutoencoderTransformer(sparsity_target=0.1).fit(blobs)
