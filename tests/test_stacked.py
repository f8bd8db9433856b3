"""StackedAutoencoder: greedy layer-wise pretraining, then fine-tuning."""

import numpy as np
import pytest

from skae import StackedAutoencoder


def _stacked(**params):
    defaults = dict(hidden_layer_sizes=(32, 16), pretrain_max_iter=15, max_iter=5, random_state=0)
    return StackedAutoencoder(4, **{**defaults, **params})


def test_each_layer_is_pretrained_and_its_loss_decreases(digits):
    X, _ = digits
    sae = _stacked(early_stopping=False).fit(X)
    curves = sae.pretrain_loss_curves_
    assert len(curves) == 3  # 64 -> 32 -> 16 -> 4
    for curve in curves:
        assert len(curve) == 15
        assert curve[-1] < 0.9 * curve[0]
    assert sae.n_iter_ == len(sae.loss_curve_) == 5


def test_pretraining_gives_a_better_start_than_random_weights(digits):
    X, _ = digits
    pretrained = _stacked(fine_tune=False).fit(X)
    assert pretrained.n_iter_ == 0 and pretrained.loss_curve_ == []
    # The start is judged after one epoch of fine-tuning: the levels as
    # pretrained, never trained together, reconstruct about as badly as
    # random weights (score -1.027 against -1.025 at the defaults), while
    # one joint epoch from them beats one from random weights.
    after_pretraining = _stacked(max_iter=1).fit(X)
    after_random_start = _stacked(pretrain=False, max_iter=1).fit(X)
    assert after_pretraining.score(X) > after_random_start.score(X)


def test_without_pretraining_there_are_no_layer_curves(blobs):
    sae = _stacked(pretrain=False).fit(blobs)
    assert sae.pretrain_loss_curves_ is None


def test_one_of_pretrain_and_fine_tune_is_needed(blobs):
    with pytest.raises(ValueError, match="At least one of pretrain and fine_tune"):
        _stacked(pretrain=False, fine_tune=False).fit(blobs)


def test_binary_crossentropy_pretrains_hidden_levels_in_squared_error(digits):
    X = (digits[0] - digits[0].min()) / (digits[0].max() - digits[0].min())
    sae = _stacked(loss="binary_crossentropy", pretrain_max_iter=2, max_iter=2).fit(X)
    assert all(np.all(np.isfinite(c)) for c in sae.pretrain_loss_curves_)
