"""
==================================
Exporting a pipeline to ONNX
==================================

A fitted pipeline of a scaler, an autoencoder and a classifier becomes one
ONNX graph, which onnxruntime runs from Python, C++, C#, Java, JavaScript or
on a phone, with no scikit-learn, Keras or TensorFlow. ``import skae.onnx``
registers skae's converters with skl2onnx (``pip install "skae[onnx]"``);
then :func:`skl2onnx.to_onnx` converts skae's estimators as it converts PCA.
"""

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
import onnxruntime as ort
from skl2onnx import to_onnx
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skae.onnx  # noqa: F401  (registers the converters)
from skae import AutoencoderTransformer

FAST = os.environ.get("SKAE_EXAMPLES_FAST") == "1"  # the test suite's quick run

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
pipeline = make_pipeline(
    StandardScaler(),
    AutoencoderTransformer(n_components=8, random_state=0, max_iter=5 if FAST else 200),
    LogisticRegression(max_iter=1000),
).fit(X_train, y_train)

# %%
# One graph for the whole pipeline. Float input computes in float32, as most
# ONNX runtimes do; double input would compute in float64, as skae does.
# ``zipmap=False`` gives the class probabilities as a plain matrix.
onx = to_onnx(pipeline, X_train[:1].astype(np.float32),
              options={LogisticRegression: {"zipmap": False}})
print(f"ONNX graph: {len(onx.graph.node)} nodes, "
      f"{len(onx.SerializeToString()) / 1024:.0f} KiB")
session = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
labels, probabilities = session.run(None, {"X": X_test.astype(np.float32)})

# %%
# The graph's labels and probabilities beside the Python pipeline's.
python_labels = pipeline.predict(X_test)
python_probabilities = pipeline.predict_proba(X_test)
print(f"same labels on {np.mean(labels == python_labels):.1%} of {len(X_test)} test rows; "
      f"accuracy {np.mean(labels == y_test):.3f} (Python {np.mean(python_labels == y_test):.3f})")
print(f"largest difference in probability: {np.max(np.abs(probabilities - python_probabilities)):.1e}")

fig, ax = plt.subplots(figsize=(4.5, 4.5))
ax.plot(python_probabilities.ravel(), probabilities.ravel(), ".", markersize=3, alpha=0.4)
ax.plot([0, 1], [0, 1], color="gray", linewidth=0.8, linestyle="--")
ax.set(xlabel="probability, Python pipeline", ylabel="probability, onnxruntime",
       title=f"All {probabilities.size} class probabilities\nof the digits test rows")
plt.show()

# %%
# The autoencoder alone converts too: its graph gives the codes.
codes = ort.InferenceSession(
    to_onnx(pipeline[:2], X_train[:1].astype(np.float32)).SerializeToString(),
    providers=["CPUExecutionProvider"],
).run(None, {"X": X_test.astype(np.float32)})[0]
print(f"codes: {codes.shape}, largest difference from transform: "
      f"{np.max(np.abs(codes - pipeline[:2].transform(X_test))):.1e}")
