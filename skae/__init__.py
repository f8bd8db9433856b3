"""skae: scikit-learn estimators built on Keras 3 autoencoders.

Importing skae is fast: estimator classes load on first use, Keras and
TensorFlow load at the first fit (a fitted model serves on NumPy alone, and
loads Keras only when its Keras models are asked for), and matplotlib when a
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

#: The classes a fitted estimator holds besides the estimators themselves.
_HELD_CLASSES = (
    "skae._anomaly.AutoencoderMember",
    "skae._impute._MaskedAutoencoder",
    "skae._inference.Forward",
)

__all__ = sorted([*_PUBLIC, "trusted_types"])


def trusted_types():
    """The names of the classes a skops file of skae models may hold.

    For ``skops.io.load(file, trusted=skae.trusted_types())``: each holds
    plain data (arrays, numbers, strings, lists and dicts), so loading them
    runs no code of the file's. Any other type the file names is refused
    with skops' error, unless skops trusts it already (scikit-learn's
    estimators, NumPy's arrays) or it is passed by name too.

    Returns
    -------
    names : list of str
        Fully qualified class names, as ``skops.io.get_untrusted_types``
        gives them.
    """
    return sorted([f"skae.{module}.{name}" for name, module in _ESTIMATORS.items()]
                  + list(_HELD_CLASSES))


def __getattr__(name):
    if name in _PUBLIC:
        module = importlib.import_module(f"skae.{_PUBLIC[name]}")
        return getattr(module, name)
    raise AttributeError(f"module 'skae' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
