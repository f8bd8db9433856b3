"""AutoencoderTransformer inside Pipeline and GridSearchCV, with and without labels."""

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skae import AutoencoderTransformer

FAST = dict(max_iter=8, random_state=0)


def test_grid_search_over_code_size_and_depth_in_a_classifier_pipeline(digits):
    X, y = digits
    X, y = X[:400], y[:400]
    pipe = Pipeline(
        [
            ("scale", StandardScaler()),
            ("ae", AutoencoderTransformer(**FAST)),
            ("clf", LogisticRegression(max_iter=500)),
        ]
    )
    grid = GridSearchCV(
        pipe,
        {"ae__n_components": [2, 16], "ae__hidden_layer_sizes": [(), (32,)]},
        cv=2,
        n_jobs=2,
    )
    grid.fit(X, y)
    scores = grid.cv_results_["mean_test_score"]
    assert len(scores) == 4 and np.all(np.isfinite(scores))
    # Two numbers cannot separate ten digits as well as sixteen can.
    best = grid.best_params_
    assert best["ae__n_components"] == 16
    assert grid.score(X, y) > 0.8


def test_grid_search_without_labels_uses_reconstruction_score(digits):
    X, _ = digits
    grid = GridSearchCV(AutoencoderTransformer(**FAST), {"n_components": [1, 12]}, cv=2)
    grid.fit(X[:400])
    assert grid.best_params_ == {"n_components": 12}
    assert grid.best_score_ < 0  # a negative reconstruction error


def test_clone_gives_unfitted_copy_with_same_params(blobs):
    ae = AutoencoderTransformer(3, hidden_layer_sizes=(5,), max_iter=2, random_state=0).fit(blobs)
    copy = clone(ae)
    assert copy.get_params() == ae.get_params()
    assert not hasattr(copy, "model_")


def test_pandas_output_is_named_like_pca(blobs):
    frame = pd.DataFrame(blobs, columns=[f"f{i}" for i in range(blobs.shape[1])])
    ae = AutoencoderTransformer(3, hidden_layer_sizes=(5,), max_iter=2, random_state=0)
    ae.set_output(transform="pandas")
    codes = ae.fit_transform(frame)
    assert isinstance(codes, pd.DataFrame)
    expected = ["autoencodertransformer0", "autoencodertransformer1", "autoencodertransformer2"]
    assert list(codes.columns) == expected
    assert list(ae.get_feature_names_out()) == expected
    assert list(ae.feature_names_in_) == list(frame.columns)
    assert codes.index.equals(frame.index)
    np.testing.assert_array_equal(codes.to_numpy(), ae.transform(frame).to_numpy())


def test_fitted_attributes(digits):
    X, _ = digits
    ae = AutoencoderTransformer(4, max_iter=5, random_state=0).fit(X)
    assert ae.n_components_ == 4 and ae.n_features_in_ == 64
    assert ae.n_iter_ == len(ae.loss_curve_) == len(ae.validation_scores_) == 5
    assert ae.loss_curve_[-1] < ae.loss_curve_[0]
    assert ae.best_validation_score_ == max(ae.validation_scores_)
    assert ae.encoder_.output_shape == (None, 4)
    assert ae.decoder_.output_shape == (None, 64)

    no_es = AutoencoderTransformer(4, max_iter=3, early_stopping=False, random_state=0).fit(X)
    assert no_es.validation_scores_ is None and no_es.best_validation_score_ is None


def test_early_stopping_stops_before_max_iter(blobs):
    ae = AutoencoderTransformer(
        3, hidden_layer_sizes=(8,), max_iter=500, n_iter_no_change=3, tol=1e-2,
        learning_rate=1e-2, random_state=0,
    ).fit(blobs)
    assert ae.n_iter_ < 500


def test_binary_crossentropy_on_unit_interval_data(digits):
    X = (digits[0] - digits[0].min()) / (digits[0].max() - digits[0].min())
    ae = AutoencoderTransformer(8, loss="binary_crossentropy", max_iter=3, random_state=0).fit(X)
    reconstruction = ae.inverse_transform(ae.transform(X))
    assert reconstruction.min() >= 0 and reconstruction.max() <= 1  # sigmoid output
    assert ae.model_.layers[-1].activation.__name__ == "sigmoid"
