"""The estimator base shared by every skae autoencoder.

The scikit-learn side lives here: parameter declarations, input validation,
seeds, the ``fit`` skeleton, fitted attributes, scoring and persistence. The
Keras side (building, training and float64 inference of networks) is the
package ``skae._keras``, imported inside the methods that use it so that
Keras loads at the first fit; subclasses override the hooks
``_build_networks`` and ``_train_networks`` for what differs in them.
"""

import warnings
from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array

from ._compat import Interval, StrOptions, _fit_context, validate_data
from ._numerics import ACTIVATIONS, LOSSES, OPTIMIZERS, SCHEDULES, principal_axes

#: Keras' clipping of probabilities in binary cross-entropy.
_EPSILON = 1e-7

#: Private fitted state; cleared with the fitted attributes. ``_keras_state``
#: is the fitted Keras models as plain data (``_keras.networks.saved_state``),
#: ``_keras_models`` the models themselves, kept after fit and rebuilt from
#: the state when first asked for after loading.
_FITTED_PRIVATE = ("_forward", "_optimizer_state", "_partial_rng", "_keras_state",
                   "_keras_models", "_interrupted")

#: ``batch_size="auto"``: about ``_AUTO_BATCH_STEPS`` steps an epoch on
#: small data, batches of a family's ``_auto_batch_max`` rows on large
#: data, and never fewer than ``_AUTO_BATCH_MIN`` rows a batch (see the
#: parameter's doc).
_AUTO_BATCH_STEPS = 32
_AUTO_BATCH_MIN = 32

#: How many offending rows an error message lists.
_ROWS_SHOWN = 10


def _within_unit_interval(X):
    """Whether every value of ``X`` (NaN aside) lies in [0, 1]."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows of padded sequences
        return bool(np.nanmin(X) >= 0 and np.nanmax(X) <= 1)


def _reconstruction_errors(X, X_rec, loss):
    """Per-row mean reconstruction error under ``loss``, in float64.

    NaN in ``X`` marks a missing value (padding, for estimators that take
    it): a row's error is the mean over its present values, as in training.
    """
    X = np.asarray(X, dtype=np.float64)
    X_rec = np.asarray(X_rec, dtype=np.float64)
    # Overflow gives infinity, which the callers report.
    with np.errstate(over="ignore", invalid="ignore"):
        if loss == "mse":
            errors = (X - X_rec) ** 2
        elif loss == "mae":
            errors = np.abs(X - X_rec)
        else:
            p = np.clip(X_rec, _EPSILON, 1.0 - _EPSILON)
            errors = -(X * np.log(p) + (1.0 - X) * np.log1p(-p))
        present = ~np.isnan(X)
        if present.all():
            return np.mean(errors, axis=1)
        return np.sum(errors, axis=1, where=present) / np.sum(present, axis=1)


def rows_shown(bad):
    """The indices of the True entries of ``bad``, the first few, as text."""
    rows = np.flatnonzero(bad)
    shown = ", ".join(str(i) for i in rows[:_ROWS_SHOWN])
    return shown + (", ..." if len(rows) > _ROWS_SHOWN else "")


def checked_widths(value, name, *, allow_empty=True):
    """``value`` of parameter ``name`` as a tuple of Python ints, or a clear error.

    A positive int or a sequence of them (NumPy integers too) is valid.
    """
    sizes = [value] if isinstance(value, Integral) else np.asarray(value, dtype=object)
    if np.ndim(sizes) != 1 or (not allow_empty and len(sizes) == 0) or any(
        isinstance(s, (bool, np.bool_)) or not isinstance(s, Integral) or s < 1
        for s in sizes
    ):
        raise ValueError(
            f"{name} must be a {'non-empty ' if not allow_empty else ''}sequence "
            f"of positive integers, got {value!r}."
        )
    return tuple(int(s) for s in sizes)


def validated_rows(estimator, X, **kwargs):
    """``validate_data(estimator, X, **kwargs)``, whose NaN error says how to fill the gaps.

    scikit-learn's own text points to HistGradientBoosting; skae's answer to
    missing values is an imputer in front of the estimator.
    """
    return with_imputer_hint(estimator, validate_data, estimator, X, **kwargs)


def with_imputer_hint(estimator, validate, *args, **kwargs):
    """``validate(*args, **kwargs)``, whose NaN error names the imputers (see ``validated_rows``)."""
    try:
        return validate(*args, **kwargs)
    except ValueError as error:
        if not str(error).startswith("Input X contains NaN"):
            raise
        raise ValueError(
            f"Input X contains NaN, and {type(estimator).__name__} does not accept missing "
            "values. Fill them first, in a Pipeline before it: skae.AutoencoderImputer predicts "
            "them from the observed features; sklearn.impute.SimpleImputer fills each column "
            "with its mean or median."
        ) from None


def warn_if_interrupted(*networks):
    """Warn once if the user interrupted the training of any of ``networks``.

    ``_fit`` marks a network whose training a KeyboardInterrupt (Ctrl-C)
    stopped; the public method that trained it calls this, as scikit-learn's
    MLP does, and the estimator keeps what the completed epochs learned.
    Returns whether any was interrupted.
    """
    interrupted = [vars(network).pop("_interrupted", False) for network in networks]
    if any(interrupted):
        warnings.warn("Training interrupted by user.", UserWarning, stacklevel=3)
    return any(interrupted)


def fitted_attributes(estimator, private=()):
    """Names of ``estimator``'s fitted attributes (ending in "_") and of ``private`` ones it has."""
    return [name for name in vars(estimator)
            if (name.endswith("_") and not name.startswith("__")) or name in private]


