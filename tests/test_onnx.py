"""ONNX export: every estimator, alone and in pipelines, in float and double,
against skae's own float64 outputs."""

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from numpy.testing import assert_array_equal
from skl2onnx import to_onnx
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skae.onnx  # noqa: F401  (registers the converters)
from estimators import estimator_id, serving_rows, tiny_estimators
from skae import (
    AutoencoderAnomalyDetector,
    AutoencoderImputer,
    AutoencoderTransformer,
    ConvAutoencoder,
    RecurrentAutoencoder,
)
from skae._base import ACTIVATIONS

ESTIMATORS = tiny_estimators()
IDS = [estimator_id(est) for est in ESTIMATORS]

#: The largest difference from skae's float64 outputs, relative to the
#: outputs' largest magnitude: float32 arithmetic rounds at about 6e-8 a step,
#: float64 at about 1e-16.
BOUNDS = {np.float32: 1e-4, np.float64: 1e-9}


def _run(model, X, dtype, options=None):
    """Convert ``model`` for input of ``dtype``, check the graph, and run it on X."""
    onx = to_onnx(model, X[:1].astype(dtype), options=options)
    onnx.checker.check_model(onx)
    session = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    outputs = session.run(None, {session.get_inputs()[0].name: X.astype(dtype)})
    return {output.name: value for output, value in zip(session.get_outputs(), outputs)}


def _expected(estimator, X):
    """skae's float64 outputs that the graph's outputs stand for, in output order."""
    if hasattr(estimator, "decision_function"):
        return [estimator.predict(X)[:, None], estimator.decision_function(X)[:, None]]
    return [estimator.transform(X)]


def _assert_close(got, expected, dtype):
    scale = max(np.max(np.abs(expected)), 1e-300)
    assert got.shape == expected.shape
    assert np.max(np.abs(got - expected)) <= BOUNDS[dtype] * scale, (
        np.max(np.abs(got - expected)) / scale)


@pytest.fixture(scope="module")
def fitted():
    return [clone(est).fit(serving_rows(est)) for est in ESTIMATORS]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float", "double"])
