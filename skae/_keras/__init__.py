"""The Keras side of skae: layers, network builders, training and export.

Modules: ``layers`` (skae's Keras layers), ``networks`` (builders of the
encoder, decoder and autoencoder models), ``losses`` (reconstruction errors,
masked ones, likelihoods), ``training`` (optimizers, the training loop),
``export`` (fitted layers read into the plain ops that ``skae._inference``
runs in float64 NumPy). Nothing here imports the estimator side; the estimators import
these modules inside their methods, so Keras loads at the first fit, and
importing this package loads Keras first (:func:`skae._loader.load_keras`)
so that it starts on the TensorFlow backend without TensorFlow's start-up
lines.
"""

from .._loader import load_keras

load_keras()

from . import export, layers, losses, networks, training  # noqa: E402  (after load_keras)

__all__ = ["export", "layers", "losses", "networks", "training"]
