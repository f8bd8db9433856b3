"""scikit-learn's estimator checks on every public skae estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skae import (
    AutoencoderAnomalyDetector,
    AutoencoderTransformer,
    DenoisingAutoencoder,
    StackedAutoencoder,
)

# Tiny networks and few epochs: the checks test the API, not the fit quality.
TINY = dict(hidden_layer_sizes=(4,), max_iter=3, random_state=0)

ESTIMATORS = [
    AutoencoderTransformer(**TINY),
    DenoisingAutoencoder(**TINY),
    StackedAutoencoder(pretrain_max_iter=2, **TINY),
    AutoencoderAnomalyDetector(n_estimators=2, **TINY),
]

EXPECTED_FAILED_CHECKS = {
    "AutoencoderAnomalyDetector": {
        "check_methods_subset_invariance": (
            "The networks compute in float32, and TensorFlow's matmul rounds "
            "differently for one row than for a batch (about 1e-7 relative); "
            "dividing the reconstruction error by its small training median "
            "lifts that to about 1e-6, above the check's 1e-7 tolerance."
        ),
    },
}


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
