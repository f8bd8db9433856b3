"""What the benchmarks share: data loading, memory measurement, the environment record.

Each benchmark script imports it by name (``from common import ...``): Python
puts a script's own folder first on ``sys.path``, so this works from any
working directory without editing the path.
"""

import csv
import ctypes
import gc
import gzip
import os
import platform
import struct
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import skae

IDX_SETS = {"fashion-mnist": "fashion-mnist", "mnist": "mnist"}


def read_idx(path):
    """Read an IDX file (optionally gzipped): MNIST's original format."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    _, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if dtype_code != 0x08:
        raise ValueError(f"{path}: only unsigned-byte IDX files are supported")
    shape = struct.unpack(f">{ndim}I", data[4 : 4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_idx_set(folder):
    """Train and test images scaled to [0, 1], flattened, with labels."""
    parts = {}
    for split, prefix in (("train", "train"), ("test", "t10k")):
        images = read_idx(Path(folder) / f"{prefix}-images-idx3-ubyte.gz")
        labels = read_idx(Path(folder) / f"{prefix}-labels-idx1-ubyte.gz")
        parts[split] = (images.reshape(len(images), -1) / 255.0, labels.astype(int))
    return parts["train"], parts["test"], images.shape[1:]


def load_matrix_file(path, label_column):
    """A CSV (header row) or .npy/.npz matrix, with an optional label column."""
    path = Path(path)
    if path.suffix == ".npy":
        X, y = np.load(path), None
        if label_column is not None:
            X, y = np.delete(X, int(label_column), axis=1), X[:, int(label_column)]
    elif path.suffix == ".npz":
        with np.load(path) as data:
            X = data["X"]
            y = data["y"] if "y" in data else None
    else:
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
        header, body = rows[0], rows[1:]
        columns = list(zip(*body))
        y = None
        if label_column is not None:
            index = header.index(label_column)
            y = np.asarray(columns.pop(index))
        X = np.asarray(columns, dtype=float).T
    return X.astype(float), y


def load_dataset(args):
    """Return train/test rows (and labels), preprocessing and image shape."""
    if args.dataset == "digits":
        data = load_digits()
        X, y = data.data / 16.0, data.target  # pixels in [0, 1]
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.25, random_state=args.seed, stratify=y
        )
        return X_train, X_test, y_train, y_test, (8, 8), "pixels / 16"
    if args.dataset in IDX_SETS:
        if args.data_dir is None:
            sys.exit(f"--dataset {args.dataset} needs --data-dir (folder holding {IDX_SETS[args.dataset]}/)")
        (X_train, y_train), (X_test, y_test), shape = load_idx_set(
            Path(args.data_dir) / IDX_SETS[args.dataset]
        )
        return X_train, X_test, y_train, y_test, shape, "pixels / 255"
    path = Path(args.dataset)
    if args.data_dir is not None and not path.exists():
        path = Path(args.data_dir) / path
    X, y = load_matrix_file(path, args.label_column)
    split = train_test_split(X, *(() if y is None else (y,)), test_size=0.25, random_state=args.seed)
    X_train, X_test = split[0], split[1]
    y_train, y_test = (split[2], split[3]) if y is not None else (None, None)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test, None, "standardized"


def subsample(X, y, n, seed):
    if n is None or n >= len(X):
        return X, y
    index = np.random.RandomState(seed).choice(len(X), n, replace=False)
    return X[index], (None if y is None else y[index])


def add_data_arguments(parser):
    """The data options of ``load_dataset``: ``--dataset``, ``--data-dir``, ``--label-column``, ``--train-size``."""
    parser.add_argument("--dataset", default="digits",
                        help="digits (bundled, default), fashion-mnist, mnist, or a .csv/.npy/.npz file")
    parser.add_argument("--data-dir", help="folder holding fashion-mnist/ and mnist/ IDX files, or the file")
    parser.add_argument("--label-column", help="label column of a CSV (name) or .npy (index)")
    parser.add_argument("--train-size", type=int, help="use at most this many training rows")


class PeakMemory:
    """Peak resident memory added while the block runs, sampled from /proc.

    The start is measured after ``release_freed_memory``, so that memory
    freed before the block and kept by the allocator does not hide the
    block's own use.
    """

    def __init__(self, interval=0.005):
        self.interval = interval

    @staticmethod
    def release_freed_memory():
        """Collect garbage, then give the allocator's free pages back (glibc only)."""
        gc.collect()
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):
            pass

    @staticmethod
    def rss_bytes():
        try:
            with open("/proc/self/statm") as f:
                return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            return 0

    def _sample(self):
        while not self._done.is_set():
            self.peak = max(self.peak, self.rss_bytes())
            self._done.wait(self.interval)

    def __enter__(self):
        self.release_freed_memory()
        self.start = self.peak = self.rss_bytes()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._done.set()
        self._thread.join()
        self.peak = max(self.peak, self.rss_bytes())
        self.added_mb = (self.peak - self.start) / 2**20


def forget_traced_networks():
    """Make the next fit trace its network anew, as the first fit in a process does."""
    training = sys.modules.get("skae._keras.training")
    if training is not None:
        training._TEMPLATES.clear()
        training._MEMBER_TRAINERS.clear()


def commit():
    """The checkout's commit, with "+dirty" when tracked files differ from it; None outside git."""
    root = Path(__file__).resolve().parent.parent

    def git(*args):
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                              check=True).stdout.strip()

    try:
        head = git("rev-parse", "--short=12", "HEAD")
        return head + ("+dirty" if git("status", "--porcelain", "--untracked-files=no") else "")
    except (OSError, subprocess.CalledProcessError):
        return None


def environment():
    """What a results file needs to be reproduced: versions, machine and commit."""
    import keras
    import sklearn
    import tensorflow as tf

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
        "keras": keras.__version__,
        "tensorflow": tf.__version__,
        "skae": skae.__version__,
        "commit": commit(),
    }
