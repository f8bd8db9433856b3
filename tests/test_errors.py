"""Invalid parameters are named, and a failed or interrupted fit leaves nothing behind.

Bad input data, for every estimator and method, is in test_hostile_inputs.py.
"""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from skae import AutoencoderTransformer


def _tiny(**params):
    return AutoencoderTransformer(2, hidden_layer_sizes=(4,), max_iter=2, random_state=0, **params)


def _fitted_attributes(estimator):
    return [k for k in vars(estimator) if k.endswith("_") and not k.startswith("__")]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"n_components": 0}, "'n_components' parameter .* must be an int in the range"),
        ({"loss": "hinge"}, "'loss' parameter .* must be a str among"),
        ({"activation": "swishy"}, "'activation' parameter"),
        ({"validation_fraction": 1.0}, "'validation_fraction' parameter"),
        ({"hidden_layer_sizes": (4, 0)}, "hidden_layer_sizes must be a sequence of positive integers"),
    ],
)
def test_invalid_parameters_are_named(blobs, params, message):
    ae = AutoencoderTransformer(**params)
    with pytest.raises(ValueError, match=message):
        ae.fit(blobs)
    assert _fitted_attributes(ae) == []


def test_failed_refit_leaves_no_stale_fitted_state(blobs):
    ae = _tiny().fit(blobs)
    with pytest.raises(ValueError, match="contains NaN"):
        ae.fit(np.full_like(blobs, np.nan))
    assert _fitted_attributes(ae) == []
    with pytest.raises(NotFittedError):
        ae.transform(blobs)


def test_diverging_training_raises_and_stays_unfitted(blobs):
    ae = AutoencoderTransformer(
        2, hidden_layer_sizes=(16,), optimizer="sgd", learning_rate=1e6, max_iter=5,
        early_stopping=False, random_state=0,
    )
    with pytest.raises(ValueError, match="Training diverged"):
        ae.fit(blobs * 1e3)
    assert _fitted_attributes(ae) == []


def test_interrupted_fit_leaves_nothing_behind(blobs, monkeypatch):
    ae = _tiny()

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(type(ae), "_train_networks", interrupt)
    with pytest.raises(KeyboardInterrupt):
        ae.fit(blobs)
    assert _fitted_attributes(ae) == []
