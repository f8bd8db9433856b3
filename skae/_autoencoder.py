"""AutoencoderTransformer: a Keras autoencoder with PCA's interface."""

import numpy as np
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ._base import (
    TRAINING_PARAMETERS,
    BaseAutoencoder,
    _reconstruction_errors,
    cleared_on_failure,
    constraints,
    warn_if_interrupted,
)
from ._compat import _fit_context


def mean_score(scores):
    """The mean of finite ``scores`` as a float, even where their sum overflows."""
    mean = np.mean(scores)
    if not np.isfinite(mean):
        mean = np.sum(scores / len(scores))
    return float(mean)


class AutoencoderTransformer(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseAutoencoder
):
    """Dimensionality reduction with a dense autoencoder, used like PCA.

    An encoder network maps each row to ``n_components`` numbers (the code)
    and a decoder that mirrors it maps the code back; both are trained
    together to reconstruct the input. ``transform`` returns the code,
    ``inverse_transform`` the reconstruction from a code. With no hidden
    layers and linear activations the autoencoder spans the same subspace as
    PCA; hidden layers with non-linear activations let it follow curved
    structure that PCA cannot.

    As for any neural network, scale the input first (``StandardScaler`` in a
    :class:`~sklearn.pipeline.Pipeline`), or ``MinMaxScaler`` with
    ``loss="binary_crossentropy"``.

    Parameters
    ----------
    n_components : int, default=2
        Size of the code. Smaller than ``n_features`` compresses
        (undercomplete); larger is allowed (overcomplete) and is then usually
        combined with noise or sparsity. The default of 2 suits a first look
        at the data, as for the manifold learners; choose it as you would for
        PCA.

    hidden_layer_sizes : array-like of int, default=(256,)
        Widths of the encoder's hidden layers, from input to code; the decoder
        mirrors them. ``()`` gives a shallow (one-layer) autoencoder. One
        hidden layer of 256 units beats PCA on image and tabular data of up
        to a few thousand features and fits in seconds to minutes on a CPU.
        The measurements are on the documentation's results pages.

    activation : str, default="relu"
        Activation of the hidden layers, by its Keras name ("relu", "elu",
        "tanh", "linear", ...).

    output_activation : str, default="auto"
        Activation of the reconstruction, a Keras name or skae's
        "unit_clip" (the identity on [0, 1], clipped to it outside). "auto"
        picks "sigmoid" when ``loss="binary_crossentropy"``. When every
        training value lies in [0, 1] (pixels, ``MinMaxScaler`` output) and
        the network is non-linear, it bounds the reconstruction to that
        range. Where the network starts at PCA's reconstruction (a dense or
        convolutional network's linear path, see ``linear_components``) it
        picks "unit_clip", which keeps that start: the path's reconstruction
        plus the network's own layers, ending in a sigmoid as a plain
        network's do, clipped to [0, 1]. Elsewhere "sigmoid". Else "linear",
        as PCA's reconstruction. The choice is ``output_activation_``.

    linear_components : int or "auto", default="auto"
        Rank of a linear path beside the network, from the input to the code
        and from the code to the reconstruction: the network contains a
        linear autoencoder of that rank, and its own layers fit what it
        misses. A dense or convolutional network's path starts at PCA's
        solution, with the network's last layers at zero, so training starts
        from PCA's error. "auto" is ``n_components``, and ``n_components // 2``
        for a recurrent network, whose full-rank path tells unusual sequences
        from usual ones less well (see the sequences results page). 0 is the
        plain network; the rank used is ``linear_components_``.

    loss : {"mse", "mae", "binary_crossentropy"}, default="mse"
        Reconstruction loss, also used by ``score`` and ``score_samples``.
        Binary cross-entropy needs X in [0, 1].

    optimizer : {"adam", "adamw", "nadam", "rmsprop", "sgd"}, default="adam"
        Keras optimizer. Adam needs the least tuning.

    learning_rate : float, default=3e-3
        Initial step size of the optimizer: three times Adam's usual 1e-3,
        because the schedule cuts it on plateaus.

    learning_rate_schedule : {"plateau", "cosine", "constant"}, default="plateau"
        How the step size moves during ``fit``. "plateau" divides it by 10
        after ``n_iter_no_change // 2`` epochs without improvement, at most
        three times, and training stops only after ``n_iter_no_change``
        epochs without improvement at the last rate. "cosine" lowers it
        from ``learning_rate`` towards zero along half a cosine over
        ``max_iter`` epochs; "constant" keeps it. "plateau" needs no epoch
        budget, so it ends with early stopping; "cosine" does better when
        all ``max_iter`` epochs can be afforded.

    batch_size : int or "auto", default="auto"
        Rows per gradient step. "auto" is ``n_samples // 32`` kept within
        [32, 512] for ``AutoencoderTransformer``, ``DenoisingAutoencoder``
        and ``StackedAutoencoder``, within [32, 200] for the others: at
        least about 32 steps per epoch on small data, where MLPRegressor's
        ``min(200, n_samples)`` leaves too few steps between two checks of
        the stopping rule, and large batches on large data.

    max_iter : int, default=200
        Maximum number of epochs (passes over the training rows).

    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the rows, stop when their loss
        stops improving (see ``tol`` and ``learning_rate_schedule``) and
        restore the weights of their best epoch (or of the start, if no epoch
        beats it), however training ended. On by default, unlike
        MLPRegressor: it is the regularizer that needs no
        tuning, and it keeps fits short. When off, training stops on the
        training loss by the same rule.

    validation_fraction : float, default=0.1
        Share of the rows held out for early stopping.

    n_iter_no_change : int, default=10
        Epochs without improvement before stopping (at the last rate of the
        "plateau" schedule).

    tol : float, default=1e-4
        Relative improvement that counts: an epoch improves when its
        monitored loss is below ``(1 - tol)`` times the best so far. Relative,
        unlike MLPRegressor's absolute ``tol``, so that when training stops
        does not depend on the scale of the data: an absolute 1e-4 stopped
        fits of pixels in [0, 1] long before they converged.

    alpha : float, default=0.0
        L2 penalty on the kernels, added to the loss as
        ``alpha * sum(w ** 2)`` (Keras' convention, not divided by
        ``n_samples`` as in MLPRegressor). Off by default: early stopping
        already regularizes, and weight decay would keep a linear autoencoder
        from reaching PCA's error.

    tied_weights : bool, default=False
        Make each decoder kernel the transpose of its mirror encoder kernel
        (biases are not shared), halving the kernels to learn. A classic
        regularizer for autoencoders; a tied linear autoencoder still
        recovers PCA's subspace.

    code_activation : str, default="linear"
        Activation of the code layer. Linear, as in PCA, unless a bounded code
        is wanted (``"sigmoid"``, needed by ``sparsity_target``).

    code_l1 : float, default=0.0
        Weight of an L1 penalty on the code, ``code_l1 * mean_rows(sum |h|)``,
        which drives most code units to zero for each row (a sparse code).

    sparsity_target : float in (0, 1) or None, default=None
        Target mean activation of each code unit for a KL-divergence
        sparsity penalty (the sparse autoencoder of Ng); needs
        ``code_activation="sigmoid"``. None turns the penalty off.

    sparsity_weight : float, default=1.0
        Weight of the KL-divergence sparsity penalty.

    random_state : int, RandomState instance or None, default=None
        Decides every random draw: the initial weights, the validation split,
        the order of the batches and any corruption noise. Pass an int for
        identical results across calls and processes. The seeds are local:
        TensorFlow's and Keras' global seeds are neither touched nor used, so
        ``tf.random.set_seed`` or ``keras.utils.set_random_seed`` change
        nothing.

    verbose : int, default=0
        When positive, print one line per epoch: training loss, validation
        error, learning rate, seconds elapsed and an upper bound of the
        seconds left (were all ``max_iter`` epochs to run).

    warm_start : bool, default=False
        When True, ``fit`` starts from the weights of the previous fit
        instead of new ones (with a new optimizer), as in
        :class:`~sklearn.neural_network.MLPRegressor`; ``n_iter_`` and
        ``loss_curve_`` then go on counting. The network's shapes must not
        change between the fits.

    Attributes
    ----------
    model_ : keras.Model
        The fitted autoencoder ``decoder_(encoder_(x))``.

    encoder_ : keras.Model
        Maps rows to codes; shares its weights with ``model_``.

    decoder_ : keras.Model
        Maps codes to reconstructions; shares its weights with ``model_``.
        The estimator's own methods compute in NumPy from a copy of these
        weights taken when ``fit`` ends, which is also what it saves: weights
        changed by hand in the Keras models afterwards are not seen by them.
        The models are rebuilt from that copy when first asked for after
        loading.

    n_components_ : int
        Size of the code.

    output_activation_ : str
        Activation of the reconstruction, with "auto" resolved for the
        training rows.

    linear_components_ : int
        Rank of the linear path beside the network (see
        ``linear_components``; 0: no path).

    n_iter_ : int
        Number of epochs run.

    loss_curve_ : list of float
        Training loss (with penalties) at the end of each epoch.

    validation_scores_ : list of float or None
        Negative reconstruction error on the held-out rows at each epoch, as
        ``score`` would give; None without early stopping.

    best_validation_score_ : float or None
        The best of ``validation_scores_``; None without early stopping.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    sklearn.decomposition.PCA : The linear method an autoencoder generalizes.
    sklearn.neural_network.MLPRegressor : A dense network for supervised
        regression.

    Notes
    -----
    Training computes in float32, Keras' default and the faster type for
    training on a CPU. Inference (``transform``, ``inverse_transform``, the scores)
    computes in float64 from the trained weights and returns float64, as PCA
    does: in float32 a row's result would depend on which other rows share
    its call, by different amounts on different CPUs. In float64 it depends
    on them only by float64 rounding.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skae import AutoencoderTransformer
    >>> X = StandardScaler().fit_transform(load_digits().data)
    >>> ae = AutoencoderTransformer(n_components=8, max_iter=5, random_state=0)
    >>> codes = ae.fit_transform(X)
    >>> codes.shape
    (1797, 8)
    >>> ae.inverse_transform(codes).shape
    (1797, 64)
    """

    def __init__(
        self,
        n_components=2,
        *,
        hidden_layer_sizes=(256,),
        activation="relu",
        output_activation="auto",
        linear_components="auto",
        loss="mse",
        optimizer="adam",
        learning_rate=3e-3,
        learning_rate_schedule="plateau",
        batch_size="auto",
        max_iter=200,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        alpha=0.0,
        tied_weights=False,
        code_activation="linear",
        code_l1=0.0,
        sparsity_target=None,
        sparsity_weight=1.0,
        random_state=None,
        verbose=0,
        warm_start=False,
    ):
        self.n_components = n_components
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.output_activation = output_activation
        self.linear_components = linear_components
        self.loss = loss
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.learning_rate_schedule = learning_rate_schedule
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.alpha = alpha
        self.tied_weights = tied_weights
        self.code_activation = code_activation
        self.code_l1 = code_l1
        self.sparsity_target = sparsity_target
        self.sparsity_weight = sparsity_weight
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start

    # Dense networks on large data: 512-row batches keep the cores busier
    # (measured, see batch_size).
    _auto_batch_max = 512

    _parameter_constraints = constraints(
        "n_components", "hidden_layer_sizes", "activation", "output_activation",
        "linear_components", "loss",
        *TRAINING_PARAMETERS, "tied_weights", "code_activation", "code_l1", "sparsity_target",
        "sparsity_weight", "random_state", "verbose", "warm_start",
    )

    def _warm_start(self):
        return bool(self.warm_start) and self._has_networks()

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Train for one pass over X, going on from the previous call.

        For data that do not fit in memory: call it once per chunk of rows,
        as :meth:`sklearn.neural_network.MLPRegressor.partial_fit` or
        :meth:`sklearn.decomposition.IncrementalPCA.partial_fit`. The first
        call (on an unfitted estimator) builds the network; later calls
        continue its weights and the optimizer's state (Adam's moments).
        No rows are held out: early stopping and the learning-rate schedule
        need whole epochs and do not apply, so the learning rate stays
        ``learning_rate``. Called after ``fit``, it continues the fitted
        weights with a new optimizer. A chunk on which training diverges
        raises and leaves the estimator as it was.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A chunk of training rows.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            The estimator, trained on one more chunk.
        """
        first = not self._has_networks()
        with cleared_on_failure(self, self._fitted_private, clear=first):
            X = self._validate_rows(X, reset=first)
            self._fit(X, continuing=not first, partial=True)
        warn_if_interrupted(self)
        return self

    def transform(self, X):
        """Encode X into codes of ``n_components_`` numbers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to encode.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components), dtype float64
            The codes.
        """
        check_is_fitted(self)
        X = self._validate_input(X)
        return self._finite(self._encode(X), X, "transform")

    def inverse_transform(self, X):
        """Decode codes back to the input space.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Codes, as returned by ``transform``.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features), dtype float64
            The reconstructions.
        """
        check_is_fitted(self)
        codes = self._validate_codes(X)
        return self._finite(self._decode(codes), codes, "inverse_transform")

    def score_samples(self, X):
        """Negative reconstruction error of each row (higher is better).

        The error is the mean over features of the training ``loss``
        (squared error for ``"mse"``), so it is on the scale of the data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,), dtype float64
            Negative mean reconstruction error of each row.
        """
        check_is_fitted(self)
        X = self._validate_input(X)
        self._check_loss_range(X)
        errors = _reconstruction_errors(X, self._reconstruct(X), self.loss)
        return -self._finite(errors, X, "score_samples")

    def score(self, X, y=None):
        """Negative mean reconstruction error of X (higher is better).

        Lets :class:`~sklearn.model_selection.GridSearchCV` tune an
        autoencoder with no labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to reconstruct.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        score : float
            ``score_samples(X).mean()``.
        """
        return mean_score(self.score_samples(X))

    @property
    def _n_features_out(self):
        return self.n_components_

