"""The linear path beside dense and convolutional networks, started at PCA's solution."""

import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning

from skae import AutoencoderTransformer, ConvAutoencoder, DenoisingAutoencoder, StackedAutoencoder
from skae._numerics import principal_axes

FAMILIES = {
    "dense": lambda **kw: AutoencoderTransformer(**kw),
    "tied": lambda **kw: AutoencoderTransformer(tied_weights=True, **kw),
    "denoising": lambda **kw: DenoisingAutoencoder(**kw),
    "stacked": lambda **kw: StackedAutoencoder(pretrain_max_iter=3, **kw),
    "conv": lambda **kw: ConvAutoencoder(image_shape=(4, 4, 1), filters=(4,), **kw),
}


def linear_data(seed, n_samples, n_features=16, rank=3, noise=0.05):
    """Rows on a ``rank``-dimensional plane with a little noise: the best map is PCA's."""
    rng = np.random.RandomState(0)  # the same plane for every seed
    basis = rng.normal(size=(rank, n_features))
    rows = np.random.RandomState(seed)
    X = rows.normal(size=(n_samples, rank)) @ basis + noise * rows.normal(size=(n_samples, n_features))
    return X + 3.0


def unit_interval_data(seed, n_samples):
    """``linear_data`` scaled into [0, 1] by the first rows' range: the best map is still linear."""
    reference = linear_data(0, 300)
    low, high = reference.min(axis=0), reference.max(axis=0)
    return np.clip((linear_data(seed, n_samples) - low) / (high - low), 0.0, 1.0)


@pytest.mark.parametrize("data", ["plane", "unit_interval"])
def test_network_starts_at_pca_s_reconstruction(data):
    # On data in [0, 1] "auto" clips the output: the start is PCA's
    # reconstruction clipped to [0, 1], closer to the rows than PCA's,
    # though the network's own layers end in a sigmoid (1/2 at the start).
    X = linear_data(0, 200) if data == "plane" else unit_interval_data(0, 200)
    params = {"output_activation": "linear"} if data == "plane" else {}
    for name, make in FAMILIES.items():
        # An epoch of steps too small to move: the start is kept, exactly.
        ae = make(n_components=3, max_iter=1, learning_rate=1e-12, random_state=0, **params)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            ae.fit(X)
        X_train = X[np.isin(np.arange(len(X)), _validation_rows(ae, X), invert=True)]
        pca = PCA(3).fit(X_train)
        expected = pca.inverse_transform(pca.transform(X))
        reconstruction = ae.inverse_transform(ae.transform(X))
        if data == "plane":
            assert_allclose(reconstruction, expected, atol=1e-4, err_msg=name)
            continue
        assert ae.output_activation_ == "unit_clip", name
        assert _branch_end(ae, name) == "sigmoid", name
        assert ((expected < 0) | (expected > 1)).any()  # the clip has work to do
        assert_allclose(reconstruction, np.clip(expected, 0, 1), atol=1e-4, err_msg=name)
        assert np.mean((reconstruction - X) ** 2) < np.mean((expected - X) ** 2)


def _branch_end(ae, name):
    """The activation the network's own output layer (beside the path) ends in."""
    if name == "tied":
        return ae.model_.get_layer("tied_dense_0").transpose_activation.__name__
    return ae.model_.get_layer("decoder_conv_0" if name == "conv" else "decoder_dense_0").activation.__name__


def _validation_rows(ae, X):
    """The rows ``ae`` held out, found again from its random state."""
    from sklearn.model_selection import train_test_split
    from sklearn.utils import check_random_state

    rng = check_random_state(ae.random_state)
    rng.randint(0, 2**31 - 1, size=2)
    _, held_out = train_test_split(np.arange(len(X)), test_size=ae.validation_fraction,
                                   random_state=rng)
    return held_out


