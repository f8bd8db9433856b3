"""Ctrl-C during training keeps what the completed epochs learned, as
scikit-learn's MLP does: one warning, and a usable fitted estimator."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone

from estimators import estimator_id, serving_rows, tiny_estimators
from skae import (
    AutoencoderAnomalyDetector,
    AutoencoderImputer,
    AutoencoderTransformer,
    StackedAutoencoder,
)
from skae._keras import training

# The detector trains in calls of several epochs, each one TensorFlow call:
# it has its own test below.
ESTIMATORS = [est for est in tiny_estimators() if not hasattr(est, "decision_function")]
IDS = [estimator_id(est) for est in ESTIMATORS]
INTERRUPTED = "Training interrupted by user."


def _interrupt_after(monkeypatch, epochs):
    """Make the ``epochs + 1``-th epoch of every training raise KeyboardInterrupt at its end."""
    original = training._Convergence.on_epoch_end

    def on_epoch_end(self, epoch, logs=None):
        original(self, epoch, logs)
        if epoch == epochs:
            raise KeyboardInterrupt

    monkeypatch.setattr(training._Convergence, "on_epoch_end", on_epoch_end)


def _fit_warning_once(estimator, X, method="fit"):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        getattr(estimator, method)(X)
    messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    assert messages.count(INTERRUPTED) == 1, messages
    return estimator


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
def test_ctrl_c_during_fit_keeps_a_usable_estimator(estimator, monkeypatch):
    X = serving_rows(estimator)
    _interrupt_after(monkeypatch, epochs=1)
    fitted = _fit_warning_once(clone(estimator).set_params(max_iter=6), X)
    out = fitted.transform(X)
    assert np.all(np.isfinite(out))
    monkeypatch.undo()
    # Training stopped after its second epoch (in the first network trained).
    if isinstance(fitted, StackedAutoencoder):
        assert [len(c) for c in fitted.pretrain_loss_curves_] == [2]
        assert fitted.n_iter_ == 0
    else:
        assert fitted.n_iter_ == 2
        assert len(fitted.loss_curve_) == 2


def test_the_weights_kept_are_the_completed_epochs(blobs, monkeypatch):
    """An interrupted fit computes what a fit of as many epochs computes."""
    params = dict(n_components=3, hidden_layer_sizes=(8,), early_stopping=False,
                  batch_size=40, random_state=0)
    expected = AutoencoderTransformer(max_iter=2, **params).fit(blobs).transform(blobs)
    _interrupt_after(monkeypatch, epochs=1)
    interrupted = _fit_warning_once(AutoencoderTransformer(max_iter=10, **params), blobs)
    np.testing.assert_allclose(interrupted.transform(blobs), expected, rtol=1e-6, atol=1e-6)


def test_ctrl_c_before_the_first_epoch_ends_leaves_zero_epochs(blobs, monkeypatch):
    def on_epoch_begin(self, epoch, logs=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(training._Convergence, "on_epoch_begin", on_epoch_begin)
    fitted = _fit_warning_once(AutoencoderTransformer(2, max_iter=5, random_state=0), blobs)
    assert fitted.n_iter_ == 0 and fitted.loss_curve_ == []
    assert np.all(np.isfinite(fitted.transform(blobs)))


def test_ctrl_c_during_partial_fit_keeps_the_chunks_before(blobs, monkeypatch):
    ae = AutoencoderTransformer(2, random_state=0).partial_fit(blobs)
    _interrupt_after(monkeypatch, epochs=0)
    _fit_warning_once(ae, blobs, method="partial_fit")
    assert np.all(np.isfinite(ae.transform(blobs)))


def test_ctrl_c_while_choosing_the_imputers_network_keeps_the_first(monkeypatch):
    estimator = next(est for est in ESTIMATORS if isinstance(est, AutoencoderImputer))
    X = serving_rows(estimator)
    _interrupt_after(monkeypatch, epochs=1)
    imputer = _fit_warning_once(clone(estimator).set_params(max_iter=6), X)
    assert len(imputer.architecture_scores_) == 1 and len(imputer._networks) == 1
    assert not np.isnan(imputer.transform(X)).any()


def test_ctrl_c_stops_the_detector_after_its_completed_calls(blobs, monkeypatch):
    """The members train a few epochs a call; Ctrl-C keeps the calls that completed."""
    original = training._member_trainer

    def member_trainer(activations):
        fit, calls = original(activations), []

        def interrupting(*args):
            calls.append(1)
            if len(calls) == 2:
                raise KeyboardInterrupt
            return fit(*args)

        return interrupting

    monkeypatch.setattr(training, "_member_trainer", member_trainer)
    detector = _fit_warning_once(
        AutoencoderAnomalyDetector(n_estimators=2, max_iter=3 * training.MEMBER_EPOCHS_A_CALL,
                                   random_state=0), blobs)
    assert detector.n_iter_ == training.MEMBER_EPOCHS_A_CALL
    assert len(detector.estimators_[0].loss_curve_) == training.MEMBER_EPOCHS_A_CALL
    assert np.all(np.isfinite(detector.decision_function(blobs)))
    assert set(detector.predict(blobs)) <= {-1, 1}
