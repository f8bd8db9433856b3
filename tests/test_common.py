"""scikit-learn's estimator checks on every public skae estimator, with no expected failures."""

import pytest
from sklearn.utils.estimator_checks import (
    check_estimator,
    check_param_validation,
    parametrize_with_checks,
)

from estimators import estimator_id, tiny_estimators


@parametrize_with_checks(tiny_estimators())
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.slow
@pytest.mark.parametrize(
    "estimator",
    [type(est)() for est in tiny_estimators()],
    ids=[estimator_id(est) for est in tiny_estimators()],
)
def test_default_constructed_estimator_passes_every_check(estimator):
    # Default settings train for up to 200 epochs in every check's fits, which
    # takes many minutes on two cores: run with `pytest -m slow`.
    check_estimator(estimator)


@pytest.mark.parametrize("estimator", tiny_estimators(), ids=estimator_id)
def test_parameter_constraints_are_exact(estimator):
    # parametrize_with_checks leaves this check out: it needs a constraint
    # for every parameter and none for a parameter the estimator lacks.
    check_param_validation(type(estimator).__name__, estimator)
