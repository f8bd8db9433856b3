"""Export fitted skae estimators to ONNX, alone or inside scikit-learn pipelines.

Importing this module registers a converter for every skae estimator with
skl2onnx (``pip install "skae[onnx]"``), so :func:`skl2onnx.to_onnx` converts
them as it converts PCA or IsolationForest, and onnxruntime runs the result
from any language, without Python::

    import skae.onnx
    from skl2onnx import to_onnx

    onx = to_onnx(make_pipeline(StandardScaler(), AutoencoderTransformer(8)).fit(X),
                  X[:1].astype(np.float32))

A converter writes the graph from the fitted network's ops, the same plain
description that skae's own float64 inference runs: transformers give their
codes, a variational autoencoder its posterior means, the imputer its
imputed rows, and the detector ``label`` and ``scores`` (the
``decision_function``) as skl2onnx's IsolationForest converter does. Float
inputs compute in float32, double inputs in float64.
"""

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.preprocessing import RobustScaler, StandardScaler
from sklearn.utils.validation import check_is_fitted
try:
    from skl2onnx import update_registered_converter
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType, Int64TensorType
    from skl2onnx.proto import onnx_proto
except ImportError as error:
    raise ImportError(
        "skae.onnx needs skl2onnx (and onnxruntime to run the graphs): "
        'pip install "skae[onnx]".'
    ) from error

import skae

from ._anomaly import N_NEIGHBOURS
from ._inference import LEAKY_RELU_SLOPE, Forward, same_padding
from ._numerics import time_features

__all__ = ["register"]

#: The lowest opset the converters write for (ReduceSum and Unsqueeze take
#: their axes as inputs from 13 on).
MIN_OPSET = 13

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class _Graph:
    """Adds nodes and constants of one dtype to a skl2onnx container."""

    def __init__(self, scope, operator, container):
        self.scope, self.container = scope, container
        self.double = isinstance(operator.inputs[0].type, DoubleTensorType)
        if not isinstance(operator.inputs[0].type, (DoubleTensorType, FloatTensorType)):
            raise TypeError(f"skae's ONNX converters take float or double input, got "
                            f"{type(operator.inputs[0].type).__name__}.")
        self.dtype = np.float64 if self.double else np.float32
        self.proto = onnx_proto.TensorProto.DOUBLE if self.double else onnx_proto.TensorProto.FLOAT
        if container.target_opset < MIN_OPSET:
            raise RuntimeError(f"skae's ONNX converters need opset {MIN_OPSET} or later, "
                               f"got target_opset={container.target_opset}.")
        self.prefix = operator.full_name

    def const(self, value, dtype=None):
        """A constant, of the graph's float dtype unless ``dtype`` is given."""
        value = np.asarray(value, dtype=self.dtype if dtype is None else dtype)
        name = self.scope.get_unique_variable_name(f"{self.prefix}_c")
        proto = {np.dtype(np.int64): onnx_proto.TensorProto.INT64,
                 np.dtype(np.int32): onnx_proto.TensorProto.INT32,
                 np.dtype(np.float32): onnx_proto.TensorProto.FLOAT,
                 np.dtype(np.float64): onnx_proto.TensorProto.DOUBLE}[value.dtype]
        self.container.add_initializer(name, proto, list(value.shape), value.ravel().tolist())
        return name

    def ints(self, values):
        return self.const(np.asarray(values, dtype=np.int64), np.int64)

    def node(self, op_type, inputs, output=None, **attributes):
        """Add a node; return the name of its (first) output."""
        output = output or self.scope.get_unique_variable_name(f"{self.prefix}_{op_type.lower()}")
        outputs = output if isinstance(output, list) else [output]
        self.container.add_node(op_type, list(inputs), outputs,
                                name=self.scope.get_unique_operator_name(f"{self.prefix}_{op_type}"),
                                **attributes)
        return outputs[0]

    def cast(self, x, to=None):
        return self.node("Cast", [x], to=self.proto if to is None else to)

    def is_nan(self, x):
        return self.node("IsNaN", [x])

    def zero_nan(self, x):
        """x with NaN replaced by 0."""
        return self.node("Where", [self.is_nan(x), self.const(0.0), x])

    def clip(self, x, low, high):
        """Per-feature clip of x to [low, high]; NaN stays NaN."""
        clipped = self.node("Max", [self.node("Min", [x, self.const(high)]), self.const(low)])
        return self.node("Where", [self.is_nan(x), x, clipped])

    def batch(self, x):
        """The size of x's first axis, as a 1-D int64 tensor."""
        return self.node("Slice", [self.node("Shape", [x]), self.ints([0]), self.ints([1]),
                                   self.ints([0])])

    def zeros(self, x, width):
        """Zeros of shape (len(x), width)."""
        shape = self.node("Concat", [self.batch(x), self.ints([width])], axis=0)
        return self.node("Expand", [self.const(np.zeros((1, width))), shape])

    def columns(self, x, indices):
        return self.node("Gather", [x, self.ints(indices)], axis=1)

    def affine(self, x, shift=None, scale=None):
        """(x - shift) / scale, either part optional."""
        if shift is not None:
            x = self.node("Sub", [x, self.const(shift)])
        if scale is not None:
            x = self.node("Div", [x, self.const(scale)])
        return x


