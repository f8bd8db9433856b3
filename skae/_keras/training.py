"""Keras-side training (losses are in ``losses``, inference in ``inference``).

Everything here takes NumPy arrays and Keras models and returns NumPy arrays
or plain Python values; the scikit-learn side never touches TensorFlow.
Numbers may arrive as NumPy scalars (``np.int64(8)`` from a parameter grid):
they are converted to Python numbers here, before Keras sees them.
"""

import json
import math
import threading
import time
from dataclasses import dataclass, field

import keras
import numpy as np
import scipy.sparse as sp
import tensorflow as tf
from keras import ops

from .._numerics import SCHEDULES, dense_rows
from .losses import KERAS_LOSSES, LIKELIHOOD_LOSSES, masked_error

#: Rows per batch of validation data, at most; fewer for wide rows, so that a
#: batch holds at most ``PREDICT_BATCH_VALUES`` values (32 MB of float32).
PREDICT_BATCH_ROWS = 4096
PREDICT_BATCH_VALUES = 8_000_000


class _WarmedAverage:
    """Optimizer mixin: the moving average of the weights warms up.

    Keras' average (``use_ema``) weighs its first step's weights by
    ``ema_momentum ** t`` after ``t`` steps, so with momentum 0.99 a fit of
    a few hundred steps (every fit of small data) ends with an average still
    pulled towards the weights of its first epochs. Here the momentum of
    step ``t`` is ``min(ema_momentum, (1 + t) / (10 + t))``, as in
    TensorFlow's ``ExponentialMovingAverage(num_updates=...)``: early steps
    forget fast, and the average reaches its full horizon only once training
    has run long enough to fill it.
    """

    def _update_model_variables_moving_average(self, trainable_variables):
        if not self.use_ema:
            return
        step = ops.cast(self.iterations, "float32")
        momentum = ops.minimum(self.ema_momentum, (1.0 + step) / (10.0 + step))
        # The first step copies the weights, as Keras' own average does.
        momentum = ops.where(ops.equal(step, 0.0), 0.0, momentum)
        for var, average in zip(trainable_variables, self._model_variables_moving_average):
            if average is not None:
                average.assign_sub(ops.cast(1.0 - momentum, var.dtype) * (average - var))


def _warmed(cls):
    return type(cls.__name__, (_WarmedAverage, cls), {"__module__": __name__})


