"""The plotting displays draw what they say, on the Agg backend."""

import subprocess
import sys

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from skae import (  # noqa: E402
    AutoencoderAnomalyDetector,
    AutoencoderTransformer,
    ConvAutoencoder,
    LatentSpaceDisplay,
    LossCurveDisplay,
    ReconstructionDisplay,
    RecurrentAutoencoder,
    ScoreDistributionDisplay,
    StackedAutoencoder,
)

TINY = dict(max_iter=2, batch_size=200, random_state=0)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def rows():
    rng = np.random.RandomState(0)
    return rng.rand(30, 6), rng.randint(3, size=30)


@pytest.fixture(scope="module")
def flat_ae(rows):
    return AutoencoderTransformer(2, hidden_layer_sizes=(4,), early_stopping=True,
                                  validation_fraction=0.2, **TINY).fit(rows[0])


@pytest.fixture(scope="module")
def detector(rows):
    return AutoencoderAnomalyDetector(n_estimators=2, hidden_layer_sizes=(4,), **TINY).fit(rows[0])


def test_importing_the_displays_does_not_import_matplotlib():
    code = (
        "import sys, skae; skae.ReconstructionDisplay; skae.LossCurveDisplay; "
        "print('matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout.strip()
    assert out == "False"


def test_missing_matplotlib_is_named(monkeypatch, flat_ae, rows):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match="LatentSpaceDisplay.from_estimator requires matplotlib"):
        LatentSpaceDisplay.from_estimator(flat_ae, rows[0])


@pytest.mark.parametrize("display, args", [
    (ReconstructionDisplay, ("X",)),
    (LatentSpaceDisplay, ("X",)),
    (LossCurveDisplay, ()),
    (ScoreDistributionDisplay, ("X",)),
])
def test_unfitted_estimators_are_refused(display, args, rows):
    values = [rows[0] for _ in args]
    with pytest.raises(NotFittedError):
        display.from_estimator(AutoencoderTransformer(2), *values)


# ----------------------------------------------------------- reconstruction


def test_images_draw_originals_over_reconstructions():
    X = np.random.RandomState(0).rand(12, 8, 8)
    ae = ConvAutoencoder(2, filters=(2,), **TINY).fit(X)
    display = ReconstructionDisplay.from_estimator(ae, X, n_samples=5)
    assert display.axes_.shape == (2, 5)
    assert all(len(ax.images) == 1 for ax in display.axes_.flat)
    assert display.images_.shape == (2, 5)
    assert display.axes_[0, 0].get_ylabel() == "original"
    assert display.axes_[1, 0].get_ylabel() == "reconstruction"
    assert display.lines_ is None and display.bounding_ax_ is None
    np.testing.assert_allclose(np.asarray(display.images_[0, 2].get_array()), X[2])
    expected = ae.inverse_transform(ae.transform(X[2:3])).reshape(8, 8)
    np.testing.assert_allclose(np.asarray(display.images_[1, 2].get_array()), expected,
                               rtol=1e-5, atol=1e-6)
    # One colour scale for both rows, from the originals.
    assert display.images_[1, 0].get_clim() == display.images_[0, 0].get_clim()
    assert display.images_[0, 0].get_clim() == (X[:5].min(), X[:5].max())


def test_images_fill_one_axes_passed_in():
    X = np.random.RandomState(0).rand(6, 16)
    ax = plt.figure().add_subplot()
    display = ReconstructionDisplay.from_predictions(X, X[::-1], n_samples=3, shape=(4, 4), ax=ax)
    assert display.bounding_ax_ is ax and not ax.axison
    assert display.axes_.shape == (2, 3)
    assert all(a.figure is ax.figure for a in display.axes_.flat)


def test_an_array_of_axes_of_the_wrong_size_is_refused():
    X = np.random.RandomState(0).rand(6, 16)
    _, axes = plt.subplots(2, 2)
    with pytest.raises(ValueError, match="ax holds 4 axes, but 6 are needed"):
        ReconstructionDisplay.from_predictions(X, X, n_samples=3, shape=(4, 4), ax=axes)


def test_flat_rows_draw_two_lines_each(flat_ae, rows):
    display = ReconstructionDisplay.from_estimator(flat_ae, rows[0], n_samples=4)
    assert display.axes_.shape == (4, 1)
    assert all(len(ax.lines) == 2 for ax in display.axes_.flat)
    assert display.images_ is None
    np.testing.assert_allclose(display.lines_[1, 0, 0].get_ydata(), rows[0][1])
    assert display.lines_[1, 1, 0].get_linestyle() == "--"
    assert display.axes_[-1, 0].get_xlabel() == "feature"


def test_sequences_draw_each_channel():
    X = np.random.RandomState(0).rand(10, 5, 2)
    ae = RecurrentAutoencoder(2, units=3, max_iter=1, batch_size=200, random_state=0).fit(X)
    display = ReconstructionDisplay.from_estimator(ae, X, n_samples=3)
    assert display.axes_.shape == (3, 1)
    assert display.lines_.shape == (3, 2, 2)
    assert all(len(ax.lines) == 4 for ax in display.axes_.flat)
    np.testing.assert_allclose(display.lines_[0, 0, 1].get_ydata(), X[0, :, 1])
    assert display.axes_[-1, 0].get_xlabel() == "time step"


def test_reconstruction_errors_name_the_problem(detector, rows):
    X = rows[0]
    with pytest.raises(TypeError, match="has no inverse_transform"):
        ReconstructionDisplay.from_estimator(detector, X)
    with pytest.raises(ValueError, match="same shape"):
        ReconstructionDisplay.from_predictions(X, X[:, :3])
    with pytest.raises(ValueError, match=r"shape \(2, 2\) holds 4 values, but rows have 6"):
        ReconstructionDisplay.from_predictions(X, X, shape=(2, 2))
    with pytest.raises(ValueError, match="n_samples must be a positive integer"):
        ReconstructionDisplay.from_predictions(X, X, n_samples=0)


