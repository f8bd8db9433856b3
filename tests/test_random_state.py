"""The same random_state gives identical outputs, in one process and in two."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone

from estimators import estimator_id, tiny_autoencoders
from skae import AutoencoderTransformer

SCRIPT = textwrap.dedent(
    """
    import sys
    import numpy as np
    from skae import AutoencoderTransformer

    rng = np.random.RandomState(0)
    X = rng.normal(size=(150, 12))
    ae = AutoencoderTransformer(3, hidden_layer_sizes=(8,), max_iter=4, random_state=7)
    np.save(sys.argv[1], ae.fit(X).transform(X))
    """
)


def _fit_codes(X, random_state, **params):
    ae = AutoencoderTransformer(
        3, hidden_layer_sizes=(8,), max_iter=4, random_state=random_state, **params
    )
    return ae.fit(X).transform(X)


def test_same_seed_same_codes_in_one_process(blobs):
    for params in ({}, {"early_stopping": False}):
        assert_array_equal(_fit_codes(blobs, 3, **params), _fit_codes(blobs, 3, **params))


def test_random_state_instance_is_used_not_shared_state(blobs):
    first = _fit_codes(blobs, np.random.RandomState(5))
    second = _fit_codes(blobs, np.random.RandomState(5))
    assert_array_equal(first, second)


def test_different_seeds_give_different_codes(blobs):
    assert not np.allclose(_fit_codes(blobs, 1), _fit_codes(blobs, 2))


def test_same_seed_same_codes_in_two_processes(tmp_path):
    paths = [tmp_path / f"codes{i}.npy" for i in range(2)]
    processes = [subprocess.Popen([sys.executable, "-c", SCRIPT, str(p)]) for p in paths]
    assert [p.wait(timeout=300) for p in processes] == [0, 0]
    outputs = [np.load(p) for p in paths]
    assert_array_equal(outputs[0], outputs[1])
    rng = np.random.RandomState(0)
    X = rng.normal(size=(150, 12))
    assert_array_equal(_fit_codes(X, 7), outputs[0])


def test_fitting_does_not_touch_global_seeds(blobs):
    state = np.random.get_state()
    _fit_codes(blobs, 0)
    assert_array_equal(np.random.get_state()[1], state[1])


@pytest.mark.parametrize("estimator", tiny_autoencoders(), ids=estimator_id)
def test_global_seeds_change_nothing(estimator, blobs, restore_global_seeds):
    import keras
    import tensorflow as tf

    estimator.set_params(random_state=0)
    reference = clone(estimator).fit(blobs).score_samples(blobs)
    # Both global seeds set, then one fit: a fit that read either would differ.
    tf.random.set_seed(1)
    keras.utils.set_random_seed(123)
    assert_array_equal(clone(estimator).fit(blobs).score_samples(blobs), reference)