@contextmanager
def cleared_on_failure(estimator, private=(), clear=True):
    """Leave no half-fitted estimator behind: whatever fails inside, its fitted
    attributes (and ``private`` ones) are deleted before the error goes on.
    ``clear=False`` keeps them (a failed step of a fit that continues)."""
    try:
        yield
    except BaseException:
        if clear:
            for name in fitted_attributes(estimator, private):
                delattr(estimator, name)
        raise


def finite(values, X, where):
    """Return ``values`` (one entry or row per row of X) if all are finite.

    Otherwise raise a ValueError naming ``where`` (the method) and the rows:
    nothing non-finite leaves the package silently.
    """
    bad = ~np.isfinite(values.reshape(len(values), -1)).all(axis=1)
    if not bad.any():
        return values
    raise ValueError(
        f"{where} gave non-finite values for "
        f"{bad.sum()} of {len(values)} rows (rows {rows_shown(bad)}): their values "
        "are too large in magnitude for the fitted network (largest "
        f"absolute input value {np.nanmax(np.abs(X)):.3g}). Scale X the way "
        "the training data were scaled, for example with the StandardScaler "
        "fitted on them."
    )


class GatheredConvergenceWarnings:
    """Gather the ConvergenceWarnings of several fits, so that one warning speaks for all.

    Inside ``with GatheredConvergenceWarnings() as gathered:``, each
    ConvergenceWarning is counted in ``gathered.count`` instead of shown;
    every other warning goes through the caller's filters and is shown as
    usual (with its module and once-per-place rules intact). The caller
    warns once if ``gathered.count``.
    """

    def __enter__(self):
        self.count = 0
        self._catching = warnings.catch_warnings()  # restores filters and showwarning
        self._catching.__enter__()
        warnings.simplefilter("always", ConvergenceWarning)
        show = warnings.showwarning

        def count_or_show(message, category, filename, lineno, file=None, line=None):
            if issubclass(category, ConvergenceWarning):
                self.count += 1
            else:
                show(message, category, filename, lineno, file, line)

        warnings.showwarning = count_or_show
        return self

    def __exit__(self, *exc_info):
        self._catching.__exit__(*exc_info)
        return False