# ------------------------------------------------------------ latent space


def test_two_dimensional_codes_are_drawn_one_scatter_per_label(flat_ae, rows):
    X, y = rows
    display = LatentSpaceDisplay.from_estimator(flat_ae, X, y)
    assert len(display.scatters_) == 3
    assert [t.get_text() for t in display.ax_.get_legend().get_texts()] == ["0", "1", "2"]
    assert sum(len(s.get_offsets()) for s in display.scatters_) == len(X)
    np.testing.assert_allclose(display.embedding, flat_ae.transform(X), rtol=1e-6)
    assert display.ax_.get_xlabel() == "code 1"
    assert display.colorbar_ is None


@pytest.mark.parametrize("projection, label", [("pca", "PC 1"), ("tsne", "t-SNE 1")])
def test_wider_codes_are_projected(projection, label):
    rng = np.random.RandomState(0)
    codes = rng.normal(size=(40, 5))
    display = LatentSpaceDisplay.from_codes(codes, projection=projection, random_state=0)
    assert display.embedding.shape == (40, 2)
    assert display.ax_.get_xlabel().startswith(label)
    assert len(display.scatters_) == 1 and display.ax_.get_legend() is None


def test_continuous_labels_get_a_colour_bar():
    rng = np.random.RandomState(0)
    display = LatentSpaceDisplay.from_codes(rng.normal(size=(50, 2)), rng.normal(size=50))
    assert len(display.scatters_) == 1
    assert display.colorbar_ is not None


def test_latent_errors_name_the_problem():
    codes = np.zeros((10, 3))
    with pytest.raises(ValueError, match="projection must be 'pca' or 'tsne'"):
        LatentSpaceDisplay.from_codes(codes, projection="umap")
    with pytest.raises(ValueError, match="one label per row of codes"):
        LatentSpaceDisplay.from_codes(codes, np.zeros(9))


# -------------------------------------------------------------- loss curves


def test_loss_curves_draw_training_and_validation(flat_ae):
    display = LossCurveDisplay.from_estimator(flat_ae)
    assert sorted(display.lines_) == ["training loss", "validation error"]
    np.testing.assert_allclose(display.lines_["training loss"].get_ydata(), flat_ae.loss_curve_)
    np.testing.assert_allclose(display.lines_["validation error"].get_ydata(),
                               -np.asarray(flat_ae.validation_scores_))
    assert display.ax_.get_xlabel() == "epoch"
    assert display.ax_.get_yscale() == "log"


def test_stacked_curves_show_each_pretraining_level_first(rows):
    sae = StackedAutoencoder(2, hidden_layer_sizes=(5, 4), pretrain_max_iter=2, **TINY)
    sae.fit(rows[0])
    display = LossCurveDisplay.from_estimator(sae)
    levels = [k for k in display.lines_ if k.startswith("pretraining")]
    assert len(levels) == len(sae.pretrain_loss_curves_) == 3
    pretraining_epochs = sum(len(c) for c in sae.pretrain_loss_curves_)
    fine_tuning = display.lines_["fine-tuning training loss"]
    assert fine_tuning.get_xdata()[0] == pretraining_epochs + 1
    has_validation = sae.validation_scores_ is not None
    assert len(display.ax_.lines) == 4 + has_validation


def test_detector_curves_draw_each_member(detector):
    display = LossCurveDisplay.from_estimator(detector)
    training = [k for k in display.lines_ if k.endswith("training loss")]
    assert training == ["member 0: training loss", "member 1: training loss"]
    for i, member in enumerate(detector.estimators_):
        np.testing.assert_allclose(
            display.lines_[f"member {i}: training loss"].get_ydata(), member.loss_curve_
        )


def test_estimators_without_curves_are_refused():
    from sklearn.decomposition import PCA

    with pytest.raises(TypeError, match="records no loss_curve_"):
        LossCurveDisplay.from_estimator(PCA(2).fit(np.random.rand(10, 3)))


# ------------------------------------------------------- score distribution


def test_detector_scores_are_drawn_per_label_with_the_offset(detector, rows):
    X = rows[0]
    y = detector.predict(X)
    display = ScoreDistributionDisplay.from_estimator(detector, X, y, bins=10)
    assert sorted(display.bars_) == ["-1", "1"]
    counts = {k: sum(p.get_height() for p in bars) for k, bars in display.bars_.items()}
    assert counts == {"-1": np.sum(y == -1), "1": np.sum(y == 1)}
    assert display.offset_line_.get_xdata()[0] == detector.offset_
    # The threshold splits the labels the detector predicted.
    scores = detector.score_samples(X)
    assert np.all(scores[y == -1] < detector.offset_) and np.all(scores[y == 1] >= detector.offset_)


def test_scores_without_a_threshold(flat_ae, rows):
    display = ScoreDistributionDisplay.from_estimator(flat_ae, rows[0])
    assert list(display.bars_) == ["all rows"]
    assert display.offset_line_ is None
    assert len(display.bars_["all rows"]) == 30


def test_score_errors_name_the_problem():
    with pytest.raises(ValueError, match="one label per score"):
        ScoreDistributionDisplay.from_scores(np.zeros(5), np.zeros(4))
    with pytest.raises(ValueError, match="non-empty 1-D"):
        ScoreDistributionDisplay.from_scores(np.zeros((5, 2)))
