"""Every gallery example runs, on less data (``SKAE_EXAMPLES_FAST=1``).

The docs build runs them in full; here each runs in this process (TensorFlow
is imported once per worker) with the Agg backend, so examples cannot rot
between docs builds.
"""

import runpy
import warnings
from pathlib import Path

import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("plot_*.py"))


def test_there_are_examples():
    assert len(EXAMPLES) >= 10


def _run(path, data, monkeypatch):
    """Run an example in fast mode, reading its data (if any) from ``data``."""
    monkeypatch.setenv("SKAE_EXAMPLES_FAST", "1")
    monkeypatch.setenv("SKAE_DATA", str(data))
    monkeypatch.chdir(path.parent)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*non-interactive.*cannot be shown")
        runpy.run_path(str(path), run_name="__main__")
    # Every example draws or prints what it is about; most draw.
    plt.close("all")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs(path, monkeypatch, tmp_path, restore_global_seeds):
    # Tests never need the shared data: examples that read it take their
    # offline fallback here (an empty folder).
    _run(path, tmp_path, monkeypatch)


SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
ON_REAL_DATA = [path for path in EXAMPLES if "SKAE_DATA" in path.read_text()]


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="no ../shared/data beside the repository")
@pytest.mark.parametrize("path", ON_REAL_DATA, ids=lambda p: p.stem)
def test_example_runs_on_the_real_data(path, monkeypatch, restore_global_seeds):
    # The path the docs build takes where the shared data is present, on less
    # of it: the offline fallback alone never runs the real loaders.
    _run(path, SHARED_DATA, monkeypatch)


def test_some_examples_read_the_shared_data():
    assert {p.stem for p in ON_REAL_DATA} >= {"plot_deep_vs_pca", "plot_recommender"}
