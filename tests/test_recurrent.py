"""RecurrentAutoencoder: sequences in and out, errors that name the shape, fit quality against PCA."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.decomposition import PCA

from skae import RecurrentAutoencoder

TINY = dict(units=3, max_iter=2, batch_size=200, random_state=0)


def pulses(n, n_steps=24, seed=0):
    """A bump anywhere in the sequence: one number, its position, that PCA
    must spread over many components."""
    rng = np.random.RandomState(seed)
    centre = rng.uniform(2, n_steps - 3, n)
    return np.exp(-0.5 * ((np.arange(n_steps) - centre[:, None]) / 1.5) ** 2)


@pytest.fixture(scope="module")
def X():
    return pulses(40, n_steps=12)


@pytest.mark.parametrize(
    "shape, params, expected",
    [((40, 12), {}, (12, 1)), ((40, 6, 2), {}, (6, 2)), ((40, 12), {"sequence_shape": (4, 3)}, (4, 3)),
     ((40, 1), {}, (1, 1))],
    ids=str,
)
def test_sequence_shape_is_inferred_and_the_parameter_left_alone(shape, params, expected):
    X = np.random.RandomState(0).normal(size=shape)
    ae = RecurrentAutoencoder(**{**TINY, **params}).fit(X)
    assert ae.sequence_shape_ == expected
    assert ae.get_params()["sequence_shape"] == params.get("sequence_shape")
    assert ae.n_features_in_ == np.prod(shape[1:])
    assert ae.inverse_transform(ae.transform(X)).shape == (40, np.prod(shape[1:]))


def test_3d_arrays_and_rows_give_the_same_fit():
    X = np.random.RandomState(1).normal(size=(40, 6, 2))
    rows = RecurrentAutoencoder(sequence_shape=(6, 2), **TINY).fit(X.reshape(40, -1))
    arrays = RecurrentAutoencoder(**TINY).fit(X)
    assert_array_equal(rows.transform(X), arrays.transform(X.reshape(40, -1)))
    assert_array_equal(rows.score_samples(X), rows.score_samples(X.reshape(40, -1)))


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["one-way", "bidirectional"])
def test_cells_and_directions_fit_and_round_trip_through_pickle(X, cell, bidirectional):
    ae = RecurrentAutoencoder(cell=cell, bidirectional=bidirectional, time_features=2, **TINY).fit(X)
    # The decoder's recurrent layer reads the code and two time features.
    assert ae.decoder_.get_layer("decoder_rnn").cell.kernel.shape[0] == ae.n_components_ + 2
    restored = pickle.loads(pickle.dumps(ae))
    assert_array_equal(restored.transform(X), ae.transform(X))
    assert_array_equal(restored.inverse_transform(ae.transform(X)), ae.inverse_transform(ae.transform(X)))
    assert restored.sequence_shape_ == (12, 1)


@pytest.mark.parametrize("params, rank", [({}, 1), ({"n_components": 5}, 2),
                                           ({"linear_components": 3}, 3), ({"linear_components": 0}, 0)])
def test_the_linear_path_has_half_the_code_s_rank_by_default(X, params, rank):
    ae = RecurrentAutoencoder(**params, **TINY).fit(X)
    assert ae.linear_components_ == rank  # "auto" resolved, as scikit-learn resolves it
    names = {layer.name for layer in ae.model_.layers}
    if rank:
        assert ae.model_.get_layer("encoder_linear_path").kernel.shape == (12, rank)
        assert ae.model_.get_layer("decoder_linear_path").kernel.shape == (ae.n_components_, rank)
    else:
        assert not {"encoder_linear_path", "decoder_linear_path"} & names
    restored = pickle.loads(pickle.dumps(ae))
    assert_array_equal(restored.score_samples(X), ae.score_samples(X))


def test_the_variational_family_takes_the_linear_path_too(X):
    from skae import RecurrentVariationalAutoencoder

    vae = RecurrentVariationalAutoencoder(linear_components=1, **TINY).fit(X)
    assert vae.linear_components_ == 1
    # The path maps the row to the means and the log-variances of the code.
    assert vae.encoder_.get_layer("encoder_linear_code").kernel.shape == (1, 2 * vae.n_components_)
    restored = pickle.loads(pickle.dumps(vae))
    assert_array_equal(restored.transform(X), vae.transform(X))
    assert np.isfinite(vae.score_samples(X)).all()


@pytest.mark.parametrize(
    "params, X_shape, message",
    [
        ({"sequence_shape": (5, 2)}, (40, 12), r"sequence_shape must be \(n_timesteps, n_channels\) with 12 values"),
        ({"sequence_shape": (12,)}, (40, 12), "sequence_shape must be"),
        ({"sequence_shape": (12, 0)}, (40, 12), "sequence_shape must be a non-empty sequence of positive"),
        ({"sequence_shape": (4, 3)}, (40, 6, 2), r"fit got arrays of shape \(n_samples, 6, 2\), but sequence_shape is \(4, 3\)"),
        ({}, (40, 3, 2, 2), r"takes sequences of shape \(n_samples, n_timesteps, n_channels\)"),
        ({"cell": "rnn"}, (40, 12), "'cell' parameter of RecurrentAutoencoder must be a str among"),
        ({"units": 0}, (40, 12), "'units' parameter of RecurrentAutoencoder must be an int"),
        ({"time_features": -1}, (40, 12), "'time_features' parameter of RecurrentAutoencoder must be an int"),
        ({"frame_length": 0}, (40, 12), "'frame_length' parameter of RecurrentAutoencoder must be a str among"),
        ({"linear_components": -1}, (40, 12), "'linear_components' parameter of RecurrentAutoencoder must be"),
    ],
)
def test_wrong_shapes_and_parameters_get_errors_that_name_them(params, X_shape, message):
    ae = RecurrentAutoencoder(**{**TINY, **params})
    with pytest.raises(ValueError, match=message):
        ae.fit(np.zeros(X_shape))
    assert not [k for k in vars(ae) if k.endswith("_")]


def test_inference_and_warm_start_refuse_another_shape(X):
    ae = RecurrentAutoencoder(warm_start=True, **TINY).fit(X)
    for method in ("transform", "score_samples", "score"):
        with pytest.raises(ValueError, match=r"got arrays of shape \(n_samples, 6, 2\), but sequence_shape is \(12, 1\)"):
            getattr(ae, method)(X.reshape(40, 6, 2))
    ae.set_params(sequence_shape=(6, 2))
    with pytest.raises(ValueError, match=r"fitted on sequences of shape \(12, 1\), not \(6, 2\)"):
        ae.fit(X)


def test_a_continuing_fit_refuses_another_frame_length(X):
    ae = RecurrentAutoencoder(**{**TINY, "frame_length": 2}).fit(X)
    codes = ae.transform(X)
    ae.set_params(frame_length=3)
    # partial_fit keeps the fitted network when a pass fails ...
    with pytest.raises(ValueError, match=r"fitted with frame_length_=2, not 3"):
        ae.partial_fit(X)
    assert ae.frame_length_ == 2
    assert_array_equal(ae.transform(X), codes)
    # ... and a failed fit, warm or not, leaves nothing half-fitted.
    with pytest.raises(ValueError, match=r"fitted with frame_length_=2, not 3"):
        ae.set_params(warm_start=True).fit(X)
    assert not [k for k in vars(ae) if k.endswith("_")]


def test_beats_pca_on_moving_pulses():
    # Measured test error over PCA's at k=2 (LSTM, 16 units, 40 epochs, the
    # default 16 time features): 0.0060 and 0.0056 for random_state 0 and 1
    # (0.0072 and 0.018 without time features), on 2026-12-04.
    X_train, X_test = pulses(400, seed=0), pulses(200, seed=1)
    pca = PCA(2).fit(X_train)
    pca_mse = np.mean((X_test - pca.inverse_transform(pca.transform(X_test))) ** 2)
    ae = RecurrentAutoencoder(2, units=16, max_iter=40, random_state=0).fit(X_train)
    ae_mse = np.mean((X_test - ae.inverse_transform(ae.transform(X_test))) ** 2)
    assert ae_mse < 0.5 * pca_mse, (ae_mse, pca_mse)


def _pad(X, lengths):
    """Sequences of these lengths, NaN-padded at the end (tslearn's convention)."""
    padded = np.array(X, dtype=float)
    for row, length in enumerate(lengths):
        padded[row, length:] = np.nan
    return padded


@pytest.mark.parametrize(
    "frame_length, expected, n_frames", [("auto", 2, 16), (5, 5, 7), (1, 1, 32), (50, 32, 1)]
)
def test_frames_group_steps_and_round_trip_through_pickle(frame_length, expected, n_frames):
    X = pulses(40, n_steps=32)
    ae = RecurrentAutoencoder(frame_length=frame_length, **TINY).fit(X)
    assert ae.frame_length_ == expected
    # The recurrent layers run over whole frames, the last one padded.
    assert ae.encoder_.get_layer("encoder_missing_steps").output.shape[1:] == (n_frames, expected)
    assert ae.decoder_.get_layer("decoder_steps").output.shape[1:] == (n_frames, expected)
    codes = ae.transform(X)
    assert_allclose(ae.encoder_(X.astype(np.float32)).numpy(), codes, rtol=1e-5, atol=1e-5)
    reconstructed = ae.inverse_transform(codes)
    assert reconstructed.shape == X.shape
    assert_allclose(ae.decoder_(codes.astype(np.float32)).numpy(), reconstructed, rtol=1e-5, atol=1e-5)
    restored = pickle.loads(pickle.dumps(ae))
    assert restored.frame_length_ == expected
    assert_array_equal(restored.inverse_transform(restored.transform(X)), reconstructed)


@pytest.mark.parametrize("frame_length", [1, 5], ids=["steps", "frames of 5"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["one-way", "bidirectional"])
def test_nan_padding_is_left_out_of_the_codes_and_the_scores(X, bidirectional, frame_length):
    lengths = np.random.RandomState(0).randint(1, 13, len(X))
    padded = _pad(X, lengths)
    ae = RecurrentAutoencoder(bidirectional=bidirectional, frame_length=frame_length,
                              **TINY).fit(padded)
    assert np.isfinite(ae.loss_curve_).all()
    codes = ae.transform(padded)
    # The Keras encoder masks the padded steps as the float64 one skips
    # them; reading the padding as zeros would give other codes.
    assert_allclose(ae.encoder_(padded.astype(np.float32)).numpy(), codes, rtol=1e-5, atol=1e-5)
    assert np.abs(ae.transform(np.nan_to_num(padded)) - codes).max() > 1e-3
    # Scores average the error over the steps present.
    reconstructed = ae.inverse_transform(codes)
    assert reconstructed.shape == X.shape and np.isfinite(reconstructed).all()
    expected = [np.mean((padded[i, :n] - reconstructed[i, :n]) ** 2) for i, n in enumerate(lengths)]
    assert_allclose(-ae.score_samples(padded), expected, rtol=1e-12)
    # 3-D arrays take the same padding.
    assert_array_equal(ae.transform(padded[:, :, None]), codes)


@pytest.mark.parametrize(
    "where, message",
    [
        (lambda X: X.__setitem__((2, 5), np.nan), r"NaN inside the sequences of 1 row\(s\) \(rows 2\)"),
        (lambda X: X.__setitem__((slice(0, 3), slice(None)), np.nan), r"NaN in every step of 3 row\(s\) \(rows 0, 1, 2\)"),
        (lambda X: X.__setitem__((4, slice(11, 12)), np.nan), r"NaN inside the sequences of 1 row\(s\) \(rows 4\)"),
        (lambda X: X.__setitem__((1, 0), np.inf), "Input X contains infinity"),
    ],
    ids=["inside", "every step", "one channel of the last step", "infinity"],
)
def test_nan_elsewhere_than_end_padding_is_refused_at_fit_and_inference(X, where, message):
    # Two channels, so that a step can be half missing.
    bad = np.array(X)
    where(bad)
    ae = RecurrentAutoencoder(sequence_shape=(6, 2), **TINY)
    with pytest.raises(ValueError, match=message):
        ae.fit(bad)
    assert not [k for k in vars(ae) if k.endswith("_")]
    ae.fit(_pad(X, [12] * 20 + [10] * 20))
    for method in ("transform", "score_samples", "score"):
        with pytest.raises(ValueError, match=message):
            getattr(ae, method)(bad)
