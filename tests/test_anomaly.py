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
    assert [m.hidden_layer_sizes for m in detector.estimators_] == [(32,), (64,), (128,)]
    assert detector.n_components_ == 3  # ceil(sqrt(6))


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
