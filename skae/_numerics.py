"""Constants shared by the estimators and the Keras side; imports nothing of skae or Keras."""

import math

#: Offset of a network's second random stream (the denoiser's noise, the
#: imputer's masks, a variational code's draws) from the seed of its weights.
SECOND_STREAM_SEED_OFFSET = 1000

#: Values held at once when rows are processed in chunks (dense blocks of
#: sparse rows, a VAE's draws): about 32 MB of float64.
CHUNK_VALUES = 4_000_000

#: log(2 pi), the constant of a Gaussian log-likelihood.
LOG_2PI = math.log(2.0 * math.pi)
