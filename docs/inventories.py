"""Offline intersphinx inventories for scikit-learn, NumPy, Keras and Python.

The docs build with no network: intersphinx reads these files, written at
build time, instead of fetching ``objects.inv`` from each project's site.
The links still point at each project's online documentation.

- scikit-learn: every public class and function, listed from the installed
  package (each public module's ``__all__``), linked to its page under
  ``modules/generated/``, the layout of scikit-learn's API reference.
- NumPy, Keras and Python: the objects this documentation names (or
  numpydoc's type links name), linked by hand (Keras' site is not built
  with Sphinx and publishes no inventory; the pages follow keras.io's API
  index).
"""

import importlib
import inspect
import zlib
from pathlib import Path

PYTHON = {
    # The targets numpydoc's default type links name (numpydoc.xref.DEFAULT_LINKS).
    "bltin-boolean-values": ("std:label", "library/stdtypes.html#bltin-boolean-values"),
    "iterable": ("std:term", "glossary.html#term-iterable"),
    "sequence": ("std:term", "glossary.html#term-sequence"),
    "generator": ("std:term", "glossary.html#term-generator"),
    "None": ("py:data", "library/constants.html#None"),
    "True": ("py:data", "library/constants.html#True"),
    "False": ("py:data", "library/constants.html#False"),
    "list": ("py:class", "library/stdtypes.html#list"),
    "tuple": ("py:class", "library/stdtypes.html#tuple"),
    "str": ("py:class", "library/stdtypes.html#str"),
    "dict": ("py:class", "library/stdtypes.html#dict"),
    "float": ("py:class", "library/functions.html#float"),
    "int": ("py:class", "library/functions.html#int"),
    "callable": ("py:function", "library/functions.html#callable"),
}

NUMPY = {
    "array_like": ("std:term", "glossary.html#term-array_like"),
    "arrays.scalars": ("std:label", "reference/arrays.scalars.html#arrays-scalars"),
    "numpy": ("py:module", "reference/index.html#module-numpy"),
    "numpy.inf": ("py:data", "reference/constants.html#numpy.inf"),
    "numpy.ndarray": ("py:class", "reference/generated/numpy.ndarray.html#numpy.ndarray"),
    "numpy.float32": ("py:class", "reference/arrays.scalars.html#numpy.float32"),
    "numpy.float64": ("py:class", "reference/arrays.scalars.html#numpy.float64"),
    "numpy.nan": ("py:data", "reference/constants.html#numpy.nan"),
    "numpy.random.RandomState": (
        "py:class", "reference/random/legacy.html#numpy.random.RandomState"
    ),
    "numpy.random.Generator": (
        "py:class", "reference/random/generator.html#numpy.random.Generator"
    ),
}

KERAS = {
    "keras.Model": ("py:class", "api/models/model/"),
    "keras.Sequential": ("py:class", "api/models/sequential/"),
    "keras.Layer": ("py:class", "api/layers/base_layer/"),
    "keras.layers.Layer": ("py:class", "api/layers/base_layer/"),
    "keras.layers.Dense": ("py:class", "api/layers/core_layers/dense/"),
    "keras.layers.Conv2D": ("py:class", "api/layers/convolution_layers/convolution2d/"),
    "keras.layers.LSTM": ("py:class", "api/layers/recurrent_layers/lstm/"),
    "keras.layers.GRU": ("py:class", "api/layers/recurrent_layers/gru/"),
    "keras.optimizers.Adam": ("py:class", "api/optimizers/adam/"),
    "keras.callbacks.Callback": ("py:class", "api/callbacks/base_callback/"),
    "keras.saving.save_model": (
        "py:function", "api/models/model_saving_apis/model_saving_and_loading/"
    ),
    "keras.saving.load_model": (
        "py:function", "api/models/model_saving_apis/model_saving_and_loading/"
    ),
}


def sklearn_entries():
    """``{name: (role, uri)}`` for scikit-learn's public classes and functions."""
    import sklearn
    from sklearn.experimental import (  # noqa: F401  (list the experimental ones too)
        enable_halving_search_cv,
        enable_iterative_imputer,
    )

    entries = {}
    for name in sklearn.__all__:
        try:
            module = importlib.import_module(f"sklearn.{name}")
        except ImportError:  # a top-level function, such as clone
            obj = getattr(sklearn, name, None)
            if inspect.isfunction(obj):
                full = f"sklearn.{name}"
                entries[full] = ("py:function", f"modules/generated/{full}.html#{full}")
            continue
        for member in getattr(module, "__all__", ()):
            try:
                obj = getattr(module, member, None)
            except ImportError:  # experimental, not enabled above
                obj = None
            if inspect.isclass(obj):
                role = "py:class"
            elif callable(obj):
                role = "py:function"
            else:
                continue
            full = f"sklearn.{name}.{member}"
            entries[full] = (role, f"modules/generated/{full}.html#{full}")
    return entries


def write_inventory(path, project, version, entries):
    """Write ``entries`` (``{name: (role, uri)}``) as a Sphinx objects.inv."""
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n"
        f"# Version: {version}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    body = "".join(
        f"{name} {role} 1 {uri} -\n" for name, (role, uri) in sorted(entries.items())
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header.encode() + zlib.compress(body.encode()))
    return str(path)


def write_all(folder):
    """Write the inventories into ``folder``; return intersphinx_mapping."""
    import numpy
    import sklearn

    projects = [
        # (intersphinx name, site, project, version, entries)
        ("sklearn", "https://scikit-learn.org/stable/", "scikit-learn", sklearn.__version__,
         sklearn_entries()),
        ("numpy", "https://numpy.org/doc/stable/", "NumPy", numpy.__version__, NUMPY),
        ("keras", "https://keras.io/", "Keras", "3", KERAS),
        ("python", "https://docs.python.org/3/", "Python", "3", PYTHON),
    ]
    return {
        name: (site, write_inventory(Path(folder) / f"{name}.inv", project, version, entries))
        for name, site, project, version, entries in projects
    }
