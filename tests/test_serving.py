"""A fitted estimator serves on NumPy alone: no TensorFlow, no Keras, right after
fit and after loading in a fresh process, with outputs equal bit for bit."""

import copy
import json
import pickle
import subprocess
import sys
from pathlib import Path

import joblib
import numpy as np
import pytest
import skops.io as sio
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skae
from estimators import estimator_id, inference_outputs, serving_rows, tiny_estimators

ESTIMATORS = tiny_estimators()
IDS = [estimator_id(est) for est in ESTIMATORS]
TESTS = Path(__file__).parent

#: Each format's (suffix, dump): what a fresh process loads.
FORMATS = {
    "pickle": lambda est, path: path.write_bytes(pickle.dumps(est)),
    "joblib": lambda est, path: joblib.dump(est, path),
    "skops": lambda est, path: sio.dump(est, path),
}

#: Run in a fresh process: load each file, compute every inference output,
#: compare them with the ones saved beside it, and say which modules loaded.
_SERVE = """
import json, pickle, sys
from pathlib import Path
import joblib, numpy as np, skops.io as sio
import skae
from estimators import inference_outputs, serving_rows

LOADERS = {"pickle": lambda p: pickle.loads(p.read_bytes()), "joblib": joblib.load,
           "skops": lambda p: sio.load(p, trusted=skae.trusted_types())}
differences = []
for path in sorted(Path(sys.argv[1]).glob("*.model")):
    kind = path.name.split(".")[-2]
    estimator = LOADERS[kind](path)
    expected = np.load(path.with_suffix(".npz"))
    got = inference_outputs(estimator, serving_rows(estimator))
    if sorted(got) != sorted(expected.files):
        differences.append(f"{path.name}: methods {sorted(got)} != {sorted(expected.files)}")
    differences += [f"{path.name}: {name}" for name in got
                    if name in expected.files and not np.array_equal(got[name], expected[name],
                                                                     equal_nan=True)]
print(json.dumps({"loaded": len(list(Path(sys.argv[1]).glob("*.model"))),
                  "differences": differences,
                  "imported": sorted(m for m in ("tensorflow", "keras") if m in sys.modules)}))
"""


@pytest.fixture(scope="module")
def fitted():
    return [clone(est).fit(serving_rows(est)) for est in ESTIMATORS]


class _NoKeras:
    """Stands in for ``skae._keras``: any use of the Keras side fails the test."""

    def __getattr__(self, name):
        raise AssertionError(f"inference used the Keras side (skae._keras.{name})")


@pytest.mark.parametrize("index", range(len(ESTIMATORS)), ids=IDS)
def test_inference_after_fit_does_not_use_keras(fitted, index, monkeypatch):
    estimator = fitted[index]
    X = serving_rows(estimator)
    expected = inference_outputs(estimator, X)
    monkeypatch.setattr(skae, "_keras", _NoKeras())
    got = inference_outputs(estimator, X)
    assert sorted(got) == sorted(expected)
    for name in got:
        assert_array_equal(got[name], expected[name], err_msg=name)