# ------------------------------------------------------------- activations


def _negative(g, x):
    return g.node("Less", [x, g.const(0.0)])


def _exp_minus_one(g, x):
    return g.node("Sub", [g.node("Exp", [x]), g.const(1.0)])


def _activation(g, x, name):
    """Keras' activation ``name`` applied to x.

    onnxruntime lacks some activation operators in double (Elu, Selu,
    Softplus, LeakyRelu and Erf in recent opsets), so double graphs write
    them with elementary operators.
    """
    if name == "linear":
        return x
    if name == "relu":
        return g.node("Relu", [x])
    if name == "sigmoid":
        return g.node("Sigmoid", [x])
    if name == "tanh":
        return g.node("Tanh", [x])
    if name == "unit_clip":
        return g.node("Min", [g.node("Max", [x, g.const(0.0)]), g.const(1.0)])
    if name == "silu":
        return g.node("Mul", [x, g.node("Sigmoid", [x])])
    if not g.double:
        if name == "elu":
            return g.node("Elu", [x], alpha=1.0)
        if name == "selu":
            return g.node("Selu", [x], alpha=_SELU_ALPHA, gamma=_SELU_SCALE)
        if name == "softplus":
            return g.node("Softplus", [x])
        if name == "leaky_relu":
            return g.node("LeakyRelu", [x], alpha=LEAKY_RELU_SLOPE)
        if name == "gelu":  # Keras' exact GELU: x (1 + erf(x / sqrt 2)) / 2
            erf = g.node("Erf", [g.node("Mul", [x, g.const(np.sqrt(0.5))])])
            return g.node("Mul", [g.node("Mul", [x, g.const(0.5)]),
                                  g.node("Add", [erf, g.const(1.0)])])
    else:
        if name == "elu":
            return g.node("Where", [_negative(g, x), _exp_minus_one(g, x), x])
        if name == "selu":
            negative = g.node("Mul", [_exp_minus_one(g, x), g.const(_SELU_ALPHA)])
            return g.node("Mul", [g.node("Where", [_negative(g, x), negative, x]),
                                  g.const(_SELU_SCALE)])
        if name == "softplus":  # max(x, 0) + log(1 + exp(-|x|)), which does not overflow
            tail = g.node("Exp", [g.node("Neg", [g.node("Abs", [x])])])
            return g.node("Add", [g.node("Relu", [x]),
                                  g.node("Log", [g.node("Add", [tail, g.const(1.0)])])])
        if name == "leaky_relu":
            scaled = g.node("Mul", [x, g.const(LEAKY_RELU_SLOPE)])
            return g.node("Where", [_negative(g, x), scaled, x])
        if name == "gelu":
            raise NotImplementedError(
                "skae has no double ONNX form of the activation 'gelu': onnxruntime has no "
                "double Erf. Convert with float input instead."
            )
    raise NotImplementedError(f"skae has no ONNX form of the activation {name!r}.")


# --------------------------------------------------------------------- ops


def _dense(g, x, op, probe):
    out = g.node("MatMul", [x, g.const(op["kernel"])])
    if op["bias"] is not None:
        out = g.node("Add", [out, g.const(op["bias"])])
    return _activation(g, out, op["activation"])


def _standardize(g, x, op, probe):
    if op["inverse"]:
        return g.node("Add", [g.node("Mul", [x, g.const(op["scale"])]), g.const(op["shift"])])
    return g.affine(x, op["shift"], op["scale"])


def _missing_entries(g, x, op, probe):
    missing = g.is_nan(x)
    return g.node("Concat", [g.node("Where", [missing, g.const(0.0), x]), g.cast(missing)], axis=-1)


def _channels_first(g, x, n_spatial):
    return g.node("Transpose", [x], perm=[0, n_spatial + 1, *range(1, n_spatial + 1)])


