"""Keras network builders.

Plain functions of shapes and hyper-parameters that return Keras models. They
know nothing of scikit-learn and can be used and tested on their own.

An autoencoder is described as *levels*: level ``i`` holds the steps that
encode from width ``i - 1`` to width ``i`` and the steps that decode back.
:func:`assemble` applies the same layer objects in three flat functional
models (encoder, decoder, autoencoder), so all three share weights, and a
layer may appear in both halves (tied weights). Greedy pretraining trains the
levels one at a time.
"""

import json
import warnings
from dataclasses import dataclass, field

import keras
import numpy as np
from scipy.special import logit

from .._inference import ACTIVATIONS as INFERENCE_ACTIVATIONS
from .layers import (
    CodeSparsity,
    Corruption,
    GaussianCode,
    MissingAsZero,
    MissingEntries,
    MissingSteps,
    ObservationVariance,
    PadSteps,
    Standardization,
    TiedDense,
    TimeFeatures,
)
from .layers import activation as keras_activation


@dataclass
class Level:
    """Steps ``(layer, call_kwargs)`` that encode one width and decode it back."""

    encode: list
    decode: list
    input_width: int
    #: For the first level: ``(layer, bias attribute, activation)`` of the
    #: network's output, the bias :meth:`Networks.start_at_mean` sets.
    output: tuple = None


@dataclass
class Beside:
    """A step that applies two chains of steps to the same input and merges them.

    Levels are otherwise sequences of steps. This one lets a level carry a
    second path, such as a linear map beside a recurrent network, while
    every layer stays a named layer of the three models, with its float64
    twin.
    """

    main: list
    path: list
    #: A ``keras.layers.Add`` of the two chains' outputs.
    merge: object


@dataclass
class LinearPath:
    """A linear autoencoder beside a whole network: it starts at PCA's solution.

    The network's code is the sum of its encoder's code and ``encode``'s
    map of the input; its reconstruction the sum of its decoder's output
    and ``decode``'s map of the code, each sum followed by the steps the
    network's own last layers would have applied (``code_steps``: a code
    activation, a sparsity penalty; ``output_steps``: the output
    activation). ``main_code`` and ``main_output`` are the network's layers
    that feed the two sums.
    """

    encode: list
    decode: list
    code_steps: list
    output_steps: list
    main_code: object
    main_output: object
    #: The activation the network's own output layer ends in (:func:`branch_activation`).
    branch_activation: str = "linear"
    encode_merge: object = field(init=False)
    decode_merge: object = field(init=False)
    #: PCA's ``(components, mean)`` the path started at.
    start: tuple = None

    def __post_init__(self):
        self.encode_merge = keras.layers.Add(name="encoder_add")
        self.decode_merge = keras.layers.Add(name="decoder_add")


