"""AutoencoderAnomalyDetector: an outlier detector with IsolationForest's API."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import OutlierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import RobustScaler, StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._autoencoder import AutoencoderTransformer
from ._base import BaseAutoencoder, GatheredConvergenceWarnings, _as_float32
from ._compat import Interval, StrOptions

#: Hidden widths the members cycle through when ``hidden_layer_sizes="auto"``.
_AUTO_WIDTHS = (32, 64, 128)

#: Rows per member when ``max_samples="auto"``.
_AUTO_MAX_SAMPLES = 512

#: Tukey's fence: how many interquartile ranges above the third quartile.
_FENCE = 1.5

#: Scaled training values are clipped to this magnitude before the members
#: train on them: a value a million interquartile ranges (or standard
#: deviations) from the centre is an outlier by any measure, and the clip
#: keeps one extreme row from overflowing float32 training. Scoring sees the
#: values unclipped.
_TRAIN_CLIP = 1e6

#: What ``batch_size="auto"`` gives each member (at most its rows).
_AUTO_BATCH_SIZE = 200

#: The outlyingness of rows whose outlyingness cannot be computed in float64
#: (it overflows): the largest there is, so they score lowest.
_MAX_OUTLYINGNESS = np.finfo(np.float64).max

_SHARED = ("activation", "learning_rate", "learning_rate_schedule", "batch_size", "max_iter",
           "early_stopping", "validation_fraction", "n_iter_no_change", "tol", "alpha",
           "random_state", "verbose")


def _is_auto(value):
    # A parameter may be an array, which must not be compared with "auto".
    return isinstance(value, str) and value == "auto"


def _at_most_finite_max(values):
    """Replace NaN and infinity, from overflow, by the largest float64."""
    return np.where(np.isfinite(values), values, _MAX_OUTLYINGNESS)


def _mahalanobis_sq(Z, mean, precision):
    centered = Z - mean
    return np.einsum("ij,jk,ik->i", centered, precision, centered)


class AutoencoderAnomalyDetector(OutlierMixin, BaseAutoencoder):
    """Unsupervised outlier detection with an ensemble of autoencoders.

    A drop-in replacement for :class:`~sklearn.ensemble.IsolationForest`:
    ``score_samples`` is higher for more normal rows, ``offset_`` comes from
    ``contamination``, ``decision_function`` is ``score_samples - offset_``
    (negative means outlier) and ``predict`` returns +1 for inliers and -1 for
    outliers.

    How a row is scored. The columns are first scaled robustly (median and
    interquartile range, learned in ``fit``), so the result does not depend
    on the units of the columns and a few extreme training rows do not set the
    scale. Each of ``n_estimators`` small autoencoders is trained on its own
    random subsample of the rows. A row then gets two numbers from each
    member: its reconstruction error (far from the structure the network
    learned) and the Mahalanobis distance of its code from the codes of the
    member's training rows (on that structure, but in a sparse region of it).
    Each number is divided by its median over the member's training rows, so
    the two are comparable and robust to anomalies in the training data; the
    outlyingness of the row is their sum averaged over members, and
    ``score_samples`` is its negative.

    Training data usually holds some anomalies. Subsamples, early stopping
    and small codes keep the networks from learning them, and medians keep
    them from setting the scores' scale. The members train in float32 on the
    scaled rows clipped to a million scaled units, so that one extreme row
    cannot overflow training; scoring computes in float64 on the unclipped
    rows, and a row whose outlyingness overflows even float64 gets the lowest
    score there is. So a row's score never depends on the other rows scored
    with it, and no score is NaN or infinite.

    Parameters
    ----------
    n_estimators : int, default=5
        Number of autoencoders in the ensemble.

    contamination : "auto" or float in (0, 0.5], default="auto"
        Share of outliers expected in the training data. A float sets
        ``offset_`` to that percentile of the training scores, so exactly that
        share of the training rows is flagged. "auto" flags rows whose
        outlyingness (``-score_samples``) lies beyond the upper Tukey fence of
        the training outlyingness, ``q3 + 1.5 * (q3 - q1)`` (the boxplot
        rule; q1, q3 its quartiles). The outlyingness is already relative to
        medians, so the rule does not depend on the scale of the data, and it
        adapts to the spread of the scores instead of fixing a share.

    n_components : int or "auto", default="auto"
        Code size of every member; "auto" is ``ceil(sqrt(n_features))``, a
        small code that cannot memorize rare rows.

    hidden_layer_sizes : array-like of int or "auto", default="auto"
        Hidden layers of every member's encoder (mirrored by the decoder).
        "auto" gives member ``i`` one hidden layer of 32, 64 or 128 units in
        turn, so the ensemble mixes capacities.

    max_samples : "auto", int or float, default="auto"
        Rows drawn (without replacement) to train each member: "auto" is
        ``min(512, n_samples)``, an int a count, a float a share of the rows.

    scaling : {"robust", "standard"} or None, default="robust"
        How columns are scaled before the networks see them: "robust" by
        median and interquartile range, "standard" by mean and standard
        deviation, None not at all (the data are used as given).

    activation : str, default="relu"
        Activation of the hidden layers.

    learning_rate : float, default=1e-3
        Adam's initial step size.

    learning_rate_schedule : {"plateau", "cosine", "constant"}, default="plateau"
        How the step size moves, as in :class:`AutoencoderTransformer`.

    batch_size : int or "auto", default="auto"
        Rows per gradient step; "auto" is ``min(200, n_rows)``, as in
        MLPRegressor. Not the transformers' smaller batches for small data:
        the members train on at most 512 rows and must not fit them closely,
        and 32-row batches take five times the steps an epoch with no
        measurement showing that they detect better.

    max_iter : int, default=50
        Maximum epochs per member. Fewer than for dimensionality reduction: a
        detector must not fit the training rows too closely.

    early_stopping : bool, default=True
        Stop each member when its held-out reconstruction loss stops
        improving, as in :class:`AutoencoderTransformer`.

    validation_fraction : float, default=0.1
        Share of each member's rows held out for early stopping.

    n_iter_no_change : int, default=10
        Epochs without improvement before a member stops.

    tol : float, default=1e-4
        Smallest relative improvement of the monitored loss that counts.

    alpha : float, default=0.0
        L2 penalty on the kernels.

    random_state : int, RandomState instance or None, default=None
        Seeds the subsamples and every member. Pass an int for reproducible
        results.

    verbose : int, default=0
        Print one line per epoch of each member when positive.

    Attributes
    ----------
    estimators_ : list of AutoencoderTransformer
        The fitted members.

    estimators_samples_ : list of ndarray
        Indices of the training rows each member was trained on.

    scaler_ : RobustScaler, StandardScaler or None
        The fitted column scaling.

    n_components_ : int
        Code size of the members.

    n_iter_ : ndarray of shape (n_estimators,)
        Epochs each member ran.

    score_stats_ : list of dict
        Per member, what scoring needs from its training rows: the codes'
        mean and precision matrix, and the medians of both terms.

    offset_ : float
        Threshold on ``score_samples``: ``decision_function`` subtracts it.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    sklearn.ensemble.IsolationForest : The tree-based detector with the same API.
    AutoencoderTransformer : The autoencoder each member is.

    Examples
    --------
    >>> import numpy as np
    >>> from skae import AutoencoderAnomalyDetector
    >>> rng = np.random.RandomState(0)
    >>> X = np.vstack([rng.normal(size=(200, 4)), rng.normal(6, 1, size=(5, 4))])
    >>> detector = AutoencoderAnomalyDetector(n_estimators=2, max_iter=5, random_state=0)
    >>> labels = detector.fit_predict(X)
    >>> labels[-5:]
    array([-1, -1, -1, -1, -1])
    """

    _parameter_constraints = {
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "contamination": [StrOptions({"auto"}), Interval(Real, 0, 0.5, closed="right")],
        "n_components": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "hidden_layer_sizes": [StrOptions({"auto"}), "array-like"],
        "max_samples": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
            Interval(Real, 0, 1, closed="right"),
        ],
        "scaling": [StrOptions({"robust", "standard"}), None],
        **{name: BaseAutoencoder._parameter_constraints[name] for name in _SHARED},
    }

    def __init__(
        self,
        *,
        n_estimators=5,
        contamination="auto",
        n_components="auto",
        hidden_layer_sizes="auto",
        max_samples="auto",
        scaling="robust",
        activation="relu",
        learning_rate=1e-3,
        learning_rate_schedule="plateau",
        batch_size="auto",
        max_iter=50,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        alpha=0.0,
        random_state=None,
        verbose=0,
    ):
        self.n_estimators = n_estimators
        self.contamination = contamination
        self.n_components = n_components
        self.hidden_layer_sizes = hidden_layer_sizes
        self.max_samples = max_samples
        self.scaling = scaling
        self.activation = activation
        self.learning_rate = learning_rate
        self.learning_rate_schedule = learning_rate_schedule
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.alpha = alpha
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ fit

    def _check_params_against(self, X):
        if not _is_auto(self.hidden_layer_sizes):
            self._check_hidden_layer_sizes()
        n_rows = self._resolve_max_samples(len(X))
        if n_rows < 2:
            raise ValueError(
                f"max_samples={self.max_samples!r} gives each member {n_rows} "
                f"of the {len(X)} rows to train on; an autoencoder needs at "
                "least 2. Raise max_samples or leave it 'auto'."
            )
        self._check_validation_split(n_rows)

    def _fit(self, X, *, continuing=False):
        # ``continuing`` is never true: the detector has no warm_start.
        self._check_params_against(X)
        n_samples, n_features = X.shape
        scaler = {"robust": RobustScaler(), "standard": StandardScaler(), None: None}[self.scaling]
        if scaler is None:
            Xs = X_train = _as_float32(X)
        else:
            Xs = scaler.fit_transform(X)
            X_train = np.clip(Xs, -_TRAIN_CLIP, _TRAIN_CLIP).astype(np.float32)
        n_components = self._resolve_n_components(n_features)
        n_rows = self._resolve_max_samples(n_samples)
        rng = check_random_state(self.random_state)

        members, samples, stats = [], [], []
        with GatheredConvergenceWarnings() as gathered:
            for i in range(self.n_estimators):
                rows = np.sort(rng.choice(n_samples, n_rows, replace=False))
                member = self._make_member(i, n_components, int(rng.randint(2**31 - 1)))
                member.fit(X_train[rows])
                members.append(member)
                samples.append(rows)
                stats.append(_member_stats(member, X_train[rows]))
        if gathered.count:
            warnings.warn(
                f"Some members reached max_iter={self.max_iter} epochs before "
                "their loss stopped improving.",
                ConvergenceWarning,
            )

        self.scaler_ = scaler
        self.estimators_ = members
        self.estimators_samples_ = samples
        self.score_stats_ = stats
        self.n_components_ = n_components
        self.n_iter_ = np.array([m.n_iter_ for m in members])
        self.offset_ = self._offset(-self._outlyingness(Xs))

    def _resolve_n_components(self, n_features):
        if _is_auto(self.n_components):
            return int(np.ceil(np.sqrt(n_features)))
        return int(self.n_components)

    def _resolve_max_samples(self, n_samples):
        if _is_auto(self.max_samples):
            return min(_AUTO_MAX_SAMPLES, n_samples)
        if isinstance(self.max_samples, Integral):
            return min(int(self.max_samples), n_samples)
        return max(2, int(self.max_samples * n_samples))

    def _make_member(self, i, n_components, seed):
        if _is_auto(self.hidden_layer_sizes):
            hidden = (_AUTO_WIDTHS[i % len(_AUTO_WIDTHS)],)
        else:
            hidden = self._hidden_layer_sizes()
        shared = {name: getattr(self, name) for name in _SHARED}
        shared.update(random_state=seed)
        if _is_auto(self.batch_size):
            shared.update(batch_size=_AUTO_BATCH_SIZE)
        return AutoencoderTransformer(n_components, hidden_layer_sizes=hidden, **shared)

    def _offset(self, train_scores):
        if _is_auto(self.contamination):
            q1, q3 = np.percentile(-train_scores, [25, 75])
            with np.errstate(over="ignore"):
                offset = -(q3 + _FENCE * (q3 - q1))
        else:
            offset = np.percentile(train_scores, 100.0 * self.contamination)
        # Overflows only when a quarter of the training rows score lowest.
        return float(-_at_most_finite_max(-offset))

    # ------------------------------------------------------------ scoring

    def _scaled(self, X):
        X = self._validate_input(X)
        if self.scaler_ is None:
            return X
        return self.scaler_.transform(X)

    def score_samples(self, X):
        """Normality of each row: higher is more normal, as in IsolationForest.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,), dtype float64
            Minus the outlyingness: reconstruction error plus code
            Mahalanobis distance, each relative to its median on the member's
            training rows, averaged over members. Rows so extreme that this
            overflows float64 get the lowest score there is,
            ``-np.finfo(np.float64).max``, so they are outliers.
        """
        check_is_fitted(self)
        return -self._outlyingness(self._scaled(X))

    def _outlyingness(self, Xs):
        """Mean over members of both relative terms, for rows already scaled."""
        outlyingness = np.zeros(len(Xs))
        with np.errstate(over="ignore", invalid="ignore"):
            for member, stats in zip(self.estimators_, self.score_stats_):
                errors, distances = _member_terms(member, stats, Xs)
                outlyingness += (errors / stats["error_median"]
                                 + distances / stats["distance_median"])
        return _at_most_finite_max(outlyingness / len(self.estimators_))

    def decision_function(self, X):
        """``score_samples(X) - offset_``: negative for outliers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Shifted scores; below zero means outlier.
        """
        return self.score_samples(X) - self.offset_

    def predict(self, X):
        """Label each row +1 (inlier) or -1 (outlier).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to label.

        Returns
        -------
        labels : ndarray of shape (n_samples,), dtype int
            +1 for inliers, -1 for outliers.
        """
        return np.where(self.decision_function(X) < 0, -1, 1)

    def feature_errors(self, X):
        """Squared reconstruction error of each column, averaged over members.

        Shows which columns make a row an outlier. The errors are in the
        scaled units the networks see, so columns are comparable.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to explain.

        Returns
        -------
        errors : ndarray of shape (n_samples, n_features)
            Mean over members of ``(x_scaled - reconstruction) ** 2``; an
            error that overflows float64 is the largest float64.
        """
        check_is_fitted(self)
        Xs = self._scaled(X)
        total = np.zeros(Xs.shape)
        with np.errstate(over="ignore", invalid="ignore"):
            for member in self.estimators_:
                total += (Xs - member._reconstruct(Xs)) ** 2
        return _at_most_finite_max(total / len(self.estimators_))


def _member_terms(member, stats, Xs, codes=None):
    """Reconstruction error and squared code Mahalanobis distance of each row.

    ``codes`` are ``member``'s codes of ``Xs`` when already computed.
    """
    if codes is None:
        codes = member._encode(Xs)
    reconstruction = member._decode(codes)
    errors = np.mean((Xs - reconstruction) ** 2, axis=1)
    distances = _mahalanobis_sq(codes, stats["code_mean"], stats["code_precision"])
    return errors, distances


def _member_stats(member, X_train):
    """What scoring needs from a member's own training rows."""
    codes = member._encode(X_train)
    stats = {
        "code_mean": codes.mean(axis=0),
        "code_precision": np.linalg.pinv(np.atleast_2d(np.cov(codes, rowvar=False))),
    }
    errors, distances = _member_terms(member, stats, X_train, codes)
    tiny = np.finfo(float).tiny
    stats["error_median"] = max(float(np.median(errors)), tiny)
    stats["distance_median"] = max(float(np.median(distances)), tiny)
    return stats
