"""DenoisingAutoencoder: corruption only while training, fresh per batch, and it denoises."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.decomposition import PCA

from skae import DenoisingAutoencoder
from skae._keras.layers import Corruption


@pytest.fixture(scope="module")
def noisy_manifold():
    """1500 rows near a curved 2-D manifold in 50-D, with Gaussian noise."""
    rng = np.random.RandomState(0)
    latent = rng.uniform(-1, 1, size=(1500, 2))
    clean = np.sin(latent @ rng.normal(size=(2, 50)) + rng.uniform(0, 2 * np.pi, 50))
    return clean, clean + 0.3 * rng.normal(size=clean.shape)


def _mse(a, b):
    return float(np.mean((a - b) ** 2))


def test_denoiser_output_is_closer_to_clean_rows_than_noisy_rows_and_pca(noisy_manifold):
    clean, noisy = noisy_manifold
    pca = PCA(2).fit(noisy)
    pca_error = _mse(pca.inverse_transform(pca.transform(noisy)), clean)
    dae = DenoisingAutoencoder(
        2, noise_level=0.1, hidden_layer_sizes=(64,), max_iter=150, random_state=0
    ).fit(noisy)
    dae_error = _mse(dae.inverse_transform(dae.transform(noisy)), clean)
    assert dae_error < 0.5 * _mse(noisy, clean)
    assert dae_error < 0.8 * pca_error


@pytest.mark.parametrize("noise", ["gaussian", "masking", "salt_and_pepper"])
def test_corruption_is_fresh_each_call_and_off_outside_training(noise):
    X = np.full((500, 4), 0.5, dtype=np.float32)
    layer = Corruption(noise, 0.3, low=[0.0] * 4, high=[1.0] * 4, seed=0)
    first, second = layer(X, training=True).numpy(), layer(X, training=True).numpy()
    assert not np.array_equal(first, second)
    assert_array_equal(layer(X, training=False).numpy(), X)
    assert_array_equal(layer(X).numpy(), X)
    changed = first != X
    if noise == "gaussian":
        assert abs(np.std(first - X) - 0.3) < 0.02
    else:
        assert abs(changed.mean() - 0.3) < 0.03
        expected = {0.0} if noise == "masking" else {0.0, 1.0}
        assert set(np.unique(first[changed])) == expected


def test_clip_keeps_corrupted_input_in_training_range():
    X = np.random.RandomState(0).uniform(size=(500, 3)).astype(np.float32)
    layer = Corruption("gaussian", 1.0, low=[0.0] * 3, high=[1.0] * 3, clip=True, seed=0)
    out = layer(X, training=True).numpy()
    assert out.min() == 0.0 and out.max() == 1.0


def test_transform_sees_input_as_given(blobs):
    dae = DenoisingAutoencoder(3, noise_level=0.5, hidden_layer_sizes=(8,), max_iter=3, random_state=0)
    codes = dae.fit(blobs).transform(blobs)
    assert_array_equal(dae.transform(blobs), codes)
    # The Keras models compute in float32 and skae in float64: they agree to
    # float32 rounding (1e-7) summed over a few terms. Noise of 0.5 would
    # move them by about 0.1.
    float32_rounding = dict(rtol=1e-5, atol=1e-5)
    assert_allclose(dae.encoder_(blobs.astype(np.float32)).numpy(), codes, **float32_rounding)
    reconstruction = dae.inverse_transform(codes)
    assert_allclose(dae.model_(blobs.astype(np.float32)).numpy(), reconstruction, **float32_rounding)


def test_probability_noise_level_above_one_is_refused(blobs):
    with pytest.raises(ValueError, match="noise_level is a probability"):
        DenoisingAutoencoder(noise="masking", noise_level=1.5).fit(blobs)
