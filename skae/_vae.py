"""VariationalAutoencoder: a generative model with scikit-learn's density API."""

import hashlib
import warnings
from numbers import Integral, Real

import numpy as np
from scipy.special import logsumexp
from sklearn.base import DensityMixin, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._autoencoder import AutoencoderTransformer, mean_score
from ._base import TRAINING_PARAMETERS, constraints
from ._compat import Interval, StrOptions
from ._numerics import (
    CHUNK_VALUES,
    LOG_2PI,
    LOG_VARIANCE_BOUNDS,
    SECOND_STREAM_SEED_OFFSET,
    gaussian_kl,
)

#: The floor of the Gaussian likelihood's variance, relative to the mean
#: variance of the training features (see the ``variance`` parameter).
MIN_VARIANCE = 1e-6

#: The variational parameters' constraints, shared by every variational family.
VARIATIONAL_CONSTRAINTS = {
    "likelihood": [StrOptions({"gaussian", "bernoulli"})],
    "variance": [StrOptions({"shared", "feature"}), Interval(Real, 0, None, closed="neither")],
    "beta": [Interval(Real, 0, None, closed="left")],
    "kl_warmup": [Interval(Integral, 0, None, closed="left")],
    "n_importance_samples": [Interval(Integral, 1, None, closed="left")],
}


