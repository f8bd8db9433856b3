"""Float64 inference of fitted networks in NumPy, from plain data: no Keras.

Networks train in float32, which is fast, but float32 results depend on the
CPU's kernels and on which other rows share a matrix product: a row encoded
alone and the same row inside a batch can differ in the last bit, and by
different amounts on different machines. Inference therefore runs here, in
float64, from the trained float32 weights. The product of two float32 numbers
is exact in float64, so the only rounding left is float64 accumulation, about
1e-16 relative: a row's result does not depend on the rest of the call beyond
that, on any CPU.

A fitted network is held as *ops*: a list of dicts, each naming an operation
(``"op"``) with its weights as arrays and its settings as numbers, strings and
lists (``skae._keras.export`` makes them from Keras layers). Ops are plain
data, so a fitted estimator pickles and saves with ``skops.io`` without any
Keras object, serves without importing TensorFlow, and converts to ONNX
(``skae.onnx``) from the same description.
"""

import itertools

import numpy as np
from scipy.special import erf, expit

from ._numerics import time_features

#: Rows per chunk, so that temporary float64 copies stay bounded whatever the
#: size of the input.
CHUNK_ROWS = 4096

_SQRT_HALF = np.sqrt(0.5)
# The constants of tf.nn.selu, which keras.activations.selu calls.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
#: Keras' default negative slope of leaky_relu.
LEAKY_RELU_SLOPE = 0.2


# Each activation may overwrite its argument, a fresh array of pre-activations
# that nothing else holds: in place, large inputs cost no extra copies.


def _relu(x):
    return np.maximum(x, 0.0, out=x)


def _leaky_relu(x):
    x[x < 0] *= LEAKY_RELU_SLOPE
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


def _unit_clip(x):
    return np.clip(x, 0.0, 1.0, out=x)


#: Keras' activations, by name, as float64 NumPy functions.
ACTIVATIONS = {
    "relu": _relu,
    "leaky_relu": _leaky_relu,
    "elu": _elu,
    "selu": _selu,
    "gelu": _gelu,
    "silu": _silu,
    "tanh": _tanh,
    "sigmoid": _sigmoid,
    "softplus": _softplus,
    "linear": _linear,
    "unit_clip": _unit_clip,
}


