"""Lazy loading of Keras and TensorFlow.

``import skae`` must stay fast, so nothing in the package imports Keras or
TensorFlow at module level except the Keras-side modules (``_networks``,
``_training``), which are themselves only imported from here.
"""

import importlib
import os


def load_keras():
    """Import Keras on the TensorFlow backend and return the module.

    The environment variables are set only when the user has not set them,
    so an explicit ``KERAS_BACKEND`` or ``TF_CPP_MIN_LOG_LEVEL`` wins.
    """
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras

    backend = keras.backend.backend()
    if backend != "tensorflow":
        raise RuntimeError(
            "skae needs Keras' TensorFlow backend, but Keras is running on "
            f"{backend!r}. Set KERAS_BACKEND=tensorflow before Keras is first "
            "imported."
        )
    return keras


def keras_module(name):
    """Import a Keras-side module of skae (``"_networks"``, ``"_training"``)."""
    load_keras()
    return importlib.import_module(f"skae.{name}")
