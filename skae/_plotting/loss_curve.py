"""LossCurveDisplay."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._common import (
    _check_matplotlib_support,
    _estimator_name,
    _new_axes,
)


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
