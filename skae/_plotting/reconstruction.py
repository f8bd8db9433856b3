"""ReconstructionDisplay."""

import math

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._common import (
    _as_rows,
    _axes_grid,
    _check_matplotlib_support,
    _estimator_name,
    _first_rows,
    _row_shape,
)


class ReconstructionDisplay:
    """Rows beside their reconstructions: an image grid, or one line plot per row.

    Images (rows of shape ``(height, width)`` or ``(height, width,
    channels)``) are drawn in two rows of a grid, originals above and
    reconstructions below, with one colour scale for both so that a faded
    reconstruction looks faded. Other rows (tabular features, signals,
    sequences of ``(n_timesteps, n_channels)``) get one axes each, with the
    original as a solid line and the reconstruction dashed, one pair per
    channel.

    Build it with :meth:`from_estimator` or :meth:`from_predictions`.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The rows shown.

    X_reconstructed : ndarray of shape (n_samples, n_features)
        Their reconstructions.

    shape : tuple of int or None, default=None
        Shape of one row: 2 or 3 values ``(height, width[, channels])`` draw
        images, ``(n_timesteps, n_channels)`` draws sequences when ``kind``
        says so; None draws flat rows as lines.

    kind : {"auto", "image", "line"}, default="auto"
        ``"auto"`` draws images when ``shape`` has 2 or 3 values, lines
        otherwise; pass ``"line"`` for sequences of ``(n_timesteps,
        n_channels)``. :meth:`from_estimator` reads the shape a
        :class:`ConvAutoencoder` or :class:`RecurrentAutoencoder` was fitted
        with, and draws images only for 3-D ones.

    estimator_name : str or None, default=None
        Shown in the figure's title.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes
        ``(2, n_samples)`` for images (originals in the first row),
        ``(n_samples, 1)`` for lines.

    bounding_ax_ : matplotlib Axes or None
        The Axes passed as ``ax`` and divided into ``axes_``, else None.

    images_ : ndarray of matplotlib AxesImage or None
        The images drawn, shaped like ``axes_``; None for lines.

    lines_ : ndarray of matplotlib Line2D or None
        For lines, ``(n_samples, 2, n_channels)``: original then
        reconstruction of each channel of each row; None for images.

    figure_ : matplotlib Figure
        The figure holding ``axes_``.

    See Also
    --------
    LatentSpaceDisplay : The codes of the same rows, on a plane.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skae import AutoencoderTransformer, ReconstructionDisplay
    >>> X = np.random.RandomState(0).rand(40, 16)
    >>> ae = AutoencoderTransformer(2, max_iter=2, random_state=0).fit(X)
    >>> display = ReconstructionDisplay.from_estimator(ae, X, n_samples=3, shape=(4, 4))
    >>> display.axes_.shape
    (2, 3)
    """

    def __init__(self, X, X_reconstructed, *, shape=None, kind="auto", estimator_name=None):
        self.X = X
        self.X_reconstructed = X_reconstructed
        self.shape = shape
        self.kind = kind
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, X, *, n_samples=8, shape=None, kind="auto",
                       ax=None, cmap="gray", line_kw=None):
        """Reconstruct the first rows of X with a fitted autoencoder and draw them.

        Parameters
        ----------
        estimator : fitted autoencoder
            Anything with ``transform`` and ``inverse_transform``.

        X : array-like of shape (n_samples, n_features) or ``(n_samples, *shape)``
            Rows to reconstruct; the first ``n_samples`` are shown.

        n_samples : int, default=8
            How many rows to show.

        shape : tuple of int or None, default=None
            Shape of one row; None takes the estimator's ``image_shape_`` or
            ``sequence_shape_`` when it has one, else draws flat rows.

        kind : {"auto", "image", "line"}, default="auto"
            See the class.

        ax, cmap, line_kw
            Passed to :meth:`plot`.

        Returns
        -------
        display : ReconstructionDisplay
        """
        _check_matplotlib_support(f"{cls.__name__}.from_estimator")
        check_is_fitted(estimator)
        if not hasattr(estimator, "inverse_transform"):
            raise TypeError(
                f"{_estimator_name(estimator)} has no inverse_transform, so it cannot "
                "reconstruct rows; pass an autoencoder such as AutoencoderTransformer."
            )
        X = _first_rows(X, n_samples)
        X_reconstructed = estimator.inverse_transform(estimator.transform(X))
        if shape is None:
            shape = _row_shape(estimator)
            if kind == "auto" and shape is not None:
                # A fitted 2-D shape is a sequence's or a signal's
                # (n_timesteps, n_channels); images are 3-D inside networks.
                kind = "image" if len(shape) == 3 else "line"
        display = cls(
            _as_rows(X), _as_rows(X_reconstructed), shape=shape, kind=kind,
            estimator_name=_estimator_name(estimator),
        )
        return display.plot(ax=ax, cmap=cmap, line_kw=line_kw)

    @classmethod
    def from_predictions(cls, X, X_reconstructed, *, n_samples=8, shape=None, kind="auto",
                         estimator_name=None, ax=None, cmap="gray", line_kw=None):
        """Draw rows beside reconstructions computed beforehand.

        Parameters
        ----------
        X, X_reconstructed : array-like of shape (n_samples, n_features)
            Rows and their reconstructions (for example
            ``est.inverse_transform(est.transform(X))``); the first
            ``n_samples`` are shown.

        n_samples, shape, kind, estimator_name
            See the class.

        ax, cmap, line_kw
            Passed to :meth:`plot`.

        Returns
        -------
        display : ReconstructionDisplay
        """
        _check_matplotlib_support(f"{cls.__name__}.from_predictions")
        X, X_reconstructed = _as_rows(X), _as_rows(X_reconstructed)
        if X.shape != X_reconstructed.shape:
            raise ValueError(
                f"X and X_reconstructed must have the same shape, got {X.shape} "
                f"and {X_reconstructed.shape}."
            )
        display = cls(
            _first_rows(X, n_samples), _first_rows(X_reconstructed, n_samples),
            shape=shape, kind=kind, estimator_name=estimator_name,
        )
        return display.plot(ax=ax, cmap=cmap, line_kw=line_kw)

    def _resolved_kind(self):
        if self.kind not in ("auto", "image", "line"):
            raise ValueError(f"kind must be 'auto', 'image' or 'line', got {self.kind!r}.")
        shape = None if self.shape is None else tuple(int(s) for s in self.shape)
        n_features = self.X.shape[1]
        if shape is not None and math.prod(shape) != n_features:
            raise ValueError(
                f"shape {shape} holds {math.prod(shape)} values, but rows have "
                f"{n_features} features."
            )
        kind = self.kind
        if kind == "auto":
            kind = "image" if shape is not None and len(shape) in (2, 3) else "line"
        if kind == "image":
            if shape is None or len(shape) not in (2, 3) or (
                len(shape) == 3 and shape[2] not in (1, 3)
            ):
                raise ValueError(
                    "kind='image' needs shape (height, width) or (height, width, channels) "
                    f"with 1 or 3 channels, got shape={self.shape!r}."
                )
        return kind, shape

    def plot(self, ax=None, *, cmap="gray", line_kw=None):
        """Draw the display.

        Parameters
        ----------
        ax : matplotlib Axes, array of Axes or None, default=None
            One Axes is divided into the grid; an array must hold one Axes
            per panel; None makes a new figure.

        cmap : str, default="gray"
            Colour map of single-channel images.

        line_kw : dict or None, default=None
            Keywords for the lines' ``plot`` calls (lines only).

        Returns
        -------
        display : ReconstructionDisplay
            This display, with the attributes of the class set.
        """
        _check_matplotlib_support(f"{type(self).__name__}.plot")
        kind, shape = self._resolved_kind()
        X, X_rec = np.asarray(self.X, dtype=float), np.asarray(self.X_reconstructed, dtype=float)
        n = len(X)
        if kind == "image":
            self._plot_images(ax, X, X_rec, shape, cmap)
        else:
            self._plot_lines(ax, X, X_rec, shape, line_kw)
        if self.estimator_name:
            title = f"{self.estimator_name}: {n} rows and their reconstructions"
            self.figure_.suptitle(title)
        return self

    def _plot_images(self, ax, X, X_rec, shape, cmap):
        n = len(X)
        self.axes_, self.bounding_ax_, self.figure_ = _axes_grid(
            ax, 2, n, figsize=(1.2 * n + 0.6, 2.8)
        )
        # One scale for originals and reconstructions, from the originals.
        low, high = float(np.min(X)), float(np.max(X))
        if high <= low:
            high = low + 1.0
        self.images_ = np.empty((2, n), dtype=object)
        for i, rows in enumerate((X, X_rec)):
            for j in range(n):
                image = rows[j].reshape(shape)
                axes = self.axes_[i, j]
                if image.ndim == 3 and image.shape[2] == 3:
                    drawn = axes.imshow(np.clip((image - low) / (high - low), 0.0, 1.0))
                else:
                    drawn = axes.imshow(image.reshape(shape[:2]), cmap=cmap, vmin=low, vmax=high)
                self.images_[i, j] = drawn
                axes.set_xticks([])
                axes.set_yticks([])
        self.axes_[0, 0].set_ylabel("original")
        self.axes_[1, 0].set_ylabel("reconstruction")
        self.lines_ = None

    def _plot_lines(self, ax, X, X_rec, shape, line_kw):
        n = len(X)
        n_channels = shape[-1] if shape is not None and len(shape) == 2 else 1
        self.axes_, self.bounding_ax_, self.figure_ = _axes_grid(
            ax, n, 1, figsize=(6.4, 1.3 * n + 0.8)
        )
        line_kw = {} if line_kw is None else dict(line_kw)
        self.lines_ = np.empty((n, 2, n_channels), dtype=object)
        for j in range(n):
            axes = self.axes_[j, 0]
            original = X[j].reshape(-1, n_channels)
            reconstruction = X_rec[j].reshape(-1, n_channels)
            steps = np.arange(len(original))
            for c in range(n_channels):
                suffix = f" (channel {c})" if n_channels > 1 else ""
                (self.lines_[j, 0, c],) = axes.plot(
                    steps, original[:, c], label=f"original{suffix}", **line_kw
                )
                (self.lines_[j, 1, c],) = axes.plot(
                    steps, reconstruction[:, c], linestyle="--",
                    label=f"reconstruction{suffix}", **line_kw
                )
            axes.set_ylabel(f"row {j}")
        self.axes_[0, 0].legend(loc="best", fontsize="small")
        self.axes_[-1, 0].set_xlabel("time step" if shape is not None else "feature")
        self.images_ = None
