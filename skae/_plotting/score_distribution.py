"""ScoreDistributionDisplay."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._common import (
    _check_matplotlib_support,
    _checked_labels,
    _checked_values,
    _estimator_name,
    _new_axes,
)


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