class VariationalMixin(DensityMixin, TransformerMixin):
    """Variational training and scikit-learn's density API for an autoencoder family.

    Placed before the family's class in the bases, as scikit-learn's mixins
    are: the family's ``_levels`` (a linear code layer ``2 * n_components``
    wide) become a variational network, trained on the negative ELBO, and
    the estimator gains posterior codes, ``score_samples`` as an importance
    sampled log-likelihood, ``score`` and ``sample``. A TransformerMixin so
    that scikit-learn wraps this ``transform`` for ``set_output``.
    """

    _fitted_private = (*AutoencoderTransformer._fitted_private,
                       "_shift", "_scale", "_draws_seed", "_decode_logits")

    def _unit_interval_setting(self):
        if self.likelihood == "bernoulli":
            return "likelihood='bernoulli'", "likelihood='gaussian'"
        return None

    def _variance_args(self, Z):
        """The ``ObservationVariance`` arguments for standardized training rows Z."""
        if not isinstance(self.variance, str):
            return dict(initial_variance=float(self.variance) / self._scale**2, trainable=False)
        # Standardized units: the features' mean variance is 1 (0 for
        # constant data), so the floor is MIN_VARIANCE of it. NaN: padding.
        # Z, not the float32 training rows: nanvar squares in the input's
        # dtype, which overflows for values near float32's limit.
        feature_variance = np.nanvar(Z, axis=0, dtype=np.float64)
        floor = MIN_VARIANCE
        if self.variance == "shared":
            start = max(float(np.mean(feature_variance)), floor)
        else:
            start = np.maximum(feature_variance, floor)
        return dict(initial_variance=floor + start, min_variance=floor,
                    shared=self.variance == "shared")

    def _build_networks(self, X, seed):
        from . import _keras
        gaussian = self.likelihood == "gaussian"
        Z = (np.asarray(X, dtype=np.float64) - self._shift) / self._scale if gaussian else None
        networks_module = _keras.networks
        networks = networks_module.variational(
            self._levels(X.shape[1], 2 * int(self.n_components), seed),
            X.shape[1],
            self.n_components,
            likelihood=self.likelihood,
            beta=self.beta,
            variance=self._variance_args(Z) if gaussian else None,
            seed=seed + SECOND_STREAM_SEED_OFFSET,
        )
        if gaussian:
            standardization = networks.model.get_layer("standardization")
            standardization.shift.assign(self._shift)
            standardization.scale.assign(self._scale)
        return networks

    def _kl_weight(self, epoch):
        """The KL term's weight in ``epoch`` (counted from the first fit)."""
        if self.kl_warmup == 0:
            return float(self.beta)
        return float(self.beta) * min(1.0, (epoch + 1) / self.kl_warmup)

    def _train_networks(self, networks, X_train, X_val, *, seed, max_iter, from_scratch,
                        **options):
        from . import _keras
        done = 0 if from_scratch else getattr(self, "n_iter_", 0)
        hook = None
        if self.kl_warmup > 0:
            def hook(model, epoch):
                model.get_layer("code_sampling").kl_weight.assign(self._kl_weight(done + epoch))
        result = self._train(
            networks.model, X_train, X_val, seed=seed, max_iter=max_iter,
            loss=self.likelihood, epoch_hook=hook,
            unsettled_epochs=max(0, self.kl_warmup - done), **options,
        )
        # The loss leaves out the log-likelihood's constant in the scale of
        # X: n_features * log(scale) (see _keras.losses.LIKELIHOOD_LOSSES).
        offset = X_train.shape[1] * np.log(self._scale)
        history = {name: values if name.endswith("kl") else [v + offset for v in values]
                   for name, values in result.history.items()}
        result.loss_curve = history["loss"]
        # Early stopping watches the whole negative ELBO, not its first part.
        result.validation_errors = history.get("val_loss", []) if X_val is not None else []
        curves = {
            "reconstruction_curve_": history.get(_keras.training.ERROR_METRIC, []),
            "kl_curve_": history.get("kl", []),
        }
        if not from_scratch:
            curves = {name: getattr(self, name, []) + curve for name, curve in curves.items()}
        result.extra.update(curves)
        return result

    def _fit(self, X, *, continuing=False, partial=False):
        # The network computes on rows standardized by its Standardization
        # layer (float32 cannot hold the likelihood of data at the scale of
        # 1e-30), with the shift and scale of the first fit's rows.
        if not (continuing or (partial and hasattr(self, "_shift"))):
            self._shift, self._scale = self._standardization(X)
        super()._fit(X, continuing=continuing, partial=partial)
        if not (partial and hasattr(self, "_draws_seed")):
            self._draws_seed = int(check_random_state(self.random_state).randint(2**31 - 1))
        mean, log_variance = self._posterior(X)
        kl = gaussian_kl(mean, log_variance)
        self.kl_per_component_ = self._finite(kl, X, "fit").mean(axis=0)

    def _standardization(self, X):
        """Shift (per feature) and scale (one number) that standardize X.

        One scale for all features, the root of their mean variance, keeps
        their relative variances: a shared variance stays shared, and the
        linear model stays PPCA. Bernoulli rows are taken as they are.
        """
        n_features = X.shape[1]
        if self.likelihood == "bernoulli":
            return np.zeros(n_features), 1.0
        with warnings.catch_warnings():  # NaN: padding, absent from some features
            warnings.simplefilter("ignore", RuntimeWarning)
            shift = np.nan_to_num(np.nanmean(X, axis=0, dtype=np.float64))
            scale = float(np.sqrt(np.nanmean(np.nanvar(X, axis=0, dtype=np.float64))))
        return shift, (scale if np.isfinite(scale) and scale > 0 else 1.0)

    def _set_networks(self, networks):
        from . import _inference
        super()._set_networks(networks)
        decoder_ops = self._forward["decoder"].ops
        if self.likelihood == "bernoulli":
            # The decoder's ops but its final sigmoid: the logits.
            self._decode_logits = _inference.Forward(decoder_ops[:-1])
        else:
            layer = networks.model.get_layer("decoder_variance")
            variance = layer.min_variance + np.exp(np.asarray(layer.log_excess.value, np.float64))
            standardization = networks.model.get_layer("standardization")
            scale = float(np.asarray(standardization.scale.value, np.float64))
            self.noise_variance_ = np.broadcast_to(scale**2 * variance, (layer.n_features,)).copy()

    # ------------------------------------------------------ inference

    def _posterior(self, X):
        """Posterior means and log-variances of rows X, in float64."""
        out = self._encode(X)
        k = self.n_components_
        # Clipped as the network's sampling layer clips them.
        return out[:, :k], np.clip(out[:, k:], *LOG_VARIANCE_BOUNDS)

    def transform(self, X, return_std=False):
        """Posterior means of the codes of X, and optionally their standard deviations.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to encode (for the image and sequence families, also N-D
            arrays of shape ``(n_samples, *shape)``).
        return_std : bool, default=False
            Also return the posterior standard deviations.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components), dtype float64
            The posterior means.
        X_std : ndarray of shape (n_samples, n_components), dtype float64
            The posterior standard deviations; only with ``return_std=True``.
        """
        check_is_fitted(self)
        X = self._validate_input(self._inference_rows(X, "transform"))
        mean, log_variance = self._posterior(X)
        mean = self._finite(mean, X, "transform")
        if not return_std:
            return mean
        return mean, self._finite(np.exp(0.5 * log_variance), X, "transform")

    def _log_likelihood(self, X, codes):
        """``log p(x | z)`` of each row of X given each of its codes, summed over features.

        ``codes`` has shape (n_draws, n_rows, n_components); so has the
        result, without the last axis.
        """
        n_draws, n_rows, k = codes.shape
        flat = codes.reshape(n_draws * n_rows, k)
        present = ~np.isnan(X)  # NaN: padding, where the estimator takes it
        with np.errstate(over="ignore", invalid="ignore"):
            if self.likelihood == "bernoulli":
                logits = self._decode_logits(flat).reshape(n_draws, n_rows, -1)
                terms = X * logits - np.logaddexp(0.0, logits)
            else:
                means = self._decode(flat).reshape(n_draws, n_rows, -1)
                variance = self.noise_variance_
                terms = -0.5 * (np.square(X - means) / variance + np.log(variance) + LOG_2PI)
            return np.sum(terms, axis=-1, where=present)

    def _draws(self, X):
        """Standard normal draws for the rows of X, (n_importance_samples, n_rows, n_components_).

        A row's draws are a function of its values and of the fit alone
        (a counter-based generator keyed by a hash of the row), so its
        estimate does not depend on the other rows of the call, and
        different rows get independent draws: the mean over rows of
        ``score`` averages the sampling error away.
        """
        shape = (self.n_importance_samples, self.n_components_)
        draws = np.empty((shape[0], len(X), shape[1]))
        for i, row in enumerate(X + 0.0):  # + 0.0 makes -0.0 into 0.0
            digest = hashlib.blake2b(np.ascontiguousarray(row).tobytes(), digest_size=8).digest()
            key = (self._draws_seed << 64) | int.from_bytes(digest, "little")
            draws[:, i] = np.random.Generator(np.random.Philox(key=key)).standard_normal(shape)
        return draws

    def score_samples(self, X):
        """Log-likelihood of each row, estimated by importance sampling.

        With ``n_importance_samples`` draws ``z_k`` from the row's posterior
        ``q``, the estimate is
        ``log (1/K) sum_k p(x | z_k) p(z_k) / q(z_k | x)``: the ELBO's
        estimate for ``K = 1``, tighter as ``K`` grows (see Notes). A
        log-density for ``likelihood="gaussian"``, so it can be positive.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score (for the image and sequence families, also N-D
            arrays of shape ``(n_samples, *shape)``).

        Returns
        -------
        log_likelihood : ndarray of shape (n_samples,), dtype float64
            Estimated ``log p(x)`` of each row, in nats.
        """
        check_is_fitted(self)
        X = self._validate_input(self._inference_rows(X, "score_samples"))
        self._check_loss_range(X)
        X64 = np.asarray(X, dtype=np.float64)
        mean, log_variance = self._posterior(X64)
        n_draws = self.n_importance_samples
        step = max(1, CHUNK_VALUES // (n_draws * max(X.shape[1], self.n_components_)))
        scores = np.empty(len(X))
        with np.errstate(over="ignore", invalid="ignore"):
            for start in range(0, len(X), step):
                rows = slice(start, start + step)
                eps = self._draws(X64[rows])
                codes = mean[None, rows] + np.exp(0.5 * log_variance[None, rows]) * eps
                # log p(z) - log q(z | x), the constants cancelling.
                log_weights = (
                    self._log_likelihood(X64[rows][None], codes)
                    - 0.5 * np.sum(codes**2, axis=-1)
                    + 0.5 * np.sum(eps**2, axis=-1)
                    + 0.5 * np.sum(log_variance[rows], axis=-1)
                )
                scores[rows] = logsumexp(log_weights, axis=0) - np.log(n_draws)
        return self._finite(scores, X, "score_samples")

    def score(self, X, y=None):
        """Mean estimated log-likelihood of the rows of X (higher is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        score : float
            ``score_samples(X).mean()``, in nats per row.
        """
        return mean_score(self.score_samples(X))

    def sample(self, n_samples=1, random_state=None):
        """Draw new rows from the fitted model.

        Codes are drawn from the standard normal prior, decoded, and rows
        drawn from the likelihood: Gaussian noise of ``noise_variance_``
        around the decoder's mean, or 0/1 values with the decoder's
        probabilities.

        Parameters
        ----------
        n_samples : int, default=1
            Number of rows to draw.
        random_state : int, RandomState instance or None, default=None
            Decides the draws; None uses NumPy's global random state, as
            :meth:`sklearn.neighbors.KernelDensity.sample` does.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features), dtype float64
            The drawn rows.
        """
        check_is_fitted(self)
        if (isinstance(n_samples, (bool, np.bool_)) or not isinstance(n_samples, Integral)
                or n_samples < 1):
            raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}.")
        rng = check_random_state(random_state)
        codes = rng.standard_normal((int(n_samples), self.n_components_))
        means = self._decode(codes)
        if self.likelihood == "bernoulli":
            return (rng.uniform(size=means.shape) < means).astype(np.float64)
        return means + np.sqrt(self.noise_variance_) * rng.standard_normal(means.shape)