def _channels_last(g, x, n_spatial):
    return g.node("Transpose", [x], perm=[0, *range(2, n_spatial + 2), 1])


def _strided_products(g, x, kernel, strides, n_out):
    """For each kernel offset, a strided window of x times that offset's kernel slice."""
    n_spatial = len(strides)
    products = []
    for offset in np.ndindex(*kernel.shape[:n_spatial]):
        ends = [o + s * (n - 1) + 1 for o, s, n in zip(offset, strides, n_out)]
        window = g.node("Slice", [x, g.ints(offset), g.ints(ends),
                                  g.ints(range(1, n_spatial + 1)), g.ints(strides)])
        products.append(g.node("MatMul", [window, g.const(kernel[offset])]))
    return products


def _finish(g, parts, op):
    out = parts[0] if len(parts) == 1 else g.node("Sum", parts)
    if op["bias"] is not None:
        out = g.node("Add", [out, g.const(op["bias"])])
    return _activation(g, out, op["activation"])


def _unrolled_convolution(g, x, op, probe):
    """The convolution as skae's float64 inference computes it: one product per kernel offset.

    onnxruntime has no double Conv; MatMul and Slice it has in every type.
    """
    kernel = np.asarray(op["kernel"], dtype=np.float64)
    n_spatial, strides = kernel.ndim - 2, list(op["strides"])
    spatial = list(probe.shape[1:-1])
    if op["padding"] == "same":
        pads = [same_padding(n, s, k) for n, s, k in zip(spatial, strides, kernel.shape)]
        x = g.node("Pad", [x, g.ints([0, *(b for b, _ in pads), 0, 0, *(a for _, a in pads), 0])],
                   mode="constant")
        spatial = [n + b + a for n, (b, a) in zip(spatial, pads)]
    n_out = [(n - k) // s + 1 for n, k, s in zip(spatial, kernel.shape, strides)]
    return _finish(g, _strided_products(g, x, kernel, strides, n_out), op)


def _dilated(g, x, axis, stride, shape):
    """x with ``stride - 1`` zeros after each entry along ``axis``; ``shape`` is x's, batch first."""
    if stride == 1:
        return x
    spread = g.node("Unsqueeze", [x, g.ints([axis + 1])])
    pads = [0] * (2 * (len(shape) + 1))
    pads[len(shape) + 1 + axis + 1] = stride - 1
    spread = g.node("Pad", [spread, g.ints(pads)], mode="constant")
    merged = [0, *shape[1:axis], shape[axis] * stride, *shape[axis + 1:]]
    return g.node("Reshape", [spread, g.ints(merged)])


def _unrolled_transposed_convolution(g, x, op, probe):
    """The transposed convolution as skae's float64 inference computes it.

    Each kernel offset's product is spread to every ``stride``-th position
    (zeros between), shifted by the offset, and the shifted products added.
    """
    kernel = np.asarray(op["kernel"], dtype=np.float64)  # (*sizes, out, in)
    n_spatial, strides = kernel.ndim - 2, list(op["strides"])
    sizes, spatial = kernel.shape[:n_spatial], list(probe.shape[1:-1])
    full = [(n - 1) * s + k for n, s, k in zip(spatial, strides, sizes)]
    if op["padding"] == "same":
        before = [same_padding(n * s, s, k)[0] for n, s, k in zip(spatial, strides, sizes)]
        n_out = [n * s for n, s in zip(spatial, strides)]
    else:
        before, n_out = [0] * n_spatial, full
    extent = [max(f, b + n) for f, b, n in zip(full, before, n_out)]
    parts = []
    for offset in np.ndindex(*sizes):
        y = g.node("MatMul", [x, g.const(np.ascontiguousarray(kernel[offset].T))])
        shape = [0, *spatial, kernel.shape[-2]]
        for axis in range(1, n_spatial + 1):
            y = _dilated(g, y, axis, strides[axis - 1], shape)
            shape[axis] *= strides[axis - 1]
        # Now each spatial axis holds n * stride entries; shift them by the offset.
        pads = [0] * (2 * len(shape))
        for axis in range(1, n_spatial + 1):
            pads[axis] = offset[axis - 1]
            pads[len(shape) + axis] = max(extent[axis - 1] - offset[axis - 1] - shape[axis], 0)
        y = g.node("Pad", [y, g.ints(pads)], mode="constant")
        y = g.node("Slice", [y, g.ints([0] * n_spatial), g.ints(extent),
                             g.ints(range(1, n_spatial + 1))])
        parts.append(y)
    out = parts[0] if len(parts) == 1 else g.node("Sum", parts)
    out = g.node("Slice", [out, g.ints(before), g.ints([b + n for b, n in zip(before, n_out)]),
                           g.ints(range(1, n_spatial + 1))])
    return _finish(g, [out], op)


def _channels_first_inputs(g, x, op):
    """A convolution's ONNX inputs: x channels first, the kernel with its two
    channel axes first and swapped (Keras keeps them last), the bias; and the
    kernel's spatial sizes."""
    kernel = np.asarray(op["kernel"])  # (*sizes, in, out); transposed: (*sizes, out, in)
    n_spatial = kernel.ndim - 2
    weights = np.transpose(kernel, (n_spatial + 1, n_spatial, *range(n_spatial)))
    inputs = [_channels_first(g, x, n_spatial), g.const(weights)]
    if op["bias"] is not None:
        inputs.append(g.const(op["bias"]))
    return inputs, list(kernel.shape[:n_spatial])


def _convolution(g, x, op, probe):
    """Keras' channels-last convolution as ONNX's channels-first Conv, between transposes."""
    if g.double:
        return _unrolled_convolution(g, x, op, probe)
    inputs, sizes = _channels_first_inputs(g, x, op)
    # TensorFlow's "same" pads the extra zero at the end, as SAME_UPPER does.
    padding = "SAME_UPPER" if op["padding"] == "same" else "VALID"
    out = g.node("Conv", inputs, strides=list(op["strides"]), auto_pad=padding,
                 kernel_shape=sizes)
    return _activation(g, _channels_last(g, out, len(sizes)), op["activation"])


def _transposed_convolution(g, x, op, probe):
    """Keras' transposed convolution: ONNX's ConvTranspose, cropped as TensorFlow crops "same"."""
    if g.double:
        return _unrolled_transposed_convolution(g, x, op, probe)
    inputs, sizes = _channels_first_inputs(g, x, op)
    strides = list(op["strides"])
    begin, end, extra = [], [], []
    for k, s in zip(sizes, strides):
        # The full output is (n - 1) s + k; "same" keeps n s of it, from
        # the forward convolution's padding before.
        before = same_padding(s, s, k)[0] if op["padding"] == "same" else 0
        after = k - s - before if op["padding"] == "same" else 0
        begin.append(before)
        end.append(max(after, 0))
        extra.append(max(-after, 0))
    out = g.node("ConvTranspose", inputs, strides=strides, pads=begin + end,
                 output_padding=extra, kernel_shape=sizes)
    return _activation(g, _channels_last(g, out, len(sizes)), op["activation"])


def _crop(g, x, op, probe):
    starts = [int(a) for a, _ in op["crops"]]
    ends = [-int(b) if b else np.iinfo(np.int64).max for _, b in op["crops"]]
    axes = list(range(1, len(op["crops"]) + 1))
    return g.node("Slice", [x, g.ints(starts), g.ints(ends), g.ints(axes)])


def _repeat(g, x, op, probe):
    expanded = g.node("Unsqueeze", [x, g.ints([1])])
    return g.node("Expand", [expanded, g.ints([1, int(op["n"]), 1])])


def _pad_steps(g, x, op, probe):
    pads = g.ints([0, 0, 0, 0, int(op["n_steps"]), 0])
    return g.node("Pad", [x, pads, g.const(np.nan)], mode="constant")


def _time_features(g, x, op, probe):
    n_features, n_steps = int(op["n_features"]), probe.shape[1]
    target = g.node("Concat", [g.batch(x), g.ints([n_steps, n_features])], axis=0)
    features = g.node("Expand", [g.const(time_features(n_steps, n_features)[None]), target])
    return g.node("Concat", [x, features], axis=-1)


def _recurrent_input(g, x):
    """Sequences with NaN zeroed, and which steps are present (batch, steps).

    A step is missing where all its channels are NaN, as skae's
    ``MissingSteps`` layer masks it in Keras.
    """
    missing = g.is_nan(x)
    present_values = g.node("ReduceSum", [g.cast(g.node("Not", [missing])), g.ints([2])], keepdims=0)
    present = g.node("Greater", [present_values, g.const(0.0)])
    return g.node("Where", [missing, g.const(0.0), x]), present


def _lengths(g, present):
    """Each sequence's number of present steps: its length, as skae validates
    that missing steps come only at the end."""
    return g.node("ReduceSum", [g.cast(present, onnx_proto.TensorProto.INT32), g.ints([1])],
                  keepdims=0)


#: ONNX's gate order, as indices of Keras' gate blocks: LSTM i, o, f, c
#: from Keras' i, f, c, o; GRU z, r, h as Keras' z, r, h.
_GATES = {"lstm": [0, 3, 1, 2], "gru": [0, 1, 2]}


def _gate_blocks(matrix, order, units):
    """Keras' ``(in, n_gates * units)`` matrix as ONNX's ``(n_gates * units, in)``."""
    blocks = [matrix[..., i * units : (i + 1) * units] for i in order]
    return np.concatenate(blocks, axis=-1).T


def _rnn_weights(op):
    """W, R and B of one direction of an ONNX LSTM or GRU, from a skae op."""
    units, order = int(op["units"]), _GATES[op["op"]]
    W = _gate_blocks(np.asarray(op["kernel"]), order, units)
    R = _gate_blocks(np.asarray(op["recurrent_kernel"]), order, units)
    n = len(order) * units
    if op["bias"] is None:
        B = np.zeros(2 * n)
    elif op["op"] == "gru":  # (2, 3 units): the input's bias, then the recurrent one
        bias = np.asarray(op["bias"])
        B = np.concatenate([_gate_blocks(bias[0][None], order, units).ravel(),
                            _gate_blocks(bias[1][None], order, units).ravel()])
    else:
        B = np.concatenate([_gate_blocks(np.asarray(op["bias"])[None], order, units).ravel(),
                            np.zeros(n)])
    return W, R, B


def _check_rnn(op):
    if op["activation"] not in _RNN_ACTIVATIONS or op["recurrent_activation"] not in _RNN_ACTIVATIONS:
        raise NotImplementedError(
            f"skae has no ONNX form of a recurrent layer with activations "
            f"{op['activation']!r} and {op['recurrent_activation']!r}."
        )


#: Activations ONNX's recurrent operators take, by Keras name.
_RNN_ACTIVATIONS = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "Relu"}


