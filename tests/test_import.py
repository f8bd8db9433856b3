"""`import skae` stays light: no TensorFlow, no Keras until a model is needed."""

import subprocess
import sys


def _run(code):
    return subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.strip()


def test_import_does_not_load_tensorflow_or_keras():
    out = _run(
        "import sys, skae; skae.AutoencoderTransformer(); "
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    assert out == "False False"


def test_keras_loads_at_first_fit():
    out = _run(
        "import sys, numpy as np, skae\n"
        "skae.AutoencoderTransformer(max_iter=1).fit(np.random.rand(10, 3))\n"
        "print('tensorflow' in sys.modules)"
    )
    assert out.endswith("True")
