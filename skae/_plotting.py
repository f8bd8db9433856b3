"""Plotting displays in scikit-learn's style.

Each display is built by a class method (``from_estimator`` computes what it
shows from a fitted estimator; ``from_predictions``, ``from_codes`` or
``from_scores`` take values already computed) and drawn by ``plot``, which
takes ``ax=`` and stores what it drew in attributes ending in ``_``
(``ax_``, ``figure_``, the artists). matplotlib is imported only inside
``plot``, so importing skae never needs it.
"""

import math
from numbers import Integral

import numpy as np
from sklearn.utils.validation import check_is_fitted


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


class LatentSpaceDisplay:
    """Codes on a plane, coloured by label.

    Two-dimensional codes are drawn as they are; wider codes are projected
    to two dimensions first, with PCA (linear and deterministic, the
    default) or t-SNE (keeps neighbourhoods, slower, varies with
    ``random_state``).

    Build it with :meth:`from_estimator` or :meth:`from_codes`.

    Parameters
    ----------
    embedding : ndarray of shape (n_samples, 2)
        The points drawn.

    y : ndarray of shape (n_samples,) or None, default=None
        Labels colouring the points: one colour and legend entry per label
        when there are at most ``max_legend_labels`` distinct ones, else a
        colour bar.

    xlabel, ylabel : str, default="code 1", "code 2"
        Axis labels.

    estimator_name : str or None, default=None
        Shown in the title.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The Axes drawn on.

    figure_ : matplotlib Figure
        The figure holding ``ax_``.

    scatters_ : list of matplotlib PathCollection
        One scatter per label (or one in all for unlabelled or continuous
        ``y``).

    colorbar_ : matplotlib Colorbar or None
        The colour bar of continuous labels.

    See Also
    --------
    ReconstructionDisplay : The rows those codes reconstruct to.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skae import AutoencoderTransformer, LatentSpaceDisplay
    >>> rng = np.random.RandomState(0)
    >>> X, y = rng.rand(40, 6), rng.randint(3, size=40)
    >>> ae = AutoencoderTransformer(2, max_iter=2, random_state=0).fit(X)
    >>> display = LatentSpaceDisplay.from_estimator(ae, X, y)
    >>> len(display.scatters_)
    3
    """

    max_legend_labels = 20

    def __init__(self, embedding, y=None, *, xlabel="code 1", ylabel="code 2",
                 estimator_name=None):
        self.embedding = embedding
        self.y = y
        self.xlabel = xlabel
        self.ylabel = ylabel
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, X, y=None, *, projection="pca", random_state=None,
                       ax=None, scatter_kw=None):
        """Encode X with a fitted autoencoder and draw its codes.

        Parameters
        ----------
        estimator : fitted autoencoder
            Anything with ``transform`` (a VAE's ``transform`` gives its
            posterior means).

        X : array-like of shape (n_samples, n_features)
            Rows to encode.

        y : array-like of shape (n_samples,) or None, default=None
            Labels colouring the points.

        projection, random_state
            See :meth:`from_codes`.

        ax, scatter_kw
            Passed to :meth:`plot`.

        Returns
        -------
        display : LatentSpaceDisplay
        """
        _check_matplotlib_support(f"{cls.__name__}.from_estimator")
        check_is_fitted(estimator)
        codes = estimator.transform(X)
        return cls.from_codes(
            codes, y, projection=projection, random_state=random_state,
            estimator_name=_estimator_name(estimator), ax=ax, scatter_kw=scatter_kw,
        )

    @classmethod
    def from_codes(cls, codes, y=None, *, projection="pca", random_state=None,
                   estimator_name=None, ax=None, scatter_kw=None):
        """Draw codes computed beforehand.

        Parameters
        ----------
        codes : array-like of shape (n_samples, n_components)
            The codes, for example ``estimator.transform(X)``.

        y : array-like of shape (n_samples,) or None, default=None
            Labels colouring the points.

        projection : {"pca", "tsne"}, default="pca"
            How codes wider than 2 are brought to the plane; ignored for
            codes of width 1 (drawn against their index) or 2.

        random_state : int, RandomState instance or None, default=None
            Seeds t-SNE.

        estimator_name : str or None, default=None
            Shown in the title.

        ax, scatter_kw
            Passed to :meth:`plot`.

        Returns
        -------
        display : LatentSpaceDisplay
        """
        _check_matplotlib_support(f"{cls.__name__}.from_codes")
        codes = _checked_values(codes, 2, "codes")
        y = _checked_labels(y, len(codes), "row of codes")
        width = codes.shape[1]
        if width == 1:
            embedding = np.column_stack([np.arange(len(codes)), codes[:, 0]])
            labels = ("row", "code 1")
        elif width == 2:
            embedding, labels = codes, ("code 1", "code 2")
        elif projection == "pca":
            from sklearn.decomposition import PCA

            embedding = PCA(n_components=2).fit_transform(codes)
            labels = ("PC 1 of the codes", "PC 2 of the codes")
        elif projection == "tsne":
            from sklearn.manifold import TSNE

            if len(codes) < 4:
                raise ValueError(f"t-SNE needs at least 4 rows of codes, got {len(codes)}.")
            perplexity = min(30.0, (len(codes) - 1) / 3)
            embedding = TSNE(
                n_components=2, perplexity=perplexity, init="pca", random_state=random_state,
            ).fit_transform(codes)
            labels = ("t-SNE 1 of the codes", "t-SNE 2 of the codes")
        else:
            raise ValueError(f"projection must be 'pca' or 'tsne', got {projection!r}.")
        display = cls(
            embedding, y, xlabel=labels[0], ylabel=labels[1], estimator_name=estimator_name
        )
        return display.plot(ax=ax, scatter_kw=scatter_kw)

    def _discrete_labels(self):
        """The distinct labels, or None for no labels or many numeric ones."""
        if self.y is None:
            return None
        classes = np.unique(self.y)
        if np.issubdtype(self.y.dtype, np.number) and len(classes) > self.max_legend_labels:
            return None
        return classes

    def plot(self, ax=None, *, scatter_kw=None):
        """Draw the display.

        Parameters
        ----------
        ax : matplotlib Axes or None, default=None
            Where to draw; None makes a new figure.

        scatter_kw : dict or None, default=None
            Keywords for ``ax.scatter``.

        Returns
        -------
        display : LatentSpaceDisplay
            This display, with the attributes of the class set.
        """
        _check_matplotlib_support(f"{type(self).__name__}.plot")
        ax = _new_axes(ax)
        points = np.asarray(self.embedding, dtype=float)
        scatter_kw = {"s": 12, **({} if scatter_kw is None else scatter_kw)}
        self.scatters_, self.colorbar_ = [], None
        classes = self._discrete_labels()
        if self.y is None:
            self.scatters_.append(ax.scatter(points[:, 0], points[:, 1], **scatter_kw))
        elif classes is None:
            drawn = ax.scatter(points[:, 0], points[:, 1], c=self.y, **scatter_kw)
            self.scatters_.append(drawn)
            self.colorbar_ = ax.figure.colorbar(drawn, ax=ax)
        else:
            for label in classes:
                mask = self.y == label
                self.scatters_.append(
                    ax.scatter(points[mask, 0], points[mask, 1], label=str(label), **scatter_kw)
                )
            ax.legend(loc="best", fontsize="small", markerscale=1.5)
        ax.set_xlabel(self.xlabel)
        ax.set_ylabel(self.ylabel)
        if self.estimator_name:
            ax.set_title(f"{self.estimator_name} codes")
        self.ax_, self.figure_ = ax, ax.figure
        return self