@pytest.mark.parametrize("name", sorted(FAMILIES))
@pytest.mark.parametrize("data", ["plane", "unit_interval"])
def test_defaults_come_within_a_few_percent_of_pca_where_the_best_map_is_linear(name, data):
    # A few epochs of a non-linear network on a noisy plane: without the
    # path started at PCA it is 4 to 1,300 times PCA's error here. Scaled
    # into [0, 1], "auto" clips the output and keeps PCA's start; with a
    # sigmoid output these fits are 6 to 23 times PCA's error.
    make = linear_data if data == "plane" else unit_interval_data
    X, X_test = make(0, 300), make(1, 300)
    ae = FAMILIES[name](n_components=3, max_iter=10, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ae.fit(X)
    pca = PCA(3).fit(X)
    pca_error = np.mean((X_test - pca.inverse_transform(pca.transform(X_test))) ** 2)
    error = np.mean((X_test - ae.inverse_transform(ae.transform(X_test))) ** 2)
    assert error <= 1.05 * pca_error


@pytest.mark.parametrize("params, rank", [({}, 3), ({"linear_components": 2}, 2),
                                          ({"linear_components": 9}, 3),
                                          ({"linear_components": 0}, 0)])
def test_linear_components_resolves_to_the_rank_used(params, rank):
    X = linear_data(0, 60)
    ae = AutoencoderTransformer(n_components=3, hidden_layer_sizes=(4,), max_iter=2,
                                random_state=0, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ae.fit(X)
    assert ae.linear_components_ == rank
    names = {layer.name for layer in ae.model_.layers}
    if rank:
        assert ae.model_.get_layer("encoder_linear_path").kernel.shape == (16, rank)
    else:
        assert not {"encoder_linear_path", "decoder_linear_output"} & names
    restored = pickle.loads(pickle.dumps(ae))
    assert_array_equal(restored.inverse_transform(restored.transform(X)),
                       ae.inverse_transform(ae.transform(X)))


def test_a_path_below_the_code_s_width_starts_at_that_many_components():
    X = linear_data(0, 200)
    ae = AutoencoderTransformer(n_components=3, linear_components=2, output_activation="linear",
                                max_iter=1, learning_rate=1e-12, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ae.fit(X)
    X_train = X[np.isin(np.arange(len(X)), _validation_rows(ae, X), invert=True)]
    pca = PCA(2).fit(X_train)
    assert_allclose(ae.inverse_transform(ae.transform(X)),
                    pca.inverse_transform(pca.transform(X)), atol=1e-4)


def test_stacked_without_fine_tuning_is_the_pretrained_stack_alone():
    X = linear_data(0, 100)
    ae = StackedAutoencoder(n_components=3, hidden_layer_sizes=(8,), fine_tune=False,
                            pretrain_max_iter=2, random_state=0).fit(X)
    for name in ("encoder_linear_path", "decoder_linear_output"):
        for weight in ae.model_.get_layer(name).get_weights():
            assert not weight.any()


def test_code_activation_and_sparsity_act_on_the_sum_with_the_path():
    X = linear_data(0, 60)
    ae = AutoencoderTransformer(n_components=3, code_activation="sigmoid", sparsity_target=0.1,
                                max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ae.fit(X)
    codes = ae.transform(X)
    assert ((codes > 0) & (codes < 1)).all()
    layers = [layer.name for layer in ae.encoder_.layers]
    assert layers.index("encoder_add") < layers.index("code_activation") < layers.index("code_sparsity")


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("n_components", [2, 20])
def test_principal_axes_are_pca_s_padded_with_zeros(sparse, n_components):
    import scipy.sparse as sp

    X = linear_data(0, 50, n_features=6, rank=6)
    components, mean = principal_axes(sp.csr_matrix(X) if sparse else X, n_components)
    pca = PCA(min(n_components, 6)).fit(X)
    assert components.shape == (n_components, 6)
    assert_allclose(mean, pca.mean_)
    assert_allclose(components[: pca.n_components_], pca.components_, atol=1e-8)
    assert not components[pca.n_components_:].any()
