"""`import skae` stays light: no TensorFlow, no Keras until a model is needed."""

import os
import subprocess
import sys

import pytest


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


FIT = (
    "import os, warnings, numpy as np, skae\n"
    "warnings.simplefilter('ignore')\n"
    "skae.AutoencoderTransformer(max_iter=1).fit(np.random.rand(10, 3))\n"
    "print(os.environ['TF_CPP_MIN_LOG_LEVEL'])"
)


def test_a_fit_prints_no_tensorflow_start_up_lines():
    done = subprocess.run([sys.executable, "-c", FIT], check=True, capture_output=True, text=True,
                          env={k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"})
    assert done.stdout.strip() == "2"
    assert done.stderr == ""


def test_a_users_own_log_level_stays_in_force():
    done = subprocess.run([sys.executable, "-c", FIT], check=True, capture_output=True, text=True,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "0"})
    assert done.stdout.strip() == "0"


def test_only_the_start_up_lines_are_kept_out(capfd):
    from skae._loader import _without_start_up_lines

    lines = [
        "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n",
        "I0000 00:00:1796503720.705374   25264 port.cc:153] oneDNN custom operations are on.\n",
        "W0000 00:00:1796503720.706227   25264 cudart_stub.cc:31] Could not find cuda drivers\n",
        "E0000 00:00:1796503724.730460   25264 cuda_platform.cc:52] failed call to cuInit: "
        "INTERNAL: CUDA error\n",
        "E0000 00:00:1796504498.092396    9440 util.cc:131] oneDNN supports DT_BOOL only on "
        "platforms with AVX-512. Falling back to the default Eigen-based implementation.\n",
        "E0000 00:00:1796503724.730460   25264 some_kernel.cc:9] a real error\n",
        "a line of the user's\n",
    ]

    def load():
        for line in lines:
            os.write(2, line.encode())

    _without_start_up_lines(load)
    assert capfd.readouterr().err == lines[5] + lines[6]


def test_what_a_failed_load_wrote_is_passed_on(capfd):
    from skae._loader import _without_start_up_lines

    def load():
        os.write(2, b"Traceback: something broke\n")
        raise ImportError("broken")

    with pytest.raises(ImportError, match="broken"):
        _without_start_up_lines(load)
    assert capfd.readouterr().err == "Traceback: something broke\n"
