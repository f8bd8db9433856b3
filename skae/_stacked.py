"""StackedAutoencoder: greedy layer-wise pretraining, then fine-tuning."""

from numbers import Integral

import numpy as np

from ._autoencoder import AutoencoderTransformer
from ._compat import Interval


class StackedAutoencoder(AutoencoderTransformer):
    """A deep autoencoder pretrained one layer at a time, used like PCA.

    Greedy layer-wise pretraining (Bengio et al., 2007): the first encoder
    layer and its mirror decoder layer are trained as a shallow autoencoder
    of the input; the next pair as a shallow autoencoder of the first
    layer's codes; and so on up to the code. Then the whole stack is
    fine-tuned end to end. Either step can be switched off.

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

    pretrain : bool, default=True
        Pretrain each encoder layer with its mirror decoder layer as a
        shallow autoencoder of the codes below it, from the input up.

    fine_tune : bool, default=True
        Then train the whole stack end to end for up to ``max_iter`` epochs.

    pretrain_max_iter : int, default=50
        Maximum epochs of pretraining per layer (early stopping applies as
        for fine-tuning). A quarter of ``max_iter``: pretraining only has to
        find a good starting point.

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
    pretrain_loss_curves_ : list of list of float or None
        Training loss at each pretraining epoch, one list per layer from the
        input up; None when ``pretrain=False``.

    n_iter_ : int
        Epochs of fine-tuning (0 when ``fine_tune=False``).

    loss_curve_, validation_scores_
        Per fine-tuning epoch, as in :class:`AutoencoderTransformer` (empty
        when ``fine_tune=False``).

    model_, encoder_, decoder_, n_components_, output_activation_, linear_components_, best_validation_score_, \
n_features_in_, feature_names_in_
        As in :class:`AutoencoderTransformer`.

    See Also
    --------
    AutoencoderTransformer : The same network trained end to end only.

    Examples
    --------
    >>> import numpy as np
    >>> from skae import StackedAutoencoder
    >>> X = np.random.RandomState(0).normal(size=(200, 10))
    >>> sae = StackedAutoencoder(2, hidden_layer_sizes=(6, 4), pretrain_max_iter=3,
    ...                          max_iter=3, random_state=0).fit(X)
    >>> len(sae.pretrain_loss_curves_)
    3
    """

    _parameter_constraints = {
        **AutoencoderTransformer._parameter_constraints,
        "pretrain": ["boolean"],
        "fine_tune": ["boolean"],
        "pretrain_max_iter": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        n_components=2,
        *,
        hidden_layer_sizes=(256,),
        pretrain=True,
        fine_tune=True,
        pretrain_max_iter=50,
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
        self.pretrain = pretrain
        self.fine_tune = fine_tune
        self.pretrain_max_iter = pretrain_max_iter

    def _check_params_against(self, X):
        super()._check_params_against(X)
        if not (self.pretrain or self.fine_tune):
            raise ValueError("At least one of pretrain and fine_tune must be True.")

    def _start_path(self, networks):
        if not self.pretrain:
            super()._start_path(networks)
        # else after pretraining: zeroed layers would learn nothing in it.

    def _train_networks(self, networks, X_train, X_val, *, seed, max_iter, from_scratch,
                        **options):
        # Continued and partial fits train end to end: pretraining again
        # would overwrite what they continue.
        from . import _keras
        pretrain = self.pretrain and from_scratch
        curves, interrupted = (self._pretrain(networks, X_train, X_val, seed) if pretrain
                               else (None, False))
        if interrupted:
            # Ctrl-C while pretraining: keep the levels trained so far, no fine-tuning.
            result = _keras.training.TrainingResult(
                loss_curve=[], validation_errors=[], n_iter=0, stopped_early=False,
                diverged=False, interrupted=True,
            )
        elif self.fine_tune or not from_scratch:
            result = super()._train_networks(networks, X_train, X_val, seed=seed,
                                             max_iter=max_iter, from_scratch=from_scratch,
                                             **options)
        else:
            result = _keras.training.TrainingResult(
                loss_curve=[], validation_errors=[], n_iter=0, stopped_early=False,
                diverged=False,
            )
        if from_scratch or not hasattr(self, "pretrain_loss_curves_"):
            result.extra["pretrain_loss_curves_"] = curves
        return result

    def _pretrain(self, networks, X_train, X_val, seed):
        """Train each level as a shallow autoencoder of the level below's codes.

        Returns the levels' loss curves, and whether the user interrupted.
        """
        from . import _keras
        nets, export = _keras.networks, _keras.export
        curves = []
        H_train, H_val = X_train, X_val
        for i, level in enumerate(networks.levels):
            # Above the input the targets are hidden codes, not data in
            # [0, 1]: they are reconstructed in squared error.
            loss = self.loss if i == 0 else "mse"
            result = self._train(
                nets.level_model(networks, i), H_train, H_val, seed=seed + i + 1,
                max_iter=self.pretrain_max_iter, loss=loss,
            )
            self._check_converged(result, f" while pretraining layer {i}")
            curves.append(result.loss_curve)
            if result.interrupted:
                return curves, True
            if i < len(networks.levels) - 1:
                encode = export.forward(level.encode)  # reads the weights once
                H_train = encode(H_train).astype(np.float32)
                if H_val is not None:
                    H_val = encode(H_val).astype(np.float32)
        if networks.path is not None and self.fine_tune:
            # Fine-tuning starts at PCA's solution too, from the pretrained
            # inner layers.
            networks.start_at_components(*networks.path.start)
        elif networks.path is not None:
            networks.close_path()  # the pretrained stack is the result
        return curves, False
