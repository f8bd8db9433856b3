"""AutoencoderImputer: what it keeps, what it learns, and how it fails."""

import copy
import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

from skae import AutoencoderImputer, AutoencoderTransformer
from skae._impute import _MaskedAutoencoder

# Inference runs in float64: a row's imputation depends on the other rows of
# its call by float64 rounding at most.
SAME_NUMBERS = dict(rtol=1e-9, atol=1e-12)

# One network: what one learns; the ensembles (the default) have their own tests.
SMALL = dict(n_components=4, hidden_layer_sizes=(32,), max_iter=60, n_estimators=1,
             random_state=0)
# For tests of the API, not of what is learned.
QUICK = {**SMALL, "max_iter": 3}


def _low_rank(n_rows=300, n_features=10, rank=2, noise=0.05, missing=0.2, seed=0):
    """A rank-``rank`` matrix plus noise, and a copy with entries missing at random."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_rows, rank)) @ rng.normal(size=(rank, n_features))
    X += noise * rng.normal(size=X.shape)
    X_missing = X.copy()
    X_missing[rng.uniform(size=X.shape) < missing] = np.nan
    return X, X_missing


@pytest.fixture(scope="module")
def data():
    return _low_rank()


@pytest.fixture(scope="module")
def fitted(data):
    return AutoencoderImputer(**SMALL).fit(data[1])


def _rmse(X_filled, X, X_missing):
    holes = np.isnan(X_missing)
    return np.sqrt(np.mean((X_filled[holes] - X[holes]) ** 2))


# ------------------------------------------------------------ what it keeps


def test_observed_entries_are_kept_exactly_and_holes_filled(fitted, data):
    X, X_missing = data
    X_filled = fitted.transform(X_missing)
    observed = ~np.isnan(X_missing)
    assert_array_equal(X_filled[observed], X_missing[observed])
    assert np.isfinite(X_filled).all()
    assert X_filled.dtype == np.float64


def test_float32_input_stays_float32_with_observed_entries_kept(fitted, data):
    X32 = data[1].astype(np.float32)
    X_filled = fitted.transform(X32)
    assert X_filled.dtype == np.float32
    observed = ~np.isnan(X32)
    assert_array_equal(X_filled[observed], X32[observed])


def test_a_numeric_missing_values_marker(fitted, data):
    X, X_missing = data
    X_marked = np.where(np.isnan(X_missing), -999.0, X_missing)
    imputer = AutoencoderImputer(missing_values=-999, **SMALL).fit(X_marked)
    filled = imputer.transform(X_marked)
    assert not (filled == -999).any()
    # The same entries are missing as with NaN, so the same imputer results.
    assert_allclose(filled, fitted.transform(X_missing), **SAME_NUMBERS)
    with pytest.raises(ValueError, match="Input X contains NaN"):
        imputer.transform(X_missing)


# ----------------------------------------------------------- what it learns


def test_masked_training_recovers_a_low_rank_matrix(fitted, data):
    X, X_missing = data
    ae = _rmse(fitted.transform(X_missing), X, X_missing)
    mean = _rmse(SimpleImputer().fit_transform(X_missing), X, X_missing)
    # Measured with random_state 0, 1, 2: 0.23, 0.24, 0.21 against 1.39.
    assert ae < 0.3 * mean


def test_zero_filling_without_the_mask_is_worse_than_the_masked_loss(fitted, data):
    # The seeds' recommender: missing entries taken for zeros and trained on.
    X, X_missing = data
    zero_filled = np.nan_to_num(X_missing)
    network = {k: v for k, v in SMALL.items() if k != "n_estimators"}
    ae = AutoencoderTransformer(**network).fit(zero_filled)
    naive = ae.inverse_transform(ae.transform(zero_filled))
    holes = np.isnan(X_missing)
    naive_rmse = np.sqrt(np.mean((naive[holes] - X[holes]) ** 2))
    masked_rmse = _rmse(fitted.transform(X_missing), X, X_missing)
    # Measured with random_state 0, 1, 2: 0.23, 0.24, 0.21 against 1.11, 1.09, 1.09.
    assert masked_rmse < 0.5 * naive_rmse


def test_validation_scores_are_the_held_out_entries_mean_squared_error(data):
    X, X_missing = data
    imputer = AutoencoderImputer(**{**SMALL, "tol": 0.0}).fit(X_missing)
    # residual_std_ is measured on the same held-out entries with the
    # restored best weights, in float64 and in X's units.
    standardized = imputer.residual_std_ / imputer.scale_
    assert np.isfinite(standardized).all()
    # Per held-out entry (the loss divides by the row's width instead):
    # entries are held out evenly, so the features' mean comes close.
    assert -imputer.best_validation_score_ == pytest.approx(np.mean(standardized**2), rel=0.1)
    # And it estimates the error on the entries truly missing, which are
    # missing at random alike; a little pessimistic, as transform also sees
    # the held-out entries (measured: 0.048 against 0.034).
    holes = np.isnan(X_missing)
    error = (imputer.transform(X_missing) - X) / imputer.scale_
    assert 0.5 < -imputer.best_validation_score_ / np.mean(error[holes] ** 2) < 2
    assert len(imputer.validation_scores_) == imputer.n_iter_


def test_auto_keeps_the_network_that_predicts_the_held_out_entries_best(data):
    X_missing = data[1]
    auto = AutoencoderImputer(max_iter=20, n_estimators=1, random_state=0).fit(X_missing)
    scores = auto.architecture_scores_
    assert [(s["hidden_layer_sizes"], s["n_components"]) for s in scores] == [
        ((256,), 64), ((), X_missing.shape[1])]  # a linear network's code: every feature
    best = max(scores, key=lambda s: s["validation_score"])
    assert auto.hidden_layer_sizes_ == best["hidden_layer_sizes"]
    assert auto.n_components_ == best["n_components"]
    assert auto.best_validation_score_ == best["validation_score"]
    # Each candidate is the fit its explicit twin makes with the same
    # random_state, and the one kept imputes as its twin does.
    for score in scores:
        twin = AutoencoderImputer(
            max_iter=20, n_estimators=1, random_state=0,
            hidden_layer_sizes=score["hidden_layer_sizes"],
            n_components=score["n_components"],
        ).fit(X_missing)
        assert twin.best_validation_score_ == score["validation_score"]
        if score is best:
            assert_array_equal(twin.transform(X_missing), auto.transform(X_missing))
            assert_array_equal(twin.residual_std_, auto.residual_std_)


@pytest.mark.parametrize("random_state", [None, "instance"])
def test_auto_compares_the_networks_on_the_same_held_out_entries(data, monkeypatch,
                                                                  random_state):
    held_out = []
    split = _MaskedAutoencoder._split_validation

    def recording(self, X, rng):
        X_train, target = split(self, X, rng)
        held_out.append(target)
        return X_train, target

    monkeypatch.setattr(_MaskedAutoencoder, "_split_validation", recording)
    state = np.random.RandomState(0) if random_state == "instance" else None
    AutoencoderImputer(max_iter=2, n_estimators=1, random_state=state).fit(data[1])
    assert len(held_out) == 2
    assert_array_equal(held_out[0], held_out[1])


def test_auto_without_early_stopping_fits_the_hidden_layer_alone(data):
    imputer = AutoencoderImputer(max_iter=2, early_stopping=False, n_components=3,
                                 n_estimators=1, random_state=0).fit(data[1])
    assert imputer.hidden_layer_sizes_ == (256,)
    assert imputer.n_components_ == 3
    assert imputer.architecture_scores_ == [
        {"hidden_layer_sizes": (256,), "n_components": 3, "mask_fraction": 0.25,
         "learning_rate": 3e-3, "validation_score": None}]


def test_auto_mask_fraction_hides_fewer_entries_from_a_linear_network(data, monkeypatch):
    X_missing = data[1]
    hidden = []
    build = _MaskedAutoencoder._build_networks

    def recording(self, X, seed):
        networks = build(self, X, seed)
        hidden.append([layer.rate for layer in networks.model.layers if hasattr(layer, "rate")])
        return networks

    monkeypatch.setattr(_MaskedAutoencoder, "_build_networks", recording)
    auto = AutoencoderImputer(max_iter=2, n_estimators=2, random_state=0).fit(X_missing)
    scores = auto.architecture_scores_
    assert [(s["hidden_layer_sizes"], s["mask_fraction"]) for s in scores] == [
        ((256,), 0.25), ((), 0.15)]
    assert auto.mask_fraction_ == dict(
        (s["hidden_layer_sizes"], s["mask_fraction"]) for s in scores)[auto.hidden_layer_sizes_]
    # Each network is built with its own rate; the ensemble's with the kept one's.
    assert hidden == [[0.25], [0.15], [auto.mask_fraction_]]
    assert auto._networks[1].mask_fraction == auto.mask_fraction_
    # A number is used as given, whatever the network.
    hidden.clear()
    fixed = AutoencoderImputer(max_iter=2, n_estimators=1, mask_fraction=0.4,
                               random_state=0).fit(X_missing)
    assert [s["mask_fraction"] for s in fixed.architecture_scores_] == [0.4, 0.4]
    assert hidden == [[0.4], [0.4]]


def test_auto_learning_rate_is_lower_for_a_linear_network(data, monkeypatch):
    from skae._keras import training as _training

    X_missing = data[1]
    rates = []
    train = _training.train

    def recording(*args, compile_args, **kwargs):
        rates.append(compile_args["learning_rate"])
        return train(*args, compile_args=compile_args, **kwargs)

    monkeypatch.setattr(_training, "train", recording)
    auto = AutoencoderImputer(max_iter=2, n_estimators=2, random_state=0).fit(X_missing)
    scores = auto.architecture_scores_
    assert [(s["hidden_layer_sizes"], s["learning_rate"]) for s in scores] == [
        ((256,), 3e-3), ((), 1e-3)]
    assert auto.learning_rate_ == dict(
        (s["hidden_layer_sizes"], s["learning_rate"]) for s in scores)[auto.hidden_layer_sizes_]
    # Each network trains at its own rate; the ensemble's at the kept one's.
    assert rates == [3e-3, 1e-3, auto.learning_rate_]
    assert auto._networks[1].learning_rate == auto.learning_rate_
    # A number is used as given, whatever the network.
    rates.clear()
    fixed = AutoencoderImputer(max_iter=2, n_estimators=1, learning_rate=0.02,
                               random_state=0).fit(X_missing)
    assert [s["learning_rate"] for s in fixed.architecture_scores_] == [0.02, 0.02]
    assert rates == [0.02, 0.02] and fixed.learning_rate_ == 0.02


@pytest.mark.parametrize("sizes", [("a",), (1.5,), (0,), [[4]]])
def test_bad_hidden_layer_sizes_are_a_clear_error(data, sizes):
    imputer = AutoencoderImputer(hidden_layer_sizes=sizes, max_iter=1)
    with pytest.raises(ValueError, match="hidden_layer_sizes must be a sequence of positive"):
        imputer.fit(data[1])
    assert not hasattr(imputer, "n_features_in_")


def test_auto_code_width_of_an_explicit_network(data):
    X_missing = data[1]
    auto_code = {**QUICK, "n_components": "auto"}
    linear = AutoencoderImputer(**{**auto_code, "hidden_layer_sizes": ()})
    assert linear.fit(X_missing).n_components_ == X_missing.shape[1]
    deep = AutoencoderImputer(**{**auto_code, "hidden_layer_sizes": (8,)})
    assert deep.fit(X_missing).n_components_ == 64
    assert deep.hidden_layer_sizes_ == (8,)


# ------------------------------------------------------------- ensembles


def _network_alone(imputer, k):
    """A copy of a fitted imputer that imputes with its ``k``-th network alone."""
    alone = copy.copy(imputer)
    alone._networks = [imputer._networks[k]]
    return alone


@pytest.fixture(scope="module")
def ensemble(data):
    return AutoencoderImputer(**{**SMALL, "n_estimators": 3}).fit(data[1])


def test_an_ensemble_averages_networks_of_the_first_ones_architecture(ensemble, fitted, data):
    X_missing = data[1]
    assert len(ensemble._networks) == 3 and len(fitted._networks) == 1
    for network in ensemble._networks[1:]:
        assert network.hidden_layer_sizes == fitted.hidden_layer_sizes_
        assert network.n_components_ == fitted.n_components_
    # The first network is the one-network fit of the same random_state,
    # and so are its held-out error and residuals; the others have their
    # own seeds.
    assert ensemble.best_validation_score_ == fitted.best_validation_score_
    assert_array_equal(ensemble.residual_std_, fitted.residual_std_)
    fills = [fitted.transform(X_missing)] + [_network_alone(ensemble, k).transform(X_missing)
                                             for k in (1, 2)]
    holes = np.isnan(X_missing)
    assert not np.allclose(fills[1][holes], fills[2][holes])
    assert_allclose(ensemble.transform(X_missing), np.mean(fills, axis=0), **SAME_NUMBERS)


def test_an_ensemble_imputes_better_than_one_network(ensemble, fitted, data):
    X, X_missing = data
    # RMSE ratio of three networks to the first alone, measured on this
    # table's recipe with seeds 0, 1, 2: 0.935, 0.825, 0.900 (and 0.908,
    # 0.911, 0.942 on 100 rows of 20 features).
    assert _rmse(ensemble.transform(X_missing), X, X_missing) < _rmse(
        fitted.transform(X_missing), X, X_missing)


def test_the_default_averages_three_networks_of_the_kind_auto_kept(data):
    imputer = AutoencoderImputer(max_iter=2, random_state=0).fit(data[1])
    assert len(imputer.architecture_scores_) == 2 and len(imputer._networks) == 3
    for network in imputer._networks[1:]:
        assert network.hidden_layer_sizes == imputer.hidden_layer_sizes_
        assert network.n_components_ == imputer.n_components_


def test_an_ensemble_round_trips_through_pickle(ensemble, data):
    restored = pickle.loads(pickle.dumps(ensemble))
    assert len(restored._networks) == 3
    assert_array_equal(restored.transform(data[1]), ensemble.transform(data[1]))


def test_an_ensembles_draws_are_around_one_network_per_row(ensemble, fitted, data):
    X_missing = data[1][:60]
    drawing = pickle.loads(pickle.dumps(ensemble)).set_params(sample_posterior=True)
    # Each network's imputations; the first network's are the one-network fit's.
    alone = np.stack([fitted.transform(X_missing)]
                     + [_network_alone(ensemble, k).transform(X_missing) for k in (1, 2)])
    for network in drawing._networks:  # no noise: a draw is a prediction
        network.residual_ = np.zeros_like(network.residual_)
    rows = np.flatnonzero(np.isnan(X_missing).any(axis=1))
    chosen = []
    for _ in range(5):
        draw = drawing.transform(X_missing)
        for row in rows:
            same = [k for k in range(3) if np.allclose(draw[row], alone[k, row], **SAME_NUMBERS)]
            assert same, f"row {row} is no network's prediction"
            chosen.append(same[0])
    assert set(chosen) == {0, 1, 2}


def test_sample_posterior_draws_cover_the_truth_at_their_nominal_rate(data):
    X, X_missing = data
    imputer = AutoencoderImputer(sample_posterior=True, **SMALL).fit(X_missing)
    holes = np.isnan(X_missing)
    draws = np.stack([imputer.transform(X_missing) for _ in range(200)])
    observed = ~holes
    assert (draws[:, observed] == X_missing[observed]).all()
    assert not np.allclose(draws[0][holes], draws[1][holes])  # each call draws anew
    low, high = np.quantile(draws, [0.05, 0.95], axis=0)
    covered = np.mean((low[holes] <= X[holes]) & (X[holes] <= high[holes]))
    # 90% intervals; measured 0.86, 0.89, 0.93 with random_state 0, 1, 2.
    assert 0.8 <= covered <= 0.97


# ----------------------------------------------------- scikit-learn's API


def test_add_indicator_and_feature_names(data):
    X_missing = data[1].copy()
    X_missing[:, 3] = 1.0  # a feature with nothing missing
    frame = pd.DataFrame(X_missing, columns=[f"f{i}" for i in range(10)])
    imputer = AutoencoderImputer(add_indicator=True, **QUICK).fit(frame)
    out = imputer.transform(frame)
    assert out.shape == (len(frame), 19)
    assert_array_equal(out[:, 10:], np.isnan(np.delete(X_missing, 3, axis=1)))
    names = imputer.get_feature_names_out()
    assert list(names[:10]) == list(frame.columns)
    assert list(names[10:]) == [f"missingindicator_f{i}" for i in range(10) if i != 3]


def test_set_output_pandas_names_the_columns(data):
    frame = pd.DataFrame(data[1], columns=[f"f{i}" for i in range(10)])
    out = AutoencoderImputer(**QUICK).set_output(transform="pandas").fit(frame).transform(frame)
    assert list(out.columns) == list(frame.columns)
    assert not out.isna().any().any()


@pytest.mark.parametrize("keep", [False, True])
def test_a_feature_missing_everywhere_at_fit(data, keep):
    X_missing = data[1].copy()
    X_missing[:, 2] = np.nan
    imputer = AutoencoderImputer(keep_empty_features=keep, **QUICK).fit(X_missing)
    out = imputer.transform(X_missing)
    assert np.isnan(imputer.mean_[2]) and np.isnan(imputer.residual_std_[2])
    if keep:
        assert out.shape == X_missing.shape
        assert_array_equal(out[:, 2], 0.0)
        assert list(imputer.get_feature_names_out())[2] == "x2"
    else:
        assert out.shape == (len(X_missing), 9)
        assert "x2" not in imputer.get_feature_names_out()
    assert np.isfinite(out).all()


def test_a_row_missing_everywhere_gets_finite_values(fitted, data):
    X_missing = data[1].copy()
    X_missing[5] = np.nan
    out = fitted.transform(X_missing)
    assert np.isfinite(out[5]).all()


def test_every_value_missing_is_a_clear_error():
    imputer = AutoencoderImputer(**SMALL)
    with pytest.raises(ValueError, match="every value of X is missing"):
        imputer.fit(np.full((20, 3), np.nan))
    assert not hasattr(imputer, "mean_")


@pytest.mark.parametrize("marker", ["abc", None, [1]])
def test_bad_missing_values(data, marker):
    with pytest.raises(InvalidParameterError, match="missing_values"):
        AutoencoderImputer(missing_values=marker, **SMALL).fit(data[1])


def test_validation_fraction_that_leaves_no_entry_to_validate():
    X = np.arange(6, dtype=float).reshape(3, 2)
    X[0, 0] = np.nan
    imputer = AutoencoderImputer(validation_fraction=1e-6, **SMALL)
    with pytest.raises(ValueError, match="leaves no observed entries to validate on"):
        imputer.fit(X)
    assert not hasattr(imputer, "mean_")


def test_works_in_a_pipeline_before_a_classifier():
    from sklearn.datasets import load_breast_cancer
    from sklearn.preprocessing import StandardScaler

    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    X[np.random.RandomState(0).uniform(size=X.shape) < 0.2] = np.nan
    pipe = make_pipeline(AutoencoderImputer(**SMALL), LogisticRegression())
    assert pipe.fit(X, y).score(X, y) > 0.9


# ------------------------------------- random state, rows, hostile input


def test_random_state_makes_fits_identical_and_global_seeds_change_nothing(
    fitted, data, restore_global_seeds
):
    import keras
    import tensorflow as tf

    X_missing = data[1]
    reference = fitted.transform(X_missing)
    tf.random.set_seed(1)
    keras.utils.set_random_seed(123)
    assert_array_equal(AutoencoderImputer(**SMALL).fit_transform(X_missing), reference)
    other = AutoencoderImputer(**{**SMALL, "random_state": 1}).fit_transform(X_missing)
    assert not np.array_equal(other, reference)


def test_a_row_is_imputed_alike_alone_and_in_a_batch(fitted, data):
    X_missing = data[1]
    batch = fitted.transform(X_missing)
    for row in np.flatnonzero(np.isnan(X_missing).any(axis=1))[:5]:
        assert_allclose(fitted.transform(X_missing[row : row + 1])[0], batch[row], **SAME_NUMBERS)


def test_pickle_round_trip_imputes_alike(fitted, data):
    restored = pickle.loads(pickle.dumps(fitted))
    assert_array_equal(restored.transform(data[1]), fitted.transform(data[1]))


@pytest.mark.parametrize("value", [1e39, 3e38, -3e38])
def test_values_beyond_float32_are_standardized_first(data, value):
    # Features are standardized in float64 before the network sees them.
    X_missing = data[1].copy()
    X_missing[0, 0] = value
    imputer = clone(AutoencoderImputer(**QUICK)).fit(X_missing)
    out = imputer.transform(X_missing)
    assert np.isfinite(out).all()
    assert out[0, 0] == value


def test_values_too_large_to_standardize_are_a_clear_error(data):
    X_missing = data[1].copy()
    X_missing[:2, 0] = [1e308, -1e308]
    imputer = AutoencoderImputer(**SMALL)
    with pytest.raises(ValueError, match="too large in magnitude to standardize"):
        imputer.fit(X_missing)
    assert not hasattr(imputer, "mean_")


def test_a_constant_feature_does_not_blow_up_the_others(data):
    # Its standard deviation is float64 rounding of its mean, not 0: scaling
    # by it would turn any other value at transform into a huge input.
    X_missing = data[1].copy()
    X_missing[:, 0] = 0.1
    assert np.std(X_missing[:, 0]) > 0
    imputer = AutoencoderImputer(**SMALL).fit(X_missing)
    assert imputer.scale_[0] == 1.0
    rows = X_missing[:3].copy()
    rows[:, 0] = 5.0
    out = imputer.transform(rows)
    # Imputations stay within each feature's range at fit, whatever the input.
    holes = np.isnan(rows)
    low, high = np.broadcast_to(imputer.data_min_, rows.shape), np.broadcast_to(imputer.data_max_, rows.shape)
    assert np.all((low[holes] <= out[holes]) & (out[holes] <= high[holes]))
    assert_array_equal(imputer.data_min_, np.nanmin(X_missing, axis=0))


def test_imputations_stay_within_the_range_seen_at_fit(fitted, data):
    X_missing = data[1].copy()
    X_missing[:, 0] *= 1e6  # far beyond anything the network was trained on
    out = fitted.transform(X_missing)
    holes = np.isnan(X_missing)
    for j in range(X_missing.shape[1]):
        column = out[holes[:, j], j]
        assert np.all((fitted.data_min_[j] <= column) & (column <= fitted.data_max_[j]))


# ---------------------------------------------- sparse input (ratings)


def _as_unstored(X_missing):
    """The observed entries of X_missing as a CSR matrix; unstored = missing."""
    observed = ~np.isnan(X_missing)
    return sp.csr_matrix((X_missing[observed], np.nonzero(observed)), shape=X_missing.shape)


@pytest.mark.parametrize("n_estimators", [1, 2])
def test_sparse_and_dense_inputs_give_the_same_result(data, n_estimators):
    X_missing = data[1][:150]
    sparse = _as_unstored(X_missing)
    params = {**SMALL, "max_iter": 15, "n_estimators": n_estimators}
    dense_fit = AutoencoderImputer(**params).fit(X_missing)
    sparse_fit = AutoencoderImputer(missing_values="unstored", **params).fit(sparse)
    # The same observed values in the same order, so the same statistics,
    # held-out entries, batches and weights.
    assert_array_equal(sparse_fit.mean_, dense_fit.mean_)
    assert_array_equal(sparse_fit.residual_std_, dense_fit.residual_std_)
    assert_allclose(sparse_fit.transform(sparse), dense_fit.transform(X_missing), **SAME_NUMBERS)
    rows, cols = np.nonzero(np.isnan(X_missing))
    assert_allclose(sparse_fit.predict_entries(sparse, rows, cols),
                    dense_fit.transform(X_missing)[rows, cols], **SAME_NUMBERS)


def test_predict_entries_is_transform_at_those_entries(fitted, data):
    X_missing = data[1]
    rng = np.random.RandomState(0)
    rows, cols = rng.randint(0, X_missing.shape[0], 50), rng.randint(0, X_missing.shape[1], 50)
    assert_allclose(fitted.predict_entries(X_missing, rows, cols),
                    fitted.transform(X_missing)[rows, cols], **SAME_NUMBERS)
    with pytest.raises(ValueError, match=r"cols must be integers in \[0, 10\)"):
        fitted.predict_entries(X_missing, [0], [10])
    with pytest.raises(ValueError, match="1-D and of one length"):
        fitted.predict_entries(X_missing, [0, 1], [0])


def test_entries_of_users_and_items_never_seen_get_a_cold_start_answer(data):
    # Items as rows, users as columns: user 3 rated nothing at fit, item 5 is
    # asked about with no rating of its own.
    X_missing = data[1][:80].copy()
    X_missing[:, 3] = np.nan
    ratings = _as_unstored(X_missing)
    imputer = AutoencoderImputer(missing_values="unstored", **QUICK).fit(ratings)
    asked = X_missing.copy()
    asked[5] = np.nan
    values = imputer.predict_entries(_as_unstored(asked), [0, 5, 1], [3, 3, 0])
    # A user never seen: the item's mean rating, or for an item with none, the
    # mean of the users' means at fit.
    assert values[0] == pytest.approx(np.nanmean(asked[0]))
    assert values[1] == pytest.approx(np.nanmean(imputer.mean_))
    # A user seen at fit gets the network's prediction, as transform gives it.
    assert values[2] == pytest.approx(imputer.transform(_as_unstored(asked))[1, 0])


def test_stored_nan_and_explicit_zeros_in_sparse_input(data):
    X_missing = data[1][:100]
    sparse = _as_unstored(X_missing)
    # A stored zero is an observed zero; a stored NaN is missing.
    with_nan = sparse.tolil()
    with_nan[0, 0] = np.nan
    with_nan = with_nan.tocsr()
    params = QUICK
    imputer = AutoencoderImputer(missing_values="unstored", **params).fit(with_nan)
    out = imputer.transform(with_nan)
    assert np.isfinite(out[0, 0])
    zeroed = sparse.copy()
    zeroed.data[:5] = 0.0
    out = imputer.transform(zeroed)
    first = zeroed.indptr[1]
    assert_array_equal(out[0, zeroed.indices[:min(5, first)]], 0.0)


def test_unstored_marker_errors(data):
    X_missing = data[1][:50]
    with pytest.raises(ValueError, match="missing_values='unstored' takes a SciPy sparse matrix"):
        AutoencoderImputer(missing_values="unstored").fit(X_missing)
    with pytest.raises(TypeError, match="Sparse data was passed"):
        AutoencoderImputer().fit(_as_unstored(X_missing))
    imputer = AutoencoderImputer(missing_values="unstored", add_indicator=True)
    with pytest.raises(ValueError, match="add_indicator=True is not supported"):
        imputer.fit(_as_unstored(X_missing))
    assert not hasattr(imputer, "mean_")
