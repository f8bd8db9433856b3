"""skae: scikit-learn estimators built on Keras 3 autoencoders.

Importing skae is fast: estimator classes load on first use, and Keras and
TensorFlow load at the first fit or unpickling.
"""

import importlib

__version__ = "0.1.0.dev0"

_ESTIMATORS = {
    "AutoencoderAnomalyDetector": "_anomaly",
    "AutoencoderImputer": "_impute",
    "AutoencoderTransformer": "_autoencoder",
    "ConvAutoencoder": "_conv",
    "ConvVariationalAutoencoder": "_shaped_vae",
    "DenoisingAutoencoder": "_denoising",
    "RecurrentAutoencoder": "_recurrent",
    "RecurrentVariationalAutoencoder": "_shaped_vae",
    "StackedAutoencoder": "_stacked",
    "VariationalAutoencoder": "_vae",
}

__all__ = sorted(_ESTIMATORS)


def __getattr__(name):
    if name in _ESTIMATORS:
        module = importlib.import_module(f"skae.{_ESTIMATORS[name]}")
        return getattr(module, name)
    raise AttributeError(f"module 'skae' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