@dataclass
class Networks:
    """The three models of one autoencoder and the levels they are made of."""

    model: keras.Model
    encoder: keras.Model
    decoder: keras.Model
    levels: list = field(default_factory=list)
    path: LinearPath = None

    def start_at_mean(self, mean):
        """Set the output layer's bias so that the network starts out giving ``mean``.

        ``mean`` holds one value per input feature; features are grouped by
        the output bias's units, innermost (channels last), and each unit
        gets the mean of its features' means, mapped back through the output
        activation. A network that starts at the data's mean need not spend
        its first epochs learning it through every weight (on digits, a
        linear autoencoder comes closer to PCA's error in fewer epochs).
        Kept at zero when the output has no such bias (variational
        autoencoders, whose Gaussian output is standardized already), when
        the activation has no inverse here, or where the mean is not finite.
        """
        if mean is None or not self.levels or self.levels[0].output is None:
            return
        layer, attribute, activation = self.levels[0].output
        inverse = _PRE_ACTIVATIONS.get(activation)
        if inverse is None:
            return
        bias = getattr(layer, attribute)
        units = int(bias.shape[0])
        values = np.asarray(mean, dtype=np.float64)
        # Steps padded to whole frames (a recurrent network's) have no mean.
        values = np.concatenate([values, np.full(-len(values) % units, np.nan)])
        groups = values.reshape(-1, units)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a unit with no finite mean
            value = inverse(np.nanmean(groups, axis=0))
        bias.assign(np.where(np.isfinite(value), value, 0.0).astype(bias.dtype))

    def start_at_components(self, components, mean):
        """Start the linear path at PCA's solution and the rest of the network at zero.

        ``components`` (``n_components`` rows, zero beyond the data's rank)
        and ``mean`` are PCA's, fitted to the training rows. The path then
        maps a row to its principal coordinates and back, and the layers
        feeding the two sums give zero (or a constant the path's output bias
        takes off), so training starts from PCA's reconstruction (through
        the output activation) and the non-linear
        layers learn what it misses, as a residual branch that starts at
        zero does. Nothing is done without a path.
        """
        if self.path is None:
            return
        components = np.asarray(components, dtype=np.float64)
        mean = np.asarray(mean, dtype=np.float64)
        encode = [layer for layer, _ in self.path.encode if hasattr(layer, "kernel")]
        decode = [layer for layer, _ in self.path.decode if hasattr(layer, "kernel")]
        width = components.shape[0]
        # A path of rank r below the code's width: r components, through
        # the first r code units.
        rank = int(encode[0].kernel.shape[1])
        basis = components[:rank]
        kernels = [basis.T] if len(encode) == 1 else [basis.T, np.eye(rank, width)]
        for layer, kernel in zip(encode, kernels):
            layer.kernel.assign(kernel.astype(layer.kernel.dtype))
        if not isinstance(decode[0], TiedDense):  # tied: the same kernels, transposed
            for layer, kernel in zip(decode, reversed(kernels)):
                layer.kernel.assign(kernel.T.astype(layer.kernel.dtype))
        # Every bias but the output's (start_at_mean's) at zero, and the
        # code's giving the row's deviation from the mean.
        output = self.levels[0].output
        for layer in {id(layer): layer for layer in encode + decode}.values():
            for weight in (layer.bias, getattr(layer, "transpose_bias", None)):
                if weight is not None and weight is not getattr(output[0], output[1]):
                    weight.assign(np.zeros(weight.shape, dtype=weight.dtype))
        code = -mean
        for kernel in kernels:
            code = code @ kernel
        encode[-1].bias.assign(code.astype(encode[-1].bias.dtype))
        _zero([self.path.main_code, self.path.main_output])
        # The zeroed output layer still gives its activation's value at
        # zero (a sigmoid's 1/2): the path's output bias, start_at_mean's,
        # takes it off.
        at_zero = float(INFERENCE_ACTIVATIONS[self.path.branch_activation](np.zeros(1))[0])
        if at_zero:
            bias = getattr(output[0], output[1])
            bias.assign((np.asarray(bias.value, dtype=np.float64) - at_zero).astype(bias.dtype))

    def close_path(self):
        """Zero the linear path, leaving the network's own layers to give the result."""
        _zero([layer for layer, _ in [*self.path.encode, *self.path.decode]])

    def inference_steps(self):
        """The encoder's and decoder's steps, for float64 inference (``export.ops``).

        Input steps such as corruption are left out: they only act while
        training.
        """
        return {"encoder": _encode_steps(self.levels, self.path),
                "decoder": _decode_steps(self.levels, self.path)}


def _zero(layers):
    """Set every weight of ``layers`` to zero."""
    for layer in layers:
        for weight in layer.weights:
            weight.assign(np.zeros(weight.shape, dtype=weight.dtype))


#: Output activations and the bias that makes them give a value.
_PRE_ACTIVATIONS = {
    "linear": lambda mean: mean,
    "unit_clip": lambda mean: mean,
    # Kept off the flat ends of the sigmoid, where it would learn nothing.
    "sigmoid": lambda mean: logit(np.clip(mean, SIGMOID_START_MARGIN, 1 - SIGMOID_START_MARGIN)),
}

