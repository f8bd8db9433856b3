"""AutoencoderImputer: fill missing values from an autoencoder trained on observed entries."""

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import MissingIndicator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._base import (
    BaseAutoencoder,
    GatheredConvergenceWarnings,
    checked_widths,
    cleared_on_failure,
    constraints,
    finite,
    warn_if_interrupted,
)
from ._compat import (
    Interval,
    MissingValues,
    StrOptions,
    _check_feature_names_in,
    _fit_context,
    validate_data,
)
from ._numerics import CHUNK_VALUES, SECOND_STREAM_SEED_OFFSET, dense_rows

#: The dense autoencoders' parameters that the imputer shares.
_SHARED = ("hidden_layer_sizes", "activation", "optimizer", "learning_rate",
           "learning_rate_schedule", "batch_size", "max_iter", "n_iter_no_change", "tol",
           "alpha", "random_state", "verbose")

#: The imputer's parameters that each of its networks is given as they are.
_NETWORK_PARAMETERS = ("activation", "optimizer", "learning_rate_schedule", "batch_size",
                       "max_iter", "early_stopping", "validation_fraction", "n_iter_no_change",
                       "tol", "alpha", "random_state", "verbose")


#: The networks ``hidden_layer_sizes="auto"`` fits, best on held-out entries kept.
AUTO_HIDDEN_LAYER_SIZES = ((256,), ())

#: ``n_components="auto"``: the code of a network with hidden layers, and
#: the widest code of one without (a linear network).
AUTO_CODE, AUTO_LINEAR_CODE = 64, 256

#: ``mask_fraction="auto"``: for a network with hidden layers, and for one
#: without (see the parameter's documentation).
AUTO_MASK, AUTO_LINEAR_MASK = 0.25, 0.15

#: ``learning_rate="auto"``: for a network with hidden layers, and for one without.
AUTO_RATE, AUTO_LINEAR_RATE = 3e-3, 1e-3


