"""The one place where skae reaches past scikit-learn's and Keras' public API.

scikit-learn's parameter-validation machinery (``Interval``, ``StrOptions``,
``MissingValues``, ``_fit_context``) is private, but it is what every
scikit-learn estimator and every scikit-learn-contrib project uses to declare
``_parameter_constraints``; ``_check_feature_names_in`` is what scikit-learn's
own ``get_feature_names_out`` methods check their argument with.
Keeping the imports here means a future scikit-learn rename touches one file.
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, MissingValues, RealNotInt, StrOptions
from sklearn.utils.validation import _check_feature_names_in, validate_data

__all__ = [
    "Interval", "MissingValues", "RealNotInt", "StrOptions", "_check_feature_names_in", "_fit_context",
    "validate_data",
]
