"""Names, constants and helpers shared by the estimators and the Keras side.

It imports nothing of skae or Keras, so both sides use it without a cycle.
"""

import math

import numpy as np
import scipy.sparse as sp

#: The options of the parameters the Keras side implements.
ACTIVATIONS = frozenset(
    {"relu", "leaky_relu", "elu", "selu", "gelu", "silu", "tanh", "sigmoid",
     "softplus", "linear", "unit_clip"}
)
LOSSES = frozenset({"mse", "mae", "binary_crossentropy"})
OPTIMIZERS = frozenset({"adam", "adamw", "nadam", "rmsprop", "sgd"})
#: Learning-rate schedules; ``_keras.training._Convergence`` implements them.
SCHEDULES = frozenset({"plateau", "cosine", "constant"})

#: Offset of a network's second random stream (the denoiser's noise, the
#: imputer's masks, a variational code's draws) from the seed of its weights.
SECOND_STREAM_SEED_OFFSET = 1000

#: Values held at once when rows are processed in chunks (dense blocks of
#: sparse rows, a VAE's draws): about 32 MB of float64.
CHUNK_VALUES = 4_000_000

#: log(2 pi), the constant of a Gaussian log-likelihood.
LOG_2PI = math.log(2.0 * math.pi)


def dense_rows(X, rows=None, dtype=np.float64):
    """Rows of a sparse matrix as an array, with NaN for the unstored entries.

    For matrices whose unstored entries are missing (a ratings matrix), not
    zero. ``rows`` (indices) picks rows; all of them when None. Arrays pass
    through, rows picked and cast.
    """
    if not sp.issparse(X):
        X = X if rows is None else X[rows]
        return np.asarray(X, dtype=dtype)
    X = X.tocsr()
    if rows is not None:
        X = X[np.asarray(rows)]
    out = np.full(X.shape, np.nan, dtype=dtype)
    out[np.repeat(np.arange(X.shape[0]), np.diff(X.indptr)), X.indices] = X.data
    return out


def time_features(n_steps, n_features):
    """Fixed features of each time step: sines and cosines of its position.

    Feature ``i`` of step ``t`` is ``sin`` (even ``i``) or ``cos`` (odd
    ``i``) of ``pi * (i // 2 + 1) * t / n_steps``: the first half-period
    spans the sequence, later ones are finer. Returns (n_steps, n_features).
    """
    angle = np.pi * np.outer(np.arange(n_steps) / n_steps, np.arange(n_features) // 2 + 1)
    return np.where(np.arange(n_features) % 2 == 0, np.sin(angle), np.cos(angle))


#: Bounds of a posterior's log-variance: ``exp`` of it stays finite in
#: float32 (and its square root, the standard deviation, within about
#: [2e-9, 5e8]).
LOG_VARIANCE_BOUNDS = (-40.0, 40.0)


def gaussian_kl(mean, log_variance, backend=np):
    """KL divergence of ``N(mean, exp(log_variance))`` from ``N(0, 1)``, per component.

    ``backend`` is NumPy for arrays, ``keras.ops`` for Keras tensors.
    """
    return 0.5 * (backend.exp(log_variance) + backend.square(mean) - 1.0 - log_variance)



#: The most features whose covariance matrix :func:`principal_axes` forms
#: (a float64 square of about 32 MB); wider rows go through a randomized SVD.
COVARIANCE_MAX_FEATURES = 2048


def principal_axes(X, n_components, random_state=None):
    """PCA's ``(components, mean)`` of rows X, as ``n_components`` rows of components.

    Rows beyond the data's rank are zero, so that any code width has them.
    Narrow rows (up to ``COVARIANCE_MAX_FEATURES``) go through their
    covariance, summed in float64 a chunk of rows at a time, which copies
    no more than one chunk of X; wider ones through scikit-learn's
    randomized PCA. Signs follow scikit-learn's ``svd_flip``: each
    component's largest entry in magnitude is positive.
    """
    n_samples, n_features = X.shape
    mean = np.asarray(X.mean(axis=0, dtype=np.float64)).ravel()
    rank = min(int(n_components), n_samples - 1, n_features)
    components = np.zeros((int(n_components), n_features))
    if rank < 1:
        return components, mean
    if n_features <= COVARIANCE_MAX_FEATURES:
        covariance = np.zeros((n_features, n_features))
        step = max(1, CHUNK_VALUES // n_features)
        for start in range(0, n_samples, step):
            chunk = X[start:start + step]
            chunk = (chunk.toarray() if sp.issparse(chunk) else chunk).astype(np.float64) - mean
            covariance += chunk.T @ chunk
        values, vectors = np.linalg.eigh(covariance)
        found = vectors[:, ::-1][:, :rank].T
    else:
        from sklearn.decomposition import PCA
        rank = min(rank, n_features - 1)  # ARPACK's limit, for sparse rows
        solver = "arpack" if sp.issparse(X) else "randomized"
        found = PCA(rank, svd_solver=solver, random_state=random_state).fit(X).components_
    signs = np.sign(found[np.arange(rank), np.argmax(np.abs(found), axis=1)])
    components[:rank] = found * np.where(signs == 0, 1.0, signs)[:, None]
    return components, mean