class VariationalAutoencoder(VariationalMixin, AutoencoderTransformer):
    """Variational autoencoder: a generative model with scikit-learn's density API.

    The encoder maps each row to the mean and log-variance of a diagonal
    Gaussian posterior over a code of ``n_components`` numbers; the decoder
    maps a code to the parameters of the likelihood of a row (a Gaussian's
    mean, or Bernoulli probabilities). Training maximizes the evidence lower
    bound (ELBO) of each row: the log-likelihood of the row, summed over
    features, for a code drawn from its posterior by reparameterization,
    minus ``beta`` times the analytic KL divergence of the posterior from
    the standard normal prior (Kingma and Welling, 2014).

    Used like :class:`~sklearn.mixture.GaussianMixture` or
    :class:`~sklearn.neighbors.KernelDensity`: ``score_samples`` is each
    row's log-likelihood (an importance-weighted estimate), ``score`` its
    mean, so :class:`~sklearn.model_selection.GridSearchCV` tunes without
    labels, and ``sample`` draws new rows. Used like PCA: ``transform``
    gives the posterior means (and standard deviations with
    ``return_std=True``), ``inverse_transform`` the decoder's mean.

    With no hidden layers and a Gaussian likelihood of shared variance, the
    model is probabilistic PCA, whose ELBO is tight at the optimum: its
    ``score`` approaches :meth:`sklearn.decomposition.PCA.score`.

    Parameters
    ----------
    n_components : int, default=2
        Size of the code. Smaller than ``n_features`` compresses
        (undercomplete); larger is allowed (overcomplete) and is then usually
        combined with noise or sparsity. The default of 2 suits a first look
        at the data, as for the manifold learners; choose it as you would for
        PCA.

    hidden_layer_sizes : array-like of int, default=(128,)
        Widths of the encoder's hidden layers, from input to code; the decoder
        mirrors them. ``()`` gives a shallow (one-layer) network. 128 units:
        the variational autoencoder's results were measured with them; the
        autoencoders' default of 256 was not measured for this model.

    activation : str, default="relu"
        Activation of the hidden layers, by its Keras name ("relu", "elu",
        "tanh", "linear", ...).

    likelihood : {"gaussian", "bernoulli"}, default="gaussian"
        The decoder's distribution of a row given its code. "gaussian" (for
        real-valued data; scale it first) has the decoder's output as mean
        and a variance set by ``variance``; "bernoulli" (for data in
        [0, 1], such as binarized images) has the decoder's outputs as the
        probabilities of ones.

    variance : {"shared", "feature"} or float, default="shared"
        The Gaussian likelihood's variance: one value for all features,
        learned ("shared", as in probabilistic PCA, so the linear model is
        exactly PPCA); one learned value per feature ("feature", as in
        factor analysis); or a fixed value. Learned variances never fall
        below ``1e-6`` times the mean variance of the training features:
        otherwise a feature the decoder predicts perfectly (a constant
        pixel) drives its variance to zero and the likelihood to infinity.
        Shared by default because a per-feature variance lets a few easy
        features dominate the likelihood.

    beta : float, default=1.0
        Weight of the KL term. 1 gives the ELBO, a bound of the
        log-likelihood; larger values give a smoother, more disentangled
        code at the cost of reconstruction (beta-VAE); 0 gives a noisy
        autoencoder whose posterior is free to shrink to a point.

    kl_warmup : int, default=0
        Epochs over which the KL weight grows linearly from
        ``beta / kl_warmup`` to ``beta`` (KL annealing, against posterior
        collapse). Those epochs count for neither early stopping nor the
        learning-rate schedule, whose objective is still changing.

    n_importance_samples : int, default=50
        Draws per row of ``score_samples`` and ``score``. 1 gives an
        estimate of the ELBO; more tighten the bound towards the
        log-likelihood, at a cost proportional to their number.

    optimizer : {"adam", "adamw", "nadam", "rmsprop", "sgd"}, default="adam"
        Keras optimizer. Adam needs the least tuning.

    learning_rate : float, default=3e-3
        Initial step size of the optimizer: three times Adam's usual 1e-3,
        because the schedule cuts it on plateaus.

    learning_rate_schedule : {"plateau", "cosine", "constant"}, default="plateau"
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
        Hold out ``validation_fraction`` of the rows, stop when their loss
        stops improving (see ``tol`` and ``learning_rate_schedule``) and
        restore the weights of their best epoch (or of the start, if no epoch
        beats it), however training ended. On by default, unlike
        MLPRegressor: it is the regularizer that needs no
        tuning, and it keeps fits short. When off, training stops on the
        training loss by the same rule.

    validation_fraction : float, default=0.1
        Share of the rows held out for early stopping.

    n_iter_no_change : int, default=20
        Epochs without improvement before stopping (at the last rate of the
        "plateau" schedule). Twice the dense autoencoders' 10, for a
        validation loss that is noisier (a variational autoencoder's, from
        one draw per row) or falls slowly for longer (a recurrent network's).

    tol : float, default=1e-4
        Relative improvement that counts: an epoch improves when its
        monitored loss is below ``(1 - tol)`` times the best so far. Relative,
        unlike MLPRegressor's absolute ``tol``, so that when training stops
        does not depend on the scale of the data: an absolute 1e-4 stopped
        fits of pixels in [0, 1] long before they converged.

    alpha : float, default=0.0
        L2 penalty on the kernels, added to the loss as
        ``alpha * sum(w ** 2)`` (Keras' convention, not divided by
        ``n_samples`` as in MLPRegressor). Off by default: early stopping
        already regularizes, and weight decay would keep a linear autoencoder
        from reaching PCA's error.

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

    warm_start : bool, default=False
        When True, ``fit`` starts from the weights of the previous fit
        instead of new ones (with a new optimizer), as in
        :class:`~sklearn.neural_network.MLPRegressor`; ``n_iter_`` and
        ``loss_curve_`` then go on counting. The network's shapes must not
        change between the fits.

    Attributes
    ----------
    model_ : keras.Model
        The training model: encoder, a draw of the code (a
        ``GaussianCode`` layer, which also adds the KL term), decoder. It
        draws at every call, in training and prediction alike.

    encoder_ : keras.Model
        Maps rows to ``2 * n_components`` numbers: the posterior means, then
        the posterior log-variances.

    decoder_ : keras.Model
        Maps codes to the likelihood's mean (probabilities for
        ``"bernoulli"``). The estimator's own methods compute in float64
        from a copy of the weights taken when ``fit`` ends, as in
        :class:`AutoencoderTransformer`.

    noise_variance_ : ndarray of shape (`n_features_in_`,)
        The Gaussian likelihood's variance of each feature (one value
        repeated when ``variance="shared"``). Only for
        ``likelihood="gaussian"``.

    kl_per_component_ : ndarray of shape (`n_components_`,)
        Mean KL divergence of each code component's posterior from the
        prior over the rows ``fit`` saw (the last chunk, for
        ``partial_fit``), in nats. A component near 0 carries no
        information: the posterior has collapsed onto the prior there.

    n_components_ : int
        Size of the code.

    n_iter_ : int
        Number of epochs run.

    loss_curve_ : list of float
        Training loss at the end of each epoch: the negative ELBO per row
        (with the KL weight of that epoch), plus any L2 penalty.

    reconstruction_curve_ : list of float
        Its first part: the negative log-likelihood of a row given a drawn
        code, per epoch.

    kl_curve_ : list of float
        Its second part before weighting: the mean KL divergence per row
        from the prior, per epoch.

    validation_scores_ : list of float or None
        ELBO estimate per held-out row at each epoch (one draw per row,
        with the KL weight of that epoch); None without early stopping.

    best_validation_score_ : float or None
        The best of ``validation_scores_``; None without early stopping.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    sklearn.decomposition.PCA : Probabilistic PCA, the linear-Gaussian case.
    sklearn.mixture.GaussianMixture : Another density model with ``score``
        and ``sample``.
    AutoencoderTransformer : The deterministic autoencoder.

    Notes
    -----
    ``score_samples`` estimates ``log p(x)`` by importance sampling with
    the posterior as proposal and ``n_importance_samples`` draws ``K``:
    ``log (1/K) sum_k p(x | z_k) p(z_k) / q(z_k | x)`` (Burda et al., 2016).
    It is a lower bound in expectation, equal to the ELBO's estimate for
    ``K = 1`` and rising towards ``log p(x)`` as ``K`` grows. A row's draws
    are a function of its values and of the fit, so its estimate is the
    same whatever other rows share the call, and different rows get
    independent draws.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skae import VariationalAutoencoder
    >>> X = StandardScaler().fit_transform(load_digits().data)
    >>> vae = VariationalAutoencoder(n_components=4, max_iter=5, random_state=0).fit(X)
    >>> vae.transform(X[:3]).shape
    (3, 4)
    >>> vae.sample(2, random_state=0).shape
    (2, 64)
    """

    # Its figures were measured with 200-row batches; 512 was not measured.
    _auto_batch_max = 200

    _parameter_constraints = {
        **constraints("n_components", "hidden_layer_sizes", "activation", *TRAINING_PARAMETERS,
                      "random_state", "verbose", "warm_start"),
        **VARIATIONAL_CONSTRAINTS,
    }

    def __init__(
        self,
        n_components=2,
        *,
        hidden_layer_sizes=(128,),
        activation="relu",
        likelihood="gaussian",
        variance="shared",
        beta=1.0,
        kl_warmup=0,
        n_importance_samples=50,
        optimizer="adam",
        learning_rate=3e-3,
        learning_rate_schedule="plateau",
        batch_size="auto",
        max_iter=200,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=20,
        tol=1e-4,
        alpha=0.0,
        random_state=None,
        verbose=0,
        warm_start=False,
    ):
        self.n_components = n_components
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.likelihood = likelihood
        self.variance = variance
        self.beta = beta
        self.kl_warmup = kl_warmup
        self.n_importance_samples = n_importance_samples
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
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start

    # ------------------------------------------------------------ fit

    def _check_params_against(self, X):
        self._check_hidden_layer_sizes()
        self._check_loss_range(X)

    def _levels(self, n_features, code_width, seed):
        """The levels of the network, whose code layer is ``code_width`` wide and linear."""
        from . import _keras
        return _keras.networks.dense_levels(
            n_features, code_width, self._hidden_layer_sizes(), activation=self.activation,
            output_activation="linear", alpha=self.alpha, seed=seed,
        )