@pytest.mark.parametrize("index", range(len(ESTIMATORS)), ids=IDS)
def test_every_estimator_converts_and_matches(fitted, index, dtype):
    estimator = fitted[index]
    X = serving_rows(estimator)
    got = list(_run(estimator, X, dtype).values())
    expected = _expected(estimator, X)
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert g.dtype == (np.int64 if e.dtype.kind == "i" else dtype)
        _assert_close(g, e, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float", "double"])
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_every_activation_converts(activation, dtype):
    # Scaled so that both signs, and values past the activations' bends, occur.
    X = 3 * np.random.RandomState(0).normal(size=(30, 6))
    ae = AutoencoderTransformer(2, hidden_layer_sizes=(4,), activation=activation,
                                code_activation=activation, max_iter=2, batch_size=200,
                                random_state=0).fit(X)
    if activation == "gelu" and dtype == np.float64:
        with pytest.raises(NotImplementedError, match="no double ONNX form of the activation 'gelu'"):
            _run(ae, X, dtype)
        return
    _assert_close(next(iter(_run(ae, X, dtype).values())), ae.transform(X), dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float", "double"])
@pytest.mark.parametrize(
    "image_shape, filters, kernel_size",
    [((5, 5), (3, 4), 3), ((6, 3, 2), (2,), 2), ((7, 1), (2, 2), 1), ((4, 4), (2,), 3)], ids=str,
)
def test_convolutions_of_odd_sizes_and_small_kernels_convert(image_shape, filters, kernel_size,
                                                             dtype):
    n_features = int(np.prod(image_shape))
    X = np.random.RandomState(1).normal(size=(20, n_features))
    ae = ConvAutoencoder(2, image_shape=image_shape, filters=filters, kernel_size=kernel_size,
                         max_iter=2, batch_size=200, random_state=0).fit(X)
    _assert_close(next(iter(_run(ae, X, dtype).values())), ae.transform(X), dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float", "double"])
@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["one-way", "bidirectional"])
def test_recurrent_encoders_of_nan_padded_sequences_convert(cell, bidirectional, dtype):
    rng = np.random.RandomState(2)
    X = rng.normal(size=(20, 12))  # 6 steps of 2 channels
    for row, length in enumerate(rng.randint(2, 7, size=20)):
        X[row, 2 * length :] = np.nan
    ae = RecurrentAutoencoder(2, sequence_shape=(6, 2), cell=cell, bidirectional=bidirectional,
                              units=3, frame_length=2, time_features=3, max_iter=1,
                              batch_size=200, random_state=0).fit(X)
    _assert_close(next(iter(_run(ae, X, dtype).values())), ae.transform(X), dtype)


def test_imputer_with_indicator_and_empty_features_converts():
    X = np.random.RandomState(3).normal(size=(40, 5))
    X[np.random.RandomState(4).rand(*X.shape) < 0.2] = np.nan
    X[:, 1] = np.nan  # empty at fit
    imputer = AutoencoderImputer(n_components=2, hidden_layer_sizes=(3,), add_indicator=True,
                                 keep_empty_features=True, max_iter=2, batch_size=200,
                                 random_state=0).fit(X)
    for dtype in (np.float32, np.float64):
        _assert_close(next(iter(_run(imputer, X, dtype).values())), imputer.transform(X), dtype)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X, y, random_state=0)


def test_scaler_autoencoder_classifier_pipeline_predicts_the_same_labels(digits):
    X_train, X_test, y_train, _ = digits
    pipeline = make_pipeline(
        StandardScaler(), AutoencoderTransformer(8, max_iter=5, random_state=0),
        LogisticRegression(max_iter=1000),
    ).fit(X_train, y_train)
    expected = pipeline.predict(X_test)
    options = {LogisticRegression: {"zipmap": False}}
    # Double input: the same arithmetic as Python's, so the same labels.
    assert_array_equal(_run(pipeline, X_test, np.float64, options)["label"], expected)
    # Float input: the same labels wherever the two best classes are not
    # within float32 rounding of each other.
    scores = np.sort(pipeline.decision_function(X_test), axis=1)
    clear = scores[:, -1] - scores[:, -2] > 1e-3
    assert clear.mean() > 0.95
    assert_array_equal(_run(pipeline, X_test, np.float32, options)["label"][clear], expected[clear])


@pytest.mark.parametrize("max_features", ["auto", 16])
def test_scaler_detector_pipeline_predicts_the_same_labels(digits, max_features):
    # 16 of the 64 columns: each member gathers its own before its network.
    X_train, X_test, _, _ = digits
    pipeline = make_pipeline(
        StandardScaler(), AutoencoderAnomalyDetector(n_estimators=2, max_iter=5, max_features=max_features,
                                                     random_state=0),
    ).fit(X_train)
    for dtype in (np.float32, np.float64):
        outputs = _run(pipeline, X_test, dtype)
        scores = pipeline.decision_function(X_test)
        _assert_close(outputs["scores"][:, 0], scores, dtype)
        clear = np.abs(scores) > BOUNDS[dtype] * np.max(np.abs(scores)) * 10
        assert_array_equal(outputs["label"][clear, 0], pipeline.predict(X_test)[clear])
        assert clear.mean() > 0.95


@pytest.mark.parametrize("index", range(len(ESTIMATORS)), ids=IDS)
def test_an_unfitted_estimator_does_not_convert(index):
    X = serving_rows(ESTIMATORS[index]).astype(np.float32)
    with pytest.raises(NotFittedError):
        to_onnx(clone(ESTIMATORS[index]), X[:1])


def test_an_op_without_an_onnx_form_is_named(fitted):
    import copy

    estimator = copy.deepcopy(fitted[0])
    estimator._forward["encoder"].ops.append({"op": "fancy_layer"})
    X = serving_rows(estimator).astype(np.float32)
    with pytest.raises(NotImplementedError, match="fancy_layer"):
        to_onnx(estimator, X[:1])


def test_without_skl2onnx_the_error_says_what_to_install():
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", "import sys; sys.modules['skl2onnx'] = None; import skae.onnx"],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode != 0
    assert 'skae.onnx needs skl2onnx (and onnxruntime to run the graphs): pip install "skae[onnx]"' \
        in done.stderr
