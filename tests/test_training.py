"""The training engine: stopping rule, learning-rate schedules, progress lines,
warm starts and partial_fit."""

import pickle
import warnings

import keras
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from estimators import estimator_id, tiny_autoencoders, tiny_estimators
from skae import (
    AutoencoderAnomalyDetector,
    AutoencoderImputer,
    AutoencoderTransformer,
    DenoisingAutoencoder,
    StackedAutoencoder,
)
import skae._base as skae_base
from skae._base import GatheredConvergenceWarnings
from skae import _keras
from skae._keras.export import activation_name

TINY = dict(hidden_layer_sizes=(6,), random_state=0)


# ------------------------------------------------- the rule, on given losses


class _Rate:
    def __init__(self):
        self.value = None

    def assign(self, value):
        self.value = float(value)


class _Optimizer:
    def __init__(self):
        self.learning_rate = _Rate()


class _Model:
    """What the callback touches of a Keras model; weights are the epoch number."""

    def __init__(self):
        self.optimizer = _Optimizer()
        self.stop_training = False
        self.epoch = None
        self.restored = None

    def get_weights(self):
        return self.epoch

    def set_weights(self, weights):
        self.restored = weights


def _run(losses, *, schedule="plateau", n_iter_no_change=4, tol=1e-3, restore_best=False):
    """Feed ``losses`` as epoch losses; return (epochs run, rates used, model)."""
    training = _keras.training
    callback = training._Convergence(
        monitor="loss", tol=tol, n_iter_no_change=n_iter_no_change, schedule=schedule,
        learning_rate=0.01, max_iter=len(losses), restore_best=restore_best, verbose=0,
    )
    model = _Model()
    callback.set_model(model)
    callback.on_train_begin()
    model.convergence = callback
    rates = []
    for epoch, loss in enumerate(losses):
        callback.on_epoch_begin(epoch)
        rates.append(model.optimizer.learning_rate.value)
        model.epoch = epoch
        callback.on_epoch_end(epoch, {"loss": loss})
        if model.stop_training:
            break
    callback.on_train_end()
    return len(rates), rates, model


# Improves by 1% an epoch for 20 epochs, then by 0.01% (below tol=1e-3).
SLOWING = [0.99**i for i in range(20)] + [0.99**19 * 0.9999**i for i in range(1, 40)]


@pytest.mark.parametrize("scale", [1e-6, 1.0, 1e6])
def test_stopping_rule_does_not_depend_on_the_scale_of_the_loss(scale):
    reference = _run(SLOWING, schedule="constant")[0]
    assert _run([scale * v for v in SLOWING], schedule="constant")[0] == reference
    # Improvements of 1% count, 0.01% ones do not: stops 4 epochs into the slow part.
    assert reference == 20 + 4


def test_plateau_schedule_lowers_the_rate_before_stopping():
    training = _keras.training
    n_epochs, rates, _ = _run([1.0] * 40, n_iter_no_change=4)
    # The first epoch sets the best; after each 2 (= n_iter_no_change // 2)
    # epochs without improvement the rate is cut, PLATEAU_CUTS times; then
    # 4 epochs without improvement at the last rate stop training.
    cut_rates = [0.01 * training.PLATEAU_FACTOR**i for i in range(training.PLATEAU_CUTS + 1)]
    expected = [0.01] + [r for r in cut_rates[:-1] for _ in range(2)] + [cut_rates[-1]] * 4
    assert rates == pytest.approx(expected)
    assert n_epochs == len(expected)


def test_constant_schedule_keeps_the_rate_and_cosine_ends_near_zero():
    assert set(_run([1.0 / (i + 1) for i in range(10)], schedule="constant")[1]) == {0.01}
    rates = _run([1.0 / (i + 1) for i in range(10)], schedule="cosine")[1]
    assert rates[0] == pytest.approx(0.01)
    assert np.all(np.diff(rates) < 0) and rates[-1] < 0.01 * 0.03


def test_best_weights_are_restored_even_without_a_stop():
    losses = [3.0, 1.0, 2.0, 2.0]  # best at epoch 1, too few epochs to stop
    n_epochs, _, model = _run(losses, restore_best=True, n_iter_no_change=10)
    assert n_epochs == 4 and model.restored == 1


# ------------------------------------------------------------- on estimators


