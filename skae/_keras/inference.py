"""Float64 inference through fitted networks, in NumPy.

Networks train in float32, which is fast, but float32 results depend on the
CPU's kernels and on which other rows share a matrix product: a row encoded
alone and the same row inside a batch can differ in the last bit, and by
different amounts on different machines. Inference therefore runs here, in
float64, from the trained float32 weights. The product of two float32 numbers
is exact in float64, so the only rounding left is float64 accumulation, about
1e-16 relative: a row's result does not depend on the rest of the call beyond
that, on any CPU. NumPy also skips TensorFlow's per-call overhead, so a single
row is fast.

A network is applied as *steps* ``(layer, call_kwargs)``, as built by
``networks``. Each layer type has a float64 forward function here; a layer
type without one is refused with a clear error, so a new family adds its
layers here once.
"""

import itertools

import keras
import numpy as np
from scipy.special import erf, expit

from .layers import (
    CodeSparsity,
    Corruption,
    MissingAsZero,
    MissingEntries,
    MissingSteps,
    ObservationVariance,
    PadSteps,
    Standardization,
    TiedDense,
    TimeFeatures,
    time_features,
)
from .networks import Beside

#: Rows per chunk, so that temporary float64 copies stay bounded whatever the
#: size of the input.
CHUNK_ROWS = 4096

_SQRT_HALF = np.sqrt(0.5)
# The constants of tf.nn.selu, which keras.activations.selu calls.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


# Each activation may overwrite its argument, a fresh array of pre-activations
# that nothing else holds: in place, large inputs cost no extra copies.


def _relu(x):
    return np.maximum(x, 0.0, out=x)


def _leaky_relu(x):
    x[x < 0] *= 0.2  # Keras' default negative_slope
    return x


def _elu(x):
    negative = x < 0
    x[negative] = np.expm1(x[negative])
    return x


def _selu(x):
    negative = x < 0
    x[negative] = _SELU_ALPHA * np.expm1(x[negative])
    x *= _SELU_SCALE
    return x


def _gelu(x):
    return 0.5 * x * (1.0 + erf(x * _SQRT_HALF))  # Keras' default: exact, not tanh


def _silu(x):
    x *= expit(x)
    return x


def _tanh(x):
    return np.tanh(x, out=x)


def _sigmoid(x):
    return expit(x, out=x)


def _softplus(x):
    return np.logaddexp(0.0, x, out=x)


def _linear(x):
    return x


#: Keras activation functions and their float64 NumPy twins.
_ACTIVATIONS = {
    keras.activations.relu: _relu,
    keras.activations.leaky_relu: _leaky_relu,
    keras.activations.elu: _elu,
    keras.activations.selu: _selu,
    keras.activations.gelu: _gelu,
    keras.activations.silu: _silu,
    keras.activations.tanh: _tanh,
    keras.activations.sigmoid: _sigmoid,
    keras.activations.softplus: _softplus,
    keras.activations.linear: _linear,
}


def activation(function):
    """The float64 NumPy twin of a Keras activation function."""
    try:
        return _ACTIVATIONS[function]
    except KeyError:
        raise NotImplementedError(
            f"skae has no float64 inference for the activation {function!r}."
        ) from None


def _array(variable):
    return np.asarray(variable.value, dtype=np.float64)


def _affine(kernel, bias, function):
    """``x -> function(x @ kernel + bias)`` in float64."""
    function = activation(function)

    def apply(x):
        out = x @ kernel
        if bias is not None:
            out += bias
        return function(out)

    return apply


def _dense(layer):
    bias = None if layer.bias is None else _array(layer.bias)
    return _affine(_array(layer.kernel), bias, layer.activation)


def _tied_dense(layer, transpose=False):
    kernel = _array(layer.kernel)
    if transpose:
        return _affine(kernel.T, _array(layer.transpose_bias), layer.transpose_activation)
    return _affine(kernel, _array(layer.bias), layer.activation)


def _identity(layer, **kwargs):
    # Corruption is inactive and CodeSparsity only adds training losses.
    return _linear


def _missing_entries(layer):
    # Outside training only the missing entries are zeroed and marked.
    def apply(x):
        missing = np.isnan(x)
        return np.concatenate([np.where(missing, 0.0, x), missing.astype(x.dtype)], axis=-1)

    return apply


def _missing_as_zero(layer):
    return lambda x: np.where(np.isnan(x), 0.0, x)


