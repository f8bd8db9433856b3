"""Variational autoencoders of images, signals and sequences.

Each is a shaped autoencoder family (its input handling, flat rows or N-D
arrays, and its network levels) with :class:`VariationalMixin`'s
variational network and density API.
"""

from ._base import TRAINING_PARAMETERS, constraints
from ._conv import CONV_CONSTRAINTS, ConvAutoencoder
from ._recurrent import RECURRENT_CONSTRAINTS, RecurrentAutoencoder
from ._vae import VARIATIONAL_CONSTRAINTS, VariationalMixin


class ConvVariationalAutoencoder(VariationalMixin, ConvAutoencoder):
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
    n_components : int, default=2
        Size of the code. Smaller than ``n_features`` compresses
        (undercomplete); larger is allowed (overcomplete) and is then usually
        combined with noise or sparsity. The default of 2 suits a first look
        at the data, as for the manifold learners; choose it as you would for
        PCA.

    image_shape : tuple of int or None, default=None
        Shape of one row, channels last: ``(height, width, channels)`` for
        images, ``(length, channels)`` for signals; its product must be the
        number of features. Rows of ``X`` are flat (``n_features =
        height * width * channels``, as in a Pipeline) and are reshaped
        inside the network; arrays of shape ``(n_samples, *image_shape)``
        are accepted too, and so are ``(n_samples, height, width)`` when
        there is one channel. None infers it when fitting: the shape of
        N-D input (3-D arrays are single-channel images), else a square
        single-channel image when ``n_features`` is a perfect square, else a
        single-channel signal of ``n_features`` steps. The shape used is
        ``image_shape_``.

    filters : array-like of int, default=(32, 64)
        Filters of each convolution stage of the encoder, from input to
        code. Each stage is a convolution of stride 2 that halves the
        height and width (rounding up). The decoder mirrors the stages with
        transposed convolutions, ending at the input's channels. Two stages
        of 32 and 64 filters is the classic small image autoencoder (28x28
        images become 7x7x64 before the code).

    kernel_size : int, default=3
        Height and width (length, for signals) of every convolution kernel.
        3 is the usual choice: stacked small kernels see as far as one large
        kernel for fewer weights.

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
    image_shape_ : tuple of int
        Shape of one row inside the network, channels last.

    model_, encoder_, decoder_, noise_variance_, kl_per_component_, n_components_, n_iter_, \
loss_curve_, reconstruction_curve_, kl_curve_, validation_scores_, best_validation_score_, \
n_features_in_, feature_names_in_
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
        **CONV_CONSTRAINTS,
        **constraints("n_components", "activation", *TRAINING_PARAMETERS, "random_state",
                      "verbose", "warm_start"),
        **VARIATIONAL_CONSTRAINTS,
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
            n_features, code_width, self.image_shape_, self._widths("filters"),
            kernel_size=self.kernel_size, activation=self.activation,
            output_activation="linear", alpha=self.alpha, seed=seed,
        )


class RecurrentVariationalAutoencoder(VariationalMixin, RecurrentAutoencoder):
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
    n_components : int, default=2
        Size of the code. Smaller than ``n_features`` compresses
        (undercomplete); larger is allowed (overcomplete) and is then usually
        combined with noise or sparsity. The default of 2 suits a first look
        at the data, as for the manifold learners; choose it as you would for
        PCA.

    sequence_shape : tuple of int or None, default=None
        ``(n_timesteps, n_channels)`` of one row; its product must be the
        number of features. Rows of ``X`` are flat, time major
        (``n_features = n_timesteps * n_channels``, as in a Pipeline) and
        are reshaped inside the network; 3-D arrays of shape
        ``(n_samples, n_timesteps, n_channels)`` are accepted too, the
        convention of tslearn. None infers it when fitting: the shape of 3-D
        input, else a univariate sequence of ``n_features`` steps. The shape
        used is ``sequence_shape_``. Shorter sequences are padded at the
        end with NaN (see Notes).

    cell : {"lstm", "gru"}, default="lstm"
        The recurrent layer of the encoder and of the decoder. The classic
        sequence autoencoder is an LSTM; a GRU has a quarter fewer weights.

    units : int, default=64
        Width of the recurrent layers' state.

    bidirectional : bool, default=False
        Run the encoder over the sequence both ways and concatenate the two
        last states, so that the code sees the start of a long sequence as
        well as its end. False halves the encoder's cost.

    time_features : int, default=16
        Number of fixed features of each frame's position (sines and
        cosines of growing frequency) given to the decoder beside the
        repeated code. 0 is the classic LSTM autoencoder, whose decoder must
        learn to count the steps from a constant input; the features make
        its error several times smaller (see the sequences results page).

    frame_length : int or "auto", default="auto"
        Time steps the recurrent layers read (and the decoder writes) as
        one: a frame, as in speech processing. The layers then run over
        ``ceil(n_timesteps / frame_length)`` frames instead of every step,
        which trains faster and carries the code over fewer steps. "auto"
        makes about 16 frames of a long sequence
        (``ceil(n_timesteps / 16)`` steps each); 1 reads step by
        step. The length used is ``frame_length_``.

    linear_components : int or "auto", default=0
        Rank of a linear path beside the recurrent layers, from the
        sequence to the code's means and log-variances and from the code to
        the reconstruction, as in :class:`RecurrentAutoencoder` ("auto" is
        ``n_components // 2``). Off by default here: the variational
        family's defaults were measured without it.

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
    sequence_shape_ : tuple of int
        ``(n_timesteps, n_channels)`` of one row inside the network.

    frame_length_ : int
        Time steps read as one frame (see ``frame_length``).

    linear_components_ : int
        Components of the linear path beside the recurrent layers (see
        ``linear_components``; 0: no path).

    model_, encoder_, decoder_, noise_variance_, kl_per_component_, n_components_, n_iter_, \
loss_curve_, reconstruction_curve_, kl_curve_, validation_scores_, best_validation_score_, \
n_features_in_, feature_names_in_
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
        **RECURRENT_CONSTRAINTS,
        **constraints("n_components", *TRAINING_PARAMETERS, "random_state", "verbose",
                      "warm_start"),
        **VARIATIONAL_CONSTRAINTS,
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
        linear_components=0,
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
        self.linear_components = linear_components
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
            n_features, code_width, self.sequence_shape_, **self._recurrent_params(),
            output_activation="linear", alpha=self.alpha, seed=seed,
        )
