"""Keras-side training and inference helpers.

Everything here takes NumPy arrays and Keras models and returns NumPy arrays
or plain Python values; the scikit-learn side never touches TensorFlow.
Import through ``skae._keras.keras_module("_training")``.
"""

from dataclasses import dataclass, field

import keras
import numpy as np
import tensorflow as tf

#: Rows per call when a fitted network is applied to many rows, so memory
#: stays bounded however large the input is.
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
    n_batches = -(-n_samples // batch_size)
    n_steps = n_batches * max_iter
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
        optimizer=_OPTIMIZERS[optimizer](learning_rate=learning_rate),
        loss=loss_cls(),
        metrics=[metric_cls(name=ERROR_METRIC)],
        # XLA compilation costs seconds up front and gains little for the
        # small dense networks fitted here on a CPU.
        jit_compile=False,
        **plan,
    )


def _dataset(X, target, *, batch_size, seed):
    """Batches of ``(X, target)`` reshuffled every epoch from a fixed seed.

    An op-level seed makes the shuffling reproducible without touching
    TensorFlow's global seed.
    """
    ds = tf.data.Dataset.from_tensor_slices((X, target))
    ds = ds.shuffle(len(X), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def train(
    model,
    X_train,
    X_val=None,
    *,
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
    """Train a compiled ``model`` to map ``X`` to ``target`` (default: ``X``).

    Stops when the monitored loss (validation loss if ``X_val`` is given and
    ``early_stopping`` is on, else training loss) has not improved by ``tol``
    for ``n_iter_no_change`` epochs, as scikit-learn's MLP does. With early
    stopping the weights of the best validation epoch are restored.
    """
    target_train = X_train if target_train is None else target_train
    use_validation = early_stopping and X_val is not None
    if use_validation:
        target_val = X_val if target_val is None else target_val
    stopper = keras.callbacks.EarlyStopping(
        monitor="val_loss" if use_validation else "loss",
        min_delta=tol,
        patience=n_iter_no_change,
        restore_best_weights=use_validation,
    )
    history = model.fit(
        _dataset(X_train, target_train, batch_size=batch_size, seed=seed),
        # A ready dataset: Keras re-adapts NumPy validation data every epoch.
        validation_data=(
            tf.data.Dataset.from_tensor_slices((X_val, target_val)).batch(
                PREDICT_BATCH_ROWS
            )
            if use_validation
            else None
        ),
        epochs=max_iter,
        verbose=2 if verbose else 0,
        callbacks=[stopper, _StopOnNonFinite()],
        shuffle=False,  # the dataset shuffles itself, from a seed
    ).history
    loss_curve = [float(v) for v in history["loss"]]
    return TrainingResult(
        loss_curve=loss_curve,
        validation_errors=[float(v) for v in history.get(f"val_{ERROR_METRIC}", [])],
        n_iter=len(loss_curve),
        stopped_early=stopper.stopped_epoch > 0,
        diverged=not np.all(np.isfinite(loss_curve)),
    )


class _StopOnNonFinite(keras.callbacks.Callback):
    """Stop at the end of an epoch whose loss is NaN or infinite.

    Keras' ``TerminateOnNaN`` checks after every batch, which forces a
    device sync per step; once an epoch is enough here.
    """

    def on_epoch_end(self, epoch, logs=None):
        if not np.isfinite((logs or {}).get("loss", 0.0)):
            self.model.stop_training = True


class BatchedFunction:
    """Apply a Keras model to NumPy rows through one traced graph.

    ``keras.Model.predict`` builds a data pipeline on every call (about
    100 ms); a ``tf.function`` with a fixed input signature is traced once and
    then costs well under a millisecond for a single row. Large inputs are
    fed in chunks of ``PREDICT_BATCH_ROWS`` rows.
    """

    def __init__(self, model):
        spec = tf.TensorSpec((None,) + tuple(model.input_shape[1:]), tf.float32)
        self._fn = tf.function(
            lambda x: model(x, training=False), input_signature=[spec]
        )

    def __call__(self, X):
        if len(X) <= PREDICT_BATCH_ROWS:
            return self._fn(X).numpy()
        return np.concatenate(
            [
                self._fn(X[i : i + PREDICT_BATCH_ROWS]).numpy()
                for i in range(0, len(X), PREDICT_BATCH_ROWS)
            ]
        )