#: How close to 0 or 1 a sigmoid output may start.
SIGMOID_START_MARGIN = 0.01


def apply_steps(steps, x):
    for layer, kwargs in steps:
        if isinstance(layer, Beside):
            x = layer.merge([apply_steps(layer.main, x), apply_steps(layer.path, x)])
        else:
            x = layer(x, **kwargs)
    return x


def _encode_steps(levels, path=None):
    steps = [step for level in levels for step in level.encode]
    if path is None:
        return steps
    return [(Beside(steps, path.encode, path.encode_merge), {}), *path.code_steps]


def _decode_steps(levels, path=None):
    steps = [step for level in reversed(levels) for step in level.decode]
    if path is None:
        return steps
    return [(Beside(steps, path.decode, path.decode_merge), {}), *path.output_steps]


def assemble(levels, input_shape, code_shape, *, input_steps=(), code_steps=(), path=None):
    """Build encoder, decoder and autoencoder models that share every layer.

    ``input_steps`` (such as a corruption layer) run only in the
    autoencoder, before the encoder; ``code_steps`` (such as a variational
    autoencoder's sampling) run only in the autoencoder, between encoder
    and decoder, so the encoder's output may differ from the decoder's
    input ``code_shape``. ``path``, a :class:`LinearPath`, runs beside the
    levels.
    """
    x = keras.Input(shape=input_shape, name="autoencoder_input")
    encoded = apply_steps(_encode_steps(levels, path), apply_steps(input_steps, x))
    code = apply_steps(code_steps, encoded)
    model = keras.Model(x, apply_steps(_decode_steps(levels, path), code), name="autoencoder")
    x = keras.Input(shape=input_shape, name="encoder_input")
    encoder = keras.Model(x, apply_steps(_encode_steps(levels, path), x), name="encoder")
    z = keras.Input(shape=code_shape, name="decoder_input")
    decoder = keras.Model(z, apply_steps(_decode_steps(levels, path), z), name="decoder")
    return Networks(model, encoder, decoder, list(levels), path)


def branch_activation(output_activation):
    """What a network's own output layer ends in beside a path into ``output_activation``.

    Into a clipped sum ("unit_clip", for data in [0, 1]) the non-linear
    layers end in a sigmoid, as a plain network's output on such data does,
    and the linear path adds PCA's reconstruction to it; into any other
    output they end linear.
    """
    return "sigmoid" if output_activation == "unit_clip" else "linear"


def linear_path(levels, n_features, n_components, linear_components, *, code_activation="linear",
                code_steps=(), output_activation="linear", tied=False, seed=0, alpha=0.0):
    """A :class:`LinearPath` of rank ``linear_components`` beside ``levels``.

    The levels must end in a linear code layer and an output layer with
    the :func:`branch_activation` (the first level's ``output``): the
    path's sums come before the ``code_activation``, the other
    ``code_steps`` and the ``output_activation``. The path's last decoding layer
    takes over the output bias (:meth:`Networks.start_at_mean`), one per
    feature. With ``tied`` the path decodes with its encoder's kernels,
    transposed (:class:`TiedDense`), as PCA does.
    """
    rank, width, n_features = int(linear_components), int(n_components), int(n_features)
    # One layer each way at full rank; through ``rank`` units below it.
    if tied:
        layers = [TiedDense(rank, n_features, kernel_initializer=_initializer(seed),
                            kernel_regularizer=_l2(alpha), name="tied_linear_path")]
        if rank < width:
            layers.append(TiedDense(width, rank, kernel_initializer=_initializer(seed + 1),
                                    kernel_regularizer=_l2(alpha), name="tied_linear_code"))
        encode = [(layer, {}) for layer in layers]
        decode = [(layer, {"transpose": True}) for layer in reversed(layers)]
        output = (layers[0], "transpose_bias")
    else:
        def dense(units, index, name):
            return (_dense(units, "linear", seed=seed + index, alpha=alpha, name=name), {})

        encode = [dense(rank, 0, "encoder_linear_path")]
        decode = [dense(n_features, 3, "decoder_linear_output")]
        if rank < width:
            encode.append(dense(width, 1, "encoder_linear_code"))
            decode.insert(0, dense(rank, 2, "decoder_linear_path"))
        output = (decode[-1][0], "bias")
    main_output, _, branch = levels[0].output
    levels[0].output = (*output, output_activation)
    return LinearPath(encode, decode, [*_activation(code_activation, "code_activation"), *code_steps],
                      _activation(output_activation, "decoder_output"),
                      main_code=levels[-1].encode[-1][0], main_output=main_output,
                      branch_activation=branch)