@pytest.mark.parametrize("loss", ["mse", "mae", "binary_crossentropy"])
def test_masked_loss_averages_each_row_over_its_present_values(loss):
    import tensorflow as tf

    losses, base = _keras.losses, skae_base
    rng = np.random.RandomState(0)
    y_true = rng.uniform(0.05, 0.95, (3, 5)).astype(np.float32)
    y_true[0, 3:] = np.nan
    y_true[2, 1] = np.nan
    y_pred = tf.Variable(rng.uniform(0.05, 0.95, (3, 5)).astype(np.float32))
    with tf.GradientTape() as tape:
        per_row = losses.masked_error(loss)(tf.constant(y_true), y_pred)
        total = tf.reduce_sum(per_row)
    gradient = tape.gradient(total, y_pred).numpy()
    # The same per-row error score_samples gives, in float64.
    expected = base._reconstruction_errors(y_true, y_pred.numpy(), loss)
    np.testing.assert_allclose(per_row.numpy(), expected, rtol=1e-5)
    assert np.isfinite(gradient).all()
    assert_array_equal(gradient[np.isnan(y_true)], 0.0)
    assert (gradient[~np.isnan(y_true)] != 0).all()


# The detector gives its members a fixed batch size of its own instead.
@pytest.mark.parametrize(
    "estimator",
    [est for est in tiny_estimators() if not isinstance(est, AutoencoderAnomalyDetector)],
    ids=estimator_id,
)
def test_auto_batch_size_follows_its_documented_rule(estimator):
    # batch_size's doc: n_samples // 32 within [32, 512] for the dense
    # autoencoders, within [32, 200] for the others, never above n_samples.
    estimator = clone(estimator).set_params(batch_size="auto")
    if isinstance(estimator, AutoencoderImputer):
        estimator = estimator._architectures(8)[0]  # its networks are the ones that batch
    dense = type(estimator) in (AutoencoderTransformer, DenoisingAutoencoder, StackedAutoencoder)
    assert [estimator._batch_size(n) for n in (20, 100, 3_200, 1_000_000)] == [
        20, 32, 100, 512 if dense else 200]


def test_verbose_prints_one_line_per_epoch_and_why_it_stopped(blobs, capsys):
    ae = AutoencoderTransformer(2, max_iter=3, verbose=1, **TINY).fit(blobs)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == ae.n_iter_ + 1 == 4
    assert lines[0].startswith("epoch 1/3: loss ")
    for part in ("validation error", "learning rate", "s elapsed", "s to go"):
        assert part in lines[-2]
    assert lines[-1].startswith(
        "stopped after 3 epoch(s): max_iter=3 reached before the validation loss settled; "
        "best validation loss ")
    assert lines[-1].endswith(" s")


@pytest.mark.parametrize("losses, why", [
    ([1.0, 0.5] + [0.5] * 20, "the training loss improved by less than tol=0.001 (relative) for 4 "
                              "epochs, at the lowest learning rate (1e-05)"),
    ([1.0, np.nan], "the loss became NaN or infinite"),
])
def test_the_last_verbose_line_says_why_training_stopped(losses, why):
    epochs, _, model = _run(losses)
    assert model.convergence.summary().startswith(f"stopped after {epochs} epoch(s): {why}")


def test_silent_by_default(blobs, capsys):
    AutoencoderTransformer(2, max_iter=2, **TINY).fit(blobs)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    "estimator",
    [AutoencoderTransformer(2, **TINY), DenoisingAutoencoder(2, **TINY),
     StackedAutoencoder(2, pretrain_max_iter=2, **TINY)],
    ids=estimator_id,
)
def test_warm_start_continues_the_fitted_weights(blobs, estimator):
    # Without the linear path, whose start at PCA's solution is no new network's.
    cold = estimator.set_params(max_iter=3, early_stopping=False, linear_components=0).fit(blobs)
    curve = list(cold.loss_curve_)
    warm = cold.set_params(warm_start=True).fit(blobs)
    assert warm.n_iter_ == 6
    assert warm.loss_curve_[:3] == curve
    # A new network would start near the first epoch's loss, not below the third's.
    assert warm.loss_curve_[3] < curve[2] < curve[0]
    if isinstance(estimator, StackedAutoencoder):
        assert len(warm.pretrain_loss_curves_[0]) == 2  # not pretrained again


