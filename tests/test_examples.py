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


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs(path, monkeypatch, tmp_path, restore_global_seeds):
    monkeypatch.setenv("SKAE_EXAMPLES_FAST", "1")
    # Tests never need the shared data: examples that read it take their
    # offline fallback here (the docs build runs them on the real data).
    monkeypatch.setenv("SKAE_DATA", str(tmp_path))
    monkeypatch.chdir(path.parent)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*non-interactive.*cannot be shown")
        runpy.run_path(str(path), run_name="__main__")
    # Every example draws or prints what it is about; most draw.
    plt.close("all")
