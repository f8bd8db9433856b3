"""Keras-side training (inference is in ``_inference``).

Everything here takes NumPy arrays and Keras models and returns NumPy arrays
or plain Python values; the scikit-learn side never touches TensorFlow.
Numbers may arrive as NumPy scalars (``np.int64(8)`` from a parameter grid):
they are converted to Python numbers here, before Keras sees them.
Import through ``skae._keras.keras_module("_training")``.
"""

import json
import threading
from dataclasses import dataclass, field

import keras
import numpy as np
import tensorflow as tf

#: Rows per batch of validation data.
PREDICT_BATCH_ROWS = 4096

_OPTIMIZERS = {
    "adam": keras.optimizers.Adam,
    "adamw": keras.optimizers.AdamW,
    "nadam": keras.optimizers.Nadam,
    "rmsprop": keras.optimizers.RMSprop,
    "sgd": keras.optimizers.SGD,
}

_LOSSES = {
    "mse": (keras.losses.MeanSquaredError, keras.metrics.MeanSquaredError),
    "mae": (keras.losses.MeanAbsoluteError, keras.metrics.MeanAbsoluteError),
    "binary_crossentropy": (
        keras.losses.BinaryCrossentropy,
        keras.metrics.BinaryCrossentropy,
    ),
}

#: How training runs, by its number of steps; see :func:`execution_plan`.
STEPS_PER_EXECUTION = 16
MIN_STEPS_FOR_MULTI_STEP = 256
MAX_EAGER_STEPS = 16

#: The name of the compiled metric that measures reconstruction error alone
#: (the loss also holds penalties such as L2).
ERROR_METRIC = "reconstruction_error"


@dataclass
class TrainingResult:
    """What one call of :func:`train` learned about the run."""

    loss_curve: list
    validation_errors: list
    n_iter: int
    stopped_early: bool
    diverged: bool
    #: Further fitted attributes for the estimator, by name.
    extra: dict = field(default_factory=dict)