_OPTIMIZERS = {
    name: _warmed(cls)
    for name, cls in {
        "adam": keras.optimizers.Adam,
        "adamw": keras.optimizers.AdamW,
        "nadam": keras.optimizers.Nadam,
        "rmsprop": keras.optimizers.RMSprop,
        "sgd": keras.optimizers.SGD,
    }.items()
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
    #: The optimizer's variables at the end, to continue from (``partial_fit``).
    optimizer_state: list = None
    #: Further fitted attributes for the estimator, by name.
    extra: dict = field(default_factory=dict)
    #: Every quantity Keras logged, by name, one value an epoch.
    history: dict = field(default_factory=dict)
    #: Whether the user interrupted training (KeyboardInterrupt, Ctrl-C):
    #: the result is then that of the epochs completed before it.
    interrupted: bool = False


def execution_plan(n_samples, batch_size, max_iter, *, streaming=False):
    """How to run a training of at most ``max_iter`` epochs: Keras compile options.

    Tracing a training step into a graph costs about half a second here,
    and a graph step then costs about 25 ms less than an eager one (a
    network of 5 hidden units on 40 rows, 2 cores, idle: 29 ms against
    3 ms a step; an epoch of one step and its validation pass 60 ms
    against 14 ms), so tracing pays from about 16 steps. A short run (at most
    ``MAX_EAGER_STEPS`` steps) runs eagerly, a long one runs several
    batches per graph call to cut per-step overhead. All three ways compute
    the same updates. Fits of one architecture share a traced template, so
    only the first fit of each pays for tracing. Tracing short runs too was
    tried on scikit-learn's checks (every tiny estimator of the tests, one
    process, a busy machine): the anomaly detector, imputer and conv
    autoencoder ran them 1.9 to 2.7 times faster, the other dense and the
    variational ones no faster or slower, the recurrent ones 3 to 5 times
    slower with 4.5 GB more memory of traced loops. Tracing the short runs
    of all but the recurrent networks cut the test suite's common and
    hostile-input checks from 330 to 274 s, but fits of new architectures
    that follow one another within a few graph calls each (the quick runs
    of the benchmarks, a search over architectures on small data) then
    trigger TensorFlow's warning of frequent retracing (5 traces in 10
    calls of one function, whatever the model), which users would read as
    a leak; so short runs stay eager.

    ``streaming`` marks one pass of a stream (``partial_fit``): however
    short, it runs as a graph of one step a call, whatever the chunk's
    size, so that every chunk of the stream trains on the one template
    (:class:`_Template`) traced at the first.
    """
    if streaming:
        return {"run_eagerly": False, "steps_per_execution": 1}
    n_batches = -(-int(n_samples) // int(batch_size))
    n_steps = n_batches * int(max_iter)
    if n_steps <= MAX_EAGER_STEPS:
        return {"run_eagerly": True, "steps_per_execution": 1}
    if n_steps < MIN_STEPS_FOR_MULTI_STEP:
        return {"run_eagerly": False, "steps_per_execution": 1}
    # A number of steps that divides the epoch's lets the data run on from
    # one epoch to the next (see train); any divisor from half the most up
    # serves as well as the most.
    divisors = [d for d in range(STEPS_PER_EXECUTION // 2, STEPS_PER_EXECUTION + 1)
                if n_batches % d == 0]
    steps = max(divisors) if divisors else min(STEPS_PER_EXECUTION, n_batches)
    return {"run_eagerly": False, "steps_per_execution": steps}


def compile_model(model, *, optimizer, learning_rate, loss, masked=False, average=None, **plan):
    """Compile ``model`` to reconstruct its input with the named loss.

    ``loss`` names a reconstruction loss (mean over features) or one of
    ``LIKELIHOOD_LOSSES`` (a negative log-likelihood, summed). With
    ``masked``, a weighting of :func:`masked_error` (``"row"`` or
    ``"entry"``; False for none), NaN in the target marks a missing value
    that the loss and the error metric leave out. ``average``, a momentum such as 0.99,
    makes the optimizer keep an exponential moving average of the weights
    (Polyak averaging), which :class:`_Convergence` keeps as the result;
    None trains without. ``plan`` is what :func:`execution_plan` returns.
    """
    if loss in LIKELIHOOD_LOSSES:
        loss_fn = LIKELIHOOD_LOSSES[loss](model, masked=bool(masked))
        metric = keras.metrics.MeanMetricWrapper(
            LIKELIHOOD_LOSSES[loss](model, metric=True, masked=bool(masked)), name=ERROR_METRIC
        )
    elif masked:
        loss_fn = masked_error(loss, masked)
        metric = keras.metrics.MeanMetricWrapper(loss_fn, name=ERROR_METRIC)
    else:
        loss_cls, metric_cls = KERAS_LOSSES[loss]
        loss_fn, metric = loss_cls(), metric_cls(name=ERROR_METRIC)
    averaging = {} if average is None else {"use_ema": True, "ema_momentum": float(average)}
    model.compile(
        optimizer=_OPTIMIZERS[optimizer](learning_rate=float(learning_rate), **averaging),
        loss=loss_fn,
        metrics=[metric],
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
    state, trains it, and copies the result back to its own model, so that
    memory stays flat over many fits (``benchmarks/training.py`` measures it
    against plain Keras). The lock makes concurrent
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

    def load(self, model, optimizer_state=None):
        """Take ``model``'s variables, and ``optimizer_state`` or a fresh one."""
        for mine, theirs in self._paired(model):
            mine.assign(theirs)
        state = self._optimizer_start if optimizer_state is None else optimizer_state
        variables = self.model.optimizer.variables
        if len(state) != len(variables):
            raise RuntimeError("skae: an optimizer state does not match its template.")
        for variable, value in zip(variables, state):
            variable.assign(value)

    def optimizer_state(self):
        """The optimizer's variables (step count, rate, moments) as arrays."""
        return [np.array(v.numpy()) for v in self.model.optimizer.variables]

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


#: Compile arguments that leave the traced step unchanged: a fit sets them
#: on the template's variables (the learning rate at every epoch's start,
#: by :class:`_Convergence`), so fits that differ only in them, as the
#: candidates of a search over learning rates do, share one template.
_UNTRACED_ARGS = ("learning_rate",)


def _template(model, compile_args):
    """The template for ``model``'s architecture and training settings."""
    names = {layer.name: f"layer_{i}" for i, layer in enumerate(model.layers)}
    names[model.name] = "model"
    traced = {name: value for name, value in compile_args.items() if name not in _UNTRACED_ARGS}
    key = json.dumps([_canonical(model.get_config(), names), traced], sort_keys=True, default=repr)
    with _TEMPLATES_LOCK:
        if key not in _TEMPLATES:
            _TEMPLATES[key] = _Template(model, compile_args)
        return _TEMPLATES[key]


def _row_gatherer(X, target):
    """A function of a batch's row indices that gives ``(X rows, target rows)``.

    ``X`` and ``target`` are arrays, or SciPy sparse matrices whose unstored
    entries are missing: their rows are made dense one batch at a time,
    with NaN for the unstored entries, so a matrix too large to be dense
    never is.
    """
    if not sp.issparse(X):
        X = tf.constant(X)
        target = X if target is None else tf.constant(target)
        return lambda rows: (tf.gather(X, rows), tf.gather(target, rows))
    X = X.tocsr()
    target = X if target is None else target.tocsr()
    n_features = X.shape[1]

    def dense(rows):
        return dense_rows(X, rows, np.float32), dense_rows(target, rows, np.float32)

    def gather(rows):
        x, t = tf.numpy_function(dense, [rows], (tf.float32, tf.float32), stateful=False)
        x.set_shape([None, n_features])
        t.set_shape([None, target.shape[1]])
        return x, t

    return gather


def _dataset(X, target, *, batch_size, seed, steps_per_execution=1):
    """Batches of ``(X, target)`` in a new order every epoch, from ``seed`` alone.

    Each pass over the rows (one epoch) draws its order with a stateless
    shuffle keyed by ``(seed, pass number)``. Unlike
    ``Dataset.shuffle(seed=...)``, which mixes in TensorFlow's global seed,
    the order depends on nothing but ``seed``. ``seed=None`` gives the rows
    in order every pass (validation data). Sparse rows: see
    :func:`_row_gatherer`.

    When ``steps_per_execution`` divides the batches of a pass, the dataset
    never ends: the passes follow one another, and Keras, told the steps of
    an epoch, keeps one iterator for the whole fit instead of making one an
    epoch, which costs tens of milliseconds (as much as an epoch of a small
    network). Otherwise each pass ends the dataset: a graph call of several
    steps would run on into the next pass, and epochs would no longer be
    passes.

    Returns the dataset and the steps of an epoch to tell Keras (None for a
    dataset that ends).
    """
    n_rows = X.shape[0]
    steps = -(-n_rows // batch_size)
    endless = steps % steps_per_execution == 0
    gather = _row_gatherer(X, target)
    if seed is None:
        ds = tf.data.Dataset.range(n_rows).batch(batch_size)
        ds = ds.repeat() if endless else ds
        return _untuned(ds.map(gather)), steps if endless else None
    passes = tf.Variable(0, dtype=tf.int64, trainable=False)

    def shuffled_indices(_):
        key = tf.stack([tf.constant(seed, tf.int64), passes.assign_add(1)])
        order = tf.random.experimental.stateless_shuffle(
            tf.range(n_rows, dtype=tf.int64), seed=key, alg="philox"
        )
        return tf.data.Dataset.from_tensor_slices(order).batch(batch_size)

    if endless:
        ds = tf.data.Dataset.from_tensors(0).repeat().flat_map(shuffled_indices)
    else:
        ds = tf.data.Dataset.from_tensors(0).flat_map(shuffled_indices)
        # flat_map hides the length, which Keras needs to know where epochs end.
        ds = ds.apply(tf.data.experimental.assert_cardinality(steps))
    return _untuned(ds.map(gather)), steps if endless else None


#: Batches a dataset makes ahead of the training step. Making one is a
#: gather of rows (or a sparse block made dense), far quicker than a step,
#: so one batch ahead keeps the step fed; two leave room for jitter.
PREFETCH_BATCHES = 2


def _untuned(ds):
    """``ds`` with a fixed prefetch buffer and tf.data's autotuning off.

    With autotuning on (TensorFlow's default), every iterator starts a
    model thread that wakes only every so often, up to once a minute, and
    deleting the iterator at the end of ``fit`` waits for it: Keras' ``fit``
    returned 10 to 30 s after its last callback in 5 of 10 three-epoch
    Fashion-MNIST conv fits (the main thread blocked in ``~RootDataset::Iterator`` on
    ``Model::OptimizeLoop``, seen with gdb). A pipeline of one gather has
    nothing to tune.
    """
    options = tf.data.Options()
    options.autotune.enabled = False
    return ds.prefetch(PREFETCH_BATCHES).with_options(options)


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
    schedule,
    seed,
    optimizer_state=None,
    epoch_hook=None,
    unsettled_epochs=0,
    keep_start=False,
    verbose=0,
):
    """Train ``model`` to map ``X`` to ``target`` (default: ``X``).

    ``compile_args`` are :func:`compile_model`'s keyword arguments; the
    training runs on the architecture's template (see :class:`_Template`).
    When to stop and how the learning rate moves is :class:`_Convergence`'s
    business; ``schedule`` names the learning-rate schedule.

    ``optimizer_state`` (from an earlier result's ``optimizer_state``)
    continues that optimizer instead of starting a fresh one, as
    ``partial_fit`` needs. A diverged training leaves ``model`` as it was.

    ``epoch_hook(model, epoch)``, when given, runs before each epoch on the
    model being trained (the template), for example to move a loss weight.
    The first ``unsettled_epochs`` epochs, during which such a hook changes
    the objective, neither count towards convergence nor give best weights.
    With ``keep_start`` and early stopping, the weights training starts
    from compete with the epochs': a network started at a known solution
    (PCA's, through a linear path) ends there unless an epoch does better
    on the held-out rows.
    """
    use_validation = early_stopping and X_val is not None
    if use_validation:
        target_val = X_val if target_val is None else target_val
    convergence = _Convergence(
        monitor="val_loss" if use_validation else "loss",
        tol=float(tol),
        n_iter_no_change=int(n_iter_no_change),
        schedule=schedule,
        learning_rate=float(compile_args["learning_rate"]),
        max_iter=int(max_iter),
        restore_best=use_validation,
        unsettled_epochs=int(unsettled_epochs),
        verbose=verbose,
    )
    callbacks = [convergence]
    if epoch_hook is not None:
        callbacks.insert(0, keras.callbacks.LambdaCallback(
            on_epoch_begin=lambda epoch, logs=None: epoch_hook(template.model, epoch)
        ))
    template = _template(model, compile_args)
    with template.lock:
        template.load(model, optimizer_state)
        per_call = int(compile_args.get("steps_per_execution", 1))
        train_data, train_steps = _dataset(
            X_train, target_train, batch_size=int(batch_size), seed=int(seed),
            steps_per_execution=per_call,
        )
        val_data, val_steps = (
            _dataset(X_val, target_val, seed=None, steps_per_execution=per_call, batch_size=max(
                1, min(PREDICT_BATCH_ROWS, PREDICT_BATCH_VALUES // max(X_val.shape[1], 1))))
            if use_validation
            else (None, None)
        )
        if keep_start and use_validation and not unsettled_epochs:
            start = template.model.evaluate(val_data, steps=val_steps, verbose=0,
                                            return_dict=True)["loss"]
            convergence.start = (float(start), template.model.get_weights())
        interrupted = False
        try:
            template.model.fit(
                train_data,
                steps_per_epoch=train_steps,
                # A ready dataset: Keras re-adapts NumPy validation data every epoch.
                validation_data=val_data,
                validation_steps=val_steps,
                epochs=int(max_iter),
                verbose=0,
                callbacks=callbacks,
                shuffle=False,  # the dataset shuffles itself, from a seed
            )
        except KeyboardInterrupt:
            # Ctrl-C: keep what the completed epochs learned, as scikit-learn's
            # MLP does; the estimator warns once and stays usable.
            interrupted = True
            _end_interrupted(template.model, convergence)
        # The logs of every completed epoch, as Keras' History holds them.
        history = convergence.logs
        loss_curve = [float(v) for v in history.get("loss", [])]
        validation_errors = [float(v) for v in history.get(f"val_{ERROR_METRIC}", [])]
        # A held-out loss that overflows means rows the network cannot take,
        # as much as a training loss that does.
        diverged = not np.all(np.isfinite(loss_curve + validation_errors))
        if not diverged:
            template.store(model)
        state = template.optimizer_state()
    return TrainingResult(
        loss_curve=loss_curve,
        validation_errors=validation_errors,
        n_iter=len(loss_curve),
        stopped_early=convergence.converged,
        diverged=diverged,
        optimizer_state=state,
        history={name: [float(v) for v in values] for name, values in history.items()},
        interrupted=interrupted,
    )


def _end_interrupted(model, convergence):
    """End a training that a KeyboardInterrupt stopped as Keras would have ended it.

    The weights become those training would end with after the epochs
    completed: the best epoch's where they are kept, else the moving average
    (where the optimizer keeps one) of the weights reached.
    """
    optimizer = model.optimizer
    if getattr(optimizer, "use_ema", False):
        optimizer.finalize_variable_values(model.trainable_variables)
    if convergence.best_weights is not None:
        model.set_weights(convergence.best_weights)


#: The plateau schedule multiplies the learning rate by this factor ...
PLATEAU_FACTOR = 0.1
#: ... at most this many times.
PLATEAU_CUTS = 3


class _Convergence(keras.callbacks.Callback):
    """When to stop, the learning rate of each epoch, and the weights to keep.

    The monitored loss improves when it falls below the best so far by more
    than ``tol`` times that best: a relative rule, so convergence does not
    depend on the scale of the data (an absolute ``tol`` stops fits of data
    in [0, 1] long before they converge). Training stops after
    ``n_iter_no_change`` epochs without improvement.

    The schedules:

    - ``"plateau"``: after every ``n_iter_no_change // 2`` epochs without
      improvement the learning rate is multiplied by ``PLATEAU_FACTOR``, at
      most ``PLATEAU_CUTS`` times; the stop comes only after
      ``n_iter_no_change`` epochs without improvement at the smallest rate.
    - ``"cosine"``: the rate falls from its start to zero along half a
      cosine over ``max_iter`` epochs.
    - ``"constant"``: the rate never changes.

    The first ``unsettled_epochs`` epochs are not compared: their objective
    is still changing (a KL warm-up), so they neither improve nor stall.

    When the optimizer keeps a moving average of the weights (``use_ema``),
    the averaged weights are the result: Keras puts them in place when
    training ends, and the best epoch's weights kept for ``restore_best``
    are its averaged ones. Epochs are still judged on the raw weights'
    losses, as Keras computes them; the average only replaces the raw
    weights at the end, since putting it in place during training (Keras'
    ``ema_overwrite_frequency``) undoes what it gains.

    With ``restore_best`` the weights of the best epoch are restored at the
    end, however training ended (as scikit-learn's MLP does with early
    stopping; Keras' ``EarlyStopping`` restores only when it stops). An
    epoch whose training or validation loss is not finite ends training: it
    cannot recover, and the caller reports it.
    """

    def __init__(self, *, monitor, tol, n_iter_no_change, schedule, learning_rate,
                 max_iter, restore_best, verbose, unsettled_epochs=0):
        super().__init__()
        if schedule not in SCHEDULES:
            raise ValueError(f"unknown learning-rate schedule {schedule!r}")
        self.monitor = monitor
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.plateau_patience = max(1, n_iter_no_change // 2)
        self.schedule = schedule
        self.initial_rate = learning_rate
        self.max_iter = max_iter
        self.restore_best = restore_best
        self.verbose = verbose
        self.unsettled_epochs = unsettled_epochs
        # Set here too, for a training interrupted before it begins.
        self.best_weights = None
        self.logs = {}
        #: The monitored loss and the weights before the first epoch, when
        #: they compete with the epochs' (``restore_best``).
        self.start = None

    def on_train_begin(self, logs=None):
        self.best = np.inf
        self.best_weights = None
        self.stall = 0
        self.converged = False
        self.rate = self.initial_rate
        self.cuts = 0
        self.started = time.perf_counter()
        self.epochs_run = 0
        self.best_epoch = None
        self.diverged = False
        if self.restore_best and self.start is not None and np.isfinite(self.start[0]):
            self.best, self.best_weights = self.start
            self.best_epoch = 0
        #: Each epoch's logs, by name: the training's history.
        self.logs = {}

    def on_epoch_begin(self, epoch, logs=None):
        if self.schedule == "cosine":
            self.rate = self.initial_rate * 0.5 * (1.0 + math.cos(math.pi * epoch / self.max_iter))
        # Assigned every epoch: a template's optimizer may come from another fit.
        self.model.optimizer.learning_rate.assign(self.rate)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        for name, value in logs.items():
            self.logs.setdefault(name, []).append(float(value))
        self.epochs_run = epoch + 1
        if self.verbose:
            self._report(epoch, logs)
        if not all(np.isfinite(logs.get(key, 0.0)) for key in ("loss", "val_loss")):
            self.diverged = True
            self.model.stop_training = True
            return
        if epoch < self.unsettled_epochs:
            return  # the objective is still moving: nothing to compare
        value = float(logs[self.monitor])
        if value < self.best - self.tol * abs(self.best) or not np.isfinite(self.best):
            self.best = value
            self.best_epoch = epoch + 1
            self.stall = 0
            if self.restore_best:
                self.best_weights = self._result_weights()
            return
        self.stall += 1
        if (self.schedule == "plateau" and self.cuts < PLATEAU_CUTS
                and self.stall >= self.plateau_patience):
            self.cuts += 1
            self.rate = self.initial_rate * PLATEAU_FACTOR**self.cuts
            self.stall = 0
        elif self.stall >= self.n_iter_no_change:
            self.converged = True
            self.model.stop_training = True

    def _result_weights(self):
        """The weights training would end with now: the averaged ones, if kept."""
        optimizer = self.model.optimizer
        if not getattr(optimizer, "use_ema", False):
            return self.model.get_weights()
        raw = self.model.get_weights()
        optimizer.finalize_variable_values(self.model.trainable_variables)
        averaged = self.model.get_weights()
        self.model.set_weights(raw)
        return averaged

    def on_train_end(self, logs=None):
        if self.best_weights is not None:
            self.model.set_weights(self.best_weights)
        if self.verbose:
            print(self.summary(), flush=True)

    def summary(self):
        """One line: why training stopped, its epochs, its best monitored loss, its time."""
        if self.diverged:
            why = "the loss became NaN or infinite"
        elif self.converged:
            why = (f"the {self._monitored()} improved by less than tol={self.tol:g} (relative) "
                   f"for {self.n_iter_no_change} epochs")
            if self.schedule == "plateau":
                why += f", at the lowest learning rate ({self.rate:.3g})"
        else:
            why = f"max_iter={self.max_iter} reached before the {self._monitored()} settled"
        line = f"stopped after {self.epochs_run} epoch(s): {why}"
        if self.best_epoch is not None:
            line += f"; best {self._monitored()} {self.best:.6g} at epoch {self.best_epoch}"
        return line + f"; {time.perf_counter() - self.started:.1f} s"

    def _monitored(self):
        return "validation loss" if self.monitor == "val_loss" else "training loss"

    def _report(self, epoch, logs):
        elapsed = time.perf_counter() - self.started
        done = epoch + 1
        line = f"epoch {done}/{self.max_iter}: loss {logs.get('loss', np.nan):.6g}"
        if f"val_{ERROR_METRIC}" in logs:
            line += f", validation error {logs[f'val_{ERROR_METRIC}']:.6g}"
        line += (
            f", learning rate {self.rate:.3g}, {elapsed:.1f} s elapsed, "
            f"at most {elapsed / done * (self.max_iter - done):.0f} s to go"
        )
        print(line, flush=True)


# ------------------------------------------------- members trained at once

#: Adam's constants, as Keras' ``Adam`` defaults them.
_ADAM_BETA_1, _ADAM_BETA_2, _ADAM_EPSILON = 0.9, 0.999, 1e-7

#: Epochs trained by each call of the traced function: the loop over epochs
#: stays in the graph (a call per step costs far more than its arithmetic on
#: small data), while Ctrl-C, which cannot stop a call, stops a fit within
#: a few epochs and keeps what they learned.
MEMBER_EPOCHS_A_CALL = 10

#: One traced training function per tuple of layer activations.
_MEMBER_TRAINERS = {}
_MEMBER_TRAINERS_LOCK = threading.Lock()


def _member_layers(params, x, activations):
    """Apply every member's dense layers: ``x`` is (rows, members, features)."""
    for i, name in enumerate(activations):
        kernel, bias = params[2 * i], params[2 * i + 1]
        x = keras.activations.get(name)(tf.einsum("bmi,mio->bmo", x, kernel) + bias)
    return x


def _member_trainer(activations):
    """The traced training function for networks of these layer activations.

    It trains for as many epochs as ``truncation`` has entries, from epoch
    ``first_epoch`` on and from the given Adam state, and returns the new
    parameters and state: a fit calls it for a few epochs at a time (see
    :data:`MEMBER_EPOCHS_A_CALL`). Its shapes are left unknown, so fits of
    any data, width or ensemble size share one trace: a new data set costs
    no tracing, only its steps.
    """
    with _MEMBER_TRAINERS_LOCK:
        if activations in _MEMBER_TRAINERS:
            return _MEMBER_TRAINERS[activations]
        n_params = 2 * len(activations)
        any_shape = tf.TensorSpec(None, tf.float32)

        @tf.function(input_signature=[
            tf.TensorSpec([None, None, None], tf.float32), [any_shape] * n_params,
            [any_shape] * n_params, [any_shape] * n_params, tf.TensorSpec([], tf.float32),
            tf.TensorSpec([], tf.int32), tf.TensorSpec([], tf.float32),
            tf.TensorSpec([None], tf.float32), tf.TensorSpec([], tf.int64),
            tf.TensorSpec([], tf.int32),
        ])
        def fit(X, params, first, second, step_count, batch_size, learning_rate, truncation,
                seed, first_epoch):
            n_rows = tf.shape(X)[0]
            n_steps = (n_rows + batch_size - 1) // batch_size
            epochs = tf.shape(truncation)[0]
            curve = tf.TensorArray(tf.float32, size=epochs)
            for i in tf.range(epochs):
                epoch = first_epoch + i
                order = tf.random.experimental.stateless_shuffle(
                    tf.range(n_rows), seed=tf.stack([seed, tf.cast(epoch, tf.int64)]), alg="philox")
                total = tf.zeros([tf.shape(X)[1]])
                for step in tf.range(n_steps):
                    rows = order[step * batch_size:tf.minimum((step + 1) * batch_size, n_rows)]
                    batch = tf.gather(X, rows)
                    with tf.GradientTape() as tape:
                        tape.watch(params)
                        losses = _truncated_member_losses(
                            batch, _member_layers(params, batch, activations), truncation[i])
                        objective = tf.reduce_sum(losses)
                    gradients = tape.gradient(objective, params)
                    step_count += 1.0
                    rate = learning_rate * tf.sqrt(1.0 - _ADAM_BETA_2**step_count) / (
                        1.0 - _ADAM_BETA_1**step_count)
                    first = [_ADAM_BETA_1 * m + (1.0 - _ADAM_BETA_1) * g
                             for m, g in zip(first, gradients)]
                    second = [_ADAM_BETA_2 * v + (1.0 - _ADAM_BETA_2) * g * g
                              for v, g in zip(second, gradients)]
                    params = [p - rate * m / (tf.sqrt(v) + _ADAM_EPSILON)
                              for p, m, v in zip(params, first, second)]
                    total += tf.ensure_shape(losses, [None])
                curve = curve.write(i, total / tf.cast(n_steps, tf.float32))
            return params, first, second, step_count, curve.stack()

        _MEMBER_TRAINERS[activations] = fit
        return fit


def _truncated_member_losses(batch, reconstruction, truncation):
    """Each member's mean squared error over the rows of the batch it keeps.

    A member keeps the ``1 - truncation`` share of the batch's rows that it
    reconstructs best; the rest add no gradient, so rows unlike most of
    the data (anomalies, even in a cluster) are not learned.
    """
    errors = tf.reduce_mean(tf.square(batch - reconstruction), axis=-1)  # (rows, members)
    n_rows = tf.shape(errors)[0]
    keep = tf.maximum(tf.cast(tf.math.ceil((1.0 - truncation) * tf.cast(n_rows, tf.float32)),
                              tf.int32), 1)
    threshold = tf.sort(errors, axis=0)[keep - 1]
    kept = tf.stop_gradient(tf.cast(errors <= threshold, errors.dtype))
    return tf.reduce_sum(errors * kept, axis=0) / tf.maximum(tf.reduce_sum(kept, axis=0), 1.0)


def train_members(X, params, activations, *, batch_size, learning_rate, truncation, seed):
    """Train an ensemble of dense autoencoders as one network with a members axis.

    ``X`` has shape (rows, members, features): row ``i`` of member ``m`` is
    ``X[i, m]``, so each member trains on its own rows while every step
    updates all of them at once. ``params`` are float32 arrays, a kernel of
    shape (members, in, out) and a bias of shape (members, out) per layer,
    each layer followed by its entry of ``activations``. Each member
    minimizes its own mean squared error with Adam, over the rows it keeps
    (:func:`_truncated_member_losses`; ``truncation`` gives the share left
    out at each epoch, and its length the number of epochs), so its updates
    are those it would get trained alone on the same batches. Batches are
    drawn in an order that depends on ``seed`` alone.

    Returns the trained parameters (NumPy), the loss curve, of shape
    (epochs, members), and whether the user interrupted training
    (KeyboardInterrupt, Ctrl-C), in which case they are those of the
    epochs completed in whole calls of :data:`MEMBER_EPOCHS_A_CALL`.
    """
    fit = _member_trainer(tuple(activations))
    X = tf.constant(X, tf.float32)
    params = [tf.constant(p, tf.float32) for p in params]
    first, second = [tf.zeros_like(p) for p in params], [tf.zeros_like(p) for p in params]
    step_count = tf.constant(0.0)
    truncation = np.asarray(truncation, np.float32)
    curves, interrupted = [], False
    try:
        for start in range(0, len(truncation), MEMBER_EPOCHS_A_CALL):
            chunk = truncation[start:start + MEMBER_EPOCHS_A_CALL]
            params, first, second, step_count, curve = fit(
                X, params, first, second, step_count, tf.constant(int(batch_size), tf.int32),
                tf.constant(float(learning_rate), tf.float32), tf.constant(chunk),
                tf.constant(int(seed), tf.int64), tf.constant(start, tf.int32),
            )
            curves.append(curve.numpy())
    except KeyboardInterrupt:
        # Ctrl-C: keep the epochs of the calls that completed.
        interrupted = True
    curve = np.concatenate(curves) if curves else np.zeros((0, int(X.shape[1])), np.float32)
    return [p.numpy() for p in params], curve, interrupted
