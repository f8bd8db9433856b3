"""The base of autoencoders whose rows have a shape: images, signals, sequences.

Rows stay flat, as everywhere in scikit-learn (``n_features_in_`` is the row
width and outputs are 2-D); the network reshapes them inside. The public
methods also take N-D arrays of shape ``(n_samples, *shape)``: they check
the shape and flatten them, in ``fit`` and in every inference method alike,
and never write the shape parameter (the shape used is a fitted attribute).
"""

import math

import numpy as np

from ._autoencoder import AutoencoderTransformer


def _shape_text(shape):
    return f"(n_samples, {', '.join(map(str, shape))})"


class ShapedAutoencoder(AutoencoderTransformer):
    """Flat rows or N-D arrays in, one shape per row inside the network.

    Subclasses name their shape parameter in ``_shape_param`` (its fitted
    value is ``_shape_param + "_"``), say what a row is in ``_row_kind``,
    and implement the four hooks below.
    """

    _shape_param = None
    _row_kind = None

    # ------------------------------------------------ the subclass hooks

    def _check_shape(self, shape, n_features):
        """Raise a ValueError unless the shape parameter's ``shape`` fits rows of ``n_features``."""
        raise NotImplementedError

    def _shape_from_array(self, row_shape):
        """The row shape inside the network for N-D input whose rows have ``row_shape``."""
        raise NotImplementedError

    def _default_shape(self, n_features):
        """The row shape for flat rows of ``n_features`` when the parameter is None."""
        raise NotImplementedError

    def _check_network_params(self):
        """Raise a ValueError for network parameters the constraints cannot check."""
        raise NotImplementedError

    # Convolutions gained no time an epoch from 512-row batches, and the
    # fewer steps left them behind after as many epochs (see batch_size).
    _auto_batch_max = 200

    # ------------------------------------------------------- N-D input

    @staticmethod
    def _rows(X):
        """``X`` as flat rows, and the shape of one row when X was N-D."""
        ndim = getattr(X, "ndim", None)  # arrays, DataFrames, sparse matrices
        if ndim is None and isinstance(X, (list, tuple)):
            ndim = np.ndim(X)
        if ndim is None or ndim <= 2:  # validated as rows, as usual
            return X, None
        X = np.asarray(X)
        return X.reshape(len(X), -1), tuple(int(s) for s in X.shape[1:])

    def _accepts(self, row_shape, shape):
        """Whether N-D input of ``row_shape`` holds rows of ``shape``."""
        return row_shape == shape

    def _check_row_shape(self, row_shape, shape, method):
        if row_shape is None or self._accepts(row_shape, shape):
            return
        raise ValueError(
            f"{type(self).__name__}.{method} got arrays of shape {_shape_text(row_shape)}, "
            f"but {self._shape_param} is {shape}: pass rows of {math.prod(shape)} "
            f"features or arrays of shape (n_samples, *{shape})."
        )

    def fit(self, X, y=None):
        """Fit the autoencoder to reconstruct X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or ``(n_samples, *shape)``
            Training rows, flat or N-D (see the shape parameter).
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, self._fit_row_shape = self._rows(X)
        try:
            return super().fit(X, y)
        finally:
            del self._fit_row_shape

    def partial_fit(self, X, y=None):
        """Train for one pass over X, going on from the previous call.

        As :meth:`AutoencoderTransformer.partial_fit`; X may be flat rows or
        N-D arrays.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or ``(n_samples, *shape)``
            A chunk of training rows.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            The estimator, trained on one more chunk.
        """
        X, self._fit_row_shape = self._rows(X)
        try:
            return super().partial_fit(X, y)
        finally:
            del self._fit_row_shape

    def transform(self, X):
        """Encode X into codes of ``n_components_`` numbers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or ``(n_samples, *shape)``
            Rows to encode, flat or N-D.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components), dtype float64
            The codes.
        """
        return super().transform(self._inference_rows(X, "transform"))

    def score_samples(self, X):
        """Negative reconstruction error of each row (higher is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or ``(n_samples, *shape)``
            Rows to score, flat or N-D.

        Returns
        -------
        scores : ndarray of shape (n_samples,), dtype float64
            Negative mean reconstruction error of each row.
        """
        return super().score_samples(self._inference_rows(X, "score_samples"))

    def _inference_rows(self, X, method):
        X, row_shape = self._rows(X)
        fitted = getattr(self, self._shape_param + "_", None)
        if row_shape is not None and fitted is not None:
            self._check_row_shape(row_shape, fitted, method)
        return X

    # --------------------------------------------------------- the shape

    def _row_shape(self, n_features):
        """The shape of one row inside the network, checked against the data."""
        row_shape = getattr(self, "_fit_row_shape", None)
        if getattr(self, self._shape_param) is not None:
            self._check_widths(self._shape_param, allow_empty=False)
            shape = self._widths(self._shape_param)
            self._check_shape(shape, n_features)
            self._check_row_shape(row_shape, shape, "fit")
            return shape
        if row_shape is not None:
            return self._shape_from_array(row_shape)
        return self._default_shape(n_features)

    def _refuse_array(self, row_shape, expected):
        raise ValueError(
            f"{type(self).__name__} takes {self._row_kind} of shape {expected}; got arrays "
            f"of shape {_shape_text(row_shape)}. Set {self._shape_param} or pass flat rows."
        )

    def _shape_attributes(self, n_features):
        """The fitted attributes that follow from the rows' shape, by name.

        The shape itself; families whose network depends on more add theirs.
        """
        return {self._shape_param + "_": self._row_shape(n_features)}

    def _check_continues(self, attributes):
        """A fit that continues the fitted network must find the same ``attributes``."""
        for name, value in attributes.items():
            fitted = getattr(self, name)
            if value == fitted:
                continue
            what = (f"on {self._row_kind} of shape {fitted}, not {value}"
                    if name == self._shape_param + "_" else f"with {name}={fitted}, not {value}")
            raise ValueError(
                f"{type(self).__name__} cannot continue from its fitted network: "
                f"it was fitted {what}. Fit it anew with warm_start=False."
            )

    def _check_params_against(self, X):
        self._check_network_params()
        self._check_loss_range(X)

    def _fit(self, X, *, continuing=False, partial=False):
        # Set, as n_features_in_ is, before the networks are built from them;
        # a fit that continues must find them unchanged, so that a failure
        # leaves the fitted state as it was.
        attributes = self._shape_attributes(X.shape[1])
        if continuing:
            self._check_continues(attributes)
        for name, value in attributes.items():
            setattr(self, name, value)
        return super()._fit(X, continuing=continuing, partial=partial)