def _rnn(g, x, ops, return_sequences):
    """One ONNX LSTM or GRU of one or two directions (``ops``: forward, then backward)."""
    kind = ops[0]["op"]
    for op in ops:
        _check_rnn(op)
    weights = [_rnn_weights(op) for op in ops]
    W, R, B = (np.stack([w[i] for w in weights]) for i in range(3))
    units = int(ops[0]["units"])
    if len(ops) == 2:
        direction = "bidirectional"
    else:
        direction = "reverse" if ops[0]["go_backwards"] else "forward"
        if ops[0]["go_backwards"] and return_sequences:
            raise NotImplementedError("skae has no ONNX form of a backward recurrent layer "
                                      "that returns sequences outside Bidirectional.")
    activations = []
    for op in ops:
        gate, act = _RNN_ACTIVATIONS[op["recurrent_activation"]], _RNN_ACTIVATIONS[op["activation"]]
        activations += [gate, act, act] if kind == "lstm" else [gate, act]
    values, present = _recurrent_input(g, x)
    # ONNX's recurrent operators take (steps, batch, features).
    sequence = g.node("Transpose", [values], perm=[1, 0, 2])
    inputs = [sequence, g.const(W), g.const(R), g.const(B), _lengths(g, present)]
    extra = {"linear_before_reset": 1} if kind == "gru" else {}
    y = g.scope.get_unique_variable_name(f"{g.prefix}_rnn_y")
    y_h = g.scope.get_unique_variable_name(f"{g.prefix}_rnn_y_h")
    g.node(kind.upper(), inputs, output=[y, y_h], hidden_size=units, direction=direction,
           activations=activations, **extra)
    if return_sequences:
        # Y: (steps, directions, batch, units) -> (batch, steps, directions * units)
        out = g.node("Transpose", [y], perm=[2, 0, 1, 3])
        return g.node("Reshape", [out, g.ints([0, 0, -1])])
    # Y_h: (directions, batch, units) -> (batch, directions * units), forward first
    out = g.node("Transpose", [y_h], perm=[1, 0, 2])
    return g.node("Reshape", [out, g.ints([0, -1])])