class LossCurveDisplay:
    """Training loss and validation error per epoch.

    One line for the training loss of each network (the one autoencoder, or
    each member of an :class:`AutoencoderAnomalyDetector`), a dashed line for
    its validation error when early stopping held rows out, and, for a
    :class:`StackedAutoencoder`, one line per pretraining level before the
    fine-tuning curves. Epochs run on across stages: level 1's epochs
    first, then level 2's, then fine-tuning. The y axis is logarithmic
    when every value is positive.

    Build it with :meth:`from_estimator`.

    Parameters
    ----------
    loss_curves : list of array-like
        Training loss per epoch of each network.

    validation_errors : list of (array-like or None) or None, default=None
        Validation error per epoch, aligned with ``loss_curves``.

    pretrain_loss_curves : list of array-like or None, default=None
        Training loss per pretraining epoch of each level, drawn before the
        others.

    labels : list of str or None, default=None
        Names of the networks in ``loss_curves`` (used when there are
        several).

    estimator_name : str or None, default=None
        Shown in the title.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The Axes drawn on.

    figure_ : matplotlib Figure
        The figure holding ``ax_``.

    lines_ : dict of str to matplotlib Line2D
        Each line drawn, by its legend label.

    See Also
    --------
    sklearn.model_selection.LearningCurveDisplay : Scores against training size.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skae import AutoencoderTransformer, LossCurveDisplay
    >>> X = np.random.RandomState(0).rand(60, 5)
    >>> ae = AutoencoderTransformer(2, max_iter=4, early_stopping=True, random_state=0).fit(X)
    >>> sorted(LossCurveDisplay.from_estimator(ae).lines_)
    ['training loss', 'validation error']
    """

    def __init__(self, loss_curves, *, validation_errors=None, pretrain_loss_curves=None,
                 labels=None, estimator_name=None):
        self.loss_curves = loss_curves
        self.validation_errors = validation_errors
        self.pretrain_loss_curves = pretrain_loss_curves
        self.labels = labels
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, line_kw=None):
        """Draw the curves a fitted autoencoder recorded.

        Parameters
        ----------
        estimator : fitted skae estimator
            One with ``loss_curve_`` (and ``validation_scores_``, and
            ``pretrain_loss_curves_`` for stacked autoencoders), or an
            :class:`AutoencoderAnomalyDetector`, whose members are drawn
            one line each.

        ax, line_kw
            Passed to :meth:`plot`.

        Returns
        -------
        display : LossCurveDisplay
        """
        _check_matplotlib_support(f"{cls.__name__}.from_estimator")
        check_is_fitted(estimator)
        members = getattr(estimator, "estimators_", None)
        networks = list(members) if members is not None else [estimator]
        if not all(hasattr(net, "loss_curve_") for net in networks):
            raise TypeError(
                f"{_estimator_name(estimator)} records no loss_curve_; LossCurveDisplay "
                "draws skae autoencoders' training curves."
            )
        validation = [
            None if getattr(net, "validation_scores_", None) is None
            else [-s for s in net.validation_scores_]
            for net in networks
        ]
        labels = [f"member {i}" for i in range(len(networks))] if members is not None else None
        display = cls(
            [net.loss_curve_ for net in networks], validation_errors=validation,
            pretrain_loss_curves=getattr(estimator, "pretrain_loss_curves_", None),
            labels=labels, estimator_name=_estimator_name(estimator),
        )
        return display.plot(ax=ax, line_kw=line_kw)

    def plot(self, ax=None, *, line_kw=None):
        """Draw the display.

        Parameters
        ----------
        ax : matplotlib Axes or None, default=None
            Where to draw; None makes a new figure.

        line_kw : dict or None, default=None
            Keywords for every ``ax.plot`` call.

        Returns
        -------
        display : LossCurveDisplay
            This display, with the attributes of the class set.
        """
        _check_matplotlib_support(f"{type(self).__name__}.plot")
        ax = _new_axes(ax)
        line_kw = {} if line_kw is None else dict(line_kw)
        self.lines_ = {}
        values = []
        start = 0
        for level, curve in enumerate(self.pretrain_loss_curves or (), start=1):
            curve = np.asarray(curve, dtype=float)
            epochs = start + np.arange(1, len(curve) + 1)
            label = f"pretraining layer {level}"
            (self.lines_[label],) = ax.plot(epochs, curve, label=label, **line_kw)
            start += len(curve)
            values.append(curve)
        stage = "fine-tuning " if self.pretrain_loss_curves else ""
        validation = self.validation_errors or [None] * len(self.loss_curves)
        several = len(self.loss_curves) > 1
        for i, (curve, errors) in enumerate(zip(self.loss_curves, validation)):
            name = (self.labels[i] if self.labels else f"network {i}") + ": " if several else ""
            curve = np.asarray(curve, dtype=float)
            epochs = start + np.arange(1, len(curve) + 1)
            label = f"{name}{stage}training loss"
            (self.lines_[label],) = ax.plot(epochs, curve, label=label, **line_kw)
            values.append(curve)
            if errors is not None and len(errors):
                errors = np.asarray(errors, dtype=float)
                label = f"{name}{stage}validation error"
                (self.lines_[label],) = ax.plot(
                    start + np.arange(1, len(errors) + 1), errors, linestyle="--",
                    color=self.lines_[f"{name}{stage}training loss"].get_color(),
                    label=label, **line_kw,
                )
                values.append(errors)
        finite = np.concatenate(values) if values else np.array([])
        finite = finite[np.isfinite(finite)]
        if finite.size and np.all(finite > 0):
            ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        ax.legend(loc="best", fontsize="small")
        if self.estimator_name:
            ax.set_title(f"{self.estimator_name} training")
        self.ax_, self.figure_ = ax, ax.figure
        return self


