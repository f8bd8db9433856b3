"""Bad input gets scikit-learn's errors, and a failed fit leaves nothing behind."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError

from skae import AutoencoderTransformer


def _tiny(**params):
    return AutoencoderTransformer(2, hidden_layer_sizes=(4,), max_iter=2, random_state=0, **params)


@pytest.fixture(scope="module")
def fitted(blobs):
    return _tiny().fit(blobs)


def _fitted_attributes(estimator):
    return [k for k in vars(estimator) if k.endswith("_") and not k.startswith("__")]


BAD_X = {
    "nan": (lambda X: np.where(np.eye(*X.shape, dtype=bool), np.nan, X), "Input X contains NaN"),
    "inf": (lambda X: np.where(np.eye(*X.shape, dtype=bool), np.inf, X), "Input X contains infinity"),
    "1-D": (lambda X: X[:, 0], "Expected 2D array, got 1D array instead"),
    "empty": (lambda X: X[:0], "0 sample"),
    "strings": (lambda X: X.astype(str).astype(object) + "x", "could not convert string to float"),
    "complex": (lambda X: X + 1j, "Complex data not supported"),
    "too large for float32": (lambda X: X * 1e300, "too large in magnitude for float32"),
}


@pytest.mark.parametrize("make_bad, message", BAD_X.values(), ids=BAD_X.keys())
def test_fit_rejects_bad_input_and_stays_unfitted(blobs, make_bad, message):
    ae = _tiny()
    with pytest.raises(ValueError, match=message):
        ae.fit(make_bad(blobs))
    assert _fitted_attributes(ae) == []


@pytest.mark.parametrize("make_bad, message", BAD_X.values(), ids=BAD_X.keys())
def test_transform_and_score_reject_bad_input(fitted, blobs, make_bad, message):
    for method in (fitted.transform, fitted.score_samples, fitted.score):
        with pytest.raises(ValueError, match=message):
            method(make_bad(blobs))


def test_wrong_number_of_features(fitted, blobs):
    with pytest.raises(ValueError, match="X has 9 features, but AutoencoderTransformer is expecting 10"):
        fitted.transform(blobs[:, :9])
    with pytest.raises(ValueError, match="expects codes of 2 components"):
        fitted.inverse_transform(np.zeros((3, 5)))


def test_sparse_input_is_refused_with_a_clear_message(fitted, blobs):
    X = sp.csr_matrix(blobs)
    with pytest.raises(TypeError, match="Sparse data was passed.*dense data is required"):
        _tiny().fit(X)
    with pytest.raises(TypeError, match="Sparse data was passed.*dense data is required"):
        fitted.transform(X)


def test_single_row_fit_is_refused(blobs):
    with pytest.raises(ValueError, match="1 sample"):
        _tiny().fit(blobs[:1])


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


def test_binary_crossentropy_needs_unit_interval(blobs):
    with pytest.raises(ValueError, match=r"needs X in \[0, 1\]"):
        _tiny(loss="binary_crossentropy").fit(blobs)


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