def _unrolled_rnn(g, x, op, probe, time_order=False):
    """One direction of a recurrent layer, step by step, as skae's float64 inference runs it.

    onnxruntime has no double LSTM or GRU; the steps are unrolled into
    products, gates and ``Where`` for the masked steps. Outputs come in the
    order processed, or in time order with ``time_order`` (Bidirectional's
    backward layer).
    """
    _check_rnn(op)
    units, n_steps = int(op["units"]), probe.shape[1]

    def act(v):
        return _activation(g, v, op["activation"])

    def gate(v):
        return _activation(g, v, op["recurrent_activation"])

    values, present = _recurrent_input(g, x)
    projected = g.node("MatMul", [values, g.const(op["kernel"])])
    bias = None if op["bias"] is None else np.asarray(op["bias"])
    if op["op"] == "gru":
        input_bias, recurrent_bias = (None, None) if bias is None else (bias[0], bias[1])
    else:
        input_bias, recurrent_bias = bias, None
    if input_bias is not None:
        projected = g.node("Add", [projected, g.const(input_bias)])
    recurrent = g.const(op["recurrent_kernel"])

    def block(v, i, n=1):
        return g.node("Slice", [v, g.ints([i * units]), g.ints([(i + n) * units]), g.ints([1])])

    states = [g.zeros(x, units)] * (2 if op["op"] == "lstm" else 1)
    steps = range(n_steps - 1, -1, -1) if op["go_backwards"] else range(n_steps)
    outputs = []
    for t in steps:
        x_t = g.node("Gather", [projected, g.ints(t)], axis=1)
        keep = g.node("Unsqueeze", [g.node("Gather", [present, g.ints(t)], axis=1), g.ints([1])])
        if op["op"] == "lstm":
            h, c = states
            z = g.node("Add", [x_t, g.node("MatMul", [h, recurrent])])
            i, f, o = gate(block(z, 0)), gate(block(z, 1)), gate(block(z, 3))
            c_new = g.node("Add", [g.node("Mul", [f, c]), g.node("Mul", [i, act(block(z, 2))])])
            new = [g.node("Mul", [o, act(c_new)]), c_new]
        else:
            (h,) = states
            hz = g.node("MatMul", [h, recurrent])
            if recurrent_bias is not None:
                hz = g.node("Add", [hz, g.const(recurrent_bias)])
            z = gate(g.node("Add", [block(x_t, 0), block(hz, 0)]))
            r = gate(g.node("Add", [block(x_t, 1), block(hz, 1)]))
            candidate = act(g.node("Add", [block(x_t, 2), g.node("Mul", [r, block(hz, 2)])]))
            one_minus_z = g.node("Sub", [g.const(1.0), z])
            new = [g.node("Add", [g.node("Mul", [z, h]), g.node("Mul", [one_minus_z, candidate])])]
        states = [g.node("Where", [keep, n, s]) for n, s in zip(new, states)]
        if op["return_sequences"]:
            out = states[0]
            if op["zero_output_for_mask"]:
                out = g.node("Where", [keep, out, g.const(0.0)])
            outputs.append(g.node("Unsqueeze", [out, g.ints([1])]))
    if not op["return_sequences"]:
        return states[0]
    if time_order and op["go_backwards"]:
        outputs = outputs[::-1]
    return g.node("Concat", outputs, axis=1)


