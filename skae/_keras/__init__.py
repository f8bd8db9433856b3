"""The Keras side of skae: layers, network builders, training and float64 inference.

Modules: ``layers`` (skae's Keras layers), ``networks`` (builders of the
encoder, decoder and autoencoder models), ``losses`` (reconstruction errors,
masked ones, likelihoods), ``training`` (optimizers, the training loop),
``inference`` (the fitted networks run in float64 NumPy). Nothing here imports the estimator side; the estimators import
these modules inside their methods, so Keras loads at the first fit, and
importing this package loads Keras first (:func:`skae._loader.load_keras`)
so that it starts on the TensorFlow backend without TensorFlow's start-up
lines.
"""

from .._loader import load_keras

load_keras()

from . import inference, layers, losses, networks, training  # noqa: E402  (after load_keras)

__all__ = ["inference", "layers", "losses", "networks", "training"]