def _chunks(rows, n_features):
    """``rows`` in chunks whose dense blocks hold about ``CHUNK_VALUES`` values."""
    size = max(1, CHUNK_VALUES // max(int(n_features), 1))
    return [rows[start : start + size] for start in range(0, len(rows), size)]


def _hide_entries(X, fraction, rng):
    """Split the observed entries of X: ``(X without the hidden ones, the hidden ones)``.

    Each observed entry is hidden with probability ``fraction``. For an
    array, missing entries are NaN in both parts; for a sparse matrix, the
    two parts are sparse matrices of the kept and the hidden entries.
    """
    # One draw per observed entry in row-major order, so that a sparse X
    # and its dense twin hide the same entries.
    if sp.issparse(X):
        X = X.tocoo()
        held = rng.random_sample(X.nnz) < fraction

        def part(keep):
            return sp.csr_matrix((X.data[keep], (X.row[keep], X.col[keep])), shape=X.shape,
                                 dtype=np.float32)

        return part(~held), part(held)
    observed = ~np.isnan(X)
    held = np.zeros(X.shape, dtype=bool)
    held[observed] = rng.random_sample(np.count_nonzero(observed)) < fraction
    return (np.where(held, np.nan, X).astype(np.float32),
            np.where(held, X, np.nan).astype(np.float32))


def _n_observed(X):
    """The number of observed entries of X: stored ones, or those not NaN."""
    return X.nnz if sp.issparse(X) else np.count_nonzero(~np.isnan(X))


def _column_moments(values, columns, n_features):
    """Per feature of observed ``values`` (in ``columns``): mean, std, min, max, empty?"""
    values = np.asarray(values, dtype=np.float64)
    counts = np.bincount(columns, minlength=n_features)
    empty = counts == 0
    mean = np.bincount(columns, values, minlength=n_features) / counts
    deviations = values - mean[columns]
    scale = np.sqrt(np.bincount(columns, deviations**2, minlength=n_features) / counts)
    low = np.full(n_features, np.inf)
    high = np.full(n_features, -np.inf)
    np.minimum.at(low, columns, values)
    np.maximum.at(high, columns, values)
    return mean, scale, low, high, empty


def _is_nan(value):
    return bool(isinstance(value, Real) and np.isnan(value))


class _MaskedAutoencoder(BaseAutoencoder):
    """One network of :class:`AutoencoderImputer`: a dense autoencoder of
    standardized rows that learns from their observed entries only.

    Its parameters are the imputer's with every ``"auto"`` resolved.
    ``fit`` takes the standardized rows (NaN, or unstored, where missing)
    and the range of each feature's observed values, to which the inputs
    and predictions are clipped; it also measures ``residual_`` on the
    entries it held out.
    """

    _allow_nan = True
    _masked_weighting = "entry"
    # The moving average of the weights helped on digits with 30% missing;
    # the measurements are in the commit that set it (git log -S).
    _weight_averaging = 0.99

    def __init__(self, hidden_layer_sizes, n_components, mask_fraction, learning_rate, *,
                 activation, optimizer, learning_rate_schedule, batch_size, max_iter,
                 early_stopping, validation_fraction, n_iter_no_change, tol, alpha,
                 random_state, verbose):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.n_components = n_components
        self.mask_fraction = mask_fraction
        self.learning_rate = learning_rate
        self.activation = activation
        self.optimizer = optimizer
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

    def fit(self, Z, bounds, rng=None):
        """Train on standardized rows Z; ``bounds`` is ``(low, high)`` per feature.

        ``rng`` makes the fit's draws instead of ``random_state``: networks
        given equal ones hold out the same entries.
        """
        self._bounds = bounds
        X_train, target = self._fit(Z, rng=rng)
        if target is None:
            # No held-out entries: hide some training entries afresh.
            inputs, target = _hide_entries(Z, max(self.mask_fraction, 0.1),
                                           check_random_state(self.random_state))
        else:
            inputs = X_train
            # The masked loss divides each row's sum by the number of
            # features; per held-out entry is the readable scale.
            per_entry = Z.shape[0] * Z.shape[1] / _n_observed(target)
            self.validation_scores_ = [s * per_entry for s in self.validation_scores_]
            self.best_validation_score_ = max(self.validation_scores_, default=None)
        self.residual_ = self._residuals(inputs, target)
        return self

    def predict(self, Z):
        """The predictions of standardized rows Z, inputs and outputs clipped to ``bounds``.

        A network extrapolates wildly beyond the values it was trained on (a
        rare pixel's value in a feature constant at ``fit`` gave an
        imputation of 58 standard deviations).
        """
        low, high = self._bounds
        Z = np.clip(Z, low, high)
        return np.clip(finite(self._reconstruct(Z), Z, "AutoencoderImputer.transform"), low, high)

    def _residuals(self, inputs, target):
        """Per feature, the root mean squared error of predicting ``target``'s entries."""
        n_features = inputs.shape[1]
        squared, counts = np.zeros(n_features), np.zeros(n_features)
        rows = np.flatnonzero(
            target.getnnz(axis=1) if sp.issparse(target) else ~np.isnan(target).all(axis=1)
        )
        for chunk in _chunks(rows, n_features):
            truth = dense_rows(target, chunk)
            held = ~np.isnan(truth)
            errors = np.where(held, self.predict(dense_rows(inputs, chunk)) - truth, 0.0)
            squared += np.sum(errors**2, axis=0)
            counts += held.sum(axis=0)
        overall = np.sum(squared) / max(np.sum(counts), 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.sqrt(np.where(counts > 0, squared / counts, overall))

    def _check_params_against(self, X):
        # The imputer's network has no sparsity, code or loss settings.
        self._check_hidden_layer_sizes()

    def _split_validation(self, X, rng):
        """Hold out entries: training rows without them, and a target of them alone.

        The validation pass predicts the held-out entries (the target, NaN
        or unstored elsewhere) from the training entries of the same rows.
        """
        if not self.early_stopping:
            return X, None
        X_train, target = _hide_entries(X, self.validation_fraction, rng)
        n_held, n_left = _n_observed(target), _n_observed(X_train)
        if n_held == 0 or n_left == 0:
            raise ValueError(
                f"validation_fraction={self.validation_fraction} leaves no observed "
                f"entries to {'validate' if n_held == 0 else 'train'} on among the "
                f"{n_held + n_left} of X. Lower or raise validation_fraction, give "
                "more data, or set early_stopping=False."
            )
        return X_train, target

    def _build_networks(self, X, seed):
        from . import _keras
        return _keras.networks.dense_autoencoder(
            X.shape[1],
            self.n_components,
            self.hidden_layer_sizes,
            missing=dict(rate=self.mask_fraction, seed=seed + SECOND_STREAM_SEED_OFFSET),
            activation=self.activation,
            output_activation="linear",
            alpha=self.alpha,
            seed=seed,
        )

    def _output_mean(self, X):
        # Standardized from the observed values: their mean is 0, the
        # output's zero bias already.
        return None

    def _train_networks(self, networks, X_train, X_val, *, seed, max_iter, from_scratch,
                        **options):
        # X_val is the target of held-out entries; their input is the
        # training rows themselves.
        return self._train(
            networks.model, X_train, None if X_val is None else X_train, target_val=X_val,
            seed=seed, max_iter=max_iter, loss="mse", **options,
        )


def _kept_network(name, doc):
    """A fitted attribute of the imputer that is its first network's."""
    return property(lambda self: getattr(self._networks[0], name), doc=doc)


class AutoencoderImputer(TransformerMixin, BaseEstimator):
    """Impute missing values with an autoencoder trained on the observed entries only.

    Used like :class:`~sklearn.impute.IterativeImputer` or
    :class:`~sklearn.impute.KNNImputer`: ``fit`` learns from rows with
    missing values, ``transform`` fills the missing entries and keeps every
    observed entry exactly as it was.

    Each feature is standardized with the mean and standard deviation of
    its observed values. A dense autoencoder takes a row with its missing
    entries set to 0 (the observed mean) and reconstructs every entry; its
    loss counts the observed entries only, so a missing value is never
    taken for a zero (the masked loss of AutoRec and MIDAS). While
    training, each observed entry is also hidden from the input with
    probability ``mask_fraction``, drawn afresh every batch, and still
    counts in the loss: the network learns to predict entries it cannot
    see, which is what imputing asks of it. Early stopping holds out
    entries, not rows: ``validation_fraction`` of the observed entries
    are never shown to the network while training, and how well it
    predicts them decides when to stop.

    Numeric features only: categorical or integer-coded features are imputed
    as real numbers (round or encode them yourself); a later version may
    treat them apart.

    Parameters
    ----------
    missing_values : int, float or np.nan, default=np.nan
        The placeholder for missing values; every occurrence is imputed.

    n_components : int or "auto", default="auto"
        Width of the code layer between encoder and decoder. ``"auto"``:
        64 for a network with hidden layers; for one without, the number of
        features, at most 256: a linear network is good only with a wide code.

    hidden_layer_sizes : array-like of int or "auto", default="auto"
        Widths of the encoder's hidden layers, from input to code; the
        decoder mirrors them, and ``()`` gives a linear network (a code
        with no activation). ``"auto"`` fits two networks, one hidden
        layer of 256 units and none, on the same held-out entries, and
        keeps the one that predicts them better (without
        ``early_stopping`` there are none: the first is fitted alone).
        Neither is better everywhere (see the imputation results page); the
        choice costs the time of both fits. The chosen sizes are
        ``hidden_layer_sizes_``.

    activation : str, default="relu"
        Activation of the hidden layers, by its Keras name ("relu", "elu",
        "tanh", "linear", ...).

    optimizer : {"adam", "adamw", "nadam", "rmsprop", "sgd"}, default="adam"
        Keras optimizer. Adam needs the least tuning.

    learning_rate : float or "auto", default="auto"
        Initial step size of the optimizer. ``"auto"``: 3e-3 for a network
        with hidden layers, 1e-3 for one without (a linear network), which
        gains from smaller steps. The value used is ``learning_rate_``.

    learning_rate_schedule : {"plateau", "cosine", "constant"}, default="constant"
        How the step size moves during ``fit``. "plateau" divides it by 10
        after ``n_iter_no_change // 2`` epochs without improvement, at most
        three times, and training stops only after ``n_iter_no_change``
        epochs without improvement at the last rate. "cosine" lowers it
        from ``learning_rate`` towards zero along half a cosine over
        ``max_iter`` epochs; "constant" keeps it. "plateau" needs no epoch
        budget, so it ends with early stopping; "cosine" does better when
        all ``max_iter`` epochs can be afforded.

    batch_size : int or "auto", default="auto"
        Rows per gradient step. "auto" is ``n_samples // 32`` kept within
        [32, 512] for ``AutoencoderTransformer``, ``DenoisingAutoencoder``
        and ``StackedAutoencoder``, within [32, 200] for the others: at
        least about 32 steps per epoch on small data, where MLPRegressor's
        ``min(200, n_samples)`` leaves too few steps between two checks of
        the stopping rule, and large batches on large data.

    max_iter : int, default=200
        Maximum number of epochs (passes over the training rows).

    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the observed entries, stop when
        the error of their predictions stops improving and keep the
        weights of the best epoch. The held-out entries also measure
        ``residual_std_``. When off, training stops on the training loss
        and every observed entry is trained on.

    validation_fraction : float, default=0.1
        Share of the observed entries held out for early stopping.

    n_iter_no_change : int, default=20
        Epochs without improvement before stopping (at the last rate of the
        "plateau" schedule).

    tol : float, default=1e-4
        Relative improvement that counts: an epoch improves when its
        monitored loss is below ``(1 - tol)`` times the best so far. Relative,
        unlike MLPRegressor's absolute ``tol``, so that when training stops
        does not depend on the scale of the data: an absolute 1e-4 stopped
        fits of pixels in [0, 1] long before they converged.

    alpha : float, default=1e-4
        L2 penalty on the kernels, added to the loss as
        ``alpha * sum(w ** 2)`` (Keras' convention, not divided by
        ``n_samples`` as in MLPRegressor). On by default here: with
        early stopping alone the imputer overfits (see Notes).

    mask_fraction : float in [0, 1) or "auto", default="auto"
        Probability that an observed entry is hidden from the network's
        input in a training batch (and must be predicted). ``"auto"``:
        0.25 for a network with hidden layers, 0.15 for one without (a
        linear network). A linear network cannot tell how many entries of
        a row it sees, so it learns the predictions suited to rows with as
        many gaps as in training; hiding fewer serves rows with few gaps
        better, while a network with hidden layers does better hiding
        more. The value used is ``mask_fraction_``.

    n_estimators : int, default=3
        Number of networks whose predictions are averaged. The first is
        chosen as ``hidden_layer_sizes`` says; the others have its
        architecture and their own seeds (initial weights, batches,
        held-out entries), so together they learn from every observed
        entry. Networks trained on few rows disagree, and their mean is
        closer to the truth than one of them; on large data (MovieLens
        ratings) they gain little. Each network costs the time of one fit;
        ``n_estimators=1`` is the fastest.

    sample_posterior : bool, default=False
        When True, ``transform`` draws each imputed value from a Gaussian
        around a network's prediction whose standard deviation is the
        feature's ``residual_std_`` (that network's), instead of returning
        the prediction: each call draws anew, so calling ``transform``
        several times gives multiple imputations. The spread is the
        prediction error measured on held-out entries; with
        ``n_estimators=1`` it leaves out the uncertainty of the network's
        weights. With more, each row's draw is around one network chosen
        at random, so the draws also spread as far as the networks disagree.

    add_indicator : bool, default=False
        Append a :class:`~sklearn.impute.MissingIndicator` of the features
        with missing values at ``fit`` to the output.

    keep_empty_features : bool, default=False
        Keep the features with no observed value at ``fit`` in the output,
        imputed with 0; otherwise they are dropped, as IterativeImputer
        does.

    random_state : int, RandomState instance or None, default=None
        Decides every random draw: the initial weights, the validation split,
        the order of the batches and any corruption noise. Pass an int for
        identical results across calls and processes. The seeds are local:
        TensorFlow's and Keras' global seeds are neither touched nor used, so
        ``tf.random.set_seed`` or ``keras.utils.set_random_seed`` change
        nothing.

    verbose : int, default=0
        When positive, print one line per epoch: training loss, validation
        error, learning rate, seconds elapsed and an upper bound of the
        seconds left (were all ``max_iter`` epochs to run).

    Attributes
    ----------
    mean_ : ndarray of shape (`n_features_in_`,)
        Mean of each feature's observed values at ``fit``; NaN for a feature
        with none (an empty feature).

    scale_ : ndarray of shape (`n_features_in_`,)
        Standard deviation of each feature's observed values (1 for a
        constant feature); NaN for an empty feature.

    data_min_, data_max_ : ndarray of shape (`n_features_in_`,)
        Smallest and largest observed value of each feature at ``fit`` (NaN
        for an empty feature). The network's inputs and imputations are
        clipped to this range: beyond it, it extrapolates.

    hidden_layer_sizes_ : tuple of int
        The hidden layers of the fitted network (one of the candidates
        when ``hidden_layer_sizes="auto"``).

    mask_fraction_ : float
        The share of observed entries hidden while training the fitted
        network (``mask_fraction``, or the value ``"auto"`` chose for it).

    learning_rate_ : float
        The initial step size of the fitted network (``learning_rate``, or
        the value ``"auto"`` chose for it).

    architecture_scores_ : list of dict
        One dict per network fitted: its ``hidden_layer_sizes``,
        ``n_components``, ``mask_fraction``, ``learning_rate`` and
        ``validation_score`` (the best of its
        ``validation_scores_``, None without early stopping). The fitted
        network is the best of them, the first on ties.

    residual_std_ : ndarray of shape (`n_features_in_`,)
        Root mean squared error of the first network's predictions of each
        feature's held-out entries, in the feature's units (NaN for an
        empty feature). Without early stopping it is measured on training
        entries hidden afresh, which is optimistic. It is not the error of
        the average of ``n_estimators`` networks, which is smaller: the
        other networks have trained on those entries.

    indicator_ : MissingIndicator or None
        The indicator appended by ``add_indicator``.

    model_, encoder_, decoder_ : keras.Model
        The first network's autoencoder and its halves, on standardized
        features (the others', with ``n_estimators > 1``, are kept
        privately and averaged with it).

    n_components_ : int
        Width of the code.

    n_iter_ : int
        Number of epochs the first network ran.

    loss_curve_ : list of float
        Training loss at the end of each epoch: squared error summed over
        a row's observed entries, divided by the number of features,
        averaged over rows (standardized units).

    validation_scores_ : list of float or None
        Negative mean squared error of the held-out entries at each epoch
        (standardized units); None without early stopping.

    best_validation_score_ : float or None
        The best of ``validation_scores_``.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    Notes
    -----
    The imputer's defaults differ from the other autoencoders': a choice of
    two networks (``hidden_layer_sizes="auto"``) with a wider code, three
    of the chosen kind averaged (``n_estimators=3``), a
    constant learning rate, ``n_iter_no_change=20``, an L2 penalty
    ``alpha=1e-4``, and its weights are the moving average (momentum 0.99)
    of the optimizer's: each helped on held-out splits of digits, breast
    cancer and Fashion-MNIST (the imputation results page has the current
    table). The penalty is added to a loss that is the squared error summed
    over a row's observed entries divided by its width: for very sparse rows
    (ratings) the loss is far smaller, and so must ``alpha`` be
    (``benchmarks/movielens.py`` uses 1e-5).

    See Also
    --------
    sklearn.impute.IterativeImputer : Imputes each feature by regression on the others.
    sklearn.impute.KNNImputer : Imputes from the nearest rows.
    sklearn.impute.SimpleImputer : Imputes a feature's mean, median or mode.

    Examples
    --------
    >>> import numpy as np
    >>> from skae import AutoencoderImputer
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 2)) @ rng.normal(size=(2, 6))
    >>> X[rng.uniform(size=X.shape) < 0.2] = np.nan
    >>> imputer = AutoencoderImputer(max_iter=5, random_state=0).fit(X)
    >>> X_filled = imputer.transform(X)
    >>> bool(np.isnan(X_filled).any())
    False
    >>> observed = ~np.isnan(X)
    >>> bool((X_filled[observed] == X[observed]).all())
    True
    """

    _fitted_private = ("_posterior_rng", "_networks")

    _parameter_constraints = {
        "missing_values": [MissingValues(numeric_only=True), StrOptions({"unstored"})],
        "n_components": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        **constraints(*_SHARED),
        "hidden_layer_sizes": ["array-like", StrOptions({"auto"})],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "mask_fraction": [Interval(Real, 0, 1, closed="left"), StrOptions({"auto"})],
        "learning_rate": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "sample_posterior": ["boolean"],
        "add_indicator": ["boolean"],
        "keep_empty_features": ["boolean"],
    }

    def __init__(
        self,
        *,
        missing_values=np.nan,
        n_components="auto",
        hidden_layer_sizes="auto",
        activation="relu",
        optimizer="adam",
        learning_rate="auto",
        learning_rate_schedule="constant",
        batch_size="auto",
        max_iter=200,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=20,
        tol=1e-4,
        alpha=1e-4,
        mask_fraction="auto",
        n_estimators=3,
        sample_posterior=False,
        add_indicator=False,
        keep_empty_features=False,
        random_state=None,
        verbose=0,
    ):
        self.missing_values = missing_values
        self.n_components = n_components
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.learning_rate_schedule = learning_rate_schedule
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.alpha = alpha
        self.mask_fraction = mask_fraction
        self.n_estimators = n_estimators
        self.sample_posterior = sample_posterior
        self.add_indicator = add_indicator
        self.keep_empty_features = keep_empty_features
        self.random_state = random_state
        self.verbose = verbose

    model_ = _kept_network("model_", "The first network's autoencoder.")
    encoder_ = _kept_network("encoder_", "The first network's encoder.")
    decoder_ = _kept_network("decoder_", "The first network's decoder.")
    n_components_ = _kept_network("n_components_", "Width of the code.")
    n_iter_ = _kept_network("n_iter_", "Epochs the first network ran.")
    loss_curve_ = _kept_network("loss_curve_", "The first network's training loss by epoch.")
    validation_scores_ = _kept_network("validation_scores_",
                                       "The first network's held-out scores by epoch.")
    best_validation_score_ = _kept_network("best_validation_score_",
                                           "The best of ``validation_scores_``.")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = _is_nan(self.missing_values)
        tags.input_tags.sparse = self._unstored()
        return tags

    # ------------------------------------------------------------------ fit

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the autoencoder on the observed entries of X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows with missing values, marked by ``missing_values``.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            The fitted imputer.
        """
        with cleared_on_failure(self, self._fitted_private):
            self._fit_imputer(X)
        return self

    def _fit_imputer(self, X):
        X, missing = self._validate_missing(X, reset=True)
        if self.add_indicator and missing is None:
            raise ValueError(
                "add_indicator=True is not supported with missing_values='unstored': "
                "the indicator of the unstored entries would be a dense matrix."
            )
        self._fit_standardization(X, missing)
        kept = self._kept()
        if not kept.any():
            raise ValueError(
                f"{type(self).__name__} needs observed values to learn from, but "
                f"every value of X is missing (missing_values={self.missing_values!r})."
            )
        Z = self._standardized(X)
        # The range of each feature's observed values, standardized.
        bounds = tuple((limit[kept] - self.mean_[kept]) / self.scale_[kept]
                       for limit in (self.data_min_, self.data_max_))
        with GatheredConvergenceWarnings() as gathered:
            first, interrupted = self._fit_architectures(Z, bounds)
            rng = check_random_state(self.random_state)
            self._posterior_rng = np.random.RandomState(rng.randint(0, 2**31 - 1))
            # The others: the first's architecture, each with its own seed
            # (initial weights, batches, held-out entries). Ctrl-C keeps the
            # networks fitted so far.
            seeds = rng.randint(0, 2**31 - 1, size=self.n_estimators - 1)
            self._networks = [first]
            for seed in seeds:
                if interrupted:
                    break
                network = clone(first).set_params(random_state=int(seed)).fit(Z, bounds)
                self._networks.append(network)
                interrupted = warn_if_interrupted(network)
        if gathered.count:
            n_fitted = len(self.architecture_scores_) + self.n_estimators - 1
            warnings.warn(
                f"{gathered.count} of the {n_fitted} networks fitted reached "
                f"max_iter={self.max_iter} epochs before converging; raise max_iter.",
                ConvergenceWarning,
            )
        residual = np.full(self.n_features_in_, np.nan)
        residual[kept] = first.residual_ * self.scale_[kept]
        self.residual_std_ = residual
        self.indicator_ = (
            MissingIndicator(missing_values=np.nan, error_on_new=False).fit(
                np.where(missing, np.nan, 0.0)
            )
            if self.add_indicator else None
        )

    def _architectures(self, n_features):
        """The ``_MaskedAutoencoder`` of each candidate network, unfitted."""
        if isinstance(self.hidden_layer_sizes, str):  # "auto"
            candidates = AUTO_HIDDEN_LAYER_SIZES
            if not self.early_stopping:
                candidates = candidates[:1]  # nothing held out to choose by
        else:
            candidates = [checked_widths(self.hidden_layer_sizes, "hidden_layer_sizes")]
        shared = {name: getattr(self, name) for name in _NETWORK_PARAMETERS}
        return [_MaskedAutoencoder(hidden, self._auto_code(hidden, n_features),
                                   self._auto("mask_fraction", hidden, AUTO_MASK, AUTO_LINEAR_MASK),
                                   self._auto("learning_rate", hidden, AUTO_RATE, AUTO_LINEAR_RATE),
                                   **shared)
                for hidden in candidates]

    def _auto_code(self, hidden, n_features):
        if not isinstance(self.n_components, str):
            return int(self.n_components)
        return AUTO_CODE if hidden else min(int(n_features), AUTO_LINEAR_CODE)

    def _auto(self, name, hidden, with_hidden, linear):
        """Parameter ``name`` as a float: as given, or "auto"'s value for the network."""
        value = getattr(self, name)
        if not isinstance(value, str):
            return float(value)
        return with_hidden if hidden else linear

    def _fit_architectures(self, Z, bounds):
        """Fit each candidate network on the same held-out entries.

        Returns the best, and whether the user interrupted (Ctrl-C).
        """
        candidates = self._architectures(Z.shape[1])
        # An int random_state makes every fit draw the same; otherwise one
        # seed drawn here is shared, so that all hold out the same entries.
        seed = (None if isinstance(self.random_state, Integral)
                else check_random_state(self.random_state).randint(0, 2**31 - 1))
        scores = []
        interrupted = False
        for network in candidates:
            network.fit(Z, bounds, rng=None if seed is None else np.random.RandomState(seed))
            scores.append(network.best_validation_score_)
            # Ctrl-C: choose among the candidates fitted so far.
            interrupted = warn_if_interrupted(network)
            if interrupted:
                break
        candidates = candidates[:len(scores)]
        kept = candidates[0 if None in scores else int(np.argmax(scores))]
        self.hidden_layer_sizes_ = kept.hidden_layer_sizes
        self.mask_fraction_, self.learning_rate_ = kept.mask_fraction, kept.learning_rate
        self.architecture_scores_ = [
            {"hidden_layer_sizes": network.hidden_layer_sizes,
             "n_components": network.n_components,
             "mask_fraction": network.mask_fraction,
             "learning_rate": network.learning_rate,
             "validation_score": None if score is None else float(score)}
            for network, score in zip(candidates, scores)
        ]
        return kept, interrupted

    def _unstored(self):
        return isinstance(self.missing_values, str) and self.missing_values == "unstored"

    def _validate_missing(self, X, *, reset):
        """Validated rows and the mask of their missing entries.

        Arrays come back as floats with NaN where missing. With
        ``missing_values="unstored"``, X must be a sparse matrix and comes
        back as CSR without NaN stored (a stored NaN is missing too); its
        mask is None (the unstored entries).
        """
        if self._unstored():
            if not sp.issparse(X):
                raise ValueError(
                    "missing_values='unstored' takes a SciPy sparse matrix whose stored "
                    f"entries are the observed values, got {type(X).__name__}; mark the "
                    "missing values of an array with missing_values=np.nan (the default)."
                )
            X = validate_data(
                self, X, accept_sparse="csr", dtype=[np.float64, np.float32], reset=reset,
                ensure_all_finite="allow-nan", ensure_min_samples=2 if reset else 1,
            )
            X = X.copy()
            X.sum_duplicates()  # also sorts each row's entries, as a dense row's are
            stored = ~np.isnan(X.data)
            if not stored.all():
                X = X.tocoo()
                X = sp.csr_matrix((X.data[stored], (X.row[stored], X.col[stored])), shape=X.shape)
            return X, None
        nan_missing = _is_nan(self.missing_values)
        X = validate_data(
            self, X, dtype=[np.float64, np.float32], reset=reset,
            ensure_all_finite="allow-nan" if nan_missing else True,
            ensure_min_samples=2 if reset else 1,
        )
        if nan_missing:
            return X, np.isnan(X)
        missing = X == self.missing_values
        X = X.copy()
        X[missing] = np.nan
        return X, missing

    def _fit_standardization(self, X, missing):
        """Set ``mean_`` and ``scale_`` from the observed values of each feature."""
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"), \
                warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # the mean of an empty feature
            # Observed values in row-major order, whatever X's form, so that
            # a sparse X and its dense twin give the same numbers.
            if missing is None:
                values, columns = X.data, X.indices
            else:
                values, columns = X[~missing], np.nonzero(~missing)[1]
            mean, scale, low, high, empty = _column_moments(values, columns, X.shape[1])
        mean[empty] = low[empty] = high[empty] = np.nan
        # A constant feature's standard deviation is 0 or the float64
        # rounding of its mean, which would blow up any other value: it is
        # told apart by its smallest and largest values being equal.
        scale[~empty & ((low == high) | ~(scale > 0))] = 1.0
        scale[empty] = np.nan
        if not np.all(np.isfinite(mean[~empty]) & np.isfinite(scale[~empty])):
            raise ValueError(
                "Input X has values too large in magnitude to standardize in "
                "float64; scale the data first."
            )
        self.mean_, self.scale_ = mean, scale
        self.data_min_, self.data_max_ = low, high

    def _kept(self):
        """The features the network imputes: those with observed values at fit."""
        return ~np.isnan(self.mean_)

    def _standardized(self, X):
        """The kept features, standardized: NaN where missing, or sparse."""
        kept = self._kept()
        mean, scale = self.mean_[kept], self.scale_[kept]
        if sp.issparse(X):
            Z = X[:, kept].tocsr().astype(np.float64)
            Z.data = (Z.data - mean[Z.indices]) / scale[Z.indices]
            return Z
        return (np.asarray(X[:, kept], dtype=np.float64) - mean) / scale

    # ---------------------------------------------------------- transform

    def transform(self, X):
        """Impute the missing values of X; observed values are kept exactly.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows with missing values, marked by ``missing_values``; a
            sparse matrix with ``missing_values="unstored"``.

        Returns
        -------
        X_imputed : ndarray of shape (n_samples, n_features_out)
            X with its missing values filled, in X's float dtype; without
            the features empty at ``fit`` unless ``keep_empty_features``,
            and followed by the indicator's columns if ``add_indicator``.
            Dense even for sparse X: for a large sparse matrix, ask for the
            entries needed with :meth:`predict_entries`.
        """
        check_is_fitted(self)
        X, missing = self._validate_missing(X, reset=False)
        if missing is None:
            imputed = np.vstack([
                self._impute(dense_rows(X, chunk, X.dtype))
                for chunk in _chunks(np.arange(X.shape[0]), X.shape[1])
            ])
        else:
            imputed = self._impute(X)
        if self.indicator_ is not None:
            indicator = self.indicator_.transform(np.where(missing, np.nan, 0.0))
            imputed = np.hstack([imputed, indicator.astype(imputed.dtype)])
        return imputed

    def predict_entries(self, X, rows, cols):
        """The imputed values of chosen entries of X, without imputing all of X.

        ``transform(X)[rows, cols]`` computed from the rows asked for only,
        a chunk of rows at a time, so that a sparse matrix too large to be
        dense never is: the observed value where the entry is observed,
        the prediction from the row's observed entries where it is missing
        (a rating to recommend by). An entry in a feature with no observed
        value at ``fit`` (a user never seen) that ``transform`` drops
        (``keep_empty_features=False``) gets a recommender's cold-start
        answer instead: the mean of the row's observed entries, or where the
        row has none, the mean of the features' means at ``fit``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows with missing values, as for :meth:`transform`.
        rows, cols : array-like of int of shape (n_entries,)
            Row and column (in X's features) of each entry.

        Returns
        -------
        values : ndarray of shape (n_entries,), dtype float64
            The imputed value of each entry.
        """
        check_is_fitted(self)
        X, missing = self._validate_missing(X, reset=False)
        rows, cols = np.asarray(rows), np.asarray(cols)
        if rows.shape != cols.shape or rows.ndim != 1:
            raise ValueError(
                f"rows and cols must be 1-D and of one length, got shapes {rows.shape} "
                f"and {cols.shape}."
            )
        for name, index, size in (("rows", rows, X.shape[0]), ("cols", cols, X.shape[1])):
            if len(index) and (not np.issubdtype(index.dtype, np.integer)
                               or index.min() < 0 or index.max() >= size):
                raise ValueError(f"{name} must be integers in [0, {size}), got {index!r}.")
        values = np.empty(len(rows))
        if not self.keep_empty_features:
            cold = ~self._kept()[cols]
            values[cold] = self._cold_start(X, rows[cold])
            warm = ~cold
            values[warm] = self._predict_entries(X, rows[warm], cols[warm])
            return values
        return self._predict_entries(X, rows, cols)

    def _cold_start(self, X, rows):
        """Each row's mean observed value, or the mean of the feature means if it has none."""
        values = np.full(len(rows), np.nanmean(self.mean_))
        for chunk in _chunks(np.arange(len(rows)), X.shape[1]):
            block = dense_rows(X, rows[chunk])
            observed = ~np.isnan(block)
            has = observed.any(axis=1)
            sums = np.where(observed, block, 0.0).sum(axis=1)
            values[chunk[has]] = sums[has] / observed.sum(axis=1)[has]
        return values

    def _predict_entries(self, X, rows, cols):
        """``predict_entries`` of entries in features kept at ``fit`` (or all of them)."""
        values = np.empty(len(rows))
        unique, where = np.unique(rows, return_inverse=True)
        position = (np.arange(X.shape[1]) if self.keep_empty_features
                    else np.cumsum(self._kept()) - 1)
        start = 0
        for chunk in _chunks(unique, X.shape[1]):
            block = self._impute(dense_rows(X, chunk))
            asked = (where >= start) & (where < start + len(chunk))
            values[asked] = block[where[asked] - start, position[cols[asked]]]
            start += len(chunk)
        return values

    def _predict(self, Z):
        """The mean of the networks' predictions of standardized rows Z."""
        return np.mean(self._predictions(Z), axis=0)

    def _predictions(self, Z):
        """Each network's predictions of standardized rows Z, within the fitted range."""
        return np.stack([network.predict(Z) for network in self._networks])

    def _impute(self, X):
        """X (an array, NaN where missing) with its gaps filled."""
        kept = self._kept()
        missing = np.isnan(X)
        out = np.array(X, copy=True)
        rows = missing[:, kept].any(axis=1)
        if rows.any():
            Z = self._standardized(X[rows])
            if self.sample_posterior:
                # Around one network's prediction, drawn for each row.
                networks = self._networks
                drawn = (self._posterior_rng.randint(len(networks), size=len(Z))
                         if len(networks) > 1 else np.zeros(len(Z), dtype=int))
                predicted = self._predictions(Z)[drawn, np.arange(len(Z))]
                spread = np.stack([network.residual_ * self.scale_[kept] for network in networks])
                noise = self._posterior_rng.standard_normal(predicted.shape)
                predicted = predicted * self.scale_[kept] + self.mean_[kept]
                predicted = np.clip(predicted + noise * spread[drawn],
                                    self.data_min_[kept], self.data_max_[kept])
            else:
                predicted = self._predict(Z) * self.scale_[kept] + self.mean_[kept]
            block = out[rows][:, kept]
            holes = missing[rows][:, kept]
            block[holes] = predicted[holes]
            out[np.ix_(rows, kept)] = block
        if self.keep_empty_features:
            out[:, ~kept] = np.where(missing[:, ~kept], 0.0, out[:, ~kept])
            return out
        return out[:, kept]

    def get_feature_names_out(self, input_features=None):
        """Names of the output features: the kept inputs, then the indicator's.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names; ``feature_names_in_`` or ``x0, x1, ...``
            when None.

        Returns
        -------
        feature_names_out : ndarray of str objects
            The names of the imputed features, then of the indicator columns.
        """
        check_is_fitted(self, "n_features_in_")
        input_features = _check_feature_names_in(self, input_features)
        names = input_features if self.keep_empty_features else input_features[self._kept()]
        if self.indicator_ is None:
            return names
        return np.concatenate([names, self.indicator_.get_feature_names_out(input_features)])
