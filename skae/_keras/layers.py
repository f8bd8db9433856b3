"""Keras layers of skae, registered so saved models reload anywhere.

Each layer is one concept with a ``get_config``: tied dense weights, input
corruption and a sparsity penalty on the code.
"""

import keras
import numpy as np
from keras import ops

from .._numerics import LOG_VARIANCE_BOUNDS, gaussian_kl, time_features

_PACKAGE = "skae"


@keras.saving.register_keras_serializable(package=_PACKAGE)
def unit_clip(x):
    """The identity on [0, 1] and the nearest bound outside it.

    A reconstruction of data in [0, 1] through it is never further from a
    row than the linear reconstruction it clips, so a network started at
    PCA's solution starts at or below PCA's error.
    """
    return ops.clip(x, 0.0, 1.0)


#: skae's own activations, by the names the estimators take.
ACTIVATIONS = {"unit_clip": unit_clip}


def activation(name):
    """What a Keras layer takes for the activation ``name``: skae's own function, or the name."""
    return ACTIVATIONS.get(name, name)


@keras.saving.register_keras_serializable(package=_PACKAGE)
class TiedDense(keras.layers.Layer):
    """A dense layer usable forward and, with ``transpose=True``, backward.

    Forward it maps ``input_dim -> units`` as ``activation(x @ W + b)``;
    transposed it maps ``units -> input_dim`` as
    ``transpose_activation(x @ W.T + c)``. The kernel ``W`` is shared, the
    biases ``b`` and ``c`` are not. Calling one layer at both places of an
    autoencoder ties its encoder and decoder weights, and a saved model keeps
    the tie because the layer is saved once.

    Parameters
    ----------
    units : int
        Output width of the forward direction.
    input_dim : int
        Input width of the forward direction (output width transposed).
    activation, transpose_activation : str or None
        Activations of the two directions.
    kernel_initializer, kernel_regularizer
        As for :class:`keras.layers.Dense`.
    """

    def __init__(
        self,
        units,
        input_dim,
        activation=None,
        transpose_activation=None,
        kernel_initializer="glorot_uniform",
        kernel_regularizer=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = int(units)
        self.input_dim = int(input_dim)
        self.activation = keras.activations.get(activation)
        self.transpose_activation = keras.activations.get(transpose_activation)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)

    def build(self, input_shape=None):
        # The shapes come from the constructor, so the layer can be built
        # by whichever direction is called first.
        self.kernel = self.add_weight(
            shape=(self.input_dim, self.units),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            name="kernel",
        )
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")
        self.transpose_bias = self.add_weight(
            shape=(self.input_dim,), initializer="zeros", name="transpose_bias"
        )

    def call(self, inputs, transpose=False):
        if transpose:
            outputs = ops.matmul(inputs, ops.transpose(self.kernel)) + self.transpose_bias
            return self.transpose_activation(outputs)
        return self.activation(ops.matmul(inputs, self.kernel) + self.bias)

    def get_config(self):
        config = super().get_config()
        config.update(
            units=self.units,
            input_dim=self.input_dim,
            activation=keras.activations.serialize(self.activation),
            transpose_activation=keras.activations.serialize(self.transpose_activation),
            kernel_initializer=keras.initializers.serialize(self.kernel_initializer),
            kernel_regularizer=keras.regularizers.serialize(self.kernel_regularizer),
        )
        return config