def _recurrent(g, x, op, probe):
    if g.double:
        return _unrolled_rnn(g, x, op, probe)
    return _rnn(g, x, [op], op["return_sequences"])


def _bidirectional(g, x, op, probe):
    if g.double:
        forward = _unrolled_rnn(g, x, op["forward"], probe)
        backward = _unrolled_rnn(g, x, op["backward"], probe, time_order=True)
        return g.node("Concat", [forward, backward], axis=-1)
    if op["forward"]["op"] != op["backward"]["op"] or op["forward"]["go_backwards"]:
        raise NotImplementedError("skae has no ONNX form of this Bidirectional layer.")
    return _rnn(g, x, [op["forward"], op["backward"]], op["return_sequences"])


def _add(g, x, op, probe):
    main, _ = apply_ops(g, x, op["main"], probe)
    path, _ = apply_ops(g, x, op["path"], probe)
    return g.node("Add", [main, path])


_CONVERTERS = {
    "dense": _dense,
    "activation": lambda g, x, op, probe: _activation(g, x, op["activation"]),
    "standardize": _standardize,
    "missing_entries": _missing_entries,
    "missing_as_zero": lambda g, x, op, probe: g.zero_nan(x),
    "pad_steps": _pad_steps,
    "reshape": lambda g, x, op, probe: g.node("Reshape", [x, g.ints([-1, *op["shape"]])]),
    "flatten": lambda g, x, op, probe: g.node("Flatten", [x], axis=1),
    "conv": _convolution,
    "conv_transpose": _transposed_convolution,
    "crop": _crop,
    "repeat": _repeat,
    "time_features": _time_features,
    "lstm": _recurrent,
    "gru": _recurrent,
    "bidirectional": _bidirectional,
    "add": _add,
}


