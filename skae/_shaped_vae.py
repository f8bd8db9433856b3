"""Variational autoencoders of images, signals and sequences.

Each is the shaped autoencoder's input handling (flat rows or N-D arrays)
and network levels with :class:`VariationalAutoencoder`'s model and density
API: :class:`_ShapedVariational` joins the two once.
"""

from sklearn.base import TransformerMixin

from ._autoencoder import parameter_docs
from ._base import TRAINING_PARAMETERS, constraints
from ._conv import _CONV_DOC, ConvAutoencoder
from ._recurrent import _RECURRENT_DOC, RecurrentAutoencoder
from ._vae import VAE_DOC, VAE_TRAINING_DOC, VariationalAutoencoder

#: The VAE's own parameters, with their constraints.
_VAE_CONSTRAINTS = {
    name: VariationalAutoencoder._parameter_constraints[name]
    for name in ("likelihood", "variance", "beta", "kl_warmup", "n_importance_samples")
}


class _ShapedVariational(TransformerMixin):
    """The variational network on a shaped autoencoder's levels, N-D input included.

    Placed before a shaped autoencoder and :class:`VariationalAutoencoder`
    in the bases; the subclass gives ``_levels``. A TransformerMixin so
    that scikit-learn wraps this ``transform`` for ``set_output``.
    """

    # The variational network, not the shaped autoencoder's.
    _build_networks = VariationalAutoencoder._build_networks

    def transform(self, X, return_std=False):
        """Posterior means of the codes of X, and optionally their standard deviations.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or ``(n_samples, *shape)``
            Rows to encode, flat or N-D.
        return_std : bool, default=False
            Also return the posterior standard deviations.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components), dtype float64
            The posterior means.
        X_std : ndarray of shape (n_samples, n_components), dtype float64
            The posterior standard deviations; only with ``return_std=True``.
        """
        X = self._inference_rows(X, "transform")
        return VariationalAutoencoder.transform(self, X, return_std=return_std)

    def score_samples(self, X):
        """Log-likelihood of each row, estimated by importance sampling.

        As :meth:`VariationalAutoencoder.score_samples`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or ``(n_samples, *shape)``
            Rows to score, flat or N-D.

        Returns
        -------
        log_likelihood : ndarray of shape (n_samples,), dtype float64
            Estimated ``log p(x)`` of each row, in nats.
        """
        X = self._inference_rows(X, "score_samples")
        return VariationalAutoencoder.score_samples(self, X)


