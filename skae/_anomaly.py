"""AutoencoderAnomalyDetector: an outlier detector with IsolationForest's API."""

import time
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, OutlierMixin
from sklearn.preprocessing import RobustScaler, StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._base import checked_widths, cleared_on_failure, validated_rows, warn_if_interrupted
from ._compat import Interval, RealNotInt, StrOptions, _fit_context
from ._inference import Forward
from ._numerics import ACTIVATIONS

#: Rows per member when ``max_samples="auto"``.
_AUTO_MAX_SAMPLES = 512

#: Columns per member when ``max_features="auto"``, at least (all, if fewer).
_AUTO_MIN_FEATURES = 64

#: A row's code distance is to this nearest of a member's training codes:
#: a cluster of anomalies must hold more rows than this to be its own
#: neighbourhood (larger clusters are left unlearned by the truncation).
N_NEIGHBOURS = 20

#: Rows from which the neighbour search uses every core.
_THREADED_NEIGHBOUR_ROWS = 20_000

#: Tukey's fence: how many interquartile ranges above the third quartile.
_FENCE = 1.5

#: Training rows, drawn at random, whose outlyingness sets the fence.
_FENCE_ROWS = 10_000

#: Scaled training values are clipped to this magnitude before the members
#: train on them: a value a million interquartile ranges (or standard
#: deviations) from the centre is an outlier by any measure, and the clip
#: keeps one extreme row from overflowing float32 training. Scoring sees the
#: values unclipped.
_TRAIN_CLIP = 1e6

#: Training leaves no row out for the first sixth of the epochs, then raises
#: the share left out linearly to ``truncation`` over half the epochs left.
_WARM_UP_SHARE = 1 / 6

#: The outlyingness of rows whose outlyingness cannot be computed in float64
#: (it overflows): the largest there is, so they score lowest.
_MAX_OUTLYINGNESS = np.finfo(np.float64).max


def _is_auto(value):
    # A parameter may be an array, which must not be compared with "auto".
    return isinstance(value, str) and value == "auto"


def _at_most_finite_max(values):
    """Replace NaN and infinity, from overflow, by the largest float64."""
    return np.where(np.isfinite(values), values, _MAX_OUTLYINGNESS)


def robust_scaler(X):
    """A RobustScaler fitted on X whose spread never comes from the units of a column.

    RobustScaler divides a column whose quartiles coincide (most of its
    values equal, as in counts that are usually zero or ReLU features) by 1,
    in the column's own units. Such a column is divided instead by the median
    distance from its median of the values that differ from it: a scale set
    by the column's values, not their units, and not by its few extreme ones.
    A constant column keeps 1.
    """
    # RobustScaler's own fit takes each column's quartiles in a call of its
    # own; one call over all columns gives the same numbers in a fraction of
    # the time on wide rows.
    scaler = RobustScaler()
    scaler.center_ = np.median(X, axis=0)
    q1, q3 = np.percentile(X, [25, 75], axis=0)
    scale = q3 - q1
    # RobustScaler's test for a spread of zero (_handle_zeros_in_scale).
    for j in np.flatnonzero(scale < 10 * np.finfo(np.float64).eps):
        departures = np.abs(X[:, j] - scaler.center_[j])
        departures = departures[departures > 0]
        scale[j] = np.median(departures) if len(departures) else 1.0
    scaler.scale_ = scale
    scaler.n_features_in_ = X.shape[1]
    return scaler


