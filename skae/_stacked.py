"""StackedAutoencoder: greedy layer-wise pretraining, then fine-tuning."""

from numbers import Integral

import numpy as np

from ._autoencoder import AutoencoderTransformer, fill_parameters_doc
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
%(parameters)s    Attributes
    ----------
    pretrain_loss_curves_ : list of list of float or None
        Training loss at each pretraining epoch, one list per layer from the
        input up; None when ``pretrain=False``.

    n_iter_ : int
        Epochs of fine-tuning (0 when ``fine_tune=False``).

    loss_curve_, validation_scores_
        Per fine-tuning epoch, as in :class:`AutoencoderTransformer` (empty
        when ``fine_tune=False``).

    model_, encoder_, decoder_, n_components_, output_activation_, best_validation_score_, \
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

    def _train_networks(self, networks, X_train, X_val, *, seed, max_iter, from_scratch,
                        **options):
        # Continued and partial fits train end to end: pretraining again
        # would overwrite what they continue.
        from . import _keras
        pretrain = self.pretrain and from_scratch
        curves = self._pretrain(networks, X_train, X_val, seed) if pretrain else None
        if self.fine_tune or not from_scratch:
            result = self._train(
                networks.model, X_train, X_val, seed=seed, max_iter=max_iter,
                **options,
            )
        else:
            result = _keras.training.TrainingResult(
                loss_curve=[], validation_errors=[], n_iter=0, stopped_early=False,
                diverged=False,
            )
        if from_scratch or not hasattr(self, "pretrain_loss_curves_"):
            result.extra["pretrain_loss_curves_"] = curves
        return result

    def _pretrain(self, networks, X_train, X_val, seed):
        """Train each level as a shallow autoencoder of the level below's codes."""
        from . import _keras
        nets, inference = _keras.networks, _keras.inference
        curves = []
        H_train, H_val = X_train, X_val
        for i, level in enumerate(networks.levels):
            # Above the input the targets are hidden codes, not data in
            # [0, 1]: they are reconstructed in squared error.
            loss = self.loss if i == 0 else "mse"
            result = self._train(
                nets.level_model(level), H_train, H_val, seed=seed + i + 1,
                max_iter=self.pretrain_max_iter, loss=loss,
            )
            self._check_converged(result, f" while pretraining layer {i}")
            curves.append(result.loss_curve)
            if i < len(networks.levels) - 1:
                encode = inference.Forward(level.encode)  # reads the weights once
                H_train = encode(H_train).astype(np.float32)
                if H_val is not None:
                    H_val = encode(H_val).astype(np.float32)
        return curves


fill_parameters_doc(
    StackedAutoencoder,
    extra="""\
    pretrain : bool, default=True
        Pretrain each encoder layer with its mirror decoder layer as a
        shallow autoencoder of the codes below it, from the input up.

    fine_tune : bool, default=True
        Then train the whole stack end to end for up to ``max_iter`` epochs.

    pretrain_max_iter : int, default=50
        Maximum epochs of pretraining per layer (early stopping applies as
        for fine-tuning). A quarter of ``max_iter``: pretraining only has to
        find a good starting point.

""",
)