def _as_float32(X):
    """Cast validated training input to the float32 the networks train in.

    A sparse matrix stays sparse, its stored values cast.
    """
    values = X.data if sp.issparse(X) else X
    with np.errstate(over="ignore"):
        X32 = X.astype(np.float32) if sp.issparse(X) else np.asarray(X, dtype=np.float32)
    # NaN passed validation only where allowed.
    if np.isinf(X32.data if sp.issparse(X) else X32).any():
        raise ValueError(
            "Input X has values too large in magnitude for float32 "
            f"(largest absolute value {np.nanmax(np.abs(values)):.3g}); scale the data, "
            "for example with sklearn.preprocessing.StandardScaler."
        )
    return X32


#: The constraints of the parameters several estimators share, by name.
#: Each estimator declares exactly its own with :func:`constraints`.
SHARED_CONSTRAINTS = {
    "n_components": [Interval(Integral, 1, None, closed="left")],
    "hidden_layer_sizes": ["array-like"],
    "activation": [StrOptions(ACTIVATIONS)],
    "output_activation": [StrOptions(ACTIVATIONS | {"auto"})],
    "loss": [StrOptions(LOSSES)],
    "optimizer": [StrOptions(OPTIMIZERS)],
    "learning_rate": [Interval(Real, 0, None, closed="neither")],
    "learning_rate_schedule": [StrOptions(SCHEDULES)],
    "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
    "max_iter": [Interval(Integral, 1, None, closed="left")],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
    "tol": [Interval(Real, 0, None, closed="left")],
    "alpha": [Interval(Real, 0, None, closed="left")],
    "tied_weights": ["boolean"],
    "linear_components": [StrOptions({"auto"}), Interval(Integral, 0, None, closed="left")],
    "code_activation": [StrOptions(ACTIVATIONS)],
    "code_l1": [Interval(Real, 0, None, closed="left")],
    "sparsity_target": [Interval(Real, 0, 1, closed="neither"), None],
    "sparsity_weight": [Interval(Real, 0, None, closed="left")],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
    "warm_start": ["boolean"],
}


#: The training parameters of every network estimator, in their order.
TRAINING_PARAMETERS = (
    "optimizer", "learning_rate", "learning_rate_schedule", "batch_size", "max_iter",
    "early_stopping", "validation_fraction", "n_iter_no_change", "tol", "alpha",
)


def constraints(*names):
    """The shared constraints of the parameters ``names``, for ``_parameter_constraints``."""
    return {name: SHARED_CONSTRAINTS[name] for name in names}


