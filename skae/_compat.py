"""The one place where skae reaches past scikit-learn's and Keras' public API.

scikit-learn's parameter-validation machinery (``Interval``, ``StrOptions``,
``_fit_context``) is private, but it is what every scikit-learn estimator and
every scikit-learn-contrib project uses to declare ``_parameter_constraints``.
Keeping the imports here means a future scikit-learn rename touches one file.
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import validate_data

__all__ = ["Interval", "StrOptions", "_fit_context", "validate_data"]
