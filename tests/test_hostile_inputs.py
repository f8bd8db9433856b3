"""Hostile input at fit and at every inference method, for every public estimator.

Each kind of input gets either a specific error (``match=``) or a correct
result: finite float64 outputs of the right shape, equal to those of the
plain array where the input is the same numbers in another container. A
failed fit leaves no fitted attribute behind.
"""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from estimators import estimator_id, row_methods, tiny_autoencoders

ESTIMATORS = tiny_autoencoders()
IDS = [estimator_id(est) for est in ESTIMATORS]
N_ROWS, N_FEATURES = 40, 5

#: Outputs of the same numbers in another container or memory layout differ
#: only by float64 rounding: about 1e-16 of the sums involved, which stay
#: below 1e3 here.
SAME_NUMBERS = dict(rtol=1e-12, atol=1e-12)


@pytest.fixture(scope="module")
def X():
    return np.random.RandomState(0).normal(size=(N_ROWS, N_FEATURES))


@pytest.fixture(scope="module", params=ESTIMATORS, ids=IDS)
def fitted(request, X):
    return clone(request.param).fit(X)


def _is_detector(estimator):
    return hasattr(estimator, "decision_function")


def _standardizes(estimator):
    """Variational autoencoders: their networks standardize rows first and
    divide the residual by the scale, so an extreme value need not make
    the loss overflow."""
    return "likelihood" in estimator.get_params()


def _unit_interval_params(estimator):
    """The parameters that make ``estimator`` take data in [0, 1] only."""
    if "likelihood" in estimator.get_params():
        return {"likelihood": "bernoulli"}
    return {"loss": "binary_crossentropy"}


def _takes_arrays(estimator):
    """Estimators whose documented input includes N-D arrays (images, sequences)."""
    return bool({"image_shape", "sequence_shape"} & set(estimator.get_params()))


def _widths(estimator, *widths):
    """The parameter that sets the network's widths, and NumPy ``widths`` for it."""
    params = estimator.get_params()
    if "units" in params:
        return {"units": np.int64(widths[0])}
    return {"filters" if "filters" in params else "hidden_layer_sizes": np.array(widths)}


def _fitted_attributes(estimator):
    return sorted(k for k in vars(estimator) if k.endswith("_") and not k.startswith("__"))


def _with(X, row, col, value):
    X = X.astype(object if isinstance(value, str) else np.result_type(X, value), copy=True)
    X[row, col] = value
    return X


def _frame(X):
    return pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])


def _polars_frame(X):
    pl = pytest.importorskip("polars")
    return pl.DataFrame(X, schema=[f"x{i}" for i in range(X.shape[1])])


def _strided(X):
    wide = np.repeat(X, 2, axis=1)
    wide[:, 1::2] = -7.0
    view = wide[:, ::2]
    assert not view.flags.c_contiguous
    return view


def _memmap(X, tmp_path):
    path = tmp_path / "X.dat"
    mm = np.memmap(path, dtype=X.dtype, mode="w+", shape=X.shape)
    mm[:] = X
    mm.flush()
    return np.memmap(path, dtype=X.dtype, mode="r", shape=X.shape)


# Inputs that every estimator refuses, at fit and at inference alike:
# (how to make them from clean rows, the error, its message).
REFUSED = {
    # The message names the ways to fill missing values.
    "NaN": (lambda X: _with(X, 3, 1, np.nan), ValueError,
            "Input X contains NaN.*skae.AutoencoderImputer.*sklearn.impute.SimpleImputer"),
    "+inf": (lambda X: _with(X, 3, 1, np.inf), ValueError, "Input X contains infinity"),
    "-inf": (lambda X: _with(X, 3, 1, -np.inf), ValueError, "Input X contains infinity"),
    "1-D": (lambda X: X[:, 0], ValueError, "Expected 2D array, got 1D array instead"),
    "3-D": (lambda X: X[:, :, None], ValueError, "Found array with dim 3"),
    "0 rows": (lambda X: X[:0], ValueError, r"0 sample\(s\)"),
    "0 columns": (lambda X: X[:, :0], ValueError, r"0 feature\(s\)"),
    "object strings": (
        lambda X: _with(X, 2, 1, "abc"), ValueError, "could not convert string to float"
    ),
    "mixed-type DataFrame": (
        lambda X: _frame(X).assign(label=["a"] * len(X)),
        ValueError,
        "could not convert string to float",
    ),
    "complex": (lambda X: X + 1j, ValueError, "Complex data not supported"),
    "sparse CSR": (
        lambda X: sp.csr_matrix(X), TypeError, "Sparse data was passed.*dense data is required"
    ),
}