class BaseAutoencoder(BaseEstimator):
    """Common ``fit`` skeleton, scoring and persistence of skae's autoencoders.

    Not for direct use: subclasses provide ``__init__`` (listing every
    parameter, as scikit-learn requires) and may override
    ``_build_networks`` and ``_train_networks``.
    """

    #: Whether rows may hold NaN, for missing values; a subclass that says
    #: so checks where they are (``_check_params_against`` in ``fit``,
    #: ``_validate_input`` at inference) and trains with a masked loss. The
    #: ``allow_nan`` tag is for an estimator that takes NaN anywhere.
    _allow_nan = False

    #: The most rows of a ``batch_size="auto"`` batch (large data): a
    #: family's own, chosen by measuring it (see the parameter's doc).
    _auto_batch_max = 200

    #: Momentum of the moving average of the weights kept while training
    #: (the result is the averaged weights), or None for none.
    _weight_averaging = None

    #: How the masked loss weighs rows with missing values, where
    #: ``_allow_nan``: ``"row"`` (each row the same) or ``"entry"`` (each
    #: present value the same); see ``_keras.losses.masked_error``.
    _masked_weighting = "row"

    #: Private fitted state, cleared with the fitted attributes; subclasses
    #: with more add theirs.
    _fitted_private = _FITTED_PRIVATE


    # ------------------------------------------------------------------ fit

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the autoencoder to reconstruct X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        continuing = self._warm_start()
        with cleared_on_failure(self, self._fitted_private):
            X = self._validate_rows(X, ensure_min_samples=2, reset=not continuing)
            self._fit(X, continuing=continuing)
        warn_if_interrupted(self)
        return self

    def _validate_rows(self, X, **kwargs):
        """Rows as float64 or float32; finite, or NaN where ``_allow_nan``."""
        return validated_rows(
            self, X, dtype=[np.float64, np.float32],
            ensure_all_finite="allow-nan" if self._allow_nan else True, **kwargs,
        )

    def _warm_start(self):
        """Whether ``fit`` continues from the fitted weights (``warm_start``)."""
        return False

    def _fit(self, X, *, continuing=False, partial=False, rng=None):
        """Train on validated rows X and set the fitted state.

        ``continuing`` starts from the fitted weights instead of new ones;
        ``partial`` makes one pass over X with no validation split, going
        on with the optimizer's state of the previous pass
        (``partial_fit``). ``rng``, a RandomState, makes the fit's draws
        (initial weights, shuffling, validation split) instead of
        ``random_state``: fits given equal ones hold out the same rows.
        Nothing is changed unless training succeeds. Returns the rows
        trained on and those held out for validation (None without).
        """
        X = _as_float32(X)
        self._check_params_against(X)
        if partial:
            if not hasattr(self, "_partial_rng"):
                self._partial_rng = check_random_state(self.random_state)
            rng = self._partial_rng
        elif rng is None:
            rng = check_random_state(self.random_state)
        init_seed, shuffle_seed = (int(s) for s in rng.randint(0, 2**31 - 1, size=2))
        X_train, X_val = (X, None) if partial else self._split_validation(X, rng)
        if hasattr(self, "linear_components") and not continuing:
            self.linear_components_ = self._resolve_linear_components()
        if hasattr(self, "output_activation") and not (
            continuing and self.output_activation == "auto"
        ):
            # Set before the networks are built, as n_features_in_ is set
            # before training; a failed fit clears it with the rest. A fit
            # that continues keeps the activation "auto" chose at the start.
            self.output_activation_ = self._resolve_output_activation(X_train)
        networks = self._build_networks(X_train, init_seed)
        if continuing:
            self._load_fitted_weights(networks)
        else:
            networks.start_at_mean(self._output_mean(X_train))
            if networks.path is not None:
                networks.path.start = principal_axes(X_train, self._code_width(),
                                                     random_state=init_seed)
                self._start_path(networks)
        result = self._train_networks(
            networks, X_train, X_val, seed=shuffle_seed,
            max_iter=1 if partial else self.max_iter,
            from_scratch=not (continuing or partial),
            optimizer_state=getattr(self, "_optimizer_state", None) if partial else None,
            streaming=partial,
        )
        self._check_converged(result)
        # Read, and cleared, by the public method that trained (warn_if_interrupted).
        self._interrupted = result.interrupted
        if (not partial and not result.stopped_early and not result.interrupted
                and result.n_iter >= self.max_iter):
            warnings.warn(
                f"Maximum iterations ({self.max_iter}) reached and the "
                "optimization hasn't converged yet.",
                ConvergenceWarning,
            )

        self._set_networks(networks)
        for name, value in result.extra.items():
            setattr(self, name, value)
        self.n_components_ = self._code_width()
        self._optimizer_state = result.optimizer_state if partial else None
        scores = None if X_val is None else [-e for e in result.validation_errors]
        if continuing:
            self.n_iter_ += result.n_iter
            self.loss_curve_ = self.loss_curve_ + result.loss_curve
            if scores is not None and self.validation_scores_ is not None:
                scores = self.validation_scores_ + scores
            elif scores is None:
                scores = self.validation_scores_
        else:
            self.n_iter_ = result.n_iter
            self.loss_curve_ = result.loss_curve
        self.validation_scores_ = scores
        self.best_validation_score_ = None if scores is None else max(scores, default=None)
        return X_train, X_val

    def _code_width(self):
        """Width of the code of the network being fitted."""
        return int(self.n_components)

    def _learning_rate(self):
        """The optimizer's initial step size for the network being fitted."""
        return float(self.learning_rate)

    def _load_fitted_weights(self, networks):
        """Start ``networks`` from the fitted weights, which must fit them."""
        fitted, new = self.model_.get_weights(), networks.model.get_weights()
        if [w.shape for w in fitted] != [w.shape for w in new]:
            raise ValueError(
                f"{type(self).__name__} cannot continue from its fitted network: "
                "the parameters now give a network of other shapes (were "
                "n_components, hidden_layer_sizes or tied_weights changed?). "
                "Fit it anew with warm_start=False."
            )
        networks.model.set_weights(fitted)

    def _check_converged(self, result, stage=""):
        """Raise if a training ``result`` diverged; ``stage`` says which training."""
        if result.diverged:
            raise ValueError(
                f"Training diverged{stage}: the loss became NaN or infinite after "
                f"{result.n_iter} epoch(s). Scale the input (for example with "
                f"StandardScaler) or lower learning_rate={self._learning_rate()}."
            )

    def _check_params_against(self, X):
        """Checks of parameters that need the data or go beyond constraints."""
        self._check_hidden_layer_sizes()
        if self.sparsity_target is not None and self.code_activation != "sigmoid":
            raise ValueError(
                "sparsity_target needs code activations in (0, 1): set "
                f"code_activation='sigmoid' (got {self.code_activation!r})."
            )
        self._check_loss_range(X)

    def _check_hidden_layer_sizes(self):
        self._check_widths("hidden_layer_sizes")

    def _check_widths(self, name, *, allow_empty=True):
        """Parameter ``name`` must be a positive int or a sequence of them."""
        checked_widths(getattr(self, name), name, allow_empty=allow_empty)

    def _hidden_layer_sizes(self):
        """``hidden_layer_sizes`` as a tuple of Python ints (NumPy ones included)."""
        return self._widths("hidden_layer_sizes")

    def _widths(self, name):
        """Parameter ``name`` as a tuple of Python ints (NumPy ones included)."""
        return checked_widths(getattr(self, name), name)

    def _check_validation_split(self, n_samples):
        """Early stopping must leave rows both to train on and to validate on."""
        if not self._uses_validation():
            return
        n_val = int(np.ceil(self.validation_fraction * n_samples))
        if n_samples - n_val < 1:
            raise ValueError(
                f"validation_fraction={self.validation_fraction} holds out "
                f"{n_val} of the {n_samples} training rows for early stopping, "
                "leaving none to train on. Lower validation_fraction, train on "
                "more rows, or set early_stopping=False."
            )

    def _resolve_output_activation(self, X):
        """``output_activation`` for training rows ``X``, "auto" made concrete.

        Binary cross-entropy needs a sigmoid. A non-linear network on data in
        [0, 1] (pixels, min-max scaled columns) is spared learning the bounds:
        a network started at PCA clips its reconstruction to [0, 1]
        ("unit_clip", the identity inside, so its start is PCA's
        reconstruction moved toward every row), another one has a sigmoid. A
        linear network keeps a linear output, so that it still spans PCA's
        subspace.
        """
        if self.output_activation != "auto":
            return self.output_activation
        if self.loss == "binary_crossentropy":
            return "sigmoid"
        if self._nonlinear() and _within_unit_interval(X):
            return "unit_clip" if self._starts_at_pca() else "sigmoid"
        return "linear"

    def _starts_at_pca(self):
        """Whether a new network's linear path starts at PCA's solution."""
        return getattr(self, "linear_components_", 0) > 0

    def _start_path(self, networks):
        """Start a new network's linear path at PCA's solution (``path.start``)."""
        networks.start_at_components(*networks.path.start)

    def _resolve_linear_components(self):
        """``linear_components`` made concrete: "auto" is the code's width, its most."""
        if self.linear_components == "auto":
            return int(self.n_components)
        return min(int(self.linear_components), int(self.n_components))

    def _nonlinear(self):
        """Whether the network has a non-linear hidden layer."""
        return self.activation != "linear" and len(self._hidden_layer_sizes()) > 0

    def _uses_validation(self):
        return bool(self.early_stopping)

    def _split_validation(self, X, rng):
        if not self._uses_validation():
            return X, None
        self._check_validation_split(len(X))
        X_train, X_val = train_test_split(
            X, test_size=self.validation_fraction, random_state=rng
        )
        return X_train, X_val

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(self._auto_batch_max, max(_AUTO_BATCH_MIN, n_samples // _AUTO_BATCH_STEPS),
                       n_samples)
        return min(self.batch_size, n_samples)

    # ------------------------------------------- hooks for the Keras side

    def _dense_network_params(self):
        """Keyword arguments of ``_keras.networks.dense_levels`` from parameters."""
        return dict(
            activation=self.activation,
            output_activation=self.output_activation_,
            code_activation=self.code_activation,
            alpha=self.alpha,
            tied_weights=self.tied_weights,
            code_l1=self.code_l1,
            sparsity_target=self.sparsity_target,
            sparsity_weight=self.sparsity_weight,
            linear_components=self.linear_components_,
        )

    def _build_networks(self, X, seed):
        """Return the ``_keras.networks.Networks`` to train on rows ``X``."""
        from . import _keras
        return _keras.networks.dense_autoencoder(
            X.shape[1],
            self.n_components,
            self._hidden_layer_sizes(),
            seed=seed,
            **self._dense_network_params(),
        )

    def _output_mean(self, X):
        """Per feature, the mean the network's output starts at (None: zero bias)."""
        mean = np.mean(X, axis=0, dtype=np.float64)
        if not np.isfinite(mean).all():  # NaN padding (sequences of several lengths)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # a feature with no value
                mean = np.nanmean(X, axis=0, dtype=np.float64)
        return mean

    def _train(self, model, X_train, X_val, *, seed, max_iter, loss=None, optimizer_state=None,
               streaming=False, **options):
        """Train one Keras model to reconstruct its input.

        ``streaming`` marks one pass of many (``partial_fit``), which runs
        as a graph however short: see ``_keras.training.execution_plan``.
        ``options`` go to ``_keras.training.train`` (``epoch_hook``,
        ``unsettled_epochs``, ``keep_start``).
        """
        from . import _keras
        training = _keras.training
        batch_size = self._batch_size(X_train.shape[0])
        compile_args = dict(
            optimizer=self.optimizer,
            learning_rate=self._learning_rate(),
            loss=self.loss if loss is None else loss,
            masked=self._masked_weighting if self._allow_nan else False,
            # A pass of many: the average would replace the raw weights at
            # the end of every pass, shrinking the steps of the next ones.
            average=None if streaming else self._weight_averaging,
            **training.execution_plan(X_train.shape[0], batch_size, max_iter, streaming=streaming),
        )
        return training.train(
            model,
            X_train,
            X_val,
            compile_args=compile_args,
            batch_size=batch_size,
            max_iter=max_iter,
            early_stopping=self._uses_validation(),
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
            schedule=self.learning_rate_schedule,
            seed=seed,
            optimizer_state=optimizer_state,
            verbose=self.verbose,
            **options,
        )

    def _train_networks(self, networks, X_train, X_val, *, seed, max_iter, from_scratch,
                        **options):
        """Train ``networks``; return a ``_keras.training.TrainingResult``.

        ``from_scratch`` is False when training continues fitted weights or
        runs one ``partial_fit`` pass; the other arguments are ``_train``'s.
        """
        return self._train(networks.model, X_train, X_val, seed=seed, max_iter=max_iter,
                           keep_start=networks.path is not None, **options)

    # ----------------------------------------------------------- inference

    def _validate_input(self, X):
        """Rows for inference: any finite values, kept in float64 or float32.

        Inference runs in float64, so rows beyond float32's range are fine
        here; only training needs float32.
        """
        return self._validate_rows(X, reset=False)

    def _inference_rows(self, X, method):
        """X as flat rows for ``method``: the shaped families flatten N-D arrays."""
        return X

    def _set_networks(self, networks):
        """Keep the fitted ``networks`` and read their weights for inference.

        Inference computes in float64 NumPy from ops read here, once (see
        ``skae._inference``), not from the Keras variables at each call:
        reading a variable costs far more than a small network's arithmetic,
        and the ops need no TensorFlow to run or to load. The Keras models
        are kept as plain data too, from which they are rebuilt when asked
        for after loading.
        """
        from . import _inference, _keras
        models = (networks.model, networks.encoder, networks.decoder)
        self._keras_state = _keras.networks.saved_state(*models)
        export = _keras.export
        self._forward = {
            part: _inference.Forward(export.shared(export.ops(steps), self._keras_state["weights"]))
            for part, steps in networks.inference_steps().items()
        }
        self._keras_models = models

    def _encode(self, X):
        return self._forward["encoder"](X)

    def _decode(self, codes):
        return self._forward["decoder"](codes)

    def _reconstruct(self, X):
        return self._decode(self._encode(X))

    def _finite(self, values, X, method):
        """``values`` if all are finite, else a ValueError naming ``method`` (see :func:`finite`)."""
        return finite(values, X, f"{type(self).__name__}.{method}")

    def _unit_interval_setting(self):
        """``(setting, alternative)`` when the parameters need X in [0, 1], else None."""
        if self.loss == "binary_crossentropy":
            return "loss='binary_crossentropy'", "loss='mse'"
        return None

    def _check_loss_range(self, X):
        """Binary cross-entropy (a Bernoulli likelihood) is defined for X in [0, 1] only."""
        setting = self._unit_interval_setting()
        if setting is None:
            return
        low, high = np.nanmin(X), np.nanmax(X)  # NaN: missing, where allowed
        if low < 0 or high > 1:
            raise ValueError(
                f"{setting[0]} needs X in [0, 1], got values in "
                f"[{low:.3g}, {high:.3g}]; scale X with MinMaxScaler or "
                f"use {setting[1]}."
            )

    def _validate_codes(self, codes):
        codes = with_imputer_hint(self, check_array, codes, dtype=[np.float64, np.float32],
                                  input_name="X")
        if codes.shape[1] != self.n_components_:
            raise ValueError(
                f"X has {codes.shape[1]} features, but {type(self).__name__} "
                f"expects codes of {self.n_components_} components as input."
            )
        return codes

    # --------------------------------------------------------- persistence

    def _has_networks(self):
        """Whether fitted networks are held (without rebuilding the Keras models)."""
        return "_keras_state" in vars(self)

    def _keras_model(self, index):
        """Model ``index`` of (autoencoder, encoder, decoder), rebuilt if need be."""
        if "_keras_models" not in vars(self):
            if "_keras_state" not in vars(self):
                raise AttributeError("the Keras models exist once the estimator is fitted")
            from . import _keras
            self._keras_models = _keras.networks.restored(self._keras_state)
        return self._keras_models[index]

    @property
    def model_(self):
        """The fitted autoencoder, a ``keras.Model`` (Keras loads when it is first asked for)."""
        return self._keras_model(0)

    @property
    def encoder_(self):
        """The fitted encoder, a ``keras.Model`` sharing its layers with ``model_``."""
        return self._keras_model(1)

    @property
    def decoder_(self):
        """The fitted decoder, a ``keras.Model`` sharing its layers with ``model_``."""
        return self._keras_model(2)

    def __getstate__(self):
        # Plain data only: the ops, the Keras models as config and arrays.
        state = dict(super().__getstate__())
        state.pop("_keras_models", None)
        return state
