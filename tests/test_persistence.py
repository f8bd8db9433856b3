"""pickle, joblib and deepcopy keep a fitted estimator's outputs and its shared weights."""

import copy
import io
import pickle

import joblib
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import NotFittedError

from skae import AutoencoderTransformer


@pytest.fixture(scope="module")
def fitted(blobs):
    return AutoencoderTransformer(3, hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit(blobs)


def _variable_ids(model):
    return {id(v) for v in model.weights}


def _joblib_round_trip(estimator):
    buffer = io.BytesIO()
    joblib.dump(estimator, buffer)
    buffer.seek(0)
    return joblib.load(buffer)


ROUND_TRIPS = {
    "pickle": lambda est: pickle.loads(pickle.dumps(est)),
    "joblib": _joblib_round_trip,
    "deepcopy": copy.deepcopy,
}


@pytest.mark.parametrize("round_trip", ROUND_TRIPS.values(), ids=ROUND_TRIPS.keys())
def test_round_trip_gives_identical_outputs(fitted, blobs, round_trip):
    restored = round_trip(fitted)
    codes = fitted.transform(blobs)
    assert_array_equal(restored.transform(blobs), codes)
    assert_array_equal(restored.inverse_transform(codes), fitted.inverse_transform(codes))
    assert_array_equal(restored.score_samples(blobs), fitted.score_samples(blobs))
    assert restored.loss_curve_ == fitted.loss_curve_
    assert restored.get_params() == fitted.get_params()


@pytest.mark.parametrize("round_trip", ROUND_TRIPS.values(), ids=ROUND_TRIPS.keys())
def test_encoder_still_shares_weights_with_model_after_round_trip(fitted, blobs, round_trip):
    X = blobs.astype(np.float32)
    codes_before = fitted.transform(X)
    restored = round_trip(fitted)
    for part in (restored.encoder_, restored.decoder_):
        assert _variable_ids(part) <= _variable_ids(restored.model_)

    reconstruction_before = restored.model_(X).numpy()
    kernel = restored.encoder_.weights[0]
    kernel.assign(kernel.numpy() * 2.0)
    reconstruction_after = restored.model_(X).numpy()

    # Changing the encoder's kernel changes what the whole model computes ...
    assert not np.allclose(reconstruction_after, reconstruction_before)
    assert_allclose(
        reconstruction_after, restored.decoder_(restored.encoder_(X)).numpy(), rtol=1e-6
    )
    # ... while the estimator keeps computing from the weights it was fitted
    # with, as documented; the original shares nothing with its copy.
    assert_array_equal(restored.transform(X), codes_before)
    assert_array_equal(fitted.transform(X), codes_before)


def test_a_round_trip_keeps_the_fitted_weights_not_later_changes_to_the_models(fitted, blobs):
    """The file holds what the estimator computes with: the weights it was fitted with."""
    changed = copy.deepcopy(fitted)
    kernel = changed.encoder_.weights[0]
    kernel.assign(kernel.numpy() * 2.0)
    restored = pickle.loads(pickle.dumps(changed))
    X = blobs.astype(np.float32)
    assert_array_equal(restored.transform(X), fitted.transform(X))
    assert_allclose(restored.encoder_(X).numpy(), fitted.encoder_(X).numpy())
    assert not np.allclose(restored.encoder_(X).numpy(), changed.encoder_(X).numpy())


def test_unfitted_estimator_raises_not_fitted_and_pickles(blobs):
    ae = AutoencoderTransformer()
    for method in (ae.transform, ae.inverse_transform, ae.score_samples, ae.score):
        with pytest.raises(NotFittedError):
            method(blobs)
    assert pickle.loads(pickle.dumps(ae)).get_params() == ae.get_params()
