"""Fitted Keras layers as plain ops, for float64 inference and export.

:func:`ops` reads a network's steps ``(layer, call_kwargs)``, as built by
``networks``, into the ops of :mod:`skae._inference`: dicts of arrays,
numbers, strings and lists that need no Keras to run, save or convert. Each
layer type has a reader here; a layer type without one is refused with a
clear error, so a new family adds its layers here once.
"""

import keras
import numpy as np

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
)
from .layers import ACTIVATIONS as SKAE_ACTIVATIONS
from .networks import Beside
from .._inference import ACTIVATIONS, Forward

#: Keras activation functions (and skae's own) by their names in
#: :data:`skae._inference.ACTIVATIONS`.
_ACTIVATION_NAMES = {SKAE_ACTIVATIONS.get(name) or getattr(keras.activations, name): name
                     for name in ACTIVATIONS}


def activation_name(function):
    """The name of a Keras activation function that float64 inference knows."""
    try:
        return _ACTIVATION_NAMES[function]
    except KeyError:
        raise NotImplementedError(
            f"skae has no float64 inference for the activation {function!r}."
        ) from None


def _array(variable):
    """A copy of a variable's value, in its own dtype (float32 for trained weights)."""
    return np.array(keras.ops.convert_to_numpy(variable.value))


def _dense(layer):
    return {"op": "dense", "kernel": _array(layer.kernel),
            "bias": None if layer.bias is None else _array(layer.bias),
            "activation": activation_name(layer.activation)}


def _tied_dense(layer, transpose=False):
    kernel = _array(layer.kernel)
    if transpose:
        return {"op": "dense", "kernel": np.ascontiguousarray(kernel.T),
                "bias": _array(layer.transpose_bias),
                "activation": activation_name(layer.transpose_activation)}
    return {"op": "dense", "kernel": kernel, "bias": _array(layer.bias),
            "activation": activation_name(layer.activation)}


def _nothing(layer, **kwargs):
    # Corruption is inactive and CodeSparsity only adds training losses;
    # ObservationVariance holds the variance and passes the means; the
    # recurrent ops find MissingSteps' mask from the NaN themselves.
    return None


def _standardization(layer, inverse=False):
    return {"op": "standardize", "shift": _array(layer.shift),
            "scale": float(np.asarray(layer.scale.value, dtype=np.float64)), "inverse": bool(inverse)}


def _convolution(layer, op):
    """A convolution's op; skae builds channels last, without dilation or groups."""
    if (layer.data_format != "channels_last" or any(d != 1 for d in layer.dilation_rate)
            or getattr(layer, "groups", 1) != 1 or layer.padding not in ("same", "valid")
            or getattr(layer, "output_padding", None) is not None):
        raise NotImplementedError(
            f"skae has no float64 inference for {type(layer).__name__} layers with "
            "dilation, groups, output padding, causal padding or channels first."
        )
    return {"op": op, "kernel": _array(layer.kernel),
            "bias": None if layer.bias is None else _array(layer.bias),
            "activation": activation_name(layer.activation),
            "strides": [int(s) for s in layer.strides], "padding": layer.padding}


def _cropping(layer):
    crops = layer.cropping
    crops = [crops] if isinstance(crops[0], int) else list(crops)
    return {"op": "crop", "crops": [[int(a), int(b)] for a, b in crops]}


def _recurrent(layer, op):
    cell = layer.cell  # dropout, if any, is inactive at inference
    if layer.stateful:
        raise NotImplementedError("skae has no float64 inference for stateful recurrent layers.")
    if op == "gru" and not cell.reset_after:
        raise NotImplementedError("skae has no float64 inference for GRU(reset_after=False).")
    return {"op": op, "units": int(cell.units), "kernel": _array(cell.kernel),
            "recurrent_kernel": _array(cell.recurrent_kernel),
            "bias": _array(cell.bias) if cell.use_bias else None,
            "activation": activation_name(cell.activation),
            "recurrent_activation": activation_name(cell.recurrent_activation),
            "go_backwards": bool(layer.go_backwards),
            "return_sequences": bool(layer.return_sequences),
            "zero_output_for_mask": bool(layer.zero_output_for_mask)}