def test_warm_start_refuses_a_network_of_other_shapes(blobs):
    ae = AutoencoderTransformer(2, max_iter=2, warm_start=True, **TINY).fit(blobs)
    with pytest.raises(ValueError, match="other shapes"):
        ae.set_params(n_components=3).fit(blobs)
    ae = AutoencoderTransformer(2, max_iter=2, warm_start=True, **TINY).fit(blobs)
    with pytest.raises(ValueError, match="features"):
        ae.fit(blobs[:, :5])


def test_first_partial_fit_is_one_epoch_of_fit(blobs):
    one_pass = AutoencoderTransformer(2, **TINY).partial_fit(blobs)
    fitted = AutoencoderTransformer(2, max_iter=1, early_stopping=False, **TINY).fit(blobs)
    assert one_pass.n_iter_ == 1 and one_pass.validation_scores_ is None
    assert_array_equal(one_pass.transform(blobs), fitted.transform(blobs))


def test_partial_fit_streams_chunks_and_survives_pickling(blobs):
    chunks = np.array_split(blobs, 4)
    streamed = AutoencoderTransformer(2, **TINY)
    for chunk in chunks * 3:
        streamed.partial_fit(chunk)
    assert streamed.n_iter_ == 12
    assert streamed.loss_curve_[-1] < streamed.loss_curve_[0]

    # The optimizer's state and the random stream travel with the estimator.
    resumed = AutoencoderTransformer(2, **TINY)
    for chunk in chunks * 2:
        resumed.partial_fit(chunk)
    resumed = pickle.loads(pickle.dumps(resumed))
    for chunk in chunks:
        resumed.partial_fit(chunk)
    assert_array_equal(resumed.transform(blobs), streamed.transform(blobs))


@pytest.mark.parametrize(
    "estimator", [est for est in tiny_autoencoders() if hasattr(est, "partial_fit")],
    ids=estimator_id,
)
def test_every_streaming_estimator_resumes_from_a_pickle_between_chunks(estimator, blobs):
    # What dask-ml's Incremental does on a cluster: the estimator travels
    # between workers, pickled, from one chunk's partial_fit to the next.
    straight, shipped = clone(estimator), clone(estimator)
    for chunk in np.array_split(blobs, 2):
        straight.partial_fit(chunk)
        shipped = pickle.loads(pickle.dumps(shipped.partial_fit(chunk)))
    assert shipped.n_iter_ == straight.n_iter_ == 2
    assert_array_equal(shipped.transform(blobs), straight.transform(blobs))


def test_fits_that_differ_in_learning_rate_share_a_template_and_equal_fresh_ones(blobs):
    training = _keras.training

    def codes(rate):
        ae = AutoencoderTransformer(2, learning_rate=rate, max_iter=20, **TINY)
        return ae.fit(blobs).transform(blobs)

    training._TEMPLATES.clear()
    fresh = codes(0.01)  # on a template of its own
    training._TEMPLATES.clear()
    codes(0.001)
    n_templates = len(training._TEMPLATES)
    shared = codes(0.01)  # on the template the fit at 0.001 made
    assert len(training._TEMPLATES) == n_templates
    assert_array_equal(shared, fresh)


def test_partial_fit_with_wrong_features_leaves_the_fit_alone(blobs):
    ae = AutoencoderTransformer(2, **TINY).partial_fit(blobs)
    before = ae.transform(blobs)
    with pytest.raises(ValueError, match="features"):
        ae.partial_fit(blobs[:, :4])
    assert ae.n_iter_ == 1
    assert_array_equal(ae.transform(blobs), before)


def test_diverging_partial_fit_leaves_the_fit_alone(blobs):
    ae = AutoencoderTransformer(2, **TINY).partial_fit(blobs)
    before = ae.transform(blobs)
    with pytest.raises(ValueError, match="diverged"):
        ae.partial_fit(np.full_like(blobs, 3e38))
    assert ae.n_iter_ == 1
    assert_array_equal(ae.transform(blobs), before)


def test_masked_loss_weighs_each_entry_alike_with_entry_weighting():
    import tensorflow as tf

    losses = _keras.losses
    y_true = np.array([[1.0, np.nan, 3.0, np.nan], [1.0, 2.0, 3.0, 4.0]], dtype=np.float32)
    y_pred = np.zeros((2, 4), dtype=np.float32)
    per_row = losses.masked_error("mse", "entry")(tf.constant(y_true), tf.constant(y_pred)).numpy()
    # The sum over present values divided by the row's width: a row with
    # fewer values present weighs less, each value the same.
    assert_allclose(per_row, [(1 + 9) / 4, (1 + 4 + 9 + 16) / 4])
    with pytest.raises(ValueError, match="unknown masked-loss weighting"):
        losses.masked_error("mse", "column")