def apply_ops(g, x, ops, probe):
    """Add the nodes of a network's ``ops`` (see ``skae._inference``) applied to ``x``.

    ``probe`` is one row of x's shape (batch first), which skae's own float64
    inference carries through the ops beside the graph: it gives the static
    shapes that the unrolled forms need.
    """
    for op in ops:
        try:
            convert = _CONVERTERS[op["op"]]
        except KeyError:
            raise NotImplementedError(f"skae has no ONNX form of the op {op['op']!r}.") from None
        x = convert(g, x, op, probe)
        probe = Forward([op])._apply(probe.copy())
    return x, probe


def _probe(n_features):
    return np.zeros((1, int(n_features)))


# -------------------------------------------------------------- estimators


def _check_fitted(estimator):
    try:
        check_is_fitted(estimator)
    except NotFittedError as error:
        raise NotFittedError(f"{error} (an unfitted estimator has no ONNX form)") from None


def _float_type(operator):
    kind = operator.inputs[0].type
    return DoubleTensorType if isinstance(kind, DoubleTensorType) else FloatTensorType


def _codes_shape(operator):
    estimator = operator.raw_operator
    _check_fitted(estimator)
    n = operator.inputs[0].get_first_dimension()
    operator.outputs[0].type = _float_type(operator)([n, int(estimator.n_components_)])


def _encode_converter(scope, operator, container):
    """Codes: the encoder's ops; a variational autoencoder's posterior means."""
    estimator = operator.raw_operator
    _check_fitted(estimator)
    g = _Graph(scope, operator, container)
    x = operator.inputs[0].full_name
    ops = estimator._forward["encoder"].ops
    codes, _ = apply_ops(g, x, ops, _probe(estimator.n_features_in_))
    output = operator.outputs[0].full_name
    if hasattr(estimator, "likelihood"):  # posterior means: the first n_components outputs
        g.node("Slice", [codes, g.ints([0]), g.ints([int(estimator.n_components_)]), g.ints([1])],
               output=output)
    else:
        g.node("Identity", [codes], output=output)


def _imputer_shape(operator):
    estimator = operator.raw_operator
    _check_fitted(estimator)
    n = operator.inputs[0].get_first_dimension()
    operator.outputs[0].type = _float_type(operator)([n, len(estimator.get_feature_names_out())])


def _imputer_converter(scope, operator, container):
    """Imputed rows: the networks' mean prediction where X is NaN, X elsewhere."""
    imputer = operator.raw_operator
    _check_fitted(imputer)
    if not (isinstance(imputer.missing_values, float) and np.isnan(imputer.missing_values)):
        raise NotImplementedError("skae's ONNX form of AutoencoderImputer takes NaN as the "
                                  f"missing value, got missing_values={imputer.missing_values!r}.")
    if imputer.sample_posterior:
        raise NotImplementedError("skae has no ONNX form of sample_posterior=True (random draws).")
    g = _Graph(scope, operator, container)
    X = operator.inputs[0].full_name
    kept = np.flatnonzero(imputer._kept())
    X_kept = g.columns(X, kept) if len(kept) < imputer.n_features_in_ else X
    Z = g.affine(X_kept, imputer.mean_[kept], imputer.scale_[kept])
    predictions = []
    for network in imputer._networks:
        low, high = network._bounds
        Zc = g.clip(Z, low, high)
        codes, probe = apply_ops(g, Zc, network._forward["encoder"].ops, _probe(len(kept)))
        rows, _ = apply_ops(g, codes, network._forward["decoder"].ops, probe)
        predictions.append(g.clip(rows, low, high))
    mean = predictions[0] if len(predictions) == 1 else g.node(
        "Div", [g.node("Sum", predictions), g.const(float(len(predictions)))])
    predicted = g.node("Add", [g.node("Mul", [mean, g.const(imputer.scale_[kept])]),
                               g.const(imputer.mean_[kept])])
    filled = g.node("Where", [g.is_nan(X_kept), predicted, X_kept])
    if imputer.keep_empty_features and len(kept) < imputer.n_features_in_:
        empty = np.flatnonzero(~imputer._kept())
        zeros = g.zero_nan(g.columns(X, empty))
        order = np.argsort(np.concatenate([kept, empty]))
        filled = g.columns(g.node("Concat", [filled, zeros], axis=1), order)
    if imputer.indicator_ is not None:
        flags = g.cast(g.columns(g.is_nan(X), imputer.indicator_.features_))
        filled = g.node("Concat", [filled, flags], axis=1)
    g.node("Identity", [filled], output=operator.outputs[0].full_name)


