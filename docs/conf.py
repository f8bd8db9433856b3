"""Sphinx configuration: API reference from numpydoc docstrings, a user
guide, and a gallery of examples that run when the site is built.

Build from the repository root (see the README's "Documentation" section)::

    .venv/bin/python -m sphinx -W --keep-going -b html docs docs/_build/html

``SKAE_EXAMPLES_FAST=1`` runs the examples on less data, for a quick check.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import inventories  # noqa: E402

import skae  # noqa: E402

project = "skae"
author = "the skae developers"
copyright = "2026, the skae developers"
version = release = skae.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints", "results/*/**.md"]
templates_path = ["_templates"]

# -- API reference -----------------------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
# Link the types of parameters and attributes that name another project's
# objects (through the inventories below); leave other words as text.
numpydoc_xref_param_type = True
numpydoc_xref_ignore = "all"
numpydoc_xref_aliases = {
    "ndarray": "numpy.ndarray",
    "RandomState": "numpy.random.RandomState",
    "keras.Model": "keras.Model",
    "keras.layers.Layer": "keras.layers.Layer",
}

# -- Links to other projects, offline ------------------------------------------
# The inventories are written from the installed packages (scikit-learn) or
# listed by hand (NumPy, Keras): the build never needs the network.
intersphinx_mapping = inventories.write_all(HERE / "_build" / "inventories")

# -- Gallery ------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": str(HERE.parent / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "doc_module": ("skae",),
    "reference_url": {"skae": None},
    "backreferences_dir": "generated/backreferences",
    "image_scrapers": ("matplotlib",),
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "show_memory": False,
}

# -- HTML ---------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skae {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_prev_next": False,
    "secondary_sidebar_items": ["page-toc"],
}
html_static_path = []
myst_heading_anchors = 3


# -- Docstrings inherited from scikit-learn -------------------------------------
# Methods such as set_output and get_metadata_routing come with
# scikit-learn's docstrings, whose :ref: and :term: targets live in
# scikit-learn's own user guide. Keep their text, drop the cross-reference.
import re  # noqa: E402

_FOREIGN_ROLE = re.compile(r":(?:ref|term):`([^`<]*?)\s*(?:<[^`>]*>)?`")


def _plain_foreign_refs(app, what, name, obj, options, lines):
    module = getattr(obj, "__module__", "") or ""
    if not module.startswith("sklearn"):
        return
    lines[:] = [_FOREIGN_ROLE.sub(lambda m: m.group(1), line) for line in lines]


def setup(app):
    app.connect("autodoc-process-docstring", _plain_foreign_refs)