def _averaged_dense(average):
    """The training module, a small Dense model compiled with ``average``, and rows."""
    import keras

    training = _keras.training
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    training.compile_model(model, optimizer="adam", learning_rate=0.1, loss="mse",
                           average=average, run_eagerly=True, steps_per_execution=1)
    X = np.random.RandomState(0).normal(size=(64, 3)).astype("float32")
    return training, model, X


def test_moving_average_of_the_weights_is_what_training_keeps():
    training, model, X = _averaged_dense(0.5)
    callback = training._Convergence(
        monitor="loss", tol=0.0, n_iter_no_change=100, schedule="constant", learning_rate=0.1,
        max_iter=1, restore_best=True, verbose=0)
    callback.set_model(model)
    callback.on_train_begin()
    model.fit(X, X[:, :2], batch_size=8, epochs=1, verbose=0)
    # Keras put the average in place at the end of fit; stand in raw weights.
    model.set_weights([w + 1.0 for w in model.get_weights()])
    raw = model.get_weights()
    averages = [v.numpy() for v in model.optimizer.variables if v.path.endswith("_average")]
    kept = callback._result_weights()
    # The averaged weights, and the raw ones left in place to train on.
    for k, a in zip(kept, averages):
        assert_allclose(k, a)
    for r, now in zip(raw, model.get_weights()):
        assert_array_equal(r, now)
    assert not np.allclose(kept[0], raw[0])


def test_moving_average_warms_up_from_the_first_weights():
    import keras

    _, model, X = _averaged_dense(0.99)
    raw = []
    record = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: raw.append(model.get_weights()))
    model.fit(X, X[:, :2], batch_size=8, epochs=2, shuffle=False, verbose=0, callbacks=[record])
    # Step t (from 0) keeps min(0.99, (1 + t) / (10 + t)) of the average:
    # the first step copies the weights, early steps forget fast.
    expected = [w.astype(np.float64) for w in raw[0]]
    for t, weights in enumerate(raw[1:], start=1):
        momentum = min(0.99, (1 + t) / (10 + t))
        expected = [momentum * e + (1 - momentum) * w for e, w in zip(expected, weights)]
    # Keras puts the average in place when fit ends.
    for got, want, last in zip(model.get_weights(), expected, raw[-1]):
        assert_allclose(got, want, rtol=1e-5, atol=1e-6)
        assert not np.allclose(got, last)


def test_partial_fit_keeps_no_average_and_fit_does(blobs):
    class Averaging(AutoencoderTransformer):
        _weight_averaging = 0.99

    def codes(cls, method, **params):
        ae = cls(2, max_iter=3, early_stopping=False, **TINY, **params)
        if method == "fit":
            return ae.fit(blobs).transform(blobs)
        for chunk in np.array_split(blobs, 2):
            ae.partial_fit(chunk)
        return ae.transform(blobs)

    # Each pass would end with the average in place of the weights the next
    # pass trains on; streaming trains the raw weights only.
    assert_array_equal(codes(Averaging, "partial_fit"), codes(AutoencoderTransformer, "partial_fit"))
    assert not np.allclose(codes(Averaging, "fit"), codes(AutoencoderTransformer, "fit"))


def test_gathered_convergence_warnings_are_counted_and_others_passed_on():
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        # The caller's filters still apply to the others, by module too.
        warnings.filterwarnings("ignore", message="filtered", module=__name__)
        with GatheredConvergenceWarnings() as gathered:
            warnings.warn("first", ConvergenceWarning)
            warnings.warn("other", UserWarning)
            warnings.warn("filtered", UserWarning)
            warnings.warn("second", ConvergenceWarning)
    assert gathered.count == 2
    assert [(w.category, str(w.message)) for w in shown] == [(UserWarning, "other")]


# The detector trains for a fixed number of epochs: it has nothing to warn of.
@pytest.mark.parametrize("estimator", [
    # The choice of two networks, then two more of the kind chosen.
    AutoencoderImputer(max_iter=1, random_state=0),
], ids=estimator_id)
def test_fitting_several_networks_warns_once_that_they_stopped_at_max_iter(estimator):
    X = np.random.RandomState(0).normal(size=(60, 5))
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        estimator.fit(X)
    convergence = [w for w in shown if issubclass(w.category, ConvergenceWarning)]
    assert len(convergence) == 1
    if isinstance(estimator, AutoencoderImputer):
        assert "4 of the 4 networks fitted reached max_iter=1" in str(convergence[0].message)


