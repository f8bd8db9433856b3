"""DenoisingAutoencoder: reconstruct clean rows from corrupted copies."""

from numbers import Real

from ._autoencoder import AutoencoderTransformer, fill_parameters_doc
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
%(parameters)s    Attributes
    ----------
    model_ : keras.Model
        The fitted autoencoder, with the corruption layer in front (inactive
        outside training).

    encoder_, decoder_ : keras.Model
        Encoder and decoder, sharing their weights with ``model_``.

    n_components_, output_activation_, n_iter_, loss_curve_, validation_scores_, \
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


fill_parameters_doc(
    DenoisingAutoencoder,
    extra="""\
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

""",
)
