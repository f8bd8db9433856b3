"""Loading Keras and TensorFlow, quietly and on the TensorFlow backend.

``import skae`` must stay fast, so only the Keras side (``skae._keras``)
imports Keras or TensorFlow at module level, and that package loads them
through :func:`load_keras` first; the estimators import it inside the
methods that need it.
"""

import os
import re
import sys
import tempfile
import threading

#: What TensorFlow's C++ side writes to the process's stderr while it loads
#: and first looks for devices, before absl's logging is set up (so
#: ``TF_CPP_MIN_LOG_LEVEL`` does not reach it): absl's notice that logging is
#: not initialized, informational and warning lines (oneDNN is on, no CUDA
#: driver), the error that CUDA cannot start on a machine without a GPU, and
#: oneDNN's notice, logged as an error once a process, that this CPU has no
#: AVX-512 for boolean tensors (so TensorFlow's own kernels take them).
_START_UP_LINES = re.compile(
    r"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|[IW]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ \S+:\d+\] "
    r"|E\d{4} \d\d:\d\d:\d+\.\d+ +\d+ (cuda_\w+\.cc:\d+\] failed call to cuInit"
    r"|util\.cc:\d+\] oneDNN supports DT_BOOL only on platforms with AVX-512)"
)

_LOADING = threading.Lock()


def load_keras():
    """Import Keras on the TensorFlow backend and return the module.

    The environment variables are set only when the user has not set them,
    so an explicit ``KERAS_BACKEND`` or ``TF_CPP_MIN_LOG_LEVEL`` wins. When
    skae sets the log level itself, it also keeps TensorFlow's start-up
    lines (:data:`_START_UP_LINES`) out of the output; anything else written
    meanwhile is passed on.
    """
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    with _LOADING:
        if "tensorflow" not in sys.modules and "TF_CPP_MIN_LOG_LEVEL" not in os.environ:
            os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
            _without_start_up_lines(_import_and_find_devices)
        else:
            os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras

    backend = keras.backend.backend()
    if backend != "tensorflow":
        raise RuntimeError(
            "skae needs Keras' TensorFlow backend, but Keras is running on "
            f"{backend!r}. Set KERAS_BACKEND=tensorflow before Keras is first "
            "imported."
        )
    return keras


def _import_and_find_devices():
    import keras  # noqa: F401
    import tensorflow as tf

    tf.config.list_logical_devices()  # CUDA's start-up, which logs on a machine without a GPU
    # oneDNN checks the CPU for boolean tensors when it first rewrites a graph
    # holding one (a recurrent network's mask), and says so once a process.
    tf.function(lambda mask: tf.transpose(mask))(tf.constant([[True, False]]))


def _without_start_up_lines(load):
    """Run ``load`` with the process's stderr (file descriptor 2) kept aside.

    TensorFlow's C++ side writes to the descriptor directly, so Python's
    ``sys.stderr`` cannot be swapped instead. What was written is passed on
    afterwards, but for the start-up lines, even when ``load`` fails.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no descriptor 2 to keep aside
        load()
        return
    with tempfile.TemporaryFile() as written:
        os.dup2(written.fileno(), 2)
        try:
            load()
        finally:
            try:
                sys.stderr.flush()
            except (OSError, ValueError):
                pass
            os.dup2(saved, 2)
            os.close(saved)
            written.seek(0)
            kept = [line for line in written.read().splitlines(keepends=True)
                    if not _START_UP_LINES.match(line.decode(errors="replace"))]
            if kept:
                os.write(2, b"".join(kept))