@pytest.mark.parametrize("n_rows", [384, 600], ids=["epoch-divides", "epoch-does-not-divide"])
def test_epochs_are_passes_however_many_steps_a_graph_call_runs(n_rows):
    # A short fit runs one step per graph call; a long one several. Either
    # way epoch e is pass e over the rows in the same order, so the first
    # epochs' losses agree. 384 rows in batches of 32 are 12 batches, which
    # 12 steps a call divide (the data runs on from epoch to epoch); 600 rows
    # are 19 batches, which 16 steps a call do not (each pass ends).
    from skae._keras import training as _training

    X = np.random.RandomState(0).rand(n_rows, 6)
    params = dict(hidden_layer_sizes=(4,), batch_size=32, early_stopping=False, tol=0,
                  random_state=0)
    short = AutoencoderTransformer(2, max_iter=2, **params).fit(X)
    long = AutoencoderTransformer(2, max_iter=23, **params).fit(X)
    assert _training.execution_plan(n_rows, 32, 23)["steps_per_execution"] > 1
    assert_allclose(long.loss_curve_[:2], short.loss_curve_, rtol=1e-5)


@pytest.mark.parametrize("seed", [0, None], ids=["training", "validation"])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
def test_datasets_leave_tf_data_autotuning_off(seed, sparse):
    # With autotuning on, deleting an iterator at the end of fit waits for
    # tf.data's model thread, which wakes only every so often (up to a
    # minute): fits returned 10 to 30 s after their last epoch. A fixed
    # prefetch buffer needs no model thread.
    import scipy.sparse as sp

    from skae._keras import training as _training

    X = np.random.RandomState(0).rand(40, 5).astype(np.float32)
    ds, _ = _training._dataset(sp.csr_matrix(X) if sparse else X, None, batch_size=8,
                               seed=seed)
    assert ds.options().autotune.enabled is False
    x, target = next(iter(ds))
    assert x.shape == target.shape == (8, 5)


@pytest.mark.parametrize(
    "params, shift, expected",
    [
        ({}, 0.0, "unit_clip"),  # a non-linear network on data in [0, 1]
        ({}, 0.5, "linear"),  # values beyond 1
        ({"hidden_layer_sizes": (), "activation": "linear"}, 0.0, "linear"),  # PCA's subspace
        ({"hidden_layer_sizes": ()}, 0.0, "linear"),  # no hidden layer: a linear network
        ({"loss": "binary_crossentropy"}, 0.0, "sigmoid"),
        ({"linear_components": 0}, 0.0, "sigmoid"),  # no start at PCA to keep
        ({"output_activation": "tanh"}, 0.0, "tanh"),  # set by hand: kept
    ],
)
def test_auto_output_activation_resolves_from_the_training_rows(params, shift, expected):
    X = np.random.RandomState(0).uniform(size=(60, 5)) + shift
    ae = AutoencoderTransformer(2, hidden_layer_sizes=(4,), max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ae.set_params(**params).fit(X)
    assert ae.output_activation_ == expected
    # The network built with it: its last layer's activation, linear for a sum.
    last = ae.decoder_.layers[-1]
    assert activation_name(getattr(last, "activation", keras.activations.linear)) == expected
    if expected == "sigmoid":  # the reconstruction stays in (0, 1)
        assert ae.inverse_transform(ae.transform(X * 10)).max() < 1
    if expected == "unit_clip":  # the reconstruction stays in [0, 1], bounds included
        reconstruction = ae.inverse_transform(ae.transform(X * 10 - 5))
        assert reconstruction.max() <= 1 and reconstruction.min() >= 0


def test_continued_fits_keep_the_output_activation_auto_chose():
    X = np.random.RandomState(0).uniform(size=(60, 5))
    ae = AutoencoderTransformer(2, hidden_layer_sizes=(4,), max_iter=2, warm_start=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ae.fit(X).fit(X + 5)  # the second rows alone would resolve to "linear"
        assert ae.output_activation_ == "unit_clip"
        streamed = AutoencoderTransformer(2, hidden_layer_sizes=(4,), random_state=0)
        streamed.partial_fit(X).partial_fit(X + 5)
    assert streamed.output_activation_ == "unit_clip"