class ConvVariationalAutoencoder(_ShapedVariational, ConvAutoencoder, VariationalAutoencoder):
    """Variational autoencoder of images or signals, with convolutional networks.

    :class:`VariationalAutoencoder`'s model and density API (``score_samples``
    is each row's log-likelihood, ``score`` its mean, ``sample`` draws new
    rows, ``transform`` gives posterior means and, with
    ``return_std=True``, standard deviations) on :class:`ConvAutoencoder`'s
    networks and input: strided convolutions then a dense layer to the
    posterior's means and log-variances, a dense layer then transposed
    convolutions back; flat rows reshaped to ``image_shape_`` inside the
    network, or arrays of shape ``(n_samples, *image_shape_)``.

    Parameters
    ----------
%(parameters)s    Attributes
    ----------
    image_shape_ : tuple of int
        Shape of one row inside the network, channels last.

    model_, encoder_, decoder_, noise_variance_, kl_per_component_, \
n_components_, n_iter_, loss_curve_, reconstruction_curve_, kl_curve_, \
validation_scores_, best_validation_score_, n_features_in_, feature_names_in_
        As in :class:`VariationalAutoencoder`.

    See Also
    --------
    VariationalAutoencoder : The dense variational autoencoder.
    ConvAutoencoder : The deterministic convolutional autoencoder.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import ConvVariationalAutoencoder
    >>> X = load_digits().data / 16.0          # 8x8 images, as rows of 64
    >>> vae = ConvVariationalAutoencoder(4, filters=(8, 16), max_iter=2,
    ...                                  random_state=0).fit(X)
    >>> vae.sample(2, random_state=0).shape
    (2, 64)
    >>> vae.transform(X[:3].reshape(3, 8, 8)).shape
    (3, 4)
    """

    _parameter_constraints = {
        **{name: ConvAutoencoder._parameter_constraints[name]
           for name in ("image_shape", "filters", "kernel_size")},
        **constraints("n_components", "activation", *TRAINING_PARAMETERS, "random_state",
                      "verbose", "warm_start"),
        **_VAE_CONSTRAINTS,
    }

    def __init__(
        self,
        n_components=2,
        *,
        image_shape=None,
        filters=(32, 64),
        kernel_size=3,
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
        self.image_shape = image_shape
        self.filters = filters
        self.kernel_size = kernel_size
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

    def _levels(self, n_features, code_width, seed):
        from . import _keras
        return _keras.networks.conv_levels(
            n_features, code_width, self._new_shape, self._widths("filters"),
            kernel_size=self.kernel_size, activation=self.activation,
            output_activation="linear", alpha=self.alpha, seed=seed,
        )


ConvVariationalAutoencoder.__doc__ = ConvVariationalAutoencoder.__doc__.replace(
    "%(parameters)s",
    _CONV_DOC + parameter_docs("activation") + VAE_DOC + VAE_TRAINING_DOC,
)


class RecurrentVariationalAutoencoder(
    _ShapedVariational, RecurrentAutoencoder, VariationalAutoencoder
):
    """Variational autoencoder of sequences, with LSTM or GRU networks.

    :class:`VariationalAutoencoder`'s model and density API on
    :class:`RecurrentAutoencoder`'s networks and input: the recurrent
    encoder's last state mapped to the posterior's means and
    log-variances, the drawn code repeated at every step of a recurrent
    decoder. Rows are flat sequences reshaped to ``sequence_shape_``, or
    3-D arrays; shorter sequences are padded with NaN at the end, and the
    padding is left out of the likelihood (training and ``score_samples``:
    the log-likelihood of the steps present).

    Parameters
    ----------
%(parameters)s    Attributes
    ----------
    sequence_shape_ : tuple of int
        ``(n_timesteps, n_channels)`` of one row inside the network.

    frame_length_ : int
        Time steps read as one frame (see ``frame_length``).

    model_, encoder_, decoder_, noise_variance_, kl_per_component_, \
n_components_, n_iter_, loss_curve_, reconstruction_curve_, kl_curve_, \
validation_scores_, best_validation_score_, n_features_in_, feature_names_in_
        As in :class:`VariationalAutoencoder`.

    See Also
    --------
    VariationalAutoencoder : The dense variational autoencoder.
    RecurrentAutoencoder : The deterministic recurrent autoencoder.

    Examples
    --------
    >>> import numpy as np
    >>> from skae import RecurrentVariationalAutoencoder
    >>> t = np.linspace(0, 2 * np.pi, 20)
    >>> X = np.sin(t + np.random.RandomState(0).uniform(0, 6, (50, 1)))
    >>> vae = RecurrentVariationalAutoencoder(2, units=8, max_iter=2,
    ...                                       random_state=0).fit(X)
    >>> vae.sample(3, random_state=0).shape
    (3, 20)
    """

    _parameter_constraints = {
        **{name: RecurrentAutoencoder._parameter_constraints[name]
           for name in ("sequence_shape", "cell", "units", "bidirectional", "time_features",
                        "frame_length")},
        **constraints("n_components", *TRAINING_PARAMETERS, "random_state", "verbose",
                      "warm_start"),
        **_VAE_CONSTRAINTS,
    }

    def __init__(
        self,
        n_components=2,
        *,
        sequence_shape=None,
        cell="lstm",
        units=64,
        bidirectional=False,
        time_features=16,
        frame_length="auto",
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
        self.sequence_shape = sequence_shape
        self.cell = cell
        self.units = units
        self.bidirectional = bidirectional
        self.time_features = time_features
        self.frame_length = frame_length
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

    def _levels(self, n_features, code_width, seed):
        from . import _keras
        return _keras.networks.recurrent_levels(
            n_features, code_width, self._new_shape, **self._recurrent_params(),
            output_activation="linear", alpha=self.alpha, seed=seed,
        )


RecurrentVariationalAutoencoder.__doc__ = RecurrentVariationalAutoencoder.__doc__.replace(
    "%(parameters)s",
    # The recurrent autoencoder's encoder reads both ways by default; this
    # one keeps the one-way encoder it was measured with.
    _RECURRENT_DOC.replace("bidirectional : bool, default=True",
                           "bidirectional : bool, default=False")
    + VAE_DOC + VAE_TRAINING_DOC,
)
