"""A row's output does not depend on the other rows of the call.

Inference runs in float64 from float32 weights, so a row scored alone, inside
a batch of 1,000 rows or past a chunk boundary differs at most by float64
rounding: about 1e-16 of the sums involved. The tolerance below is a
thousand times that, and a million times smaller than float32's 1e-7, the
size of the differences the float32 networks used to give.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone

from estimators import estimator_id, row_methods, tiny_autoencoders

FLOAT64_ROUNDING = dict(rtol=1e-13, atol=1e-13)


@pytest.fixture(scope="module")
def rows():
    rng = np.random.RandomState(0)
    return rng.normal(size=(300, 6)), rng.normal(size=(1000, 6))


@pytest.mark.parametrize("estimator", tiny_autoencoders(), ids=estimator_id)
def test_row_alone_equals_row_in_a_batch_of_1000(estimator, rows):
    X_train, batch = rows
    fitted = clone(estimator).fit(X_train)
    picked = [0, 1, 499, 998, 999]
    for name in row_methods(fitted):
        method = getattr(fitted, name)
        in_batch = method(batch)
        alone = np.array([method(batch[i : i + 1])[0] for i in picked])
        assert_allclose(alone, in_batch[picked], err_msg=name, **FLOAT64_ROUNDING)
        # Reversing the batch reorders the results and changes nothing else.
        assert_allclose(method(batch[::-1])[::-1], in_batch, err_msg=name, **FLOAT64_ROUNDING)


def test_rows_past_a_chunk_boundary(rows):
    from skae import AutoencoderTransformer
    from skae._inference import CHUNK_ROWS

    X_train, batch = rows
    ae = AutoencoderTransformer(2, hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(X_train)
    many = np.resize(batch, (CHUNK_ROWS + 10, batch.shape[1]))
    codes = ae.transform(many)
    for i in (CHUNK_ROWS - 1, CHUNK_ROWS, CHUNK_ROWS + 9):
        assert_allclose(ae.transform(many[i : i + 1])[0], codes[i], **FLOAT64_ROUNDING)
