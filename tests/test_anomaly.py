"""AutoencoderAnomalyDetector behaves like IsolationForest and ranks planted outliers first."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score

from skae import AutoencoderAnomalyDetector

FAST = dict(n_estimators=3, max_iter=20, random_state=0)


@pytest.fixture(scope="module")
def contaminated():
    """285 inliers near a 2-D plane in 6-D, plus a planted cluster of 15 outliers."""
    rng = np.random.RandomState(0)
    inliers = rng.normal(size=(285, 2)) @ rng.normal(size=(2, 6)) + 0.1 * rng.normal(size=(285, 6))
    outliers = rng.normal(loc=3.0, scale=0.3, size=(15, 6))
    X = np.vstack([inliers, outliers])
    y = np.r_[np.zeros(285), np.ones(15)]
    order = rng.permutation(len(X))
    return X[order], y[order]


@pytest.fixture(scope="module")
def fitted(contaminated):
    return AutoencoderAnomalyDetector(**FAST).fit(contaminated[0])


def test_planted_outliers_rank_above_inliers(fitted, contaminated):
    X, y = contaminated
    assert roc_auc_score(y, -fitted.score_samples(X)) > 0.97


def test_isolation_forest_api(fitted, contaminated):
    X, _ = contaminated
    scores = fitted.score_samples(X)
    assert_allclose(fitted.decision_function(X), scores - fitted.offset_)
    labels = fitted.predict(X)
    assert labels.dtype.kind == "i" and set(np.unique(labels)) == {-1, 1}
    assert_array_equal(labels, np.where(fitted.decision_function(X) < 0, -1, 1))
    forest = IsolationForest(random_state=0).fit(X)
    assert forest.predict(X).dtype.kind == labels.dtype.kind


def test_auto_contamination_flags_the_planted_cluster(fitted, contaminated):
    X, y = contaminated
    flagged = fitted.predict(X) == -1
    assert flagged[y == 1].mean() > 0.9  # nearly every planted outlier
    assert flagged[y == 0].mean() < 0.1  # and few inliers


def test_auto_fence_of_many_rows_comes_from_a_sample_of_them():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(15_000, 3))
    detector = AutoencoderAnomalyDetector(n_estimators=2, max_iter=2, random_state=0).fit(X)
    q1, q3 = np.percentile(-detector.score_samples(X), [25, 75])
    fence = q3 + 1.5 * (q3 - q1)
    assert -detector.offset_ != fence  # 10,000 of the 15,000 rows set it
    assert abs(-detector.offset_ - fence) < 0.1 * (q3 - q1)


@pytest.mark.parametrize("contamination", [0.1, 0.05])
def test_float_contamination_flags_exactly_that_share_of_training_rows(contaminated, contamination):
    X, _ = contaminated
    detector = AutoencoderAnomalyDetector(contamination=contamination, **FAST)
    labels = detector.fit_predict(X)
    assert (labels == -1).sum() == round(contamination * len(X))


def test_scaling_one_column_by_1e4_keeps_the_ranking(contaminated):
    X, y = contaminated
    X_scaled = X.copy()
    X_scaled[:, 2] *= 1e4
    auc = roc_auc_score(y, -AutoencoderAnomalyDetector(**FAST).fit(X_scaled).score_samples(X_scaled))
    assert auc > 0.97


def test_rows_in_a_gap_of_the_structure_rank_first():
    # Inliers fill a line in 6-D except a gap at its middle; three rows in
    # the gap are on the line (reconstructed well) and at the centre of all
    # codes, but far from the code of any training row: only the distance to
    # the nearest codes, not to their centre, finds them.
    rng = np.random.RandomState(0)
    direction = rng.normal(size=6)
    t = np.r_[rng.uniform(-4, -1.5, 200), rng.uniform(1.5, 4, 200), [0.0, 0.05, -0.05]]
    X = np.outer(t, direction) + 0.05 * rng.normal(size=(len(t), 6))
    outlyingness = -AutoencoderAnomalyDetector(**FAST).fit(X).score_samples(X)
    assert set(np.argsort(-outlyingness)[:3]) == {400, 401, 402}


def test_a_small_tight_cluster_is_not_its_own_neighbourhood():
    # Ten anomalies packed together along the data's main direction are
    # reconstructed well, and each one's few nearest codes are cluster mates:
    # the code distance must reach past the cluster to flag it.
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(size=(190, 4)), rng.normal(4, 0.5, size=(10, 4))])
    y = np.r_[np.zeros(190), np.ones(10)]
    outlyingness = -AutoencoderAnomalyDetector(**FAST).fit(X).score_samples(X)
    assert roc_auc_score(y, outlyingness) > 0.99


def _with_mostly_zero_column(X, seed=0):
    """X and a column that is zero in 80% of the rows, like a count or a ReLU feature."""
    rng = np.random.RandomState(seed)
    spike = np.where(rng.rand(len(X)) < 0.8, 0.0, rng.exponential(size=len(X)))
    return np.c_[X, spike]


def test_a_mostly_constant_columns_units_do_not_change_the_scores(contaminated):
    # Its quartiles coincide, so an interquartile range cannot scale it; a
    # factor of 1024 is exact in floating point, so the scores must be too.
    X = _with_mostly_zero_column(contaminated[0])
    X_units = X.copy()
    X_units[:, -1] *= 1024.0
    scores = AutoencoderAnomalyDetector(**FAST).fit(X).score_samples(X)
    assert_allclose(AutoencoderAnomalyDetector(**FAST).fit(X_units).score_samples(X_units),
                    scores, rtol=1e-9)


def test_a_column_with_most_values_equal_is_scaled_by_its_median_departure(contaminated):
    X = _with_mostly_zero_column(contaminated[0])
    binary = (np.arange(len(X)) % 10 == 0) * 5.0  # 0 or 5: the gap is its scale
    X = np.c_[X, binary, np.full(len(X), 3.0)]
    scale = AutoencoderAnomalyDetector(**FAST).fit(X).scaler_.scale_
    spike = X[:, -3]
    assert scale[-3] == np.median(spike[spike != 0])
    assert scale[-2] == 5.0
    assert scale[-1] == 1.0  # a constant column has no spread: left as RobustScaler leaves it
    q1, q3 = np.percentile(X[:, :6], [25, 75], axis=0)
    assert_allclose(scale[:6], q3 - q1)


def test_feature_errors_point_at_the_corrupted_column(fitted, contaminated):
    X, y = contaminated
    row = X[y == 0][:1].copy()
    row[0, 4] += 8.0
    errors = fitted.feature_errors(row)
    assert errors.shape == (1, 6)
    assert np.argmax(errors[0]) == 4


def test_pickle_keeps_offset_and_scores(fitted, contaminated):
    X, _ = contaminated
    restored = pickle.loads(pickle.dumps(fitted))
    assert restored.offset_ == fitted.offset_
    assert_array_equal(restored.score_samples(X), fitted.score_samples(X))
    assert_array_equal(restored.predict(X), fitted.predict(X))


def test_members_train_on_their_own_subsamples(contaminated):
    X, _ = contaminated
    detector = AutoencoderAnomalyDetector(max_samples=100, **FAST).fit(X)
    samples = detector.estimators_samples_
    assert [len(s) for s in samples] == [100] * 3
    assert not np.array_equal(samples[0], samples[1])
    assert [list(m.samples_) for m in detector.estimators_] == [list(s) for s in samples]
    assert detector.n_components_ == 3  # ceil(sqrt(6))
    # Each member's own weights: (6 -> 64 -> 3 -> 64 -> 6).
    shapes = [w.shape for w, _ in detector.estimators_[0].weights]
    assert shapes == [(6, 64), (64, 3), (3, 64), (64, 6)]
    assert not np.array_equal(detector.estimators_[0].weights[0][0], detector.estimators_[1].weights[0][0])


def test_members_of_wide_rows_see_shares_of_the_columns_that_cover_them_all():
    # 200 columns near a 3-D subspace; row 0 is extreme in column 7 alone.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(150, 3)) @ rng.normal(size=(3, 200)) + 0.1 * rng.normal(size=(150, 200))
    X[0, 7] += 25.0
    detector = AutoencoderAnomalyDetector(n_estimators=4, max_iter=20, random_state=0).fit(X)
    features = detector.estimators_features_
    # "auto": 200 / 4 members is below 64, so each member sees 64 columns.
    assert [len(f) for f in features] == [64] * 4
    assert all(np.array_equal(f, np.unique(f)) for f in features)
    assert_array_equal(np.unique(np.concatenate(features)), np.arange(200))
    assert [list(m.features_) for m in detector.estimators_] == [list(f) for f in features]
    assert detector.n_components_ == 8  # ceil(sqrt(64))
    assert detector.estimators_[0].weights[0][0].shape == (64, 64)
    assert np.argmin(detector.score_samples(X)) == 0
    assert np.argmax(detector.feature_errors(X[:1])[0]) == 7


def test_auto_max_features_shares_wide_rows_among_the_members():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 1000))
    detector = AutoencoderAnomalyDetector(n_estimators=4, max_iter=1, random_state=0).fit(X)
    # 1000 / 4 = 250 columns each: the members split the columns between them.
    features = np.concatenate(detector.estimators_features_)
    assert len(features) == 1000
    assert_array_equal(np.sort(features), np.arange(1000))
    narrow = AutoencoderAnomalyDetector(n_estimators=4, max_iter=1, random_state=0).fit(X[:, :64])
    assert all(m.features_ is None for m in narrow.estimators_)


def test_columns_no_member_sees_have_no_feature_error(contaminated):
    X, _ = contaminated
    detector = AutoencoderAnomalyDetector(max_features=1, **FAST).fit(X)
    seen = np.unique(np.concatenate(detector.estimators_features_))
    assert len(seen) == 3
    errors = detector.feature_errors(X)
    assert np.isnan(errors[:, np.setdiff1d(np.arange(6), seen)]).all()
    assert np.isfinite(errors[:, seen]).all()
    assert np.isfinite(detector.score_samples(X)).all()


def test_same_seed_same_scores(contaminated):
    X, _ = contaminated
    first = AutoencoderAnomalyDetector(**FAST).fit(X).score_samples(X)
    second = AutoencoderAnomalyDetector(**FAST).fit(X).score_samples(X)
    assert_array_equal(first, second)


def test_bad_input_leaves_nothing_fitted(contaminated):
    X, _ = contaminated
    detector = AutoencoderAnomalyDetector(**FAST)
    with pytest.raises(ValueError, match="Input X contains NaN"):
        detector.fit(np.where(np.eye(*X.shape, dtype=bool), np.nan, X))
    assert not [k for k in vars(detector) if k.endswith("_")]
    with pytest.raises(ValueError, match="'contamination' parameter"):
        AutoencoderAnomalyDetector(contamination=0.7).fit(X)


def _clustered_anomalies():
    """400 inliers near a 3-D subspace of 8-D, 40 anomalies in one cluster off it."""
    rng = np.random.RandomState(1)
    inliers = rng.normal(size=(400, 3)) @ rng.normal(size=(3, 8)) + 0.2 * rng.normal(size=(400, 8))
    outliers = 2.0 * rng.normal(size=8) + 0.3 * rng.normal(size=(40, 8))
    return np.vstack([inliers, outliers]), np.r_[np.zeros(400), np.ones(40)]


def test_truncation_keeps_a_planted_cluster_out_of_the_fit():
    # A cluster of 40 rows (9% of the data) is enough for networks trained on
    # every row to learn it; leaving each batch's worst-reconstructed rows out
    # keeps it unlearned, so its rows score below the inliers.
    X, y = _clustered_anomalies()
    truncated = AutoencoderAnomalyDetector(random_state=0).fit(X)
    every_row = AutoencoderAnomalyDetector(truncation=0.0, random_state=0).fit(X)
    scores = truncated.score_samples(X)
    assert scores[y == 1].max() < np.median(scores[y == 0])
    assert roc_auc_score(y, -scores) > 0.99
    # Without truncation the members learn part of the cluster.
    assert roc_auc_score(y, -every_row.score_samples(X)) < 0.95


def test_truncation_schedule_warms_up_then_ramps():
    from skae._anomaly import truncation_schedule

    schedule = truncation_schedule(30, 0.2)
    assert_array_equal(schedule[:5], 0.0)  # the first sixth of the epochs
    assert_allclose(schedule[5:], np.minimum(1.0, np.arange(1, 26) / 12) * 0.2)
    assert_array_equal(truncation_schedule(30, 0.0), 0.0)


def test_members_trained_at_once_equal_members_trained_apart():
    # One network with a members axis: each member's updates are those it gets
    # alone on the same batches (its own loss, Adam per parameter).
    from skae import _keras

    training = _keras.training
    rng = np.random.RandomState(0)
    n_rows, n_members, sizes = 50, 3, [5, 4, 2, 4, 5]
    X = rng.normal(size=(n_rows, n_members, 5)).astype(np.float32)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        params += [rng.uniform(-0.5, 0.5, (n_members, fan_in, fan_out)).astype(np.float32),
                   rng.uniform(-0.1, 0.1, (n_members, fan_out)).astype(np.float32)]
    activations = ["relu", "linear", "relu", "linear"]
    settings = dict(batch_size=16, learning_rate=1e-2, truncation=[0.0, 0.25, 0.25], seed=3)
    together, curve, interrupted = training.train_members(X, params, activations, **settings)
    assert not interrupted
    assert curve.shape == (3, n_members)
    for m in range(n_members):
        alone, alone_curve, _ = training.train_members(
            X[:, m:m + 1], [p[m:m + 1] for p in params], activations, **settings)
        for joint, single in zip(together, alone):
            assert_allclose(joint[m:m + 1], single, rtol=1e-4, atol=1e-5)
        assert_allclose(curve[:, m:m + 1], alone_curve, rtol=1e-4)
    # And training moved every member.
    assert all(not np.allclose(t, p) for t, p in zip(together, params))


def test_training_in_calls_of_a_few_epochs_equals_training_in_one(monkeypatch):
    # Calls of MEMBER_EPOCHS_A_CALL epochs carry Adam's state and the epoch
    # count over, so where the calls split the epochs changes nothing.
    from skae import _keras

    training = _keras.training
    rng = np.random.RandomState(1)
    X = rng.normal(size=(30, 2, 4)).astype(np.float32)
    params = [rng.uniform(-0.5, 0.5, (2, 4, 2)).astype(np.float32), np.zeros((2, 2), np.float32),
              rng.uniform(-0.5, 0.5, (2, 2, 4)).astype(np.float32), np.zeros((2, 4), np.float32)]
    settings = dict(batch_size=8, learning_rate=1e-2, truncation=np.linspace(0, 0.2, 7), seed=5)
    results = []
    for per_call in (7, 3, 1):
        monkeypatch.setattr(training, "MEMBER_EPOCHS_A_CALL", per_call)
        results.append(training.train_members(X, params, ["relu", "linear"], **settings))
    for weights, curve, interrupted in results[1:]:
        assert not interrupted and curve.shape == (7, 2)
        assert_allclose(curve, results[0][1], rtol=1e-6)
        for got, expected in zip(weights, results[0][0]):
            assert_allclose(got, expected, rtol=1e-6, atol=1e-7)


def test_fit_costs_no_tracing_on_new_data():
    # One trace serves every data shape, so a detector fitted on a new data
    # set pays only for its steps.
    from skae import _keras

    training = _keras.training
    AutoencoderAnomalyDetector(n_estimators=2, max_iter=2, random_state=0).fit(np.eye(7))
    trainer = training._member_trainer(("relu", "linear", "relu", "linear"))
    traced = trainer.experimental_get_tracing_count()
    for n_features in (3, 11):
        AutoencoderAnomalyDetector(n_estimators=3, max_iter=2, random_state=0).fit(
            np.random.RandomState(0).normal(size=(30, n_features)))
    assert trainer.experimental_get_tracing_count() == traced