def _bidirectional(layer):
    if layer.merge_mode != "concat":
        raise NotImplementedError("skae has no float64 inference for Bidirectional "
                                  f"merge_mode={layer.merge_mode!r}.")
    return {"op": "bidirectional", "forward": _op(layer.forward_layer, {}),
            "backward": _op(layer.backward_layer, {}),
            "return_sequences": bool(layer.return_sequences)}


#: For each layer type, a function of ``(layer, **call_kwargs)`` that reads
#: the layer's current weights into an op (None: nothing at inference).
_READERS = {
    keras.layers.Dense: _dense,
    TiedDense: _tied_dense,
    Corruption: _nothing,
    CodeSparsity: _nothing,
    ObservationVariance: _nothing,
    MissingSteps: _nothing,
    Standardization: _standardization,
    keras.layers.Activation: lambda layer: {"op": "activation",
                                            "activation": activation_name(layer.activation)},
    MissingEntries: lambda layer: {"op": "missing_entries"},
    MissingAsZero: lambda layer: {"op": "missing_as_zero"},
    PadSteps: lambda layer: {"op": "pad_steps", "n_steps": int(layer.n_steps)},
    keras.layers.Reshape: lambda layer: {"op": "reshape",
                                         "shape": [int(s) for s in layer.target_shape]},
    keras.layers.Flatten: lambda layer: {"op": "flatten"},
    keras.layers.Conv1D: lambda layer: _convolution(layer, "conv"),
    keras.layers.Conv2D: lambda layer: _convolution(layer, "conv"),
    keras.layers.Conv1DTranspose: lambda layer: _convolution(layer, "conv_transpose"),
    keras.layers.Conv2DTranspose: lambda layer: _convolution(layer, "conv_transpose"),
    keras.layers.Cropping1D: _cropping,
    keras.layers.Cropping2D: _cropping,
    keras.layers.RepeatVector: lambda layer: {"op": "repeat", "n": int(layer.n)},
    TimeFeatures: lambda layer: {"op": "time_features", "n_features": int(layer.n_features)},
    keras.layers.LSTM: lambda layer: _recurrent(layer, "lstm"),
    keras.layers.GRU: lambda layer: _recurrent(layer, "gru"),
    keras.layers.Bidirectional: _bidirectional,
}


def _beside(step):
    if type(step.merge) is not keras.layers.Add:
        raise NotImplementedError("skae has no float64 inference for a Beside step merged by "
                                  f"{type(step.merge).__name__}.")
    return {"op": "add", "main": ops(step.main), "path": ops(step.path)}


def _op(layer, kwargs):
    if isinstance(layer, Beside):
        return _beside(layer)
    try:
        read = _READERS[type(layer)]
    except KeyError:
        raise NotImplementedError(
            f"skae has no float64 inference for {type(layer).__name__} layers."
        ) from None
    return read(layer, **kwargs)


def ops(steps):
    """The ops of a network's ``steps``, with the layers' current weights."""
    return [op for op in (_op(layer, kwargs) for layer, kwargs in steps) if op is not None]


def shared(ops, arrays):
    """``ops`` with each array that equals one of ``arrays`` replaced by that very array.

    pickle and skops store an object once however often it is referred to,
    so ops that share the arrays of the saved Keras weights
    (``networks.saved_state``) put each weight in a file once.
    """
    by_content = {(a.shape, a.dtype.str, a.tobytes()): a for a in arrays}

    def visit(value):
        if isinstance(value, np.ndarray):
            return by_content.get((value.shape, value.dtype.str, value.tobytes()), value)
        if isinstance(value, dict):
            return {key: visit(item) for key, item in value.items()}
        if isinstance(value, list):
            return [visit(item) for item in value]
        return value

    return visit(ops)


def forward(steps):
    """A :class:`skae._inference.Forward` of ``steps`` with their current weights."""
    return Forward(ops(steps))