def _activation(name, layer_name):
    """An activation's step, or none for "linear"."""
    if name == "linear":
        return []
    return [(keras.layers.Activation(keras_activation(name), name=layer_name), {})]


def level_model(networks, index):
    """The shallow autoencoder of level ``index`` of ``networks``, for greedy pretraining.

    With a linear path, the first level ends with the output activation and
    the last with the code's steps, as they do in the network without one.
    """
    level, path = networks.levels[index], networks.path
    encode, decode = list(level.encode), list(level.decode)
    if path is not None and index == len(networks.levels) - 1:
        encode += path.code_steps
    if path is not None and index == 0:
        decode += path.output_steps
    x = keras.Input(shape=(level.input_width,))
    return keras.Model(x, apply_steps(decode, apply_steps(encode, x)))


def bundle(model, encoder, decoder):
    """One model holding the three, so that they are saved once, sharing their layers.

    Three models saved side by side would come back as three unrelated
    copies. One model with the three as separate input-output paths holds
    each shared layer once.
    """
    return keras.Model(
        [model.input, encoder.input, decoder.input],
        [model.output, encoder.output, decoder.output],
        name="skae_bundle",
    )


def unbundle(bundled):
    """Inverse of :func:`bundle`: ``(model, encoder, decoder)``."""
    names = ("autoencoder", "encoder", "decoder")
    return tuple(
        keras.Model(i, o, name=name)
        for i, o, name in zip(bundled.inputs, bundled.outputs, names)
    )


def saved_state(model, encoder, decoder):
    """The three models as plain data: ``{"config": ..., "weights": [...]}``.

    The config is Keras' serialization of their :func:`bundle` as one JSON
    string, the weights its arrays: what :func:`restored` needs, and nothing
    that runs code when loaded.
    """
    bundled = bundle(model, encoder, decoder)
    return {"config": json.dumps(keras.saving.serialize_keras_object(bundled)),
            "weights": [np.array(w) for w in bundled.get_weights()]}


def restored(state):
    """``(model, encoder, decoder)`` rebuilt from :func:`saved_state`, in Keras' safe mode."""
    config = json.loads(state["config"])
    bundled = keras.saving.deserialize_keras_object(config, safe_mode=True)
    bundled.set_weights(state["weights"])
    return unbundle(bundled)


def _initializer(seed):
    return keras.initializers.GlorotUniform(seed=seed)


def _l2(alpha):
    return keras.regularizers.L2(float(alpha)) if alpha > 0 else None


def _dense(units, activation, *, seed, alpha, name, use_bias=True):
    """A Dense layer with a seeded Glorot initializer and optional L2."""
    return keras.layers.Dense(
        units, activation=keras_activation(activation), use_bias=use_bias,
        kernel_initializer=_initializer(seed),
        kernel_regularizer=_l2(alpha), name=name,
    )