@keras.saving.register_keras_serializable(package=_PACKAGE)
class Corruption(keras.layers.Layer):
    """Corrupt inputs while training; pass them through unchanged otherwise.

    A fresh corruption is drawn at every call, so every batch of every epoch
    sees new noise.

    Parameters
    ----------
    kind : {"gaussian", "masking", "salt_and_pepper"}
        ``"gaussian"`` adds noise of standard deviation ``level``;
        ``"masking"`` sets each input to zero with probability ``level``
        (dropout on the inputs, without rescaling the rest);
        ``"salt_and_pepper"`` sets each input with probability ``level`` to
        its feature's ``low`` or ``high`` value, with equal chance.
    level : float
        Noise standard deviation or corruption probability.
    low, high : list of float
        Per-feature minimum and maximum of the training data.
    clip : bool
        Clip the corrupted input to ``[low, high]``.
    seed : int
        Seed of the layer's own random stream.
    """

    def __init__(self, kind, level, low, high, clip=False, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.kind = kind
        self.level = float(level)
        self.low = [float(v) for v in low]
        self.high = [float(v) for v in high]
        self.clip = bool(clip)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=None):
        if not training:
            return inputs
        low = ops.convert_to_tensor(self.low, dtype=inputs.dtype)
        high = ops.convert_to_tensor(self.high, dtype=inputs.dtype)
        shape = ops.shape(inputs)
        if self.kind == "gaussian":
            noise = keras.random.normal(shape, stddev=self.level, seed=self.seed_generator)
            outputs = inputs + ops.cast(noise, inputs.dtype)
        else:
            hit = keras.random.uniform(shape, seed=self.seed_generator) < self.level
            if self.kind == "masking":
                replacement = ops.zeros_like(inputs)
            else:
                salt = keras.random.uniform(shape, seed=self.seed_generator) < 0.5
                zeros = ops.zeros_like(inputs)
                replacement = ops.where(salt, high + zeros, low + zeros)
            outputs = ops.where(hit, replacement, inputs)
        if self.clip:
            outputs = ops.clip(outputs, low, high)
        return outputs

    def get_config(self):
        config = super().get_config()
        config.update(
            kind=self.kind, level=self.level, low=self.low, high=self.high,
            clip=self.clip, seed=self.seed,
        )
        return config


@keras.saving.register_keras_serializable(package=_PACKAGE)
class CodeSparsity(keras.layers.Layer):
    """Identity on the code that adds sparsity penalties to the loss.

    ``l1 * mean_rows(sum_units |h|)`` keeps few code units active per row;
    with a ``target`` mean activation ``rho`` (codes in (0, 1), for a sigmoid
    code), ``weight * sum_units KL(rho || rho_hat)`` pulls each unit's mean
    activation ``rho_hat`` over the batch toward ``rho`` (Ng's sparse
    autoencoder).
    """

    def __init__(self, l1=0.0, target=None, weight=1.0, **kwargs):
        super().__init__(**kwargs)
        self.l1 = float(l1)
        self.target = None if target is None else float(target)
        self.weight = float(weight)

    def call(self, inputs):
        if self.l1 > 0:
            self.add_loss(self.l1 * ops.mean(ops.sum(ops.abs(inputs), axis=-1)))
        if self.target is not None and self.weight > 0:
            self.add_loss(self.weight * kl_sparsity(inputs, self.target))
        return inputs

    def get_config(self):
        config = super().get_config()
        config.update(l1=self.l1, target=self.target, weight=self.weight)
        return config


def kl_sparsity(activations, target, epsilon=1e-7):
    """Sum over units of KL(target || mean activation of the unit)."""
    rho_hat = ops.clip(ops.mean(activations, axis=0), epsilon, 1.0 - epsilon)
    rho = target
    kl = rho * ops.log(rho / rho_hat) + (1.0 - rho) * ops.log((1.0 - rho) / (1.0 - rho_hat))
    return ops.sum(kl)


