"""LatentSpaceDisplay."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._common import (
    _check_matplotlib_support,
    _checked_labels,
    _checked_values,
    _estimator_name,
    _new_axes,
)


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