def activation(name):
    """The float64 NumPy function of the Keras activation called ``name``."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise NotImplementedError(f"skae has no float64 inference for the activation {name!r}.") from None


def _float64(array):
    return None if array is None else np.asarray(array, dtype=np.float64)


def _dense(op):
    kernel, bias, function = _float64(op["kernel"]), _float64(op["bias"]), activation(op["activation"])

    def apply(x):
        out = x @ kernel
        if bias is not None:
            out += bias
        return function(out)

    return apply


def _activation(op):
    return activation(op["activation"])


def _standardize(op):
    shift, scale = _float64(op["shift"]), float(op["scale"])
    if op["inverse"]:
        return lambda x: shift + scale * x
    return lambda x: (x - shift) / scale


def _missing_entries(op):
    # Outside training only the missing entries are zeroed and marked.
    def apply(x):
        missing = np.isnan(x)
        return np.concatenate([np.where(missing, 0.0, x), missing.astype(x.dtype)], axis=-1)

    return apply


def _missing_as_zero(op):
    return lambda x: np.where(np.isnan(x), 0.0, x)


def _reshape(op):
    shape = tuple(op["shape"])
    return lambda x: x.reshape(len(x), *shape)


def _flatten(op):
    return lambda x: x.reshape(len(x), -1)


def same_padding(n_in, stride, kernel):
    """Zeros before and after an axis of ``n_in``, as TensorFlow's "same" pads it."""
    n_out = -(-n_in // stride)
    total = max((n_out - 1) * stride + kernel - n_in, 0)
    return total // 2, total - total // 2


def _strided(start, stride, count):
    return slice(start, start + stride * (count - 1) + 1, stride)


def _convolution(op):
    """A strided N-D convolution (channels last) as one matrix product per kernel offset.

    Each offset of the kernel multiplies a strided view of the (padded)
    input by that offset's ``(in, out)`` kernel slice: no unfolded copy of
    the input, whose size would be the kernel's volume times the input's.
    """
    kernel, bias, function = _float64(op["kernel"]), _float64(op["bias"]), activation(op["activation"])
    strides, sizes = tuple(op["strides"]), kernel.shape[:-2]  # kernel: (*sizes, in, out)

    def apply(x):
        spatial = x.shape[1:-1]
        if op["padding"] == "same":
            pads = [same_padding(n, s, k) for n, s, k in zip(spatial, strides, sizes)]
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


def _transposed_convolution(op):
    """The transpose of :func:`_convolution`: each input position scatters
    its kernel-shaped contribution, offset by offset, then "same" padding
    crops the result to ``stride`` times the input's size.
    """
    kernel, bias, function = _float64(op["kernel"]), _float64(op["bias"]), activation(op["activation"])
    strides, sizes = tuple(op["strides"]), kernel.shape[:-2]  # kernel: (*sizes, out, in)

    def apply(x):
        spatial = x.shape[1:-1]
        full = [(n - 1) * s + k for n, s, k in zip(spatial, strides, sizes)]
        if op["padding"] == "same":
            # The padding of the forward convolution this one transposes.
            before = [same_padding(n * s, s, k)[0] for n, s, k in zip(spatial, strides, sizes)]
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


def _crop(op):
    window = tuple(slice(a, -b if b else None) for a, b in op["crops"])
    return lambda x: np.ascontiguousarray(x[(slice(None), *window)])


def _repeat(op):
    n = int(op["n"])
    return lambda x: np.repeat(x[:, None, :], n, axis=1)


def _pad_steps(op):
    n = int(op["n_steps"])
    return lambda x: np.concatenate([x, np.full((len(x), n, x.shape[2]), np.nan)], axis=1)


def _time_features(op):
    n_features = int(op["n_features"])

    def apply(x):
        features = time_features(x.shape[1], n_features)
        features = np.broadcast_to(features, (*x.shape[:2], n_features))
        return np.concatenate([x, features], axis=-1)

    return apply


def _present_steps(x):
    """The steps present in sequences ``x``, and ``x`` with NaN set to 0.

    A step whose channels are all NaN is missing (padding at the end of a
    shorter sequence), as skae's ``MissingSteps`` layer masks it in Keras.
    The mask is None when every step is present.
    """
    missing = np.isnan(x)
    if not missing.any():
        return None, x
    return ~missing.all(axis=-1), np.where(missing, 0.0, x)


def _run_steps(op, x, step, n_state, present=None):
    """Apply ``step(x_t, states) -> states`` over the time axis of ``x``.

    Returns the last output, or every output (in the order processed, as
    Keras does, reversed when ``go_backwards``) with ``return_sequences``.
    Where ``present`` (n_samples, n_steps) is False the step is masked, as
    Keras masks it: the states carry over it unchanged, and its output is
    the previous one (zero with ``zero_output_for_mask``).
    """
    states = [np.zeros((len(x), int(op["units"]))) for _ in range(n_state)]
    steps = range(x.shape[1] - 1, -1, -1) if op["go_backwards"] else range(x.shape[1])
    zero_masked_outputs = present is not None and op["zero_output_for_mask"]
    outputs = []
    for t in steps:
        new = step(x[:, t], states)
        if present is None:
            states = new
        else:
            keep = present[:, t, None]
            states = [np.where(keep, n, s) for n, s in zip(new, states)]
        if op["return_sequences"]:
            outputs.append(np.where(keep, states[0], 0.0) if zero_masked_outputs else states[0])
    return np.stack(outputs, axis=1) if op["return_sequences"] else states[0]


def _recurrent_weights(op):
    return (_float64(op["kernel"]), _float64(op["recurrent_kernel"]), _float64(op["bias"]),
            activation(op["activation"]), activation(op["recurrent_activation"]), int(op["units"]))


def _lstm(op):
    """Keras' LSTM: gates in the order input, forget, cell, output."""
    kernel, recurrent, bias, act, gate, u = _recurrent_weights(op)

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

        return _run_steps(op, projected, step, 2, present)

    return apply


def _gru(op):
    """Keras' GRU with ``reset_after`` (its default): gates update, reset, candidate.

    ``bias`` is ``(2, 3 * units)``: the input's bias, then the recurrent one.
    """
    kernel, recurrent, bias, act, gate, u = _recurrent_weights(op)
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

        return _run_steps(op, projected, step, 1, present)

    return apply


def _bidirectional(op):
    forward, backward = _compile(op["forward"]), _compile(op["backward"])

    def apply(x):
        backward_out = backward(x)
        if op["return_sequences"]:  # Keras puts the backward steps back in time order
            backward_out = backward_out[:, ::-1]
        return np.concatenate([forward(x), backward_out], axis=-1)

    return apply


def _add(op):
    """Two chains of ops applied to the same input, their outputs added."""
    main, path = Forward(op["main"])._apply, Forward(op["path"])._apply
    # A copy for the main chain, so that nothing it does in place reaches the path's input.
    return lambda x: main(x.copy()) + path(x)


#: For each op, a function of the op that returns its float64 forward function.
_COMPILERS = {
    "dense": _dense,
    "activation": _activation,
    "standardize": _standardize,
    "missing_entries": _missing_entries,
    "missing_as_zero": _missing_as_zero,
    "pad_steps": _pad_steps,
    "reshape": _reshape,
    "flatten": _flatten,
    "conv": _convolution,
    "conv_transpose": _transposed_convolution,
    "crop": _crop,
    "repeat": _repeat,
    "time_features": _time_features,
    "lstm": _lstm,
    "gru": _gru,
    "bidirectional": _bidirectional,
    "add": _add,
}

#: The ops float64 inference knows.
OPS = frozenset(_COMPILERS)


def _compile(op):
    return _COMPILERS[op["op"]](op)


class Forward:
    """A network's ops, compiled once into float64 NumPy functions.

    Calling it applies the ops to rows in chunks of ``CHUNK_ROWS``, so
    temporary copies stay bounded; each row's result is the same, up to
    float64 rounding, whatever chunk it falls in. It pickles (and saves with
    ``skops.io``) as its ops alone.
    """

    def __init__(self, ops):
        self.ops = list(ops)
        self._functions = [_compile(op) for op in self.ops]

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

    def __getstate__(self):
        return {"ops": self.ops}

    def __setstate__(self, state):
        self.__init__(state["ops"])
