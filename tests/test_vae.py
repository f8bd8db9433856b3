"""VariationalAutoencoder: a correct density model, shown on probabilistic PCA."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import GridSearchCV

from skae import (
    ConvVariationalAutoencoder,
    RecurrentVariationalAutoencoder,
    VariationalAutoencoder,
)

N_FEATURES, N_LATENT, NOISE_STD = 8, 2, 0.5


def _ppca_rows(rng, n_rows, weights, offset):
    """Rows of the probabilistic PCA model: x = W z + mu + noise, z ~ N(0, I)."""
    latent = rng.normal(size=(n_rows, N_LATENT))
    return latent @ weights + offset + NOISE_STD * rng.normal(size=(n_rows, N_FEATURES))


@pytest.fixture(scope="module")
def ppca():
    """Training and held-out rows of one linear-Gaussian model."""
    rng = np.random.RandomState(0)
    # Latent variances 4.2 and 0.57 against noise of 0.25: a scale at which
    # the likelihood's curvature lets training settle (the signal of
    # unscaled data, variance 16, took 200 epochs to settle within 6%).
    weights = 0.5 * rng.normal(size=(N_LATENT, N_FEATURES))
    offset = rng.normal(size=N_FEATURES)
    return _ppca_rows(rng, 2000, weights, offset), _ppca_rows(rng, 1000, weights, offset)


def _linear_vae(**params):
    """Probabilistic PCA as a VAE: linear encoder and decoder, shared variance."""
    settings = dict(hidden_layer_sizes=(), activation="linear", batch_size=32, random_state=0)
    return VariationalAutoencoder(N_LATENT, **{**settings, **params})


@pytest.fixture(scope="module")
def linear_vae(ppca):
    X_train, _ = ppca
    return _linear_vae(n_importance_samples=200).fit(X_train)


def test_linear_vae_reaches_the_ppca_log_likelihood(ppca, linear_vae):
    X_train, X_test = ppca
    exact = PCA(N_LATENT).fit(X_train).score(X_test)  # the PPCA MLE's log-likelihood
    # The linear-Gaussian VAE holds PPCA, and its ELBO is tight there (the
    # posterior of PPCA is Gaussian with a covariance the encoder can
    # represent), so it must reach PCA's held-out log-likelihood. 0.05 nats
    # a row: fits with seeds 0-5 came within 0.006 (200 draws), their
    # variance within 2% of PCA's and their KL within 5% of the values
    # below. Errors of the objective move it by far more: an
    # averaged (not summed) reconstruction term or a KL without its
    # log-variance loses more than 1 nat a row.
    score = linear_vae.score(X_test)
    assert abs(score - exact) < 0.05, (score, exact)
    # The learned variance is PPCA's noise variance (the truth is 0.25).
    pca = PCA(N_LATENT).fit(X_train)
    assert_allclose(linear_vae.noise_variance_, pca.noise_variance_, rtol=0.1)
    # The code carries the two latent dimensions. At PPCA's optimum the
    # posterior of the component along a principal axis of variance
    # ``lam`` has variance ``sigma2 / lam``, so its mean KL from the prior
    # is ``0.5 * log(lam / sigma2)``: 1.41 and 0.41 nats here.
    expected = 0.5 * np.log(pca.explained_variance_ / pca.noise_variance_)
    assert_allclose(np.sort(linear_vae.kl_per_component_)[::-1], expected, rtol=0.1)


def test_importance_weighting_tightens_the_bound(ppca):
    # A loosely fitted non-linear VAE, whose posterior is far from exact:
    # in expectation the K-draw estimate rises with K from the ELBO (K=1)
    # towards the log-likelihood. Each row has its own draws, so the mean
    # over 300 rows shows it.
    X_train, X_test = ppca
    vae = VariationalAutoencoder(
        N_LATENT, hidden_layer_sizes=(16,), max_iter=20, random_state=0
    ).fit(X_train)
    means = [vae.set_params(n_importance_samples=n).score(X_test[:300]) for n in (1, 10, 100)]
    assert means[0] < means[1] < means[2], means
    # A row's draws depend on the row alone, not on the rest of the call.
    vae.set_params(n_importance_samples=100)
    assert_allclose(vae.score_samples(X_test[:1]), vae.score_samples(X_test[:5])[:1], rtol=1e-12)


def test_samples_match_the_training_distribution(ppca, linear_vae):
    X_train, _ = ppca
    drawn = linear_vae.sample(20000, random_state=0)
    assert drawn.shape == (20000, N_FEATURES)
    scale = np.sqrt(np.var(X_train, axis=0))
    # 20,000 draws: sampling error about 1% of a standard deviation; the
    # fit's own error (2,000 training rows) a few percent.
    assert np.all(np.abs(drawn.mean(axis=0) - X_train.mean(axis=0)) < 0.1 * scale)
    cov_train, cov_drawn = np.cov(X_train.T), np.cov(drawn.T)
    assert np.linalg.norm(cov_drawn - cov_train) < 0.1 * np.linalg.norm(cov_train)
    # Seeded draws repeat; the global state is used without a seed.
    assert_allclose(linear_vae.sample(3, random_state=1), linear_vae.sample(3, random_state=1))


def test_beta_zero_is_a_noisy_autoencoder_and_a_huge_beta_collapses(ppca):
    X_train = ppca[0][:800]
    pca = PCA(N_LATENT).fit(X_train)
    pca_error = np.mean((X_train - pca.inverse_transform(pca.transform(X_train))) ** 2)
    free = _linear_vae(beta=0.0, max_iter=200).fit(X_train)
    # With beta=1, at PPCA's optimum, the posterior along a principal axis
    # of variance ``lam`` has standard deviation sqrt(sigma2 / lam), and its
    # means spread with sqrt(1 - sigma2 / lam); their ratio is
    # sqrt(sigma2 / (lam - sigma2)). With no KL term nothing holds the
    # posterior near the prior: the noise only hurts reconstruction, so the
    # posterior narrows against the codes' spread, the KL grows past the
    # beta=1 optimum's 0.5 * log(lam / sigma2), and the reconstruction of
    # the posterior means becomes PCA's (the linear autoencoder's optimum)
    # as the posterior becomes a point.
    lam, sigma2 = pca.explained_variance_, pca.noise_variance_
    codes, std = free.transform(X_train, return_std=True)
    order = np.argsort(-codes.std(axis=0))  # the component of the larger axis first
    ratio = np.median(std / codes.std(axis=0), axis=0)[order]
    assert np.all(ratio < 0.5 * np.sqrt(sigma2 / (lam - sigma2))), ratio
    assert np.all(free.kl_per_component_[order] > 2 * 0.5 * np.log(lam / sigma2))
    error = np.mean((X_train - free.inverse_transform(codes)) ** 2)
    assert error < 1.05 * pca_error  # 1.002 measured; 1.14 after 60 epochs

    collapsed = _linear_vae(beta=1e4, max_iter=200).fit(X_train)
    # The KL term dominates: every posterior is the prior and the code
    # carries nothing; each row is reconstructed as the mean row.
    assert np.all(collapsed.kl_per_component_ < 0.01)
    assert_allclose(collapsed.transform(X_train), 0.0, atol=0.05)
    reconstruction = collapsed.inverse_transform(collapsed.transform(X_train))
    assert_allclose(reconstruction, np.broadcast_to(X_train.mean(axis=0), X_train.shape),
                    atol=0.1 * np.sqrt(np.var(X_train, axis=0)).max())


def test_loss_curve_splits_into_reconstruction_and_weighted_kl(ppca):
    X_train, _ = ppca
    vae = _linear_vae(beta=2.0, kl_warmup=4, max_iter=6, early_stopping=False).fit(X_train[:500])
    weights = 2.0 * np.minimum(1.0, np.arange(1, 7) / 4)
    assert_allclose(
        vae.loss_curve_,
        np.asarray(vae.reconstruction_curve_) + weights * np.asarray(vae.kl_curve_),
        rtol=1e-5,
    )
    assert len(vae.kl_curve_) == len(vae.reconstruction_curve_) == vae.n_iter_ == 6


def test_warmup_epochs_do_not_stop_training(ppca):
    X_train, _ = ppca
    # During warm-up the loss rises with the KL weight; those epochs must
    # not count as epochs without improvement.
    vae = _linear_vae(kl_warmup=8, n_iter_no_change=2, max_iter=10).fit(X_train[:500])
    assert vae.n_iter_ > 8


def test_bernoulli_likelihood_on_binary_rows():
    rng = np.random.RandomState(0)
    prototypes = rng.uniform(size=(3, 12)) < 0.5
    X = (prototypes[rng.randint(3, size=300)] ^ (rng.uniform(size=(300, 12)) < 0.05)).astype(float)
    vae = VariationalAutoencoder(2, likelihood="bernoulli", hidden_layer_sizes=(8,),
                                 max_iter=60, random_state=0).fit(X)
    scores = vae.score_samples(X)
    # Log-probabilities of binary rows: below 0, and above those of the
    # best model of independent features, which knows nothing of the
    # prototypes.
    assert np.all(scores < 0)
    p = X.mean(axis=0)
    independent = np.mean(np.sum(X * np.log(p) + (1 - X) * np.log1p(-p), axis=1))
    assert scores.mean() > independent + 1.0, (scores.mean(), independent)
    assert not hasattr(vae, "noise_variance_")
    drawn = vae.sample(50, random_state=0)
    assert set(np.unique(drawn)) <= {0.0, 1.0}
    probabilities = vae.inverse_transform(vae.transform(X))
    assert probabilities.min() >= 0 and probabilities.max() <= 1
    with pytest.raises(ValueError, match=r"likelihood='bernoulli' needs X in \[0, 1\]"):
        vae.score_samples(X - 0.5)


def test_fixed_variance_is_not_learned(ppca):
    X_train, _ = ppca
    vae = _linear_vae(variance=0.7, max_iter=5).fit(X_train[:300])
    assert_allclose(vae.noise_variance_, 0.7, rtol=1e-6)


def test_feature_variance_follows_each_feature(ppca):
    X = ppca[0][:1000].copy()
    X[:, 0] = 3.0  # a constant feature: its variance stops at the floor
    X[:, 1] += 2.0 * np.random.RandomState(1).normal(size=len(X))  # a noisier one
    vae = _linear_vae(variance="feature", max_iter=60).fit(X)
    variance = vae.noise_variance_
    floor = 1e-6 * np.var(X, axis=0).mean()
    assert floor <= variance[0] < 1e-3
    assert variance[1] > 2 * np.median(variance[2:])
    assert np.isfinite(vae.score(X))


def test_score_tunes_n_components_without_labels(ppca):
    X_train, _ = ppca
    # Folds of 400 rows: at the default learning rate of 3e-3 the linear
    # VAE is still 0.2 nats short of PPCA's held-out log-likelihood when
    # early stopping ends it; at 1e-2 for 60 epochs, each fold ranks two
    # components above one by 0.15-0.17 nats (seeds 0 and 1), as PCA's
    # scores do (-7.79 for one component, -7.61 for two).
    # refit=False: the ranking is what is tested, not a refitted model.
    search = GridSearchCV(_linear_vae(learning_rate=1e-2, max_iter=60, n_importance_samples=20),
                          {"n_components": [1, 2]}, cv=2, refit=False).fit(X_train[:800])
    assert search.best_params_ == {"n_components": 2}


def test_sample_refuses_a_bad_count(linear_vae):
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="n_samples must be a positive integer"):
            linear_vae.sample(bad)


def test_conv_vae_is_a_density_model_of_images():
    data = load_digits()
    X = data.data / 16.0  # 8x8 images as rows of 64
    X_train, X_test = X[:1400], X[1400:]
    # Default filters: with filters=(8, 16) this fit collapses onto the
    # prior (no component keeps a KL above 0.01) and scores -7.3 nats.
    vae = ConvVariationalAutoencoder(8, random_state=0).fit(X_train)
    assert vae.image_shape_ == (8, 8, 1)
    images = X_test[:5].reshape(5, 8, 8)
    assert_allclose(vae.transform(images), vae.transform(X_test[:5]), rtol=1e-12)
    assert_allclose(vae.score_samples(images), vae.score_samples(X_test[:5]), rtol=1e-12)
    means, std = vae.transform(images, return_std=True)
    assert means.shape == std.shape == (5, 8) and np.all(std > 0)
    assert vae.sample(3, random_state=0).shape == (3, 64)
    # On held-out images, a better density than probabilistic PCA with the
    # same code size (29.1 nats against 13.0 measured).
    assert np.all(vae.kl_per_component_ > 0.01)
    assert vae.score(X_test) > PCA(8).fit(X_train).score(X_test) + 5


def test_recurrent_vae_takes_nan_padded_sequences():
    rng = np.random.RandomState(0)
    t = np.linspace(0, 2 * np.pi, 16)
    X = np.sin(t + rng.uniform(0, 2 * np.pi, (120, 1))) + 0.05 * rng.normal(size=(120, 16))
    padded = X.copy()
    padded[::3, 12:] = np.nan  # a third of the sequences are 12 steps long
    vae = RecurrentVariationalAutoencoder(2, units=8, max_iter=8, random_state=0).fit(padded)
    assert np.isfinite(vae.loss_curve_).all() and np.isfinite(vae.kl_per_component_).all()
    scores = vae.score_samples(padded)
    assert np.isfinite(scores).all()
    # A padded row's likelihood is that of its 12 steps: the same whether
    # the padding is given flat or as 3-D NaN steps.
    assert_allclose(vae.score_samples(padded[:3, :, None]), scores[:3], rtol=1e-12)
    codes, std = vae.transform(padded[:3], return_std=True)
    assert np.isfinite(codes).all() and np.all(std > 0)
    assert vae.sample(4, random_state=0).shape == (4, 16)
    with pytest.raises(ValueError, match="NaN inside the sequences"):
        vae.score_samples(np.where(np.arange(16) == 5, np.nan, X[:2]))
