"""DenoisingAutoencoder: reconstruct clean rows from corrupted copies."""

from numbers import Real

from ._autoencoder import AutoencoderTransformer
from ._compat import Interval, StrOptions
from ._numerics import SECOND_STREAM_SEED_OFFSET


class DenoisingAutoencoder(AutoencoderTransformer):
    """An autoencoder trained to undo corruption of its input, used like PCA.

    While training, each batch is corrupted afresh (Gaussian noise, masking
    or salt-and-pepper) and the network learns to reconstruct the clean
    batch, so it learns the structure of the data rather than the identity.
    ``transform``, ``inverse_transform`` and the scores see the input as
    given: the corruption is active only during ``fit``.

    Parameters
    ----------
    n_components : int, default=2
        Size of the code. Smaller than ``n_features`` compresses
        (undercomplete); larger is allowed (overcomplete) and is then usually
        combined with noise or sparsity. The default of 2 suits a first look
        at the data, as for the manifold learners; choose it as you would for
        PCA.

    noise : {"gaussian", "masking", "salt_and_pepper"}, default="gaussian"
        How inputs are corrupted while training: ``"gaussian"`` adds noise of
        standard deviation ``noise_level``; ``"masking"`` sets each input to
        zero with probability ``noise_level`` (dropout on the inputs, without
        rescaling); ``"salt_and_pepper"`` sets each input with probability
        ``noise_level`` to its feature's training minimum or maximum.

    noise_level : float, default=0.1
        Standard deviation (Gaussian, in the units of X) or probability
        (masking, salt-and-pepper). 0.1 is a mild corruption of standardized
        data: stronger noise regularizes more but needs many more epochs to
        converge.

    clip : bool, default=False
        Clip corrupted inputs to each feature's training range, for data
        with hard bounds such as pixel intensities in [0, 1].

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
        The fitted autoencoder, with the corruption layer in front (inactive
        outside training).

    encoder_, decoder_ : keras.Model
        Encoder and decoder, sharing their weights with ``model_``.

    n_components_, output_activation_, linear_components_, n_iter_, loss_curve_, validation_scores_, \
best_validation_score_, n_features_in_, feature_names_in_
        As in :class:`AutoencoderTransformer`.

    See Also
    --------
    AutoencoderTransformer : The same network trained without corruption.

    Examples
    --------
    >>> import numpy as np
    >>> from skae import DenoisingAutoencoder
    >>> X = np.random.RandomState(0).normal(size=(200, 10))
    >>> dae = DenoisingAutoencoder(3, noise="masking", noise_level=0.2,
    ...                            max_iter=3, random_state=0).fit(X)
    >>> dae.transform(X[:2]).shape
    (2, 3)
    """

    _parameter_constraints = {
        **AutoencoderTransformer._parameter_constraints,
        "noise": [StrOptions({"gaussian", "masking", "salt_and_pepper"})],
        "noise_level": [Interval(Real, 0, None, closed="left")],
        "clip": ["boolean"],
    }

    def __init__(
        self,
        n_components=2,
        *,
        noise="gaussian",
        noise_level=0.1,
        clip=False,
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
        super().__init__(
            n_components,
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            output_activation=output_activation,
            linear_components=linear_components,
            loss=loss,
            optimizer=optimizer,
            learning_rate=learning_rate,
            learning_rate_schedule=learning_rate_schedule,
            batch_size=batch_size,
            max_iter=max_iter,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            alpha=alpha,
            tied_weights=tied_weights,
            code_activation=code_activation,
            code_l1=code_l1,
            sparsity_target=sparsity_target,
            sparsity_weight=sparsity_weight,
            random_state=random_state,
            verbose=verbose,
            warm_start=warm_start,
        )
        self.noise = noise
        self.noise_level = noise_level
        self.clip = clip

    def _check_params_against(self, X):
        super()._check_params_against(X)
        if self.noise != "gaussian" and self.noise_level > 1:
            raise ValueError(
                f"noise_level is a probability for noise={self.noise!r} and must "
                f"be in [0, 1], got {self.noise_level}."
            )

    def _build_networks(self, X, seed):
        from . import _keras
        corruption = dict(
            kind=self.noise,
            level=self.noise_level,
            low=X.min(axis=0).tolist(),
            high=X.max(axis=0).tolist(),
            clip=self.clip,
            seed=seed + SECOND_STREAM_SEED_OFFSET,
        )
        return _keras.networks.dense_autoencoder(
            X.shape[1],
            self.n_components,
            self._hidden_layer_sizes(),
            corruption=corruption,
            seed=seed,
            **self._dense_network_params(),
        )