def dense_levels(
    n_features,
    n_components,
    hidden_layer_sizes=(),
    *,
    activation="relu",
    output_activation="linear",
    code_activation="linear",
    alpha=0.0,
    tied_weights=False,
    code_l1=0.0,
    sparsity_target=None,
    sparsity_weight=1.0,
    seed=0,
):
    """Levels of a dense autoencoder whose decoder mirrors its encoder.

    Level ``i`` encodes with a Dense layer of width ``widths[i]`` and decodes
    back to ``widths[i - 1]`` (``n_features`` for the first level, with
    ``output_activation``). With ``tied_weights`` one :class:`TiedDense`
    layer does both. Each layer has its own seed.
    """
    # Python ints: Keras refuses NumPy integers as layer widths.
    widths = tuple(int(w) for w in (n_features, *hidden_layer_sizes, n_components))
    n_levels = len(widths) - 1
    levels = []
    for i in range(n_levels):
        enc_activation = code_activation if i == n_levels - 1 else activation
        dec_activation = output_activation if i == 0 else activation
        if tied_weights:
            layer = TiedDense(
                widths[i + 1], widths[i], activation=keras_activation(enc_activation),
                transpose_activation=keras_activation(dec_activation),
                kernel_initializer=_initializer(seed + i),
                kernel_regularizer=_l2(alpha), name=f"tied_dense_{i}",
            )
            encode, decode = [(layer, {})], [(layer, {"transpose": True})]
            output = (layer, "transpose_bias", dec_activation)
        else:
            encode = [(_dense(widths[i + 1], enc_activation, seed=seed + i, alpha=alpha,
                              name=f"encoder_dense_{i}"), {})]
            decode = [(_dense(widths[i], dec_activation, seed=seed + n_levels + i, alpha=alpha,
                              name=f"decoder_dense_{i}"), {})]
            output = (decode[0][0], "bias", dec_activation)
        levels.append(Level(encode, decode, widths[i], output if i == 0 else None))
    levels[-1].encode += code_penalty(code_l1, sparsity_target, sparsity_weight)
    return levels


def code_penalty(code_l1=0.0, sparsity_target=None, sparsity_weight=1.0):
    """The steps of the code's sparsity penalty: one :class:`CodeSparsity`, or none."""
    if code_l1 > 0 or sparsity_target is not None:
        return [(CodeSparsity(code_l1, sparsity_target, sparsity_weight, name="code_sparsity"), {})]
    return []


def dense_autoencoder(n_features, n_components, hidden_layer_sizes=(), *, corruption=None,
                      missing=None, linear_components=0, **kwargs):
    """Build a dense autoencoder; ``kwargs`` go to :func:`dense_levels`.

    ``corruption``, a dict of :class:`Corruption` arguments, puts a noise
    layer in front of the autoencoder (not of the encoder). ``missing``, a
    dict of :class:`MissingEntries` arguments, makes the encoder take rows
    with missing (NaN) entries, hiding more of them while training.
    ``linear_components`` puts a :func:`linear_path` of that rank beside
    the network.
    """
    ends = {}
    if linear_components:
        # The code activation, the sparsity penalty and the output
        # activation act on the sums with the path: the levels end linear,
        # or in their branch activation.
        ends = dict(code_activation=kwargs.pop("code_activation", "linear"),
                    code_steps=code_penalty(kwargs.pop("code_l1", 0.0),
                                            kwargs.pop("sparsity_target", None),
                                            kwargs.pop("sparsity_weight", 1.0)),
                    output_activation=kwargs.pop("output_activation", "linear"))
        kwargs["output_activation"] = branch_activation(ends["output_activation"])
    levels = dense_levels(n_features, n_components, hidden_layer_sizes, **kwargs)
    path = linear_path(levels, n_features, n_components, linear_components, **ends,
                       tied=kwargs.get("tied_weights", False),
                       seed=kwargs.get("seed", 0) + 2 * len(levels),
                       alpha=kwargs.get("alpha", 0.0)) if linear_components else None
    if missing is not None:
        levels[0].encode.insert(0, (MissingEntries(**missing, name="missing_entries"), {}))
    input_steps = () if corruption is None else [(Corruption(**corruption, name="corruption"), {})]
    return assemble(levels, (int(n_features),), (int(n_components),), input_steps=input_steps,
                    path=path)