def truncation_schedule(max_iter, truncation):
    """The share of each batch's worst-reconstructed rows left out, per epoch."""
    warm_up = int(np.ceil(_WARM_UP_SHARE * max_iter))
    ramp = max(1, (max_iter - warm_up) // 2)
    epochs = np.arange(max_iter)
    return np.where(epochs < warm_up, 0.0,
                    truncation * np.minimum(1.0, (epochs - warm_up + 1) / ramp))


class AutoencoderMember:
    """One fitted member of an :class:`AutoencoderAnomalyDetector`.

    A dense autoencoder in float64 NumPy on the columns ``features`` of the
    scaled rows (all of them when None): ``weights`` holds its ``(kernel,
    bias)`` pairs, the first ``n_encoder_layers`` of them the encoder, each
    followed by its entry of ``activations``.
    """

    def __init__(self, weights, activations, n_encoder_layers, loss_curve, samples,
                 features=None):
        self.weights = weights
        self.activations = activations
        self.n_encoder_layers = n_encoder_layers
        #: Training loss per epoch (mean squared error over the rows kept).
        self.loss_curve_ = loss_curve
        #: Indices of the training rows the member trained on.
        self.samples_ = samples
        #: Indices of the columns the member sees (None: all of them).
        self.features_ = features

    def columns(self, X):
        """The columns of scaled rows X that the member sees."""
        return X if self.features_ is None else X[:, self.features_]

    def ops(self, part):
        """The ``"encoder"``'s or ``"decoder"``'s dense layers as ops (``skae._inference``)."""
        k = self.n_encoder_layers
        pairs = list(zip(self.weights, self.activations))
        pairs = pairs[:k] if part == "encoder" else pairs[k:]
        return [{"op": "dense", "kernel": kernel, "bias": bias, "activation": activation}
                for (kernel, bias), activation in pairs]

    def encode(self, X):
        """Codes of scaled rows X."""
        return Forward(self.ops("encoder"))(self.columns(X))

    def _residuals(self, X):
        """The member's columns of scaled rows X minus their reconstructions, and the codes."""
        seen = self.columns(X)
        codes = Forward(self.ops("encoder"))(seen)
        return seen - self.decode(codes), codes

    def decode(self, codes):
        """Reconstructions of codes."""
        return Forward(self.ops("decoder"))(codes)

    def reconstruct(self, X):
        """Reconstructions of the member's columns of scaled rows X."""
        return self.decode(self.encode(X))

    def terms(self, X, own=False):
        """Reconstruction error and code distance of each scaled row.

        The error is the mean squared difference from its reconstruction;
        the distance is the squared Mahalanobis distance of its code to the
        ``N_NEIGHBOURS``-th nearest code of the member's training rows
        (``fit_code_distribution``). With ``own``, X are those training rows
        and a row's own code is not counted among its neighbours.
        """
        with np.errstate(over="ignore", invalid="ignore"):
            residuals, codes = self._residuals(X)
            errors = np.mean(residuals ** 2, axis=1)
            distances = self._neighbour_distances(codes, N_NEIGHBOURS + bool(own))
        return errors, distances

    def __getstate__(self):
        # The search tree is rebuilt when needed: files hold arrays only.
        state = self.__dict__.copy()
        state.pop("_tree", None)
        return state

    def _neighbour_tree(self):
        """A search tree of the training codes, built on first use and kept."""
        if getattr(self, "_tree", None) is None:
            from scipy.spatial import cKDTree
            # Leaves of 32 codes search a few hundred codes faster than
            # the default 16; the result is the same.
            self._tree = cKDTree(self.training_codes_, leafsize=32)
        return self._tree

    def _neighbour_distances(self, codes, k):
        """Squared distance of each whitened code to its k-th nearest training code."""
        whitened = codes @ self.code_whitening_
        finite = np.all(np.isfinite(whitened), axis=1)
        distances = np.full(len(codes), np.inf)
        if finite.any():
            k = min(k, len(self.training_codes_))
            # Each row's neighbours are found alone, so threads change no
            # result; they pay for themselves only on many rows.
            workers = -1 if finite.sum() >= _THREADED_NEIGHBOUR_ROWS else 1
            found, _ = self._neighbour_tree().query(whitened[finite], k=[k], workers=workers)
            distances[finite] = found[:, 0] ** 2
        return distances

    def fit_code_distribution(self, X_train):
        """Learn the whitening of the codes of the training rows, and keep them whitened.

        Euclidean distances between whitened codes are Mahalanobis
        distances under the training codes' covariance.
        """
        codes = self.encode(X_train)
        precision = np.linalg.pinv(np.atleast_2d(np.cov(codes, rowvar=False)))
        eigenvalues, eigenvectors = np.linalg.eigh(precision)
        self.code_whitening_ = eigenvectors * np.sqrt(np.maximum(eigenvalues, 0.0))
        self.training_codes_ = codes @ self.code_whitening_
        self._tree = None
        return self


class AutoencoderAnomalyDetector(OutlierMixin, BaseEstimator):
    """Unsupervised outlier detection with an ensemble of autoencoders.

    A drop-in replacement for :class:`~sklearn.ensemble.IsolationForest`:
    ``score_samples`` is higher for more normal rows, ``offset_`` comes from
    ``contamination``, ``decision_function`` is ``score_samples - offset_``
    (negative means outlier) and ``predict`` returns +1 for inliers and -1 for
    outliers.

    The columns are first scaled robustly (median and interquartile range,
    or for a column with most values equal the median departure from its
    median), so neither their units nor a few extreme rows set the scale. Each of
    ``n_estimators`` small autoencoders trains on its own random subsample of
    the rows, and on wide data its own share of the columns
    (``max_features``); all train at once, as one network with a members
    axis. Training
    data usually hold anomalies, and a network that learns them reconstructs
    them well: so after a warm-up each member leaves out of every batch the
    ``truncation`` share of rows it reconstructs worst, and the anomalies,
    even when they form a cluster, stay unlearned (loss truncation, as in
    ALTBI). A row gets two numbers from each member: its reconstruction
    error (far from the structure the network learned) and the Mahalanobis
    distance of its code to the 20th nearest code of the member's training
    rows (on that structure, but far out along it or where it is sparse,
    as KNN detectors measure in the input space). Each is divided by its
    median over the member's training rows; the row's outlyingness is their
    sum averaged over members, and ``score_samples`` is its negative.

    Scoring runs in float64 on the unclipped scaled rows, so a row's score
    never depends on the other rows scored with it; a row whose outlyingness
    overflows float64 gets the lowest score there is, and no score is NaN or
    infinite. How it compares with IsolationForest and other detectors is in
    the documentation's results page on anomaly detection.

    Parameters
    ----------
    n_estimators : int, default=8
        Number of autoencoders in the ensemble.

    contamination : "auto" or float in (0, 0.5], default="auto"
        Share of outliers expected in the training data. A float sets
        ``offset_`` to that percentile of the training scores, so exactly that
        share of the training rows is flagged. "auto" flags rows whose
        outlyingness (``-score_samples``) lies beyond the upper Tukey fence of
        the training outlyingness, ``q3 + 1.5 * (q3 - q1)`` (the boxplot
        rule; q1, q3 its quartiles, from at most 10,000 training rows drawn
        at random), which adapts to the spread of the scores instead of
        fixing a share.

    n_components : int or "auto", default="auto"
        Code size of every member; "auto" is the square root (rounded up)
        of the number of columns a member sees, a small code that cannot
        memorize rare rows.

    hidden_layer_sizes : array-like of int, default=(64,)
        Hidden layers of every member's encoder (mirrored by the decoder).

    max_samples : "auto", int or float, default="auto"
        Rows drawn (without replacement) to train each member: "auto" is
        ``min(512, n_samples)``, an int a count, a float a share of the rows.

    max_features : "auto", int or float, default="auto"
        Columns drawn (without replacement) for each member to see: "auto"
        is all of them up to 64 and beyond that the larger of 64 and
        ``n_features / n_estimators`` (rounded up); an int a count, a float a
        share of the columns. Members draw their columns from successive
        shuffles, so together they see every column once ``n_estimators``
        times the count reaches the number of columns, as "auto" ensures. On
        wide rows (embeddings) this feature bagging makes members both
        cheaper and more diverse.

    scaling : {"robust", "standard"} or None, default="robust"
        How columns are scaled before the networks see them: "robust" by
        median and interquartile range (a column whose quartiles coincide,
        by the median distance from its median of its other values),
        "standard" by mean and standard deviation, None not at all (the data
        are used as given).

    activation : str, default="relu"
        Activation of the hidden layers.

    learning_rate : float, default=3e-3
        Adam's step size.

    batch_size : int, default=64
        Rows per gradient step of each member (at most its rows).

    max_iter : int, default=30
        Epochs every member trains for. A detector trains for a fixed,
        short budget: it must not fit its training rows, anomalies among
        them, closely.

    truncation : float in [0, 1), default=0.2
        Share of each batch's worst-reconstructed rows that a member leaves
        out of its gradient once warmed up: none for the first sixth of the
        epochs, then rising linearly to this share over half the epochs
        left. 0 trains on every row.

    random_state : int, RandomState instance or None, default=None
        Seeds the subsamples, the initial weights and the batch order. Pass
        an int for reproducible results.

    verbose : int, default=0
        Print a line on the training when positive.

    Attributes
    ----------
    estimators_ : list of AutoencoderMember
        The fitted members, each with its weights, ``loss_curve_``,
        ``samples_`` and ``features_``.

    estimators_samples_ : list of ndarray
        Indices of the training rows each member was trained on.

    estimators_features_ : list of ndarray
        Indices of the columns each member sees, as in
        :class:`~sklearn.ensemble.BaggingClassifier`.

    scaler_ : RobustScaler, StandardScaler or None
        The fitted column scaling.

    n_components_ : int
        Code size of the members.

    n_iter_ : int
        Epochs the members trained for.

    term_medians_ : ndarray of shape (n_estimators, 2)
        Each member's median reconstruction error and median code distance
        on its own training rows (a row's own code not counted as its
        neighbour), by which its terms are divided.

    offset_ : float
        Threshold on ``score_samples``: ``decision_function`` subtracts it.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    sklearn.ensemble.IsolationForest : The tree-based detector with the same API.
    AutoencoderTransformer : A single autoencoder, for dimensionality reduction.

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
        "hidden_layer_sizes": ["array-like"],
        "max_samples": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0, 1, closed="right"),
        ],
        "max_features": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0, 1, closed="right"),
        ],
        "scaling": [StrOptions({"robust", "standard"}), None],
        "activation": [StrOptions(ACTIVATIONS)],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "truncation": [Interval(Real, 0, 1, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        n_estimators=8,
        contamination="auto",
        n_components="auto",
        hidden_layer_sizes=(64,),
        max_samples="auto",
        max_features="auto",
        scaling="robust",
        activation="relu",
        learning_rate=3e-3,
        batch_size=64,
        max_iter=30,
        truncation=0.2,
        random_state=None,
        verbose=0,
    ):
        self.n_estimators = n_estimators
        self.contamination = contamination
        self.n_components = n_components
        self.hidden_layer_sizes = hidden_layer_sizes
        self.max_samples = max_samples
        self.max_features = max_features
        self.scaling = scaling
        self.activation = activation
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.truncation = truncation
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ fit

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the ensemble on X, whose rows may hold anomalies.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            The fitted detector.
        """
        with cleared_on_failure(self, ("_interrupted",)):
            X = validated_rows(self, X, dtype=[np.float64, np.float32], ensure_min_samples=2)
            self._fit(X)
        warn_if_interrupted(self)
        return self

    def _fit(self, X):
        from . import _keras
        hidden = checked_widths(self.hidden_layer_sizes, "hidden_layer_sizes")
        n_samples, n_features = X.shape
        n_rows = self._resolve_max_samples(n_samples)
        if n_rows < 2:
            raise ValueError(
                f"max_samples={self.max_samples!r} gives each member {n_rows} "
                f"of the {n_samples} rows to train on; an autoencoder needs at "
                "least 2. Raise max_samples or leave it 'auto'."
            )
        X = np.asarray(X, dtype=np.float64)
        if self.scaling == "robust":
            scaler = robust_scaler(X)
        elif self.scaling == "standard":
            scaler = StandardScaler().fit(X)
        else:
            scaler = None
        Xs = X if scaler is None else scaler.transform(X)
        with np.errstate(over="ignore"):
            X_train = np.clip(Xs, -_TRAIN_CLIP, _TRAIN_CLIP).astype(np.float32)
        if scaler is None and np.isinf(X_train).any():
            raise ValueError(
                "Input X has values too large in magnitude for float32 "
                f"(largest absolute value {np.max(np.abs(Xs)):.3g}) and scaling=None; "
                "scale the data or leave scaling='robust'."
            )
        n_members = int(self.n_estimators)
        rng = check_random_state(self.random_state)
        samples = [np.sort(rng.choice(n_samples, n_rows, replace=False)) for _ in range(n_members)]
        features = self._draw_features(n_features, n_members, rng)
        n_seen = n_features if features[0] is None else len(features[0])
        n_components = (int(np.ceil(np.sqrt(n_seen))) if _is_auto(self.n_components)
                        else int(self.n_components))
        sizes = [n_seen, *hidden, n_components, *hidden[::-1], n_seen]
        activations = ([self.activation] * len(hidden) + ["linear"]
                       + [self.activation] * len(hidden) + ["linear"])
        params = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            limit = np.sqrt(6.0 / (fan_in + fan_out))  # Glorot's uniform, as Keras' Dense
            params += [rng.uniform(-limit, limit, (n_members, fan_in, fan_out)),
                       np.zeros((n_members, fan_out))]
        # Row i of member m: its i-th training row, in a random order of its own.
        stacked = np.stack([X_train[rng.permutation(rows)][:, slice(None) if cols is None else cols]
                            for rows, cols in zip(samples, features)], axis=1)
        started = time.perf_counter()
        weights, curve, interrupted = _keras.training.train_members(
            stacked, params, activations, batch_size=min(int(self.batch_size), n_rows),
            learning_rate=self.learning_rate,
            truncation=truncation_schedule(int(self.max_iter), float(self.truncation)),
            seed=rng.randint(2**31 - 1),
        )
        finite = np.all(np.isfinite(curve), axis=1)
        if not finite.all():
            raise ValueError(
                "Training diverged: the loss became NaN or infinite after "
                f"{int(np.argmin(finite)) + 1} epoch(s). Scale the input (for example with "
                f"StandardScaler) or lower learning_rate={float(self.learning_rate)}."
            )
        n_encoder_layers = len(hidden) + 1
        members = [
            AutoencoderMember(
                [(np.asarray(weights[2 * i][m], np.float64), np.asarray(weights[2 * i + 1][m], np.float64))
                 for i in range(len(activations))],
                activations, n_encoder_layers, [float(v) for v in curve[:, m]], rows, cols,
            )
            for m, (rows, cols) in enumerate(zip(samples, features))
        ]
        medians = []
        for member in members:
            own_rows = Xs[member.samples_]
            medians.append(np.median(
                member.fit_code_distribution(own_rows).terms(own_rows, own=True), axis=1))
        medians = np.maximum(np.array(medians), np.finfo(np.float64).tiny)
        if self.verbose and len(curve):
            print(f"trained {n_members} members on {n_rows} rows each for {len(curve)} epochs "
                  f"in {time.perf_counter() - started:.2f} s; final training loss "
                  f"{np.mean(curve[-1]):.4g} (mean over members)", flush=True)

        self.scaler_ = scaler
        self.estimators_ = members
        self.estimators_samples_ = samples
        self.estimators_features_ = [np.arange(n_features) if cols is None else cols
                                     for cols in features]
        self.n_components_ = n_components
        self.n_iter_ = len(curve)
        self.term_medians_ = medians
        if _is_auto(self.contamination) and n_samples > _FENCE_ROWS:
            # Quartiles need no more rows than this (as QuantileTransformer's subsample).
            Xs = Xs[np.sort(rng.choice(n_samples, _FENCE_ROWS, replace=False))]
        self.offset_ = self._offset(-self._outlyingness(Xs))
        # Read, and cleared, by fit (warn_if_interrupted).
        self._interrupted = interrupted

    def _draw_features(self, n_features, n_members, rng):
        """Each member's columns: consecutive stretches of shuffled columns, so all are seen."""
        if _is_auto(self.max_features):
            n_seen = max(_AUTO_MIN_FEATURES, -(-n_features // n_members))
        elif isinstance(self.max_features, Integral):
            n_seen = min(int(self.max_features), n_features)
        else:
            n_seen = max(1, int(np.ceil(self.max_features * n_features)))
        if n_seen >= n_features:
            return [None] * n_members
        n_rounds = -(-n_members * n_seen // n_features)
        stream = np.concatenate([rng.permutation(n_features) for _ in range(n_rounds)])
        drawn = []
        for m in range(n_members):
            # A stretch across two shuffles may repeat a column: refill at random.
            cols = np.unique(stream[m * n_seen:(m + 1) * n_seen])
            missing = n_seen - len(cols)
            if missing:
                cols = np.union1d(cols, rng.choice(np.setdiff1d(np.arange(n_features), cols),
                                                   missing, replace=False))
            drawn.append(cols)
        return drawn

    def _resolve_max_samples(self, n_samples):
        if _is_auto(self.max_samples):
            return min(_AUTO_MAX_SAMPLES, n_samples)
        if isinstance(self.max_samples, Integral):
            return min(int(self.max_samples), n_samples)
        return max(2, int(self.max_samples * n_samples))

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
        check_is_fitted(self)
        X = validated_rows(self, X, dtype=[np.float64, np.float32], reset=False)
        X = np.asarray(X, dtype=np.float64)
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
            Minus the outlyingness: reconstruction error plus the
            Mahalanobis distance of the code to its 20th nearest training
            code, each relative to its median on the member's training rows,
            averaged over members. Rows so extreme that this
            overflows float64 get the lowest score there is,
            ``-np.finfo(np.float64).max``.
        """
        return -self._outlyingness(self._scaled(X))

    def _outlyingness(self, Xs):
        """Mean over members of both relative terms, for scaled rows."""
        outlyingness = np.zeros(len(Xs))
        with np.errstate(over="ignore", invalid="ignore"):
            for member, (error_median, distance_median) in zip(self.estimators_, self.term_medians_):
                errors, distances = member.terms(Xs)
                outlyingness += errors / error_median + distances / distance_median
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
            Mean of ``(x_scaled - reconstruction) ** 2`` over the members
            that see the column (NaN for a column none sees, possible only
            with a small ``max_features``); an error that overflows float64
            is the largest float64.
        """
        Xs = self._scaled(X)
        total = np.zeros(Xs.shape)
        seen = np.zeros(Xs.shape[1])
        with np.errstate(over="ignore", invalid="ignore"):
            for member in self.estimators_:
                cols = slice(None) if member.features_ is None else member.features_
                total[:, cols] += member._residuals(Xs)[0] ** 2
                seen[cols] += 1
            errors = _at_most_finite_max(total / np.maximum(seen, 1))
        errors[:, seen == 0] = np.nan
        return errors