def execution_plan(n_samples, batch_size, max_iter):
    """How to run a training of at most ``max_iter`` epochs: Keras compile options.

    Tracing a training step into a graph costs about a second here, and a
    graph step then costs about 5 ms less than an eager one. So a short run
    (at most ``MAX_EAGER_STEPS`` steps) runs eagerly, a long one runs several
    batches per graph call to cut per-step overhead. All three ways compute
    the same updates.
    """
    n_batches = -(-int(n_samples) // int(batch_size))
    n_steps = n_batches * int(max_iter)
    if n_steps <= MAX_EAGER_STEPS:
        return {"run_eagerly": True, "steps_per_execution": 1}
    if n_steps < MIN_STEPS_FOR_MULTI_STEP:
        return {"run_eagerly": False, "steps_per_execution": 1}
    return {"run_eagerly": False, "steps_per_execution": min(STEPS_PER_EXECUTION, n_batches)}


def compile_model(model, *, optimizer, learning_rate, loss, **plan):
    """Compile ``model`` to reconstruct its input with the named loss.

    ``plan`` is what :func:`execution_plan` returns.
    """
    loss_cls, metric_cls = _LOSSES[loss]
    model.compile(
        optimizer=_OPTIMIZERS[optimizer](learning_rate=float(learning_rate)),
        loss=loss_cls(),
        metrics=[metric_cls(name=ERROR_METRIC)],
        # XLA compilation costs seconds up front and gains little for the
        # small dense networks fitted here on a CPU.
        jit_compile=False,
        **plan,
    )


class _Template:
    """A compiled copy of one architecture that every fit of it trains on.

    TensorFlow never frees a traced graph: compiling and fitting a new model
    at every ``fit`` grows memory by about 8 MB a fit, as plain Keras does.
    A template is compiled and traced once; each fit loads its own initial
    weights (and noise state) into it, restores the optimizer's initial
    state, trains it, and copies the result back to its own model. That
    grows memory by 0.02 MB a fit over 100 fits on digits, against plain
    Keras' 7.8 MB (``benchmarks/training.py``). The lock makes concurrent
    fits of one architecture take turns.
    """

    def __init__(self, model, compile_args):
        self.model = keras.models.clone_model(model)
        # Taken before compiling adds metric variables: these pair one to
        # one with ``model.variables`` (weights and noise seed states).
        self._variables = list(self.model.variables)
        compile_model(self.model, **compile_args)
        self.model.optimizer.build(self.model.trainable_variables)
        self._optimizer_start = [v.numpy() for v in self.model.optimizer.variables]
        self.lock = threading.Lock()

    def load(self, model):
        """Take ``model``'s variables and a fresh optimizer state."""
        for mine, theirs in self._paired(model):
            mine.assign(theirs)
        for variable, start in zip(self.model.optimizer.variables, self._optimizer_start):
            variable.assign(start)

    def store(self, model):
        """Give the trained variables back to ``model``."""
        for mine, theirs in self._paired(model):
            theirs.assign(mine)

    def _paired(self, model):
        theirs = model.variables
        if len(theirs) != len(self._variables):
            raise RuntimeError("skae: a training template does not match its model.")
        return zip(self._variables, theirs)


_TEMPLATES = {}
_TEMPLATES_LOCK = threading.Lock()


def _canonical(config, names):
    """``config`` without seeds, with layer names replaced by their positions.

    Seeds only decide initial values, which every fit overwrites; names
    differ between otherwise identical models.
    """
    if isinstance(config, dict):
        return {k: _canonical(v, names) for k, v in config.items() if k != "seed"}
    if isinstance(config, (list, tuple)):
        return [_canonical(v, names) for v in config]
    if isinstance(config, str):
        return names.get(config, config)
    return config


def _template(model, compile_args):
    """The template for ``model``'s architecture and training settings."""
    names = {layer.name: f"layer_{i}" for i, layer in enumerate(model.layers)}
    names[model.name] = "model"
    key = json.dumps([_canonical(model.get_config(), names), compile_args], sort_keys=True, default=repr)
    with _TEMPLATES_LOCK:
        if key not in _TEMPLATES:
            _TEMPLATES[key] = _Template(model, compile_args)
        return _TEMPLATES[key]


def _dataset(X, target, *, batch_size, seed):
    """Batches of ``(X, target)`` in a new order every epoch, from ``seed`` alone.

    Each pass over the dataset (Keras starts one per epoch) draws its order
    with a stateless shuffle keyed by ``(seed, pass number)``. Unlike
    ``Dataset.shuffle(seed=...)``, which mixes in TensorFlow's global seed,
    the order depends on nothing but ``seed``.
    """
    n_rows = len(X)
    X = tf.constant(X)
    target = X if target is None else tf.constant(target)
    passes = tf.Variable(0, dtype=tf.int64, trainable=False)

    def shuffled_indices(_):
        key = tf.stack([tf.constant(seed, tf.int64), passes.assign_add(1)])
        order = tf.random.experimental.stateless_shuffle(
            tf.range(n_rows, dtype=tf.int64), seed=key, alg="philox"
        )
        return tf.data.Dataset.from_tensor_slices(order)

    ds = tf.data.Dataset.from_tensors(0).flat_map(shuffled_indices).batch(batch_size)
    # flat_map hides the length, which Keras needs to know where epochs end.
    ds = ds.apply(tf.data.experimental.assert_cardinality(-(-n_rows // batch_size)))
    ds = ds.map(lambda rows: (tf.gather(X, rows), tf.gather(target, rows)))
    return ds.prefetch(tf.data.AUTOTUNE)


def train(
    model,
    X_train,
    X_val=None,
    *,
    compile_args,
    target_train=None,
    target_val=None,
    batch_size,
    max_iter,
    early_stopping,
    tol,
    n_iter_no_change,
    seed,
    verbose=0,
):
    """Train ``model`` to map ``X`` to ``target`` (default: ``X``).

    ``compile_args`` are :func:`compile_model`'s keyword arguments; the
    training runs on the architecture's template (see :class:`_Template`).
    Stops when the monitored loss (validation loss if ``X_val`` is given and
    ``early_stopping`` is on, else training loss) has not improved by ``tol``
    for ``n_iter_no_change`` epochs, as scikit-learn's MLP does. With early
    stopping the weights of the best validation epoch are restored.
    """
    use_validation = early_stopping and X_val is not None
    if use_validation:
        target_val = X_val if target_val is None else target_val
    stopper = keras.callbacks.EarlyStopping(
        monitor="val_loss" if use_validation else "loss",
        min_delta=float(tol),
        patience=int(n_iter_no_change),
        restore_best_weights=use_validation,
    )
    template = _template(model, compile_args)
    with template.lock:
        template.load(model)
        history = template.model.fit(
            _dataset(X_train, target_train, batch_size=int(batch_size), seed=int(seed)),
            # A ready dataset: Keras re-adapts NumPy validation data every epoch.
            validation_data=(
                tf.data.Dataset.from_tensor_slices((X_val, target_val)).batch(
                    PREDICT_BATCH_ROWS
                )
                if use_validation
                else None
            ),
            epochs=int(max_iter),
            verbose=2 if verbose else 0,
            callbacks=[stopper, _StopOnNonFinite()],
            shuffle=False,  # the dataset shuffles itself, from a seed
        ).history
        template.store(model)
    loss_curve = [float(v) for v in history["loss"]]
    validation_errors = [float(v) for v in history.get(f"val_{ERROR_METRIC}", [])]
    return TrainingResult(
        loss_curve=loss_curve,
        validation_errors=validation_errors,
        n_iter=len(loss_curve),
        stopped_early=stopper.stopped_epoch > 0,
        # A held-out loss that overflows means rows the network cannot take,
        # as much as a training loss that does.
        diverged=not np.all(np.isfinite(loss_curve + validation_errors)),
    )


class _StopOnNonFinite(keras.callbacks.Callback):
    """Stop at the end of an epoch whose training or validation loss is NaN or infinite.

    Keras' ``TerminateOnNaN`` checks after every batch, which forces a
    device sync per step; once an epoch is enough here.
    """

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if not all(np.isfinite(logs.get(key, 0.0)) for key in ("loss", "val_loss")):
            self.model.stop_training = True
