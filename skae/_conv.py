"""ConvAutoencoder: a convolutional autoencoder of images and signals, used like PCA."""

import math
from numbers import Integral

from ._autoencoder import parameter_docs
from ._base import TRAINING_PARAMETERS, constraints
from ._compat import Interval
from ._shaped import ShapedAutoencoder

_CONV_DOC = """\
    n_components : int, default=2
        Size of the code. Choose it as you would for PCA.

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

"""


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
%(parameters)s    Attributes
    ----------
    image_shape_ : tuple of int
        Shape of one row inside the network, channels last.

    model_, encoder_, decoder_, n_components_, output_activation_, n_iter_, loss_curve_, \
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
    penalties on the code and tied weights are not offered yet. Inference computes in float64 from the trained weights, as
    for the dense autoencoders.

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
        "image_shape": ["array-like", None],
        "filters": ["array-like"],
        "kernel_size": [Interval(Integral, 1, None, closed="left")],
        **constraints("n_components", "activation", "output_activation", "loss",
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
            self._new_shape,
            self._widths("filters"),
            kernel_size=self.kernel_size,
            activation=self.activation,
            output_activation=self.output_activation_,
            alpha=self.alpha,
            seed=seed,
        )


ConvAutoencoder.__doc__ = ConvAutoencoder.__doc__.replace(
    "%(parameters)s",
    _CONV_DOC
    + parameter_docs(
        "activation", "output_activation", "loss", "optimizer", "learning_rate",
        "learning_rate_schedule", "batch_size", "max_iter", "early_stopping",
        "validation_fraction", "n_iter_no_change", "tol", "alpha", "random_state",
        "verbose", "warm_start",
    ),
)