def _standardization(layer, inverse=False):
    shift, scale = _array(layer.shift), float(_array(layer.scale))
    if inverse:
        return lambda x: shift + scale * x
    return lambda x: (x - shift) / scale


def _activation_layer(layer):
    return activation(layer.activation)


def _reshape(layer):
    shape = tuple(layer.target_shape)
    return lambda x: x.reshape(len(x), *shape)


def _flatten(layer):
    return lambda x: x.reshape(len(x), -1)


def _check_convolution(layer):
    """Our float64 convolutions cover what skae builds: channels last, no dilation."""
    if (layer.data_format != "channels_last" or any(d != 1 for d in layer.dilation_rate)
            or getattr(layer, "groups", 1) != 1 or layer.padding not in ("same", "valid")):
        raise NotImplementedError(
            f"skae has no float64 inference for {type(layer).__name__} layers with "
            "dilation, groups, causal padding or channels first."
        )


def _convolution_weights(layer):
    """A checked convolution's kernel, bias, activation, strides and kernel sizes."""
    _check_convolution(layer)
    kernel = _array(layer.kernel)
    bias = None if layer.bias is None else _array(layer.bias)
    return kernel, bias, activation(layer.activation), tuple(layer.strides), kernel.shape[:-2]


def _same_padding(n_in, stride, kernel):
    """Zeros before and after an axis of ``n_in``, as TensorFlow's "same" pads it."""
    n_out = -(-n_in // stride)
    total = max((n_out - 1) * stride + kernel - n_in, 0)
    return total // 2, total - total // 2


def _strided(start, stride, count):
    return slice(start, start + stride * (count - 1) + 1, stride)


def _convolution(layer):
    """A strided N-D convolution as one matrix product per kernel offset.

    Each offset of the kernel multiplies a strided view of the (padded)
    input by that offset's ``(in, out)`` kernel slice: no unfolded copy of
    the input, whose size would be the kernel's volume times the input's.
    """
    # kernel: (*sizes, in, out)
    kernel, bias, function, strides, sizes = _convolution_weights(layer)

    def apply(x):
        spatial = x.shape[1:-1]
        if layer.padding == "same":
            pads = [_same_padding(n, s, k) for n, s, k in zip(spatial, strides, sizes)]
            x = np.pad(x, [(0, 0), *pads, (0, 0)])
            spatial = x.shape[1:-1]
        n_out = [(n - k) // s + 1 for n, k, s in zip(spatial, sizes, strides)]
        out = np.zeros((len(x), *n_out, kernel.shape[-1]))
        for offset in itertools.product(*map(range, sizes)):
            window = tuple(_strided(o, s, n) for o, s, n in zip(offset, strides, n_out))
            out += x[(slice(None), *window)] @ kernel[offset]
        if bias is not None:
            out += bias
        return function(out)

    return apply


def _transposed_convolution(layer):
    """The transpose of :func:`_convolution`: each input position scatters
    its kernel-shaped contribution, offset by offset, then "same" padding
    crops the result to ``stride`` times the input's size.
    """
    if getattr(layer, "output_padding", None) is not None:
        raise NotImplementedError("skae has no float64 inference for output_padding.")
    # kernel: (*sizes, out, in)
    kernel, bias, function, strides, sizes = _convolution_weights(layer)

    def apply(x):
        spatial = x.shape[1:-1]
        full = [(n - 1) * s + k for n, s, k in zip(spatial, strides, sizes)]
        if layer.padding == "same":
            # The padding of the forward convolution this one transposes.
            before = [_same_padding(n * s, s, k)[0] for n, s, k in zip(spatial, strides, sizes)]
            n_out = [n * s for n, s in zip(spatial, strides)]
        else:
            before, n_out = [0] * len(spatial), full
        extent = [max(f, b + n) for f, b, n in zip(full, before, n_out)]
        out = np.zeros((len(x), *extent, kernel.shape[-2]))
        for offset in itertools.product(*map(range, sizes)):
            window = tuple(_strided(o, s, n) for o, s, n in zip(offset, strides, spatial))
            out[(slice(None), *window)] += x @ kernel[offset].T
        out = out[(slice(None), *(slice(b, b + n) for b, n in zip(before, n_out)))]
        out = np.ascontiguousarray(out)
        if bias is not None:
            out += bias
        return function(out)

    return apply


def _cropping(layer):
    crops = layer.cropping
    crops = [crops] if isinstance(crops[0], int) else list(crops)
    window = tuple(slice(a, -b if b else None) for a, b in crops)
    return lambda x: np.ascontiguousarray(x[(slice(None), *window)])


def _repeat_vector(layer):
    n = int(layer.n)
    return lambda x: np.repeat(x[:, None, :], n, axis=1)


def _pad_steps(layer):
    n = layer.n_steps
    return lambda x: np.concatenate([x, np.full((len(x), n, x.shape[2]), np.nan)], axis=1)


def _time_features(layer):
    def apply(x):
        features = time_features(x.shape[1], layer.n_features)
        features = np.broadcast_to(features, (*x.shape[:2], layer.n_features))
        return np.concatenate([x, features], axis=-1)

    return apply


def _recurrent_weights(layer):
    cell = layer.cell  # dropout, if any, is inactive at inference
    if layer.stateful:
        raise NotImplementedError("skae has no float64 inference for stateful recurrent layers.")
    bias = _array(cell.bias) if cell.use_bias else None
    return (cell, _array(cell.kernel), _array(cell.recurrent_kernel), bias,
            activation(cell.activation), activation(cell.recurrent_activation))


def _present_steps(x):
    """The steps present in sequences ``x``, and ``x`` with NaN set to 0.

    NaN steps reach a recurrent layer only through ``MissingSteps``, whose
    Keras mask they stand for here: a step whose channels are all NaN is
    masked. The mask is None when every step is present.
    """
    missing = np.isnan(x)
    if not missing.any():
        return None, x
    return ~missing.all(axis=-1), np.where(missing, 0.0, x)


def _run_steps(layer, x, step, n_state, present=None):
    """Apply ``step(x_t, states) -> states`` over the time axis of ``x``.

    Returns the last output, or every output (in the order processed, as
    Keras does, reversed when ``go_backwards``) with ``return_sequences``.
    Where ``present`` (n_samples, n_steps) is False the step is masked, as
    Keras masks it: the states carry over it unchanged, and its output is
    the previous one (zero with ``zero_output_for_mask``).
    """
    units = layer.cell.units
    states = [np.zeros((len(x), units)) for _ in range(n_state)]
    steps = range(x.shape[1] - 1, -1, -1) if layer.go_backwards else range(x.shape[1])
    zero_masked_outputs = present is not None and layer.zero_output_for_mask
    outputs = []
    for t in steps:
        new = step(x[:, t], states)
        if present is None:
            states = new
        else:
            keep = present[:, t, None]
            states = [np.where(keep, n, s) for n, s in zip(new, states)]
        if layer.return_sequences:
            outputs.append(np.where(keep, states[0], 0.0) if zero_masked_outputs else states[0])
    return np.stack(outputs, axis=1) if layer.return_sequences else states[0]


def _lstm(layer):
    """Keras' LSTM: gates in the order input, forget, cell, output."""
    cell, kernel, recurrent, bias, act, gate = _recurrent_weights(layer)
    u = cell.units

    def apply(x):
        present, x = _present_steps(x)
        projected = x @ kernel
        if bias is not None:
            projected += bias

        def step(x_t, states):
            h, c = states
            z = x_t + h @ recurrent
            i, f, o = gate(z[:, :u]), gate(z[:, u : 2 * u]), gate(z[:, 3 * u :])
            c = f * c + i * act(z[:, 2 * u : 3 * u])
            return [o * act(c.copy()), c]

        return _run_steps(layer, projected, step, 2, present)

    return apply


def _gru(layer):
    """Keras' GRU with ``reset_after`` (its default): gates update, reset, candidate."""
    cell, kernel, recurrent, bias, act, gate = _recurrent_weights(layer)
    if not cell.reset_after:
        raise NotImplementedError("skae has no float64 inference for GRU(reset_after=False).")
    u = cell.units
    input_bias, recurrent_bias = (None, None) if bias is None else (bias[0], bias[1])

    def apply(x):
        present, x = _present_steps(x)
        projected = x @ kernel
        if input_bias is not None:
            projected += input_bias

        def step(x_t, states):
            (h,) = states
            hz = h @ recurrent
            if recurrent_bias is not None:
                hz += recurrent_bias
            z = gate(x_t[:, :u] + hz[:, :u])
            r = gate(x_t[:, u : 2 * u] + hz[:, u : 2 * u])
            candidate = act(x_t[:, 2 * u :] + r * hz[:, 2 * u :])
            return [z * h + (1.0 - z) * candidate]

        return _run_steps(layer, projected, step, 1, present)

    return apply


def _bidirectional(layer):
    if layer.merge_mode != "concat":
        raise NotImplementedError("skae has no float64 inference for Bidirectional "
                                  f"merge_mode={layer.merge_mode!r}.")
    forward, backward = _prepare(layer.forward_layer, {}), _prepare(layer.backward_layer, {})

    def apply(x):
        backward_out = backward(x)
        if layer.return_sequences:  # Keras puts the backward steps back in time order
            backward_out = backward_out[:, ::-1]
        return np.concatenate([forward(x), backward_out], axis=-1)

    return apply


#: For each layer type, a function of ``(layer, **call_kwargs)`` that reads
#: the layer's current weights and returns its float64 forward function.
_FORWARD = {
    keras.layers.Dense: _dense,
    TiedDense: _tied_dense,
    Corruption: _identity,
    CodeSparsity: _identity,
    ObservationVariance: _identity,  # it holds the variance; the means pass
    Standardization: _standardization,
    keras.layers.Activation: _activation_layer,
    MissingEntries: _missing_entries,
    MissingSteps: _identity,  # the recurrent layers read its mask from the NaN
    MissingAsZero: _missing_as_zero,
    PadSteps: _pad_steps,
    keras.layers.Reshape: _reshape,
    keras.layers.Flatten: _flatten,
    keras.layers.Conv1D: _convolution,
    keras.layers.Conv2D: _convolution,
    keras.layers.Conv1DTranspose: _transposed_convolution,
    keras.layers.Conv2DTranspose: _transposed_convolution,
    keras.layers.Cropping1D: _cropping,
    keras.layers.Cropping2D: _cropping,
    keras.layers.RepeatVector: _repeat_vector,
    TimeFeatures: _time_features,
    keras.layers.LSTM: _lstm,
    keras.layers.GRU: _gru,
    keras.layers.Bidirectional: _bidirectional,
}


def _beside(step):
    if type(step.merge) is not keras.layers.Add:
        raise NotImplementedError("skae has no float64 inference for a Beside step merged by "
                                  f"{type(step.merge).__name__}.")
    main, path = Forward(step.main)._apply, Forward(step.path)._apply
    # A copy for the main chain, so that nothing it does in place reaches the path's input.
    return lambda x: main(x.copy()) + path(x)


def _prepare(layer, kwargs):
    if isinstance(layer, Beside):
        return _beside(layer)
    try:
        prepare = _FORWARD[type(layer)]
    except KeyError:
        raise NotImplementedError(
            f"skae has no float64 inference for {type(layer).__name__} layers."
        ) from None
    return prepare(layer, **kwargs)


class Forward:
    """A network's ``steps`` with their weights read once, as float64.

    Calling it applies the steps to rows in chunks of ``CHUNK_ROWS``, so
    temporary copies stay bounded; each row's result is the same, up to
    float64 rounding, whatever chunk it falls in. Reading the weights costs
    far more than applying them to a few rows (a TensorFlow variable read is
    about 0.2 ms), which is why it happens here, once.
    """

    def __init__(self, steps):
        self._functions = [_prepare(layer, kwargs) for layer, kwargs in steps]

    def __call__(self, X):
        chunks = []
        # Rows too large for the network overflow to infinity or NaN; the
        # callers find them and say which rows they are.
        with np.errstate(over="ignore", invalid="ignore"):
            for start in range(0, max(len(X), 1), CHUNK_ROWS):
                chunks.append(self._apply(np.asarray(X[start : start + CHUNK_ROWS], dtype=np.float64)))
        return chunks[0] if len(chunks) == 1 else np.concatenate(chunks)

    def _apply(self, x):
        for function in self._functions:
            x = function(x)
        return x


def member_layers(weights, x, activations):
    """One member of a members-axis ensemble (``training.train_members``) in float64.

    ``weights`` are the member's ``(kernel, bias)`` pairs, each layer
    followed by its entry of ``activations`` (Keras names).
    """
    for (kernel, bias), name in zip(weights, activations):
        x = activation(keras.activations.get(name))(x @ kernel + bias)
    return x