# Inputs that hold the same numbers as clean rows, or numbers a network can
# take: every estimator fits on them and gives finite outputs.
ACCEPTED = {
    "bool": lambda X: X > 0,
    "int8": lambda X: (10 * X).astype(np.int8),
    "uint8": lambda X: (10 * np.abs(X)).astype(np.uint8),
    "float16": lambda X: X.astype(np.float16),
    "1e-30": lambda X: X * 1e-30,
    "constant columns": lambda X: np.column_stack([X[:, :3], np.full((len(X), 2), 4.0)]),
    "all-constant data": lambda X: np.full_like(X, 2.5),
    "duplicated rows only": lambda X: np.tile(X[:2], (len(X) // 2, 1)),
    "list of lists": lambda X: X.tolist(),
    "Fortran-ordered": np.asfortranarray,
    "strided": _strided,
    "pandas": lambda X: pd.DataFrame(X),
    "polars": _polars_frame,
}


def _check_outputs(estimator, X):
    """Every inference method gives finite float64 results of the right shape."""
    n_rows = len(X) if hasattr(X, "__len__") else X.shape[0]
    for name in row_methods(estimator):
        out = np.asarray(getattr(estimator, name)(X))
        assert out.shape[0] == n_rows, name
        assert np.isfinite(out).all(), name
        if name != "predict":
            assert out.dtype == np.float64, name
    if hasattr(estimator, "inverse_transform"):
        codes = estimator.transform(X)
        assert np.isfinite(estimator.inverse_transform(codes)).all()
        assert estimator.inverse_transform(codes).dtype == np.float64


# ------------------------------------------------------------------ fit


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
@pytest.mark.parametrize("kind", REFUSED, ids=list(REFUSED))
def test_fit_refuses_bad_input_and_stays_unfitted(estimator, kind, X):
    if kind == "3-D" and _takes_arrays(estimator):
        pytest.skip("3-D arrays are documented input here; its own test file tests wrong shapes")
    make_bad, error, message = REFUSED[kind]
    estimator = clone(estimator)
    with pytest.raises(error, match=message):
        estimator.fit(make_bad(X))
    assert _fitted_attributes(estimator) == []


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
def test_fit_refuses_a_single_row(estimator, X):
    estimator = clone(estimator)
    with pytest.raises(ValueError, match=r"1 sample\(s\)"):
        estimator.fit(X[:1])
    assert _fitted_attributes(estimator) == []


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
@pytest.mark.parametrize("kind", ACCEPTED, ids=list(ACCEPTED))
def test_fit_accepts_numbers_in_any_container(estimator, kind, X):
    X_kind = ACCEPTED[kind](X)
    _check_outputs(clone(estimator).fit(X_kind), X_kind)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
def test_memmap_input_fits_like_the_array(estimator, X, tmp_path):
    X_mm = _memmap(X, tmp_path)
    assert_array_equal(
        clone(estimator).fit(X_mm).score_samples(X_mm), clone(estimator).fit(X).score_samples(X)
    )


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
def test_value_beyond_float32_range(estimator, X):
    X_big = _with(X, 0, 0, 1e39)
    estimator = clone(estimator)
    if _is_detector(estimator):
        # Columns are scaled in float64 first: the row is just an outlier.
        assert estimator.fit(X_big).predict(X_big)[0] == -1
    else:
        with pytest.raises(ValueError, match="too large in magnitude for float32"):
            estimator.fit(X_big)
        assert _fitted_attributes(estimator) == []


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
@pytest.mark.parametrize("row", [0, 20], ids=["in training rows", "in validation rows"])
@pytest.mark.parametrize("value", [3e38, -3e38], ids=["+3e38", "-3e38"])
def test_value_at_the_edge_of_float32_range(estimator, value, row, X):
    # With random_state=0 the transformers hold out rows 4, 20, 22 and 25 for
    # early stopping: the extreme row is trained on, or only validated on.
    X_edge = _with(X, row, 0, value)
    estimator = clone(estimator)
    if _is_detector(estimator):
        assert estimator.fit(X_edge).predict(X_edge)[row] == -1
        _check_outputs(estimator, X_edge)
    elif _standardizes(estimator):
        # A clear error, or a fit that gives finite outputs (it depends on
        # whether the decoder's output in X's units overflows float32).
        try:
            estimator.fit(X_edge)
        except ValueError as error:
            assert "Training diverged" in str(error)
            assert _fitted_attributes(estimator) == []
        else:
            _check_outputs(estimator, X_edge)
    else:
        # Finite in float32, but its squared error is not: training diverges.
        with pytest.raises(ValueError, match="Training diverged.*Scale the input"):
            estimator.fit(X_edge)
        assert _fitted_attributes(estimator) == []


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
def test_numpy_integer_parameters(estimator, X):
    params = {"max_iter": np.int64(2), "batch_size": np.int32(16), "random_state": np.int64(0),
              **_widths(estimator, 4, 3), "learning_rate": np.float32(1e-3)}
    if "image_shape" in estimator.get_params():
        params.update(image_shape=np.array([5, 1]), kernel_size=np.int64(2))
    if _is_detector(estimator):
        # The detector trains for a fixed budget: no early stopping to set.
        params.update(n_components=np.int64(2), n_estimators=np.int64(2), max_samples=np.int64(30),
                      truncation=np.float32(0.1))
    else:
        params.update(n_components=np.int64(2), n_iter_no_change=np.int8(3))
    fitted = clone(estimator).set_params(**params).fit(X)
    assert isinstance(fitted.n_components_, int)
    _check_outputs(fitted, X)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
def test_grid_search_over_numpy_ranges(estimator, X):
    # The way most grids are written: NumPy ranges and arrays.
    grid = {name: [value] for name, value in _widths(estimator, 3).items()}
    grid["n_components"] = np.arange(1, 3)
    # Like IsolationForest, the detector has no score(): a search names one.
    scoring = (lambda est, X_, y=None: est.score_samples(X_).mean()) if _is_detector(estimator) else None
    search = GridSearchCV(clone(estimator), grid, cv=2, scoring=scoring, error_score="raise").fit(X)
    assert len(search.cv_results_["params"]) == 2
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
def test_huge_learning_rate_diverges_with_a_clear_error(estimator, X):
    estimator = clone(estimator).set_params(learning_rate=1e12, max_iter=3)
    params = estimator.get_params()
    if "units" in params and "likelihood" not in params:
        # A recurrent state is bounded (tanh, sigmoid gates): without the
        # linear path the loss grows with the output layer's weights, by
        # Adam's step of about 1e12 per batch, and stays finite for millions
        # of steps. Nothing to report, and nothing non-finite may come out.
        plain = clone(estimator).set_params(linear_components=0)
        _check_outputs(plain.fit(X * 1e3), X * 1e3)
    # Every other network diverges: the recurrent one through its linear
    # path, the recurrent VAE through its code's KL term, which the
    # recurrent state does not bound.
    with pytest.raises(ValueError, match="Training diverged.*lower learning_rate"):
        estimator.fit(X * 1e3)
    assert _fitted_attributes(estimator) == []


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
def test_batch_size_above_n_samples_uses_all_rows(estimator, X):
    _check_outputs(clone(estimator).set_params(batch_size=10_000).fit(X), X)


@pytest.mark.parametrize("estimator", [e for e in ESTIMATORS if not _is_detector(e)],
                         ids=[i for e, i in zip(ESTIMATORS, IDS) if not _is_detector(e)])
def test_too_few_rows_for_the_validation_split(estimator, X):
    # The detector holds out no rows (it trains for a fixed number of epochs).
    estimator = clone(estimator).set_params(validation_fraction=0.6)
    with pytest.raises(ValueError, match=r"validation_fraction=0.6 holds out 2 of the 2 training rows"):
        estimator.fit(X[:2])
    assert _fitted_attributes(estimator) == []
    # Without early stopping two rows are enough.
    _check_outputs(estimator.set_params(early_stopping=False).fit(X[:2]), X)


def test_detector_refuses_max_samples_of_one_row(X):
    detector = clone(next(e for e in ESTIMATORS if _is_detector(e))).set_params(max_samples=1)
    with pytest.raises(ValueError, match="max_samples=1 gives each member 1 of the 40 rows"):
        detector.fit(X)
    assert _fitted_attributes(detector) == []


@pytest.mark.parametrize("estimator", [e for e in ESTIMATORS if not _is_detector(e)],
                         ids=[i for e, i in zip(ESTIMATORS, IDS) if not _is_detector(e)])
def test_binary_crossentropy_needs_unit_interval_at_fit_and_at_scoring(estimator, X):
    estimator = clone(estimator).set_params(**_unit_interval_params(estimator))
    with pytest.raises(ValueError, match=r"needs X in \[0, 1\], got values in \[-"):
        estimator.fit(X)
    assert _fitted_attributes(estimator) == []
    unit = 1 / (1 + np.exp(-X))
    estimator.fit(unit)
    with pytest.raises(ValueError, match=r"needs X in \[0, 1\]"):
        estimator.score_samples(X)
    _check_outputs(estimator, unit)


# ------------------------------------------------------------ inference


def _inference_calls(estimator):
    names = row_methods(estimator)
    return names + (["score"] if hasattr(estimator, "score") else [])


@pytest.mark.filterwarnings("ignore:X has feature names")  # fitted on an array
def test_every_inference_method_refuses_bad_input(fitted, X):
    for kind, (make_bad, error, message) in REFUSED.items():
        if kind == "3-D" and _takes_arrays(fitted):
            continue  # documented input here; its own test file tests wrong shapes
        bad = make_bad(X)
        for name in _inference_calls(fitted):
            with pytest.raises(error, match=message):
                getattr(fitted, name)(bad)
        if hasattr(fitted, "inverse_transform"):
            codes = fitted.transform(X)
            if kind in ("0 columns",):
                continue  # codes of 0 columns are a wrong count, tested below
            with pytest.raises(error, match=message):
                fitted.inverse_transform(make_bad(codes))


def test_wrong_column_count(fitted, X):
    name = type(fitted).__name__
    for method in _inference_calls(fitted):
        with pytest.raises(ValueError, match=f"X has 4 features, but {name} is expecting 5"):
            getattr(fitted, method)(X[:, :4])
    if hasattr(fitted, "inverse_transform"):
        with pytest.raises(ValueError, match="expects codes of 2 components"):
            fitted.inverse_transform(np.zeros((3, 5)))


def test_one_row_gives_the_same_result_as_in_the_batch(fitted, X):
    for name in row_methods(fitted):
        method = getattr(fitted, name)
        assert_allclose(method(X[5:6])[0], method(X)[5], **SAME_NUMBERS)


@pytest.mark.filterwarnings("ignore:X has feature names")  # fitted on an array
@pytest.mark.parametrize("kind", ["list of lists", "Fortran-ordered", "strided", "polars"])
def test_same_numbers_in_another_container_give_the_same_outputs(fitted, X, kind):
    X_kind = ACCEPTED[kind](X)
    for name in row_methods(fitted):
        assert_allclose(getattr(fitted, name)(X_kind), getattr(fitted, name)(X), **SAME_NUMBERS)


def test_memmap_rows_give_the_same_outputs(fitted, X, tmp_path):
    X_mm = _memmap(X, tmp_path)
    for name in row_methods(fitted):
        assert_allclose(getattr(fitted, name)(X_mm), getattr(fitted, name)(X), **SAME_NUMBERS)


def test_tiny_and_beyond_float32_values_at_inference(fitted, X):
    # Inference runs in float64, so values float32 cannot hold are fine.
    for X_kind in (X * 1e-30, _with(X, 0, 0, 1e39), _with(X, 0, 0, -3e38)):
        _check_outputs(fitted, X_kind)
    if _is_detector(fitted):
        assert fitted.predict(_with(X, 0, 0, 1e39))[0] == -1


def test_rows_whose_output_overflows(fitted, X):
    X_huge = _with(X, 7, 2, 1e300)  # its squared reconstruction error overflows
    if _is_detector(fitted):
        # The detector never fails on a row: it is the least normal there is.
        scores = fitted.score_samples(X_huge)
        assert scores[7] == -np.finfo(np.float64).max
        assert np.isfinite(scores).all()
        assert fitted.predict(X_huge)[7] == -1
        assert np.isfinite(fitted.decision_function(X_huge)).all()
        assert np.isfinite(fitted.feature_errors(X_huge)).all()
    else:
        for name in ("score_samples", "score"):
            with pytest.raises(ValueError, match=r"non-finite values for 1 of 40 rows \(rows 7\)"):
                getattr(fitted, name)(X_huge)


def _overflowing_row(kernel):
    """A finite row whose pre-activation overflows in the unit of ``kernel``
    (inputs x units) with the largest absolute column sum.

    The row is the largest float64 times the signs of that column, so the
    pre-activation is the largest float64 times the column's absolute sum.
    """
    column = np.argmax(np.abs(kernel).sum(axis=0))
    assert np.abs(kernel[:, column]).sum() > 1.01  # so the product overflows
    return np.finfo(np.float64).max * np.sign(kernel[:, column])


def test_transform_of_rows_too_large_for_the_network(fitted, X):
    if _is_detector(fitted):
        pytest.skip("the detector has no transform")
    if _takes_arrays(fitted):
        pytest.skip("its first kernel is not a dense layer's; its own test file tests overflow")
    X_huge = X.copy()
    # The first kernel (a variational autoencoder standardizes rows first).
    kernel = next(w for w in fitted.encoder_.weights if len(w.shape) == 2)
    X_huge[[4, 9]] = _overflowing_row(kernel.numpy())
    with pytest.raises(ValueError, match=r"transform gave non-finite values for 2 of 40 rows \(rows 4, 9\)"):
        fitted.transform(X_huge)
    kernel = fitted.decoder_.weights[0].numpy()  # codes x hidden; tied ones are stored transposed
    kernel = kernel if kernel.shape[0] == fitted.n_components_ else kernel.T
    codes = fitted.transform(X[:3])
    codes[1] = _overflowing_row(kernel)
    with pytest.raises(ValueError, match=r"inverse_transform gave non-finite values for 1 of 3 rows \(rows 1\)"):
        fitted.inverse_transform(codes)


def test_reordered_and_renamed_dataframe_columns(fitted, X):
    columns = [f"x{i}" for i in range(X.shape[1])]
    frame = pd.DataFrame(X, columns=columns)
    estimator = clone(fitted).fit(frame)
    for name in _inference_calls(estimator):
        method = getattr(estimator, name)
        with pytest.raises(ValueError, match="Feature names must be in the same order"):
            method(frame[columns[::-1]])
        with pytest.raises(ValueError, match="Feature names unseen at fit time"):
            method(frame.rename(columns={"x0": "renamed"}))


def test_polars_output(fitted, X):
    if not hasattr(fitted, "set_output"):
        pytest.skip("the detector has no transform")
    pytest.importorskip("polars")
    out = clone(fitted).set_output(transform="polars").fit(X).transform(X)
    prefix = type(fitted).__name__.lower()
    assert out.columns == [f"{prefix}0", f"{prefix}1"]
    assert out.shape == (len(X), 2)
