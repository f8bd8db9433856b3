"""Every public skae estimator with tiny settings: add a new estimator here.

The common checks cover every estimator (:func:`tiny_estimators`); the tests
of hostile inputs, random state and row independence, built on complete rows,
cover every estimator but the imputers (:func:`tiny_autoencoders`).
Tiny networks and few epochs: these tests are about the API, not fit quality.
"""

from skae import (
    AutoencoderAnomalyDetector,
    AutoencoderImputer,
    AutoencoderTransformer,
    ConvAutoencoder,
    ConvVariationalAutoencoder,
    DenoisingAutoencoder,
    RecurrentAutoencoder,
    RecurrentVariationalAutoencoder,
    StackedAutoencoder,
    VariationalAutoencoder,
)

# One batch an epoch (batch_size is at most the rows): "auto" would give
# tiny data 32-row batches and four times the steps, for nothing these
# API tests look at; tests/test_training.py and test_quality.py cover "auto".
TINY = dict(hidden_layer_sizes=(4,), max_iter=3, batch_size=200, random_state=0)


def tiny_estimators():
    """Fresh, unfitted instances of every public estimator."""
    return [
        AutoencoderTransformer(**TINY),
        DenoisingAutoencoder(**TINY),
        StackedAutoencoder(pretrain_max_iter=2, **TINY),
        AutoencoderAnomalyDetector(n_estimators=2, **TINY),
        ConvAutoencoder(filters=(2,), max_iter=3, batch_size=200, random_state=0),
        # One epoch: an eager LSTM epoch costs about 0.5 s even on 40 rows
        # of 5 steps, and these tests are about the API. Frames of 2 steps
        # (padded where the length is odd) put framing under every check.
        RecurrentAutoencoder(units=3, frame_length=2, max_iter=1, batch_size=200,
                             random_state=0),
        VariationalAutoencoder(n_importance_samples=3, **TINY),
        ConvVariationalAutoencoder(filters=(2,), max_iter=3, batch_size=200, random_state=0,
                                   n_importance_samples=3),
        RecurrentVariationalAutoencoder(units=3, max_iter=1, batch_size=200, random_state=0,
                                        n_importance_samples=3),
        # hidden_layer_sizes="auto": both candidate networks, the one kept,
        # and a second network of its kind averaged with it.
        AutoencoderImputer(n_components=2, n_estimators=2,
                           **{**TINY, "hidden_layer_sizes": "auto"}),
    ]


def tiny_autoencoders():
    """:func:`tiny_estimators` but the imputers, for the tests built on complete rows.

    An imputer returns complete rows unchanged, so tests of its outputs on
    complete rows could not fail: tests/test_impute.py tests it for the
    same concerns (hostile input, random state, row independence) on rows
    with missing values.
    """
    return [est for est in tiny_estimators() if not isinstance(est, AutoencoderImputer)]


def estimator_id(estimator):
    return type(estimator).__name__


#: Every inference method of the public estimators, each taking rows X.
ROW_METHODS = ("transform", "score_samples", "decision_function", "predict", "feature_errors")


def row_methods(estimator):
    """The methods of ``estimator`` that map each row of X to a result."""
    return [name for name in ROW_METHODS if hasattr(estimator, name)]


def serving_rows(estimator):
    """Small rows every estimator fits and serves: 40 x 5, with gaps for an imputer."""
    import numpy as np

    X = np.random.RandomState(0).normal(size=(40, 5))
    if isinstance(estimator, AutoencoderImputer):
        X[np.random.RandomState(1).rand(*X.shape) < 0.2] = np.nan
    return X


def inference_outputs(estimator, X):
    """What every inference method of a fitted ``estimator`` gives on rows X, by name.

    Each method the estimator has is called, with fixed arguments where it
    takes more than X (chosen entries, a seeded draw of samples), so that
    two copies of a model can be compared output for output.
    """
    import numpy as np

    outputs = {}
    for name in ("transform", "score_samples", "decision_function", "predict", "feature_errors"):
        if hasattr(estimator, name):
            outputs[name] = getattr(estimator, name)(X)
    if hasattr(estimator, "score"):
        outputs["score"] = np.float64(estimator.score(X))
    if hasattr(estimator, "inverse_transform"):
        outputs["inverse_transform"] = estimator.inverse_transform(outputs["transform"])
    if hasattr(estimator, "predict_entries"):
        outputs["predict_entries"] = estimator.predict_entries(X, [0, 1, 2], [0, 2, 4])
    if hasattr(estimator, "sample"):
        outputs["sample"] = estimator.sample(3, random_state=0)
        outputs["transform_std"] = estimator.transform(X, return_std=True)[1]
    return outputs
