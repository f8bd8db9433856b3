"""skae: scikit-learn estimators built on Keras 3 autoencoders.

Importing skae is fast: estimator classes load on first use, Keras and
TensorFlow load at the first fit or unpickling, and matplotlib when a
display first draws.
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

_DISPLAYS = {
    "LatentSpaceDisplay": "_plotting",
    "LossCurveDisplay": "_plotting",
    "ReconstructionDisplay": "_plotting",
    "ScoreDistributionDisplay": "_plotting",
}

_PUBLIC = {**_ESTIMATORS, **_DISPLAYS}

__all__ = sorted(_PUBLIC)


def __getattr__(name):
    if name in _PUBLIC:
        module = importlib.import_module(f"skae.{_PUBLIC[name]}")
        return getattr(module, name)
    raise AttributeError(f"module 'skae' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
