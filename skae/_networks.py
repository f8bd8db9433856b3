"""Keras network builders.

Plain functions of shapes and hyper-parameters that return Keras models. They
know nothing of scikit-learn and can be used and tested on their own. This
module imports Keras at module level: import it through
``skae._keras.keras_module("_networks")``.
"""

import keras

ENCODER_NAME = "encoder"
DECODER_NAME = "decoder"


def _dense(units, activation, *, seed, alpha, name):
    """A Dense layer with a seeded Glorot initializer and optional L2."""
    return keras.layers.Dense(
        units,
        activation=activation,
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed),
        kernel_regularizer=keras.regularizers.L2(alpha) if alpha > 0 else None,
        name=name,
    )


def dense_mlp(n_inputs, layer_sizes, activations, *, seed, alpha, name):
    """A feed-forward stack ``n_inputs -> layer_sizes[0] -> ... -> layer_sizes[-1]``.

    Each layer gets its own seed (``seed``, ``seed + 1``, ...), so two layers
    never share initial weights.
    """
    inputs = keras.Input(shape=(n_inputs,), name=f"{name}_input")
    outputs = inputs
    for i, (units, activation) in enumerate(zip(layer_sizes, activations)):
        layer = _dense(
            units, activation, seed=seed + i, alpha=alpha, name=f"{name}_dense_{i}"
        )
        outputs = layer(outputs)
    return keras.Model(inputs, outputs, name=name)


def chain(encoder, decoder, *, name="autoencoder"):
    """The autoencoder ``decoder(encoder(x))``, sharing both models' weights."""
    inputs = keras.Input(shape=encoder.input_shape[1:], name=f"{name}_input")
    return keras.Model(inputs, decoder(encoder(inputs)), name=name)


def dense_autoencoder(
    n_features,
    n_components,
    hidden_layer_sizes=(),
    *,
    activation="relu",
    output_activation="linear",
    alpha=0.0,
    seed=0,
):
    """Build a dense autoencoder whose decoder mirrors its encoder.

    Returns
    -------
    autoencoder, encoder, decoder : keras.Model
        ``autoencoder`` is ``decoder(encoder(x))``; the three share weights.
        The code layer is linear, as in PCA.
    """
    hidden = tuple(hidden_layer_sizes)
    encoder = dense_mlp(
        n_features,
        hidden + (n_components,),
        (activation,) * len(hidden) + ("linear",),
        seed=seed,
        alpha=alpha,
        name=ENCODER_NAME,
    )
    decoder = dense_mlp(
        n_components,
        hidden[::-1] + (n_features,),
        (activation,) * len(hidden) + (output_activation,),
        seed=seed + len(hidden) + 1,
        alpha=alpha,
        name=DECODER_NAME,
    )
    return chain(encoder, decoder), encoder, decoder


def split_autoencoder(autoencoder):
    """Find the encoder and decoder nested in an autoencoder built here."""
    return autoencoder.get_layer(ENCODER_NAME), autoencoder.get_layer(DECODER_NAME)
