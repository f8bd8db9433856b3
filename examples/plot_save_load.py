"""
=========================
Saving and loading models
=========================

Fitted skae estimators pickle like any scikit-learn estimator, with
:mod:`pickle` or :func:`joblib.dump`, alone or inside a pipeline, and save
with :mod:`skops.io`, whose loading runs no code of the file's. The file
holds the networks as arrays and settings: the loaded estimator gives the
same outputs, on NumPy alone. The Keras models are also there to use
directly: ``encoder_``, ``decoder_`` and ``model_``, rebuilt when first
asked for.
"""

# %%
import os
import pickle
import tempfile
from pathlib import Path

import joblib
import matplotlib.pyplot as plt
import numpy as np
import skops.io as sio
from sklearn.datasets import load_digits
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

import skae
from skae import AutoencoderTransformer

FAST = os.environ.get("SKAE_EXAMPLES_FAST") == "1"  # the test suite's quick run

X = load_digits().data
pipe = make_pipeline(
    MinMaxScaler(),
    AutoencoderTransformer(n_components=8, random_state=0, max_iter=3 if FAST else 100),
).fit(X)
codes = pipe.transform(X)

# %%
# Round trips through pickle and joblib give the same codes, bit for bit.
with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "pipe.joblib"
    joblib.dump(pipe, path)
    print(f"saved pipeline: {path.stat().st_size / 1024:.0f} KiB")
    loaded = joblib.load(path)
print("joblib round trip, same codes:", np.array_equal(loaded.transform(X), codes))
restored = pickle.loads(pickle.dumps(pipe))
print("pickle round trip, same codes:", np.array_equal(restored.transform(X), codes))

# %%
# skops lists the types a file names before loading it; a skae model names
# only skae's own classes beside scikit-learn's, and loads with them trusted.
with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "pipe.skops"
    sio.dump(pipe, path)
    print("types to trust:", sio.get_untrusted_types(file=path))
    from_skops = sio.load(path, trusted=skae.trusted_types())
print("skops round trip, same codes:", np.array_equal(from_skops.transform(X), codes))

# %%
# Each code of each row, before saving against after loading: every point
# lies on the diagonal.
fig, ax = plt.subplots(figsize=(4.5, 4.5))
ax.plot(codes.ravel(), loaded.transform(X).ravel(), ".", markersize=2, alpha=0.3)
low, high = codes.min(), codes.max()
ax.plot([low, high], [low, high], color="gray", linewidth=0.8, linestyle="--")
ax.set(xlabel="code before saving", ylabel="code after joblib.load",
       title=f"All {codes.size} code values of the digits")
plt.show()

# %%
# The fitted Keras encoder, for use outside scikit-learn (the pipeline's
# scaling is not part of it).
encoder = pipe[-1].encoder_
encoder.summary()