def _detector_shape(operator):
    _check_fitted(operator.raw_operator)
    n = operator.inputs[0].get_first_dimension()
    operator.outputs[0].type = Int64TensorType([n, 1])
    operator.outputs[1].type = _float_type(operator)([n, 1])


def _scaled(g, x, scaler):
    if scaler is None:
        return x
    if isinstance(scaler, RobustScaler):
        return g.affine(x, scaler.center_, scaler.scale_)
    if isinstance(scaler, StandardScaler):
        return g.affine(x, scaler.mean_, scaler.scale_)
    raise NotImplementedError(f"skae has no ONNX form of the detector's {type(scaler).__name__}.")


def _neighbour_distances(g, codes, member):
    """Squared distance of each whitened code to its N_NEIGHBOURS-th nearest training code.

    Expanded as |w|^2 + |r|^2 - 2 w.r, so a batch needs one (rows, training
    codes) matrix, not a difference per code entry.
    """
    reference = member.training_codes_
    k = min(N_NEIGHBOURS, len(reference))
    whitened = g.node("MatMul", [codes, g.const(member.code_whitening_)])
    lengths = g.node("ReduceSum", [g.node("Mul", [whitened, whitened]), g.ints([1])], keepdims=1)
    products = g.node("MatMul", [whitened, g.const(-2.0 * reference.T)])
    squared = g.node("Max", [g.node("Add", [g.node("Add", [products, lengths]),
                                            g.const(np.sum(reference ** 2, axis=1)[None])]),
                             g.const(0.0)])
    nearest = [g.scope.get_unique_variable_name(f"{g.prefix}_{part}") for part in ("near", "at")]
    g.node("TopK", [squared, g.ints([k])], output=nearest, axis=1, largest=0, sorted=1)
    return g.node("Gather", [nearest[0], g.ints([k - 1])], axis=1)


def _detector_converter(scope, operator, container):
    """``label`` (+1 inlier, -1 outlier) and ``scores`` (``decision_function``)."""
    detector = operator.raw_operator
    _check_fitted(detector)
    g = _Graph(scope, operator, container)
    Xs = _scaled(g, operator.inputs[0].full_name, detector.scaler_)
    terms = []
    for member, (error_median, distance_median) in zip(detector.estimators_, detector.term_medians_):
        seen = Xs if member.features_ is None else g.columns(Xs, member.features_)
        codes, probe = apply_ops(g, seen, member.ops("encoder"),
                                 _probe(member.weights[0][0].shape[0]))
        rows, _ = apply_ops(g, codes, member.ops("decoder"), probe)
        residual = g.node("Sub", [seen, rows])
        errors = g.node("ReduceMean", [g.node("Mul", [residual, residual])], axes=[1], keepdims=1) \
            if container.target_opset < 18 else \
            g.node("ReduceMean", [g.node("Mul", [residual, residual]), g.ints([1])], keepdims=1)
        distances = _neighbour_distances(g, codes, member)
        terms += [g.node("Div", [errors, g.const(error_median)]),
                  g.node("Div", [distances, g.const(distance_median)])]
    total = terms[0] if len(terms) == 1 else g.node("Sum", terms)
    # score_samples - offset_ = -(total / n_members) - offset_
    scores = g.node("Sub", [g.node("Div", [total, g.const(-float(len(detector.estimators_)))]),
                            g.const(detector.offset_)], output=operator.outputs[1].full_name)
    outlier = g.cast(g.node("Less", [scores, g.const(0.0)]), onnx_proto.TensorProto.INT64)
    g.node("Add", [g.node("Mul", [outlier, g.ints([-2])]), g.ints([1])],
           output=operator.outputs[0].full_name)


_TRANSFORMERS = ("AutoencoderTransformer", "DenoisingAutoencoder", "StackedAutoencoder",
                 "ConvAutoencoder", "RecurrentAutoencoder", "VariationalAutoencoder",
                 "ConvVariationalAutoencoder", "RecurrentVariationalAutoencoder")


def register():
    """Register skae's converters with skl2onnx (done when this module is imported)."""
    for name in _TRANSFORMERS:
        update_registered_converter(getattr(skae, name), f"Skae{name}", _codes_shape,
                                    _encode_converter)
    update_registered_converter(skae.AutoencoderImputer, "SkaeAutoencoderImputer",
                                _imputer_shape, _imputer_converter)
    update_registered_converter(skae.AutoencoderAnomalyDetector, "SkaeAutoencoderAnomalyDetector",
                                _detector_shape, _detector_converter)


register()
