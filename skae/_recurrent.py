"""RecurrentAutoencoder: an LSTM or GRU autoencoder of sequences, used like PCA."""

import math
from numbers import Integral

import numpy as np

from ._base import TRAINING_PARAMETERS, constraints, rows_shown
from ._compat import Interval, StrOptions
from ._shaped import ShapedAutoencoder

#: ``frame_length="auto"``: about this many frames a sequence.
_AUTO_FRAMES = 16


#: The recurrent network's parameters, shared with the variational family.
RECURRENT_CONSTRAINTS = {
    "sequence_shape": ["array-like", None],
    "cell": [StrOptions({"lstm", "gru"})],
    "units": [Interval(Integral, 1, None, closed="left")],
    "bidirectional": ["boolean"],
    "time_features": [Interval(Integral, 0, None, closed="left")],
    "frame_length": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
    **constraints("linear_components"),
}


class RecurrentAutoencoder(ShapedAutoencoder):
    """Dimensionality reduction of sequences with an LSTM or GRU autoencoder.

    The encoder runs a recurrent layer over the sequence, both ways, and
    maps its last states to a code of ``n_components`` numbers. The decoder
    repeats the code at every step, runs a second recurrent layer and maps
    each step back to the channels with a Dense layer shared by all steps:
    the classic LSTM autoencoder, whose decoder is also told each step's
    position (``time_features``). Both recurrent layers read a few time
    steps at once (``frame_length``), which makes long sequences quick to
    train, and a linear path beside them maps the sequence to the code and
    back (``linear_components``), so that the network contains a linear
    autoencoder. It fits sequences whose structure moves in time (a phase or a
    frequency), where PCA needs many components.

    Rows are flat, as everywhere in scikit-learn: the network reshapes them
    to ``sequence_shape_``. ``fit``, ``transform`` and ``score_samples``
    also take 3-D arrays; ``inverse_transform`` returns flat rows.

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

    bidirectional : bool, default=True
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

    loss : {"mse", "mae", "binary_crossentropy"}, default="mse"
        Reconstruction loss, also used by ``score`` and ``score_samples``.
        Binary cross-entropy needs X in [0, 1].

    optimizer : {"adam", "adamw", "nadam", "rmsprop", "sgd"}, default="adam"
        Keras optimizer. Adam needs the least tuning.

    learning_rate : float, default=1e-2
        Initial step size of the optimizer. Higher than the dense
        autoencoders' 3e-3: on ECG5000 it reached a lower error in less time
        (see the sequences results page).

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

    max_iter : int, default=400
        Maximum number of epochs (passes over the training rows): twice the
        dense autoencoders', as a recurrent network's error keeps falling
        for longer.

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

    model_, encoder_, decoder_, n_components_, output_activation_, n_iter_, loss_curve_, \
validation_scores_, best_validation_score_, n_features_in_, feature_names_in_
        As in :class:`AutoencoderTransformer`.

    See Also
    --------
    ConvAutoencoder : Convolutions, for images and fixed-length signals.
    AutoencoderTransformer : A dense autoencoder, for rows without an order.

    Notes
    -----
    Sequences of different lengths are padded with NaN at the end to the
    longest one's length, as tslearn does: a step whose channels are all
    NaN is missing. The encoder skips the frames whose steps are all
    missing (a Keras mask) and reads the missing steps of a partly filled
    frame as zeros; the loss leaves them out, and ``score_samples`` averages
    the error over the steps present; ``inverse_transform`` cannot know a code's length
    and returns every step. NaN anywhere else (inside a sequence, in some
    channels of a step, or in every step of a row) is an error.

    Inference computes in float64 from the trained weights, step by step
    in NumPy.

    Examples
    --------
    >>> import numpy as np
    >>> from skae import RecurrentAutoencoder
    >>> t = np.linspace(0, 2 * np.pi, 20)
    >>> X = np.sin(t + np.random.RandomState(0).uniform(0, 6, (50, 1)))
    >>> ae = RecurrentAutoencoder(n_components=2, units=8, max_iter=2,
    ...                           random_state=0).fit(X)
    >>> ae.sequence_shape_
    (20, 1)
    >>> ae.transform(X[:3, :, None]).shape      # 3-D works too
    (3, 2)
    >>> short = np.r_[X[0, :15], [np.nan] * 5]  # 15 steps, padded to 20
    >>> ae.score_samples([short]).shape
    (1,)
    """

    _parameter_constraints = {
        **RECURRENT_CONSTRAINTS,
        **constraints("n_components", "output_activation", "loss", *TRAINING_PARAMETERS,
                      "random_state", "verbose", "warm_start"),
    }

    _shape_param = "sequence_shape"
    _row_kind = "sequences"
    # NaN pads shorter sequences at the end. Only there: the allow_nan tag
    # stays False, and scikit-learn's checks see NaN elsewhere refused.
    _allow_nan = True

    def __init__(
        self,
        n_components=2,
        *,
        sequence_shape=None,
        cell="lstm",
        units=64,
        bidirectional=True,
        time_features=16,
        frame_length="auto",
        linear_components="auto",
        output_activation="auto",
        loss="mse",
        optimizer="adam",
        learning_rate=1e-2,
        learning_rate_schedule="plateau",
        batch_size="auto",
        max_iter=400,
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

    def _check_shape(self, shape, n_features):
        if len(shape) != 2 or math.prod(shape) != n_features:
            raise ValueError(
                f"sequence_shape must be (n_timesteps, n_channels) with {n_features} "
                f"values in all (the number of features), got {self.sequence_shape!r}."
            )

    def _shape_from_array(self, row_shape):
        if len(row_shape) != 2:
            self._refuse_array(row_shape, "(n_samples, n_timesteps, n_channels)")
        return row_shape

    def _default_shape(self, n_features):
        return (n_features, 1)

    def _check_network_params(self):
        pass  # the constraints cover every network parameter

    def _shape_attributes(self, n_features):
        attributes = super()._shape_attributes(n_features)
        n_steps = attributes["sequence_shape_"][0]
        if self.frame_length == "auto":
            frame_length = max(1, math.ceil(n_steps / _AUTO_FRAMES))
        else:
            frame_length = min(self.frame_length, n_steps)
        return {**attributes, "frame_length_": frame_length}

    def _starts_at_pca(self):
        return False  # the recurrent path starts at random

    def _resolve_linear_components(self):
        if self.linear_components == "auto":
            return int(self.n_components) // 2
        return int(self.linear_components)

    def _recurrent_params(self):
        """Keyword arguments of ``_keras.networks.recurrent_levels``."""
        return {"cell": self.cell, "units": self.units, "bidirectional": self.bidirectional,
                "time_features": self.time_features, "frame_length": self.frame_length_,
                "linear_components": self.linear_components_}

    def _check_params_against(self, X):
        super()._check_params_against(X)
        self._check_padding(X, self.sequence_shape_)

    def _validate_input(self, X):
        X = super()._validate_input(X)
        self._check_padding(X, self.sequence_shape_)
        return X

    def _check_padding(self, X, shape):
        """Raise unless NaN in rows X only pads the end of their sequences."""
        nan = np.isnan(X)
        if not nan.any():
            return
        nan = nan.reshape(len(X), *shape)
        missing = nan.all(axis=-1)  # (n_samples, n_steps)
        inside = (nan.any(axis=-1) & ~missing).any(axis=1)
        inside |= (missing[:, :-1] & ~missing[:, 1:]).any(axis=1)
        empty = missing.all(axis=1)
        for bad, what in ((inside, "inside the sequences of"), (empty, "in every step of")):
            if bad.any():
                raise ValueError(
                    f"Input X contains NaN {what} {bad.sum()} row(s) (rows {rows_shown(bad)}). "
                    f"{type(self).__name__} takes NaN only as padding at the end of a "
                    "shorter sequence: whole time steps (every channel NaN), after the "
                    "last step present, with at least one step present. Fill other missing "
                    "values first, for example with skae.AutoencoderImputer or "
                    "sklearn.impute.SimpleImputer."
                )

    def _nonlinear(self):
        return True  # recurrent cells are

    def _build_networks(self, X, seed):
        from . import _keras
        return _keras.networks.recurrent_autoencoder(
            X.shape[1],
            self.n_components,
            self.sequence_shape_,
            **self._recurrent_params(),
            output_activation=self.output_activation_,
            alpha=self.alpha,
            seed=seed,
        )
