"""ConvAutoencoder: a convolutional autoencoder of images and signals, used like PCA."""

import math
from numbers import Integral

from ._base import TRAINING_PARAMETERS, constraints
from ._compat import Interval
from ._shaped import ShapedAutoencoder

#: The convolutional network's parameters, shared with the variational family.
CONV_CONSTRAINTS = {
    "image_shape": ["array-like", None],
    "filters": ["array-like"],
    "kernel_size": [Interval(Integral, 1, None, closed="left")],
}


class ConvAutoencoder(ShapedAutoencoder):
    """Dimensionality reduction of images or signals with a convolutional autoencoder.

    The encoder applies strided convolutions (one stage per entry of
    ``filters``), then a dense layer to a code of ``n_components`` numbers;
    the decoder maps the code back with a dense layer and transposed
    convolutions, cropped to the input's size. Convolutions share their
    weights across positions, so nearby pixels are modeled together and a
    pattern is recognized wherever it appears, which a dense autoencoder
    must learn at each position separately.

    Rows are flat, as everywhere in scikit-learn: the network reshapes them
    to ``image_shape_``. ``transform``, ``score_samples`` and ``fit`` also
    take arrays of shape ``(n_samples, *image_shape_)``;
    ``inverse_transform`` returns flat rows.

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

    output_activation : str, default="auto"
        Activation of the reconstruction, a Keras name or skae's
        "unit_clip" (the identity on [0, 1], clipped to it outside). "auto"
        picks "sigmoid" when ``loss="binary_crossentropy"``. When every
        training value lies in [0, 1] (pixels, ``MinMaxScaler`` output) and
        the network is non-linear, it bounds the reconstruction to that
        range. Where the network starts at PCA's reconstruction (a dense or
        convolutional network's linear path, see ``linear_components``) it
        picks "unit_clip", which keeps that start: the path's reconstruction
        plus the network's own layers, ending in a sigmoid as a plain
        network's do, clipped to [0, 1]. Elsewhere "sigmoid". Else "linear",
        as PCA's reconstruction. The choice is ``output_activation_``.

    linear_components : int or "auto", default="auto"
        Rank of a linear path beside the network, from the input to the code
        and from the code to the reconstruction: the network contains a
        linear autoencoder of that rank, and its own layers fit what it
        misses. A dense or convolutional network's path starts at PCA's
        solution, with the network's last layers at zero, so training starts
        from PCA's error. "auto" is ``n_components``, and ``n_components // 2``
        for a recurrent network, whose full-rank path tells unusual sequences
        from usual ones less well (see the sequences results page). 0 is the
        plain network; the rank used is ``linear_components_``.

    loss : {"mse", "mae", "binary_crossentropy"}, default="mse"
        Reconstruction loss, also used by ``score`` and ``score_samples``.
        Binary cross-entropy needs X in [0, 1].

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

    n_iter_no_change : int, default=10
        Epochs without improvement before stopping (at the last rate of the
        "plateau" schedule).

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

    model_, encoder_, decoder_, n_components_, output_activation_, linear_components_, n_iter_, loss_curve_, \
validation_scores_, best_validation_score_, n_features_in_, feature_names_in_
        As in :class:`AutoencoderTransformer`.

    See Also
    --------
    AutoencoderTransformer : A dense autoencoder, for rows without a grid.

    Notes
    -----
    The weights kept at the end of ``fit`` are a moving average of the
    trained ones over the last steps (momentum 0.99, warmed up over the
    first steps), which gains most in fits ended by ``max_iter``;
    ``partial_fit`` keeps the trained weights. Pooling layers, sparsity
    penalties on the code and tied weights are not offered yet. Inference
    computes in float64 from the trained weights, as for the dense
    autoencoders.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import ConvAutoencoder
    >>> X = load_digits().data / 16.0          # 8x8 images, as rows of 64
    >>> ae = ConvAutoencoder(n_components=8, filters=(8, 16), max_iter=2,
    ...                      random_state=0).fit(X)
    >>> ae.image_shape_
    (8, 8, 1)
    >>> ae.transform(X[:3]).shape
    (3, 8)
    >>> ae.transform(X[:3].reshape(3, 8, 8)).shape   # images work too
    (3, 8)
    """

    _parameter_constraints = {
        **CONV_CONSTRAINTS,
        **constraints("n_components", "activation", "output_activation", "linear_components", "loss",
                      *TRAINING_PARAMETERS, "random_state", "verbose", "warm_start"),
    }

    def __init__(
        self,
        n_components=2,
        *,
        image_shape=None,
        filters=(32, 64),
        kernel_size=3,
        activation="relu",
        output_activation="auto",
        linear_components="auto",
        loss="mse",
        optimizer="adam",
        learning_rate=3e-3,
        learning_rate_schedule="plateau",
        batch_size="auto",
        max_iter=200,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=10,
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
        self.output_activation = output_activation
        self.linear_components = linear_components
        self.loss = loss
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

    _shape_param = "image_shape"
    _row_kind = "images"
    # The weights kept are a moving average of the trained ones (warmed up,
    # see _keras.training._WarmedAverage). Convolutional fits on image sets of
    # Fashion-MNIST's size are long, so they are often ended by max_iter
    # before the plateau schedule has cut the learning rate, and there the
    # average gains (measured on Fashion-MNIST at 12 and 30 epochs). The
    # dense families do not average: their default fits run until the rate
    # is cut, where digits, Fashion-MNIST and the anomaly sets measured the
    # same with and without, at up to a tenth more time per epoch.
    _weight_averaging = 0.99

    def _accepts(self, row_shape, shape):
        # Single-channel images may come without their channel axis.
        return row_shape == shape or (shape[-1] == 1 and row_shape == shape[:-1])

    def _check_shape(self, shape, n_features):
        if len(shape) not in (2, 3) or math.prod(shape) != n_features:
            raise ValueError(
                "image_shape must be (height, width, channels) or (length, "
                f"channels) with {n_features} values in all (the number of "
                f"features), got {self.image_shape!r}."
            )

    def _shape_from_array(self, row_shape):
        if len(row_shape) == 2:
            return (*row_shape, 1)  # single-channel images
        if len(row_shape) != 3:
            self._refuse_array(row_shape, "(n_samples, height, width[, channels])")
        return row_shape

    def _default_shape(self, n_features):
        side = math.isqrt(n_features)
        return (side, side, 1) if side * side == n_features else (n_features, 1)

    def _check_network_params(self):
        self._check_widths("filters", allow_empty=False)

    def _nonlinear(self):
        return self.activation != "linear"

    def _build_networks(self, X, seed):
        from . import _keras
        return _keras.networks.conv_autoencoder(
            X.shape[1],
            self.n_components,
            self.image_shape_,
            self._widths("filters"),
            kernel_size=self.kernel_size,
            activation=self.activation,
            output_activation=self.output_activation_,
            linear_components=self.linear_components_,
            alpha=self.alpha,
            seed=seed,
        )
