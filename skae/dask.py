"""Running skae estimators on a Dask cluster.

skae brings nothing of its own to scale out: model search runs through
joblib's Dask backend, out-of-core training through
:class:`dask_ml.wrappers.Incremental` and each estimator's ``partial_fit``.
This module holds the two things those need from skae:

- :func:`worker_env`, the environment a Dask worker process needs so that
  TensorFlow keeps to the worker's share of the cores;
- :func:`map_rows`, any row method of a fitted estimator (``transform``,
  ``score_samples``, ``decision_function``, ``predict``,
  ``inverse_transform``, ...) applied block by block to a Dask array, with
  the estimator sent once to each worker rather than once per block.

Dask itself is needed only by :func:`map_rows` (``pip install "skae[dask]"``).
See the user guide's page on Dask for the recipes.
"""

import numbers

import numpy as np

__all__ = ["map_rows", "worker_env"]

#: The variables TensorFlow reads, once, when it first starts its thread
#: pools: the threads of one operation and the operations run at once.
TENSORFLOW_THREAD_VARIABLES = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")


def worker_env(threads=1):
    """Environment variables that keep TensorFlow in a worker to ``threads`` cores.

    TensorFlow sizes its thread pools from ``TF_NUM_INTRAOP_THREADS`` and
    ``TF_NUM_INTEROP_THREADS`` when it starts, and otherwise takes every
    core of the machine, whatever ``OMP_NUM_THREADS=1`` Dask's nanny sets.
    Two workers on two cores, each fitting with two threads, then fight
    for the cores. The variables must be set before the worker process
    imports TensorFlow: pass this dictionary as ``env`` to
    :class:`distributed.LocalCluster` or :class:`distributed.Nanny` (which
    set it in the worker process before it starts), put it under the
    ``distributed.nanny.environ`` configuration, or export it in the job
    script of a cluster manager.

    Parameters
    ----------
    threads : int, default=1
        The cores of one worker process: the machine's cores divided by
        the worker processes on it. Give each worker one Dask thread, so
        that it runs one fit at a time on those cores.

    Returns
    -------
    env : dict of str to str
        ``TF_NUM_INTRAOP_THREADS`` and ``TF_NUM_INTEROP_THREADS``, both
        ``threads``.

    Examples
    --------
    >>> from skae.dask import worker_env
    >>> worker_env(2)
    {'TF_NUM_INTRAOP_THREADS': '2', 'TF_NUM_INTEROP_THREADS': '2'}

    On a machine of eight cores, four workers of two cores each::

        from distributed import Client, LocalCluster
        cluster = LocalCluster(n_workers=4, threads_per_worker=1, env=worker_env(2))
        client = Client(cluster)
    """
    if (
        isinstance(threads, bool)
        or not isinstance(threads, numbers.Integral)
        or threads < 1
    ):
        raise ValueError(f"threads must be a positive integer, got {threads!r}.")
    return {name: str(int(threads)) for name in TENSORFLOW_THREAD_VARIABLES}


def map_rows(estimator, X, method="transform"):
    """Apply a fitted estimator's row method to each block of rows of a Dask array.

    The Dask counterpart of ``getattr(estimator, method)(X)`` for an X too
    large for memory: each block of rows goes through the method on a
    worker, and the result is a Dask array of the method's output rows,
    chunked as X's rows. The estimator enters the task graph once, as one
    task that every block depends on, so each worker unpickles it once
    (rebuilding its Keras networks) however many blocks it computes.
    ``transform`` and ``predict`` are also what
    :class:`dask_ml.wrappers.ParallelPostFit` gives; this serves the
    methods it does not wrap (``score_samples``, ``decision_function``,
    ``inverse_transform``, ``feature_errors``, ``predict_proba``, ...).

    Parameters
    ----------
    estimator : fitted skae estimator
        Any fitted estimator with ``method`` that maps each row of X to one
        output (a number or a row).
    X : dask.array.Array of shape (n_samples, ...)
        Rows, chunked along the first axis only: rows of features, or
        images or sequences for the shaped estimators.
    method : str, default="transform"
        The name of the method to apply.

    Returns
    -------
    result : dask.array.Array of shape (n_samples,) or (n_samples, n_outputs)
        The method's output, lazily: call ``compute()`` (or store it with
        ``to_zarr``) to run it.

    Examples
    --------
    >>> import dask.array as da
    >>> from skae import AutoencoderAnomalyDetector
    >>> from skae.dask import map_rows
    >>> X = da.random.default_rng(0).normal(size=(1000, 8), chunks=(250, 8))
    >>> detector = AutoencoderAnomalyDetector(
    ...     n_components=2, max_iter=2, random_state=0).fit(X[:250].compute())
    >>> scores = map_rows(detector, X, "score_samples")
    >>> scores.shape, scores.chunks
    ((1000,), ((250, 250, 250, 250),))
    >>> scores.compute().shape
    (1000,)
    """
    import dask
    import dask.array as da
    from sklearn.utils.validation import check_is_fitted

    if not isinstance(X, da.Array):
        raise TypeError(
            f"X must be a dask.array.Array, got {type(X).__name__}; call the "
            f"estimator's {method} on in-memory data directly."
        )
    if not callable(getattr(estimator, method, None)):
        raise AttributeError(f"{type(estimator).__name__} has no method {method!r}.")
    check_is_fitted(estimator)
    if any(len(chunks) > 1 for chunks in X.chunks[1:]):
        whole = ", ".join(f"{axis}: -1" for axis in range(1, X.ndim))
        raise ValueError(
            f"X must be chunked along its rows only, got chunks of {X.chunksize} "
            f"in an array of shape {X.shape}: rechunk it with X.rechunk({{{whole}}})."
        )
    # One row through the method, here, gives the output's shape and type.
    example = np.asarray(getattr(estimator, method)(np.zeros((1,) + X.shape[1:], X.dtype)))
    delayed_estimator = dask.delayed(estimator, pure=True, traverse=False)
    axes = dict(
        drop_axis=list(range(example.ndim, X.ndim)),
        new_axis=list(range(X.ndim, example.ndim)),
    )
    return X.map_blocks(
        _apply, delayed_estimator, method,
        chunks=(X.chunks[0],) + tuple((size,) for size in example.shape[1:]),
        dtype=example.dtype,
        meta=np.empty((0,) + example.shape[1:], example.dtype),
        **{name: value for name, value in axes.items() if value},
    )


def _apply(block, estimator, method):
    return getattr(estimator, method)(block)