@keras.saving.register_keras_serializable(package=_PACKAGE)
class MissingEntries(keras.layers.Layer):
    """Zero the missing (NaN) entries of rows and append the mask of them.

    Takes ``(batch, n_features)``, gives ``(batch, 2 * n_features)``: the
    row with its missing entries set to 0 (the entries are standardized,
    so 0 is the observed mean), then 1 where an entry is missing and 0
    where it is present, so that the network can tell a missing entry
    from an observed 0. While
    training each observed entry is also hidden (set to 0) with
    probability ``rate``, drawn afresh at every call, so that a network
    trained to reconstruct every observed entry learns to predict entries
    it cannot see (denoising by masking). Outside training only the
    missing entries are zeroed and marked.
    """

    def __init__(self, rate=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = float(rate)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=None):
        missing = ops.isnan(inputs)
        if training and self.rate > 0:
            hidden = keras.random.uniform(ops.shape(inputs), seed=self.seed_generator) < self.rate
            missing = ops.logical_or(missing, hidden)
        filled = ops.where(missing, ops.zeros_like(inputs), inputs)
        return ops.concatenate([filled, ops.cast(missing, inputs.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], 2 * input_shape[-1])

    def get_config(self):
        config = super().get_config()
        config.update(rate=self.rate, seed=self.seed)
        return config


@keras.saving.register_keras_serializable(package=_PACKAGE)
class MissingSteps(keras.layers.Layer):
    """Mask the time steps of a sequence whose values are missing (NaN).

    Takes ``(batch, n_steps, n_channels)``; a step is missing when every
    channel is NaN. It passes the sequence on with NaN set to 0 and hands
    the following recurrent layer a mask of the steps present, which the
    layer skips (its state carries over them). The estimator checks that
    NaN only pads the end of a sequence (tslearn's convention for sequences
    of different lengths) before any row reaches the network.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        return ops.where(ops.isnan(inputs), ops.zeros_like(inputs), inputs)

    def compute_mask(self, inputs, mask=None):
        return ops.logical_not(ops.all(ops.isnan(inputs), axis=-1))

    def compute_output_shape(self, input_shape):
        return input_shape


@keras.saving.register_keras_serializable(package=_PACKAGE)
class MissingAsZero(keras.layers.Layer):
    """Set missing (NaN) values to 0, with no mask.

    For a layer that reads a whole row at once, such as the linear path
    beside a recurrent network, where the padding of a shorter sequence
    must count as nothing rather than make the result NaN.
    """

    def call(self, inputs):
        return ops.where(ops.isnan(inputs), ops.zeros_like(inputs), inputs)

    def compute_output_shape(self, input_shape):
        return input_shape


@keras.saving.register_keras_serializable(package=_PACKAGE)
class PadSteps(keras.layers.Layer):
    """Append ``n_steps`` missing (NaN) steps to the end of a sequence.

    Takes ``(batch, steps, channels)``. Before frames of several steps are
    read as one (a reshape), it pads a sequence to a whole number of frames
    with steps that :class:`MissingSteps` then treats as padding.
    """

    def __init__(self, n_steps, **kwargs):
        super().__init__(**kwargs)
        self.n_steps = int(n_steps)

    def call(self, inputs):
        pad = ops.full((ops.shape(inputs)[0], self.n_steps, inputs.shape[2]), float("nan"),
                       dtype=inputs.dtype)
        return ops.concatenate([inputs, pad], axis=1)

    def compute_output_shape(self, input_shape):
        steps = None if input_shape[1] is None else input_shape[1] + self.n_steps
        return (input_shape[0], steps, input_shape[2])

    def get_config(self):
        return {**super().get_config(), "n_steps": self.n_steps}


@keras.saving.register_keras_serializable(package=_PACKAGE)
class TimeFeatures(keras.layers.Layer):
    """Append ``n_features`` fixed features of each step's position to a sequence.

    Takes ``(batch, n_steps, channels)``, returns ``(batch, n_steps,
    channels + n_features)`` with the features of :func:`time_features`.
    Before a recurrent decoder whose every step gets the same code, they
    tell it where in the sequence it is, so it need not learn to count.
    """

    def __init__(self, n_features, **kwargs):
        super().__init__(**kwargs)
        self.n_features = int(n_features)

    def call(self, inputs):
        n_steps = inputs.shape[1]
        features = ops.convert_to_tensor(time_features(n_steps, self.n_features), inputs.dtype)
        batch = ops.shape(inputs)[0]
        features = ops.broadcast_to(features[None], (batch, n_steps, self.n_features))
        return ops.concatenate([inputs, features], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] + self.n_features)

    def get_config(self):
        return {**super().get_config(), "n_features": self.n_features}


@keras.saving.register_keras_serializable(package=_PACKAGE)
class GaussianCode(keras.layers.Layer):
    """The stochastic code of a variational autoencoder.

    Takes the encoder's ``2 * n_components`` outputs, the posterior means
    and log-variances of a diagonal Gaussian, and returns one draw of the
    code by reparameterization, ``mean + exp(log_variance / 2) * eps`` with
    ``eps ~ N(0, I)`` from the layer's own seeded stream. It adds the KL
    divergence of the posterior from the standard normal prior (summed over
    components, averaged over rows) to the loss, times ``kl_weight``, and
    reports the unweighted KL as the metric ``kl``.

    It draws in training and in evaluation alike, so that the validation
    loss is an estimate of the negative ELBO like the training loss. It sits
    between encoder and decoder of the training model only: the
    estimator's own inference is deterministic (posterior means) or draws in
    float64 with its own seeds.

    ``kl_weight`` is a non-trainable variable starting at ``beta``, which a
    KL warm-up moves during training.
    """

    def __init__(self, n_components, beta=1.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.n_components = int(n_components)
        self.beta = float(beta)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.kl_tracker = keras.metrics.Mean(name="kl")

    def build(self, input_shape=None):
        self.kl_weight = self.add_weight(
            shape=(), initializer=keras.initializers.Constant(self.beta), trainable=False,
            name="kl_weight",
        )

    def call(self, inputs):
        k = self.n_components
        mean = inputs[:, :k]
        log_variance = ops.clip(inputs[:, k:], *LOG_VARIANCE_BOUNDS)
        kl = ops.sum(gaussian_kl(mean, log_variance, ops), axis=-1)
        self.add_loss(self.kl_weight * ops.mean(kl))
        self.kl_tracker.update_state(kl)
        eps = keras.random.normal(ops.shape(mean), dtype=mean.dtype, seed=self.seed_generator)
        return mean + ops.exp(0.5 * log_variance) * eps

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n_components)

    def get_config(self):
        config = super().get_config()
        config.update(n_components=self.n_components, beta=self.beta, seed=self.seed)
        return config


@keras.saving.register_keras_serializable(package=_PACKAGE)
class Standardization(keras.layers.Layer):
    """``(x - shift) / scale`` forward, ``shift + scale * x`` with ``inverse=True``.

    Called at both ends of a network (like :class:`TiedDense`), it lets the
    network compute on standardized rows while taking and giving rows in
    the data's units. ``shift`` (one value per feature) and ``scale`` (one
    for all) are non-trainable variables that the estimator sets from the
    training data, not config: networks of one architecture fitted to
    different data share one training template.
    """

    def __init__(self, n_features, **kwargs):
        super().__init__(**kwargs)
        self.n_features = int(n_features)

    def build(self, input_shape=None):
        self.shift = self.add_weight(shape=(self.n_features,), initializer="zeros",
                                     trainable=False, name="shift")
        self.scale = self.add_weight(shape=(), initializer="ones", trainable=False, name="scale")

    def call(self, inputs, inverse=False):
        if inverse:
            return self.shift + self.scale * inputs
        return (inputs - self.shift) / self.scale

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "n_features": self.n_features}


@keras.saving.register_keras_serializable(package=_PACKAGE)
class ObservationVariance(keras.layers.Layer):
    """Identity on the decoder's means that holds the Gaussian likelihood's variance.

    Its variance is that of the standardized rows the network computes on
    (see :class:`Standardization`). The variance of feature ``j`` is
    ``min_variance + exp(log_excess[j])``
    (one shared entry when ``shared``), learned with the rest of the
    network unless ``trainable=False`` fixes it. ``min_variance`` keeps a
    feature the decoder predicts perfectly (a constant pixel) from driving
    its variance, and the likelihood, to infinity. The likelihood loss in
    ``losses`` reads :meth:`variance`.

    Each call also copies the variance into the variable ``variance_used``:
    Keras computes training metrics after the optimizer's step, so a metric
    that read :meth:`variance` would see the next step's variance, not the
    one the loss used.
    """

    def __init__(self, n_features, initial_variance, min_variance=0.0, shared=True, **kwargs):
        super().__init__(**kwargs)
        self.n_features = int(n_features)
        self.initial_variance = [float(v) for v in np.ravel(initial_variance)]
        self.min_variance = float(min_variance)
        self.shared = bool(shared)

    def build(self, input_shape=None):
        size = 1 if self.shared else self.n_features
        excess = np.broadcast_to(np.asarray(self.initial_variance) - self.min_variance, (size,))
        self.log_excess = self.add_weight(
            shape=(size,), initializer=keras.initializers.Constant(np.log(excess)),
            trainable=self.trainable, name="log_excess",
        )
        self.variance_used = self.add_weight(
            shape=(size,), initializer=keras.initializers.Constant(excess + self.min_variance),
            trainable=False, name="variance_used",
        )

    def variance(self):
        return self.min_variance + ops.exp(self.log_excess)

    def call(self, inputs):
        self.variance_used.assign(self.variance())
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            n_features=self.n_features, initial_variance=self.initial_variance,
            min_variance=self.min_variance, shared=self.shared,
        )
        return config
