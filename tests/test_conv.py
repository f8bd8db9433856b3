"""ConvAutoencoder: shapes in and out, errors that name the shape, and fit quality against PCA."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.decomposition import PCA

from skae import ConvAutoencoder
from skae._inference import Forward

TINY = dict(filters=(2, 3), max_iter=2, batch_size=200, random_state=0)


def bars(n, size=8, seed=0):
    """Images of one bright bar, vertical or horizontal, anywhere: 2 numbers of
    position and orientation that PCA can only spread over many components."""
    rng = np.random.RandomState(seed)
    images = np.zeros((n, size, size))
    vertical = rng.rand(n) < 0.5
    where = rng.randint(0, size, n)
    for image, v, i in zip(images, vertical, where):
        if v:
            image[:, i] = 1.0
        else:
            image[i, :] = 1.0
    return images


@pytest.fixture(scope="module")
def X():
    return bars(60).reshape(60, -1)


@pytest.fixture(scope="module")
def fitted(X):
    return ConvAutoencoder(**TINY).fit(X)


@pytest.mark.parametrize(
    "shape, expected",
    [((60, 64), (8, 8, 1)), ((60, 8, 8), (8, 8, 1)), ((60, 8, 8, 1), (8, 8, 1)),
     ((60, 4, 4, 4), (4, 4, 4)), ((60, 10), (10, 1)), ((60, 1), (1, 1, 1))],
    ids=str,
)
def test_image_shape_is_inferred_and_the_parameter_left_alone(shape, expected):
    X = np.random.RandomState(0).uniform(size=shape)
    ae = ConvAutoencoder(**TINY).fit(X)
    assert ae.image_shape_ == expected
    assert ae.get_params()["image_shape"] is None
    assert ae.n_features_in_ == np.prod(shape[1:])
    assert ae.transform(X).shape == (60, 2)
    assert ae.inverse_transform(ae.transform(X)).shape == (60, np.prod(shape[1:]))


def test_images_and_rows_give_the_same_fit(X):
    rows = ConvAutoencoder(**TINY).fit(X)
    images = ConvAutoencoder(**TINY).fit(X.reshape(-1, 8, 8))
    assert_array_equal(rows.transform(X), images.transform(X))
    for form in (X.reshape(-1, 8, 8), X.reshape(-1, 8, 8, 1)):
        assert_array_equal(rows.transform(form), rows.transform(X))
        assert_array_equal(rows.score_samples(form), rows.score_samples(X))
        assert rows.score(form) == rows.score(X)
    assert_array_equal(rows.fit_transform(X.reshape(-1, 8, 8)), rows.transform(X))


def test_a_given_image_shape_reads_rows_that_way(X):
    # The same 64 numbers as a 16x4 image with one channel or an 8x8 one.
    tall = ConvAutoencoder(image_shape=(16, 4, 1), **TINY).fit(X)
    assert tall.image_shape_ == (16, 4, 1)
    assert tall.encoder_.get_layer("encoder_conv_0").output.shape[1:3] == (8, 2)
    signal = ConvAutoencoder(image_shape=(32, 2), **TINY).fit(X)
    assert signal.encoder_.get_layer("encoder_conv_0").output.shape[1:] == (16, 2)


@pytest.mark.parametrize(
    "params, X_shape, message",
    [
        ({"image_shape": (8, 7, 1)}, (60, 64), r"image_shape must be .* with 64 values in all"),
        ({"image_shape": (64,)}, (60, 64), r"image_shape must be \(height, width, channels\)"),
        ({"image_shape": (2, 2, 2, 8)}, (60, 64), "image_shape must be"),
        ({"image_shape": (4, 0, 16)}, (60, 64), "image_shape must be a non-empty sequence of positive"),
        ({"image_shape": (4, 16, 1)}, (60, 8, 8), r"fit got arrays of shape \(n_samples, 8, 8\), but image_shape is \(4, 16, 1\)"),
        ({}, (60, 2, 2, 4, 4), r"takes images of shape \(n_samples, height, width\[, channels\]\)"),
        ({"filters": ()}, (60, 64), "filters must be a non-empty sequence of positive integers"),
        ({"filters": (4, -1)}, (60, 64), "filters must be a non-empty sequence"),
    ],
)
def test_wrong_shapes_get_errors_that_name_them(params, X_shape, message):
    ae = ConvAutoencoder(**{**TINY, **params})
    with pytest.raises(ValueError, match=message):
        ae.fit(np.zeros(X_shape))
    assert not [k for k in vars(ae) if k.endswith("_")]


def test_inference_refuses_images_of_another_shape(fitted, X):
    for method in ("transform", "score_samples", "score"):
        with pytest.raises(ValueError, match=r"got arrays of shape \(n_samples, 4, 16\), but image_shape is \(8, 8, 1\)"):
            getattr(fitted, method)(X.reshape(-1, 4, 16))
        with pytest.raises(ValueError, match="Found array with dim 3|arrays of shape"):
            getattr(fitted, method)(X.reshape(-1, 8, 8, 1, 1))


def test_warm_start_refuses_another_image_shape(X):
    ae = ConvAutoencoder(warm_start=True, **TINY).fit(X)
    ae.set_params(image_shape=(16, 4, 1))
    with pytest.raises(ValueError, match=r"fitted on images of shape \(8, 8, 1\), not \(16, 4, 1\)"):
        ae.fit(X)


def test_partial_fit_takes_images_and_goes_on(X):
    ae = ConvAutoencoder(**TINY).partial_fit(X.reshape(-1, 8, 8))
    first = ae.transform(X)
    ae.partial_fit(X.reshape(-1, 8, 8))
    assert ae.n_iter_ == 2 and ae.image_shape_ == (8, 8, 1)
    assert not np.allclose(first, ae.transform(X))


def test_pickle_round_trip_keeps_outputs_and_shared_weights(fitted, X):
    restored = pickle.loads(pickle.dumps(fitted))
    assert restored.image_shape_ == fitted.image_shape_
    assert_array_equal(restored.transform(X), fitted.transform(X))
    assert_array_equal(restored.inverse_transform(restored.transform(X)),
                       fitted.inverse_transform(fitted.transform(X)))
    kernel = restored.encoder_.get_layer("encoder_conv_0").kernel
    assert kernel is restored.model_.get_layer("encoder_conv_0").kernel
    # The Keras model computes what the float64 inference does, up to float32 rounding.
    assert_allclose(restored.model_(X.astype(np.float32)).numpy(),
                    restored.inverse_transform(restored.transform(X)), rtol=1e-4, atol=1e-5)


def test_rows_too_large_for_the_network_are_named(fitted, X):
    # Kernels of ones make each first-stage output the sum of 9 inputs, so
    # rows of the largest float64 overflow, whatever the trained weights.
    ae = pickle.loads(pickle.dumps(fitted))
    ops = ae._forward["encoder"].ops
    main = ops[0]["main"] if ops[0]["op"] == "add" else ops  # beside the linear path
    conv = next(op for op in main if op["op"] == "conv")
    conv["kernel"] = np.ones_like(conv["kernel"])
    ae._forward["encoder"] = Forward(ops)  # inference reads the weights of its ops
    X_huge = X.copy()
    X_huge[[3, 8]] = np.finfo(np.float64).max
    with pytest.raises(ValueError, match=r"transform gave non-finite values for 2 of 60 rows \(rows 3, 8\)"):
        ae.transform(X_huge)


def test_beats_pca_on_moving_bars():
    # 16 images in all (8 positions, 2 orientations), in random order: PCA
    # needs 15 components for them; two numbers tell them apart. Measured
    # test error over PCA's at k=2 after 40 epochs: 0.20, 0.17, 0.08 and
    # 0.13 for seeds 0-3 (0.12, 0.04, 0.07, 0.01 after 200).
    X_train, X_test = bars(400, seed=0).reshape(400, -1), bars(200, seed=1).reshape(200, -1)
    pca = PCA(2).fit(X_train)
    pca_mse = np.mean((X_test - pca.inverse_transform(pca.transform(X_test))) ** 2)
    ae = ConvAutoencoder(2, filters=(8, 16), max_iter=40, random_state=0).fit(X_train)
    ae_mse = np.mean((X_test - ae.inverse_transform(ae.transform(X_test))) ** 2)
    assert ae_mse < 0.5 * pca_mse, (ae_mse, pca_mse, ae.n_iter_)


def test_clone_gives_an_unfitted_copy(fitted):
    copy = clone(fitted)
    assert copy.get_params() == fitted.get_params()
    assert not hasattr(copy, "image_shape_")