def test_a_fresh_process_serves_every_estimator_without_tensorflow(fitted, tmp_path):
    for estimator in fitted:
        for kind, dump in FORMATS.items():
            stem = tmp_path / f"{estimator_id(estimator)}.{kind}"
            dump(estimator, stem.with_suffix(f".{kind}.model"))
            np.savez(stem.with_suffix(f".{kind}.npz"),
                     **inference_outputs(estimator, serving_rows(estimator)))
    done = subprocess.run([sys.executable, "-c", _SERVE, str(tmp_path)], cwd=TESTS,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["loaded"] == len(fitted) * len(FORMATS)
    assert report["differences"] == []
    assert report["imported"] == []


def test_the_keras_models_are_rebuilt_when_asked_for(fitted):
    estimator = pickle.loads(pickle.dumps(fitted[0]))
    assert "_keras_models" not in vars(estimator)
    X = serving_rows(estimator).astype(np.float32)
    codes = estimator.encoder_(X).numpy()
    assert "_keras_models" in vars(estimator)
    # The Keras encoder computes in float32 what inference computes in float64.
    np.testing.assert_allclose(codes, estimator.transform(X), rtol=1e-5, atol=1e-5)
    assert {id(v) for v in estimator.decoder_.weights} <= {id(v) for v in estimator.model_.weights}


# ------------------------------------------------------------------ skops


class Foreign:
    """A type outside skae and NumPy, which a skops file must not bring in."""


def _forbidden(*args, **kwargs):
    raise AssertionError("pickle.loads was called while loading a skops file")


@pytest.mark.parametrize("index", range(len(ESTIMATORS)), ids=IDS)
def test_skops_loads_every_estimator_without_unpickling(fitted, index, tmp_path, monkeypatch):
    estimator = fitted[index]
    path = tmp_path / "model.skops"
    sio.dump(estimator, path)
    untrusted = sio.get_untrusted_types(file=path)
    assert set(untrusted) <= set(skae.trusted_types())
    assert f"{type(estimator).__module__}.{type(estimator).__name__}" in untrusted
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException):
        sio.load(path)
    monkeypatch.setattr(pickle, "loads", _forbidden)
    monkeypatch.setattr(pickle, "load", _forbidden)
    loaded = sio.load(path, trusted=skae.trusted_types())
    monkeypatch.undo()
    X = serving_rows(estimator)
    expected, got = inference_outputs(estimator, X), inference_outputs(loaded, X)
    for name in expected:
        assert_array_equal(got[name], expected[name], err_msg=name)
    assert repr(loaded.get_params()) == repr(estimator.get_params())  # NaN == NaN


def test_skops_refuses_a_file_naming_a_foreign_type(fitted, tmp_path):
    estimator = copy.deepcopy(fitted[0])
    estimator._forward["encoder"].ops[0]["hook"] = Foreign()
    path = tmp_path / "model.skops"
    sio.dump(estimator, path)
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException, match="Foreign"):
        sio.load(path, trusted=skae.trusted_types())


@pytest.mark.parametrize("index", [i for i, est in enumerate(ESTIMATORS) if hasattr(est, "partial_fit")],
                         ids=[id_ for id_, est in zip(IDS, ESTIMATORS) if hasattr(est, "partial_fit")])
def test_a_skops_loaded_estimator_continues_training(fitted, index, tmp_path):
    estimator = fitted[index]
    path = tmp_path / "model.skops"
    sio.dump(estimator, path)
    X = serving_rows(estimator)
    results = []
    for loaded in (pickle.loads(pickle.dumps(estimator)), sio.load(path, trusted=skae.trusted_types())):
        loaded.set_params(warm_start=True, max_iter=1).fit(X)
        loaded.partial_fit(X)
        assert loaded.n_iter_ == estimator.n_iter_ + 2
        results.append(loaded.transform(X))
    # Both copies start from the same weights and draw the same batches.
    assert_allclose(results[1], results[0], rtol=1e-6, atol=1e-6)
    assert not np.allclose(results[1], estimator.transform(X))


def test_skops_saves_pipelines_and_searches_holding_skae(tmp_path):
    X = serving_rows(ESTIMATORS[0])
    pipeline = make_pipeline(StandardScaler(), clone(ESTIMATORS[0])).fit(X)
    search = GridSearchCV(clone(ESTIMATORS[0]), {"n_components": [1, 2]}, cv=2).fit(X)
    for model in (pipeline, search):
        path = tmp_path / "model.skops"
        sio.dump(model, path)
        skae_types = {name for name in sio.get_untrusted_types(file=path) if name.startswith("skae.")}
        assert skae_types <= set(skae.trusted_types())
        loaded = sio.load(path, trusted=sio.get_untrusted_types(file=path))
        assert_array_equal(loaded.transform(X), model.transform(X))