class ScoreDistributionDisplay:
    """Histograms of ``score_samples``, with the detector's threshold.

    For an anomaly detector the threshold is ``offset_`` (rows scoring
    below it are predicted outliers), set from ``contamination``. With
    labels, each class gets its own histogram on the same bins, so the
    overlap of normal and anomalous rows shows how well any threshold can
    separate them.

    Build it with :meth:`from_estimator` or :meth:`from_scores`.

    Parameters
    ----------
    scores : ndarray of shape (n_samples,)
        The scores, higher for more normal rows.

    y : ndarray of shape (n_samples,) or None, default=None
        Labels: one histogram per distinct label.

    offset : float or None, default=None
        The threshold drawn as a vertical line.

    estimator_name : str or None, default=None
        Shown in the title.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The Axes drawn on.

    figure_ : matplotlib Figure
        The figure holding ``ax_``.

    bars_ : dict of str to matplotlib BarContainer
        The histogram of each label (``"all rows"`` without labels).

    offset_line_ : matplotlib Line2D or None
        The threshold's line.

    See Also
    --------
    AutoencoderAnomalyDetector : The detector whose scores this draws.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skae import AutoencoderAnomalyDetector, ScoreDistributionDisplay
    >>> rng = np.random.RandomState(0)
    >>> X = np.vstack([rng.normal(size=(100, 4)), rng.normal(6, 1, size=(5, 4))])
    >>> y = np.r_[np.ones(100), -np.ones(5)]
    >>> detector = AutoencoderAnomalyDetector(n_estimators=2, max_iter=3, random_state=0)
    >>> display = ScoreDistributionDisplay.from_estimator(detector.fit(X), X, y)
    >>> sorted(display.bars_)
    ['-1.0', '1.0']
    """

    def __init__(self, scores, y=None, *, offset=None, estimator_name=None):
        self.scores = scores
        self.y = y
        self.offset = offset
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, X, y=None, *, bins=30, ax=None, hist_kw=None):
        """Score X with a fitted estimator and draw the distribution.

        Parameters
        ----------
        estimator : fitted estimator with ``score_samples``
            An :class:`AutoencoderAnomalyDetector` (its ``offset_`` is
            drawn) or any autoencoder with ``score_samples``.

        X : array-like of shape (n_samples, n_features)
            Rows to score.

        y : array-like of shape (n_samples,) or None, default=None
            Labels, for example 1 for inliers and -1 for outliers as
            ``predict`` gives them.

        bins, ax, hist_kw
            Passed to :meth:`plot`.

        Returns
        -------
        display : ScoreDistributionDisplay
        """
        _check_matplotlib_support(f"{cls.__name__}.from_estimator")
        check_is_fitted(estimator)
        if not hasattr(estimator, "score_samples"):
            raise TypeError(f"{_estimator_name(estimator)} has no score_samples.")
        return cls.from_scores(
            estimator.score_samples(X), y, offset=getattr(estimator, "offset_", None),
            estimator_name=_estimator_name(estimator), bins=bins, ax=ax, hist_kw=hist_kw,
        )

    @classmethod
    def from_scores(cls, scores, y=None, *, offset=None, estimator_name=None, bins=30,
                    ax=None, hist_kw=None):
        """Draw scores computed beforehand.

        Parameters
        ----------
        scores : array-like of shape (n_samples,)
            The scores.

        y, offset, estimator_name
            See the class.

        bins, ax, hist_kw
            Passed to :meth:`plot`.

        Returns
        -------
        display : ScoreDistributionDisplay
        """
        _check_matplotlib_support(f"{cls.__name__}.from_scores")
        scores = _checked_values(scores, 1, "scores")
        y = _checked_labels(y, len(scores), "score")
        display = cls(scores, y, offset=offset, estimator_name=estimator_name)
        return display.plot(ax=ax, bins=bins, hist_kw=hist_kw)

    def plot(self, ax=None, *, bins=30, hist_kw=None):
        """Draw the display.

        Parameters
        ----------
        ax : matplotlib Axes or None, default=None
            Where to draw; None makes a new figure.

        bins : int, default=30
            Number of bins, shared by every label's histogram.

        hist_kw : dict or None, default=None
            Keywords for ``ax.hist``.

        Returns
        -------
        display : ScoreDistributionDisplay
            This display, with the attributes of the class set.
        """
        _check_matplotlib_support(f"{type(self).__name__}.plot")
        ax = _new_axes(ax)
        scores = np.asarray(self.scores, dtype=float)
        finite = scores[np.isfinite(scores)]
        edges = np.histogram_bin_edges(finite, bins=bins)
        hist_kw = {"alpha": 0.6, **({} if hist_kw is None else hist_kw)}
        groups = {"all rows": scores} if self.y is None else {
            str(label): scores[self.y == label] for label in np.unique(self.y)
        }
        self.bars_ = {}
        for label, values in groups.items():
            _, _, self.bars_[label] = ax.hist(
                values[np.isfinite(values)], bins=edges, label=label, **hist_kw
            )
        self.offset_line_ = None
        if self.offset is not None:
            self.offset_line_ = ax.axvline(
                self.offset, color="black", linestyle="--", label="offset_ (threshold)"
            )
        ax.set_xlabel("score_samples (higher is more normal)")
        ax.set_ylabel("rows")
        ax.legend(loc="best", fontsize="small")
        if self.estimator_name:
            ax.set_title(f"{self.estimator_name} scores")
        self.ax_, self.figure_ = ax, ax.figure
        return self
