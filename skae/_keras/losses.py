"""The losses skae trains with: reconstruction errors, masked ones, likelihoods.

Each takes ``(y_true, y_pred)`` tensors and gives one value per row. A
masked loss reads NaN in ``y_true`` as a missing value, which adds neither
error nor gradient; the likelihoods of a variational autoencoder are made
from the model they train, whose parameters they read.
"""

import keras
from keras import ops

from .._numerics import LOG_2PI
from .layers import ObservationVariance, Standardization

#: The plain reconstruction losses: Keras' loss and metric classes.
KERAS_LOSSES = {
    "mse": (keras.losses.MeanSquaredError, keras.metrics.MeanSquaredError),
    "mae": (keras.losses.MeanAbsoluteError, keras.metrics.MeanAbsoluteError),
    "binary_crossentropy": (
        keras.losses.BinaryCrossentropy,
        keras.metrics.BinaryCrossentropy,
    ),
}


def _squared(y_true, y_pred):
    return ops.square(y_true - y_pred)


def _absolute(y_true, y_pred):
    return ops.abs(y_true - y_pred)


def _cross_entropy(y_true, y_pred):
    p = ops.clip(y_pred, keras.backend.epsilon(), 1.0 - keras.backend.epsilon())
    return -(y_true * ops.log(p) + (1.0 - y_true) * ops.log(1.0 - p))


_ELEMENTWISE = {"mse": _squared, "mae": _absolute, "binary_crossentropy": _cross_entropy}


def _summed(terms, y_true, y_pred, masked):
    """Sum over features of ``terms(y_true, y_pred)``, over present values if ``masked``.

    With ``masked``, NaN in ``y_true`` is a missing value (padding): it
    adds neither to the sum nor to the gradient.
    """
    if not masked:
        return ops.sum(terms(y_true, y_pred), axis=-1)
    present = ops.logical_not(ops.isnan(y_true))
    # Selecting before the arithmetic keeps NaN out of the gradient.
    y_true = ops.where(present, y_true, ops.zeros_like(y_true))
    y_pred = ops.where(present, y_pred, ops.zeros_like(y_pred))
    return ops.sum(terms(y_true, y_pred) * ops.cast(present, y_pred.dtype), axis=-1)


#: How a masked loss weighs rows (see :func:`masked_error`).
MASK_WEIGHTINGS = ("row", "entry")


def masked_error(loss, weighting="row"):
    """Per-row ``loss`` over the values present: NaN targets are missing.

    A missing value adds neither error nor gradient. With ``weighting="row"``
    a row's error is the mean over its present values only, as
    ``score_samples`` computes it (each row weighs the same: padded
    sequences). With ``"entry"`` it is the sum over its present values
    divided by the number of features, so the mean over a batch weighs
    every present value the same (an imputer's observed entries). Rows with
    every value present get the plain loss either way.
    """
    if weighting not in MASK_WEIGHTINGS:
        raise ValueError(f"unknown masked-loss weighting {weighting!r}")
    elementwise = _ELEMENTWISE[loss]

    def error(y_true, y_pred):
        total = _summed(elementwise, y_true, y_pred, masked=True)
        if weighting == "entry":
            return total / ops.cast(ops.shape(y_true)[-1], y_pred.dtype)
        count = ops.sum(ops.cast(ops.logical_not(ops.isnan(y_true)), y_pred.dtype), axis=-1)
        return total / ops.maximum(count, 1.0)

    error.__name__ = f"masked_{loss}"
    return error




def _gaussian_nll(model, metric=False, masked=False):
    """Negative log-likelihood of each row under a Gaussian around ``y_pred``.

    Summed over features, with the variance of the model's
    :class:`~skae._keras.layers.ObservationVariance` layer: as a differentiable
    function of its weights for the loss, as it was in the forward pass for
    the ``metric`` (which Keras computes after the optimizer's step). Both
    are in the units of the rows the model standardizes with its
    :class:`~skae._keras.layers.Standardization` layer: the log-likelihood of a
    row in its own units is ``n_features * log(scale)`` lower, a constant
    left out so that the loss's scale does not depend on the data's.
    """
    (noise,) = [layer for layer in model.layers if isinstance(layer, ObservationVariance)]
    (standardization,) = [layer for layer in model.layers if isinstance(layer, Standardization)]

    def gaussian_nll(y_true, y_pred):
        used = noise.variance_used if metric else noise.variance()
        variance = ops.cast(used, y_pred.dtype)
        scale = ops.cast(standardization.scale, y_pred.dtype)

        def terms(y_true, y_pred):
            residual = (y_true - y_pred) / scale
            return 0.5 * (LOG_2PI + ops.log(variance) + ops.square(residual) / variance)

        return _summed(terms, y_true, y_pred, masked)

    return gaussian_nll


def _bernoulli_nll(model, metric=False, masked=False):
    """Negative log-likelihood of each row under independent Bernoullis.

    Summed over features. ``y_pred`` comes from a sigmoid, which Keras'
    cross-entropy undoes to work from the logits (unless ``masked``
    selects the values present first).
    """

    def bernoulli_nll(y_true, y_pred):
        return _summed(ops.binary_crossentropy, y_true, y_pred, masked)

    return bernoulli_nll


#: Losses that are the negative log-likelihood of a variational
#: autoencoder's decoder, summed over features (not averaged: averaging
#: would weaken the reconstruction against the KL term). Each is made from
#: the model it trains, whose parameters it may read.
LIKELIHOOD_LOSSES = {"gaussian": _gaussian_nll, "bernoulli": _bernoulli_nll}
