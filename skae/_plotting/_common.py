"""What the Displays share: matplotlib on demand, axes, and checks of their inputs."""

from numbers import Integral

import numpy as np


def _check_matplotlib_support(caller_name):
    try:
        import matplotlib  # noqa: F401
    except ImportError as e:
        raise ImportError(
            f"{caller_name} requires matplotlib. You can install it with "
            "`pip install matplotlib` (or skae's `plot` extra: `pip install skae[plot]`)."
        ) from e


def _new_axes(ax):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    return ax


def _axes_grid(ax, n_rows, n_cols, figsize):
    """A ``(n_rows, n_cols)`` array of axes, and the bounding axes if one was split."""
    import matplotlib.pyplot as plt

    if ax is None:
        figure, axes = plt.subplots(n_rows, n_cols, figsize=figsize, squeeze=False)
        return np.asarray(axes), None, figure
    if isinstance(ax, (np.ndarray, list, tuple)):
        axes = np.asarray(ax, dtype=object)
        if axes.size != n_rows * n_cols:
            raise ValueError(
                f"ax holds {axes.size} axes, but {n_rows * n_cols} are needed "
                f"({n_rows} rows of {n_cols}); pass one Axes to draw inside it."
            )
        axes = axes.reshape(n_rows, n_cols)
        return axes, None, axes.flat[0].figure
    # One Axes: draw a grid inside its area, as PartialDependenceDisplay does.
    from matplotlib.gridspec import GridSpecFromSubplotSpec

    ax.set_axis_off()
    grid = GridSpecFromSubplotSpec(n_rows, n_cols, subplot_spec=ax.get_subplotspec())
    figure = ax.figure
    axes = np.empty((n_rows, n_cols), dtype=object)
    for i in range(n_rows):
        for j in range(n_cols):
            axes[i, j] = figure.add_subplot(grid[i, j])
    return axes, ax, figure


def _estimator_name(estimator):
    return type(estimator).__name__


def _row_shape(estimator):
    """The shape of one row inside ``estimator``'s network, or None for flat rows."""
    for name in ("image_shape_", "sequence_shape_"):
        shape = getattr(estimator, name, None)
        if shape is not None:
            return tuple(shape)
    return None


def _first_rows(X, n_samples):
    if not isinstance(n_samples, Integral) or n_samples < 1:
        raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}.")
    if hasattr(X, "iloc"):
        X = X.iloc[:n_samples]
    elif hasattr(X, "tocsr"):
        X = X.tocsr()[:n_samples]
    else:
        X = np.asarray(X)[:n_samples]
    return X


def _checked_values(values, ndim, name):
    values = np.asarray(values, dtype=float)
    if values.ndim != ndim or len(values) == 0:
        raise ValueError(f"{name} must be a non-empty {ndim}-D array, got shape {values.shape}.")
    return values


def _checked_labels(y, n, per):
    """``y`` as an array of one label per ``per`` (``n`` of them), or None."""
    if y is None:
        return None
    y = np.asarray(y)
    if y.shape != (n,):
        raise ValueError(f"y must have one label per {per} ({n}), got shape {y.shape}.")
    return y


def _as_rows(X):
    if hasattr(X, "toarray"):
        X = X.toarray()
    X = np.asarray(X, dtype=float)
    return X.reshape(len(X), -1)