#: Keras' convolution, transposed convolution and cropping layers, by the
#: number of spatial axes (1: signals, 2: images).
_CONVOLUTIONS = {
    1: (keras.layers.Conv1D, keras.layers.Conv1DTranspose, keras.layers.Cropping1D),
    2: (keras.layers.Conv2D, keras.layers.Conv2DTranspose, keras.layers.Cropping2D),
}

#: Each convolution stage halves every spatial size (rounding up).
CONV_STRIDE = 2


def conv_sizes(spatial_shape, n_stages):
    """Spatial sizes after each of ``n_stages`` strided convolutions, input first."""
    sizes = [tuple(int(s) for s in spatial_shape)]
    for _ in range(n_stages):
        sizes.append(tuple(-(-s // CONV_STRIDE) for s in sizes[-1]))
    return sizes


def conv_levels(
    n_features,
    n_components,
    image_shape,
    filters,
    *,
    kernel_size=3,
    activation="relu",
    output_activation="linear",
    alpha=0.0,
    seed=0,
):
    """The one level of a convolutional autoencoder of flat rows.

    ``image_shape`` is ``(*spatial, channels)`` with one or two spatial axes,
    channels last. The encoder reshapes a row to that shape, applies one
    convolution of stride 2 and "same" padding per entry of ``filters``,
    flattens and maps to the code with a linear Dense layer. The decoder
    mirrors it: a Dense layer back to the last stage's volume, one
    transposed convolution of stride 2 per stage (the last one back to the
    input's channels, with ``output_activation``), a crop of what the
    strides added to odd sizes, and a flattening back to rows. The network
    takes and gives rows of ``n_features``, so everything that works on
    dense autoencoders (validation, float64 inference, pickling) works on it.
    """
    image_shape = tuple(int(s) for s in image_shape)
    spatial, channels = image_shape[:-1], image_shape[-1]
    conv, conv_transpose, cropping = _CONVOLUTIONS[len(spatial)]
    filters = tuple(int(f) for f in filters)
    kernel_size = int(kernel_size)
    sizes = conv_sizes(spatial, len(filters))
    volume = filters[-1]
    for s in sizes[-1]:
        volume *= s

    def layer(cls, units, act, index, name):
        return cls(units, kernel_size, strides=CONV_STRIDE, padding="same",
                   activation=keras_activation(act),
                   kernel_initializer=_initializer(seed + index), kernel_regularizer=_l2(alpha),
                   name=name)

    n_stages = len(filters)
    encode = [(keras.layers.Reshape(image_shape, name="encoder_reshape"), {})]
    encode += [(layer(conv, f, activation, i, f"encoder_conv_{i}"), {})
               for i, f in enumerate(filters)]
    encode += [
        (keras.layers.Flatten(name="encoder_flatten"), {}),
        (_dense(int(n_components), "linear", seed=seed + n_stages, alpha=alpha,
                name="encoder_code"), {}),
    ]
    decode = [
        (_dense(volume, activation, seed=seed + n_stages + 1, alpha=alpha,
                name="decoder_dense"), {}),
        (keras.layers.Reshape((*sizes[-1], filters[-1]), name="decoder_reshape"), {}),
    ]
    widths = (*reversed(filters[:-1]), channels)
    for i, f in enumerate(widths):
        last = i == n_stages - 1
        decode.append((layer(conv_transpose, f, output_activation if last else activation,
                             n_stages + 2 + i, f"decoder_conv_{i}"), {}))
    output = (decode[-1][0], "bias", output_activation)
    excess = [s * CONV_STRIDE**n_stages - target for s, target in zip(sizes[-1], spatial)]
    if any(excess):
        crop = tuple((0, e) for e in excess)
        decode.append((cropping(crop[0] if len(crop) == 1 else crop, name="decoder_crop"), {}))
    decode.append((keras.layers.Flatten(name="decoder_flatten"), {}))
    return [Level(encode, decode, int(n_features), output)]


def conv_autoencoder(n_features, n_components, image_shape, filters, *, linear_components=0,
                     **kwargs):
    """Build a convolutional autoencoder; ``kwargs`` go to :func:`conv_levels`.

    ``linear_components`` puts a :func:`linear_path` of that rank beside
    the network.
    """
    # With a path, the output activation acts on the sum: the levels end
    # linear, or in their branch activation.
    ends = {}
    if linear_components:
        ends = {"output_activation": kwargs.pop("output_activation", "linear")}
        kwargs["output_activation"] = branch_activation(ends["output_activation"])
    levels = conv_levels(n_features, n_components, image_shape, filters, **kwargs)
    path = linear_path(levels, n_features, n_components, linear_components, **ends,
                       seed=kwargs.get("seed", 0) + 2 * len(filters) + 2,
                       alpha=kwargs.get("alpha", 0.0)) if linear_components else None
    return assemble(levels, (int(n_features),), (int(n_components),), path=path)


_CELLS = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU}


def recurrent_levels(
    n_features,
    n_components,
    sequence_shape,
    *,
    cell="lstm",
    units=64,
    bidirectional=False,
    time_features=0,
    frame_length=1,
    linear_components=0,
    output_activation="linear",
    alpha=0.0,
    seed=0,
):
    """The one level of a recurrent autoencoder of flat rows (the classic LSTM autoencoder).

    ``sequence_shape`` is ``(n_timesteps, n_channels)``. The encoder reshapes
    a row to it, reads it in frames of ``frame_length`` steps (padding the
    end with missing steps to a whole number of frames), masks the frames
    that are NaN (padding at the end of a shorter sequence), runs an LSTM or
    GRU of ``units`` over the frames (both ways with ``bidirectional``, the
    two last states concatenated) and maps the last state to the code with
    a linear Dense layer. The decoder repeats the code at every frame (with
    ``time_features`` fixed features of the frame's position appended),
    runs a second recurrent layer that returns every frame, maps each frame
    back to its steps' channels with one Dense layer shared by all frames,
    drops the padding steps and flattens back to rows. With
    ``linear_components`` a linear path beside the recurrent layers adds a
    linear map of the whole row (missing steps as zeros), through that
    many components, to the code, and a linear map of the code, through as
    many, to the reconstruction before ``output_activation``: the network
    then contains a linear autoencoder of that rank, and the recurrent
    layers model what it misses.
    """
    n_steps, n_channels = (int(s) for s in sequence_shape)
    frame_length = int(frame_length)
    n_frames = -(-n_steps // frame_length)
    padding = n_frames * frame_length - n_steps
    recurrent, units = _CELLS[cell], int(units)

    def rnn(index, name, **kwargs):
        return recurrent(
            units, kernel_initializer=_initializer(seed + index),
            recurrent_initializer=keras.initializers.Orthogonal(seed=seed + index),
            kernel_regularizer=_l2(alpha), name=name, **kwargs,
        )

    encoder = rnn(0, "encoder_rnn")
    if bidirectional:
        encoder = keras.layers.Bidirectional(
            encoder, backward_layer=rnn(1, "encoder_rnn_backward", go_backwards=True),
            name="encoder_bidirectional",
        )
    encode = [(keras.layers.Reshape((n_steps, n_channels), name="encoder_reshape"), {})]
    if padding:
        encode.append((PadSteps(padding, name="encoder_pad_steps"), {}))
    if frame_length > 1:
        encode.append((keras.layers.Reshape((n_frames, frame_length * n_channels),
                                            name="encoder_frames"), {}))
    encode += [
        (MissingSteps(name="encoder_missing_steps"), {}),
        (encoder, {}),
        (_dense(int(n_components), "linear", seed=seed + 2, alpha=alpha, name="encoder_code"), {}),
    ]
    decode = [(keras.layers.RepeatVector(n_frames, name="decoder_repeat"), {})]
    if time_features:
        decode.append((TimeFeatures(int(time_features), name="decoder_time_features"), {}))
    steps = _dense(frame_length * n_channels, "linear" if linear_components else output_activation,
                   seed=seed + 4, alpha=alpha, name="decoder_steps")
    decode += [(rnn(3, "decoder_rnn", return_sequences=True), {}), (steps, {})]
    if padding:
        decode += [
            (keras.layers.Reshape((n_frames * frame_length, n_channels), name="decoder_steps_reshape"), {}),
            (keras.layers.Cropping1D((0, padding), name="decoder_crop"), {}),
        ]
    decode.append((keras.layers.Flatten(name="decoder_flatten"), {}))
    if linear_components:
        r, k = int(linear_components), int(n_components)
        encode = [(Beside(encode, [
            (MissingAsZero(name="encoder_missing_as_zero"), {}),
            (_dense(r, "linear", seed=seed + 5, alpha=alpha, use_bias=False,
                    name="encoder_linear_path"), {}),
            (_dense(k, "linear", seed=seed + 6, alpha=alpha, use_bias=False,
                    name="encoder_linear_code"), {}),
        ], keras.layers.Add(name="encoder_add")), {})]
        decode = [(Beside(decode, [
            (_dense(r, "linear", seed=seed + 7, alpha=alpha, use_bias=False,
                    name="decoder_linear_path"), {}),
            (_dense(int(n_features), "linear", seed=seed + 8, alpha=alpha, use_bias=False,
                    name="decoder_linear_output"), {}),
        ], keras.layers.Add(name="decoder_add")), {})]
        decode += _activation(output_activation, "decoder_output")
    return [Level(encode, decode, int(n_features), (steps, "bias", output_activation))]


def recurrent_autoencoder(n_features, n_components, sequence_shape, **kwargs):
    """Build a recurrent autoencoder; ``kwargs`` go to :func:`recurrent_levels`."""
    levels = recurrent_levels(n_features, n_components, sequence_shape, **kwargs)
    return assemble(levels, (int(n_features),), (int(n_components),))


def variational(levels, n_features, n_components, *, likelihood="gaussian", beta=1.0,
                variance=None, seed=0):
    """Make the ``levels`` of an autoencoder with a code of ``2 * n_components``
    outputs (and a linear last decoder layer) variational.

    The encoder's outputs are read as the means and log-variances of a
    diagonal Gaussian posterior; a :class:`GaussianCode` step between
    encoder and decoder draws the code and adds the KL term; the decoder
    ends with the likelihood's output: for ``"gaussian"``, the network is
    wrapped in a :class:`Standardization` (standardizing rows first,
    mapping the means back last) and ends with an
    :class:`ObservationVariance` step (``variance``: its keyword arguments,
    in standardized units); for ``"bernoulli"``, a sigmoid after the linear
    logits, so that Keras' cross-entropy works from the logits. Returns the
    networks; works with any level builder whose last encoder layer is the
    linear code layer.
    """
    if likelihood == "gaussian":
        standardization = Standardization(n_features, name="standardization")
        levels[0].encode.insert(0, (standardization, {}))
        levels[0].decode.append((standardization, {"inverse": True}))
        output = ObservationVariance(n_features, **variance, name="decoder_variance")
    elif likelihood == "bernoulli":
        output = keras.layers.Activation("sigmoid", name="decoder_probabilities")
    else:
        raise ValueError(f"unknown likelihood {likelihood!r}")
    levels[0].decode.append((output, {}))
    # The last linear layer is no longer the output: its bias stays at zero.
    levels[0].output = None
    code = GaussianCode(n_components, beta, seed=seed, name="code_sampling")
    return assemble(levels, (int(n_features),), (int(n_components),), code_steps=[(code, {})])
