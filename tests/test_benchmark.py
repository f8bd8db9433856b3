"""The PCA-versus-autoencoder benchmark runs end to end and writes honest JSON.

The benchmark is run as a script, as a user runs it: the tests never import it.
"""

import gzip
import json
import math
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "compare.py"
ESTIMATORS = {"PCA", "linear AE", "AE, defaults", "deep AE", "stacked AE", "stacked AE, no pretraining", "denoising AE"}


def _script(*command):
    """Run a benchmark as a user does; its output must hold no retracing warning."""
    done = subprocess.run(command, check=True, capture_output=True, text=True, timeout=600)
    # TensorFlow warns when a tf.function is traced again and again: a leak.
    assert "retracing" not in done.stdout + done.stderr
    return done.stdout


def _run(tmp_path, *args):
    out = tmp_path / "out"
    _script(sys.executable, str(SCRIPT), "--quick", "--max-iter", "2", "--out", str(out), *args)
    return json.loads((out / "results.json").read_text()), out


def _check_report(report, n_components, with_labels, images=False):
    rows = report["results"]
    estimators = ESTIMATORS | ({"conv AE"} if images else set())
    assert {(r["estimator"], r["n_components"]) for r in rows} == {
        (e, k) for e in estimators for k in n_components
    }
    for r in rows:
        for key in ("train_mse", "test_mse", "denoising_mse", "fit_s", "transform_batch_ms",
                    "transform_row_ms", "fit_peak_rss_added_mb"):
            assert math.isfinite(r[key]), (r["estimator"], key)
        assert (r["accuracy"] is not None) == with_labels
        if with_labels:
            assert 0 <= r["accuracy"] <= 1
    pca = [r["test_mse"] for r in sorted(rows, key=lambda r: r["n_components"]) if r["estimator"] == "PCA"]
    assert all(a > b for a, b in zip(pca, pca[1:]))
    assert set(report["linear_ae_to_pca_mse_ratio"]) == {str(k) for k in n_components}
    assert {"keras", "tensorflow", "scikit-learn", "python"} <= set(report["environment"])


def _write_idx(path, array):
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def test_quick_run_on_idx_images_writes_json_and_plots(tmp_path):
    rng = np.random.RandomState(0)
    folder = tmp_path / "data" / "mnist"
    folder.mkdir(parents=True)
    for prefix, n in (("train", 120), ("t10k", 60)):
        labels = rng.randint(0, 3, n)
        images = (rng.uniform(0, 60, (n, 6, 6)) + 60 * labels[:, None, None]).astype(np.uint8)
        _write_idx(folder / f"{prefix}-images-idx3-ubyte.gz", images)
        _write_idx(folder / f"{prefix}-labels-idx1-ubyte.gz", labels)
    report, out = _run(tmp_path, "--dataset", "mnist", "--data-dir", str(tmp_path / "data"),
                       "--n-components", "2", "4")
    assert report["n_train"] == 120 and report["n_test"] == 60 and report["n_features"] == 36
    _check_report(report, [2, 4], with_labels=True, images=True)
    for name in ("mse_vs_n_components.png", "reconstructions.png", "codes_2d.png"):
        assert (out / name).stat().st_size > 1000


def test_quick_run_on_csv_with_label_column(tmp_path):
    rng = np.random.RandomState(1)
    X = rng.normal(size=(160, 5)) @ rng.normal(size=(5, 8))
    y = (X[:, 0] > 0).astype(int)
    path = tmp_path / "table.csv"
    rows = [",".join([f"f{i}" for i in range(8)] + ["label"])]
    rows += [",".join([*(f"{v:.6f}" for v in x), str(t)]) for x, t in zip(X, y)]
    path.write_text("\n".join(rows) + "\n")
    report, _ = _run(tmp_path, "--dataset", str(path), "--label-column", "label", "--n-components", "1", "3")
    assert report["n_features"] == 8 and report["preprocessing"] == "standardized"
    _check_report(report, [1, 3], with_labels=True)


ANOMALY_SCRIPT = SCRIPT.parent / "anomaly.py"


def test_anomaly_benchmark_reports_every_detector(tmp_path):
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(size=(190, 4)), rng.normal(4, 0.5, size=(10, 4))])
    y = np.r_[np.zeros(190), np.ones(10)].astype(int)
    np.savez(tmp_path / "planted.npz", X=X, y=y)
    (tmp_path / "embeddings").mkdir()
    np.savez(tmp_path / "embeddings" / "planted_too.npz", X=X[::-1], y=y[::-1])
    out = tmp_path / "out"
    printed = _script(sys.executable, str(ANOMALY_SCRIPT), "--data-dir", str(tmp_path), "--seeds", "0", "1",
                      "--out", str(out))
    report = json.loads((out / "results.json").read_text())
    # PyOD's detectors run where pyod is installed (a benchmark dependency only).
    assert {"AutoencoderAnomalyDetector", "IsolationForest", "LocalOutlierFactor",
            "PCA reconstruction error"} <= set(report["detectors"])
    assert set(report["detectors"]) | set(report["skipped"]) == {
        "AutoencoderAnomalyDetector", "IsolationForest", "LocalOutlierFactor", "PCA reconstruction error",
        "ECOD (PyOD)", "COPOD (PyOD)", "HBOS (PyOD)", "KNN (PyOD)", "AutoEncoder (PyOD)"}
    assert {"scikit-learn", "skae", "pyod", "commit"} <= set(report["environment"])
    rows = report["sets"]["planted"]["results"]
    assert len(rows["AutoencoderAnomalyDetector"]["roc_auc"]) == 2  # one per seed
    assert len(rows["LocalOutlierFactor"]["roc_auc"]) == 1  # deterministic: run once
    assert np.mean(rows["AutoencoderAnomalyDetector"]["roc_auc"]) > 0.95  # the planted cluster is easy
    summary = report["summary"]
    assert summary["IsolationForest"]["sets_ahead_of_baseline"] == 0
    # With one set, the average ranks are the ranks: 1 + 2 + ... shared among ties.
    ranks = [summary[name]["average_rank"] for name in report["detectors"]]
    assert sum(ranks) == pytest.approx(len(ranks) * (len(ranks) + 1) / 2)
    assert "| **average rank** |" in printed and "| **total / IsolationForest** |" in printed
    assert (out / "ranks.png").stat().st_size > 1000 and (out / "per_set.png").stat().st_size > 1000
    # A subfolder's sets are a group of their own, summarized beside the rest.
    assert "embeddings/planted_too" in report["sets"]
    assert {label: g["sets"] for label, g in report["groups"].items()} == {
        "all": 2, "tabular": 1, "embeddings": 1}
    assert "\nembeddings: 1 set(s)\n" in printed


def test_the_fixed_split_halves_the_shared_sets_by_kind(monkeypatch):
    monkeypatch.syspath_prepend(str(ANOMALY_SCRIPT.parent))
    import anomaly
    choose, confirm = set(anomaly.CHOOSE), set(anomaly.CONFIRM)
    assert len(choose) == len(confirm) == 21 and not choose & confirm
    for half in (choose, confirm):
        assert sum("/" not in name for name in half) == 12  # 12 of the 24 tabular sets
    names = ["6_cardio", "12_fault", "CV_by_ResNet18/SVHN_0", "elsewhere"]
    assert anomaly.groups(names) == {
        "all": names, "tabular": ["6_cardio", "12_fault", "elsewhere"],
        "CV_by_ResNet18": ["CV_by_ResNet18/SVHN_0"],
        "choose half": ["12_fault"], "confirm half": ["6_cardio", "CV_by_ResNet18/SVHN_0"]}


TRAINING_SCRIPT = SCRIPT.parent / "training.py"


def test_training_benchmark_measures_speed_memory_and_time_to_quality(tmp_path):
    printed = _script(sys.executable, str(TRAINING_SCRIPT), "--train-size", "300", "--fits", "3",
                      "--epochs", "1", "--max-epochs", "4", "--keras-epochs", "3", "--hidden", "16",
                      "--gemm-size", "256", "--out", str(tmp_path))
    report = json.loads((tmp_path / "training.json").read_text())
    speed = report["speed"]
    assert set(speed["gemm_peak_gflops"]) == {"TensorFlow", "NumPy"}
    assert all(v > 0 for v in speed["gemm_peak_gflops"].values())
    assert set(speed["epoch_seconds"]) == {"skae AutoencoderTransformer", "plain Keras Model.fit"}
    assert set(report["memory"]["growth_mb_per_fit"]) == set(speed["epoch_seconds"])
    quality = report["quality"]
    assert quality["pca_test_mse"] > 0
    curves = quality["curves"]
    assert set(curves) == {"plain Keras, hidden (16,)", "skae, hidden (16,)", "skae, defaults"}
    assert [p["epochs"] for p in curves["plain Keras, hidden (16,)"]] == [1, 2, 3]  # after each epoch
    assert quality["target"] == curves["plain Keras, hidden (16,)"][-1]
    for name in ("skae, hidden (16,)", "skae, defaults"):
        assert [p["max_iter"] for p in curves[name]] == [2, 4]  # doubling up to --max-epochs
        assert all(p["epochs"] <= p["max_iter"] and p["test_mse_to_pca"] > 0 for p in curves[name])
        assert f"{name}: " in printed  # when it reaches the plain model's final error, or that it does not
    assert (tmp_path / "time_to_quality.png").stat().st_size > 1000


def test_training_benchmark_times_the_conv_autoencoder_beside_the_same_keras_layers(tmp_path):
    # 320 rows: 288 to train on in batches of 32 and 32 to validate, so that no
    # plain Keras model traces its step again for a short last batch (TensorFlow
    # counts the traces of Keras' step across models and warns of retracing)
    out = _script(sys.executable, str(TRAINING_SCRIPT), "--train-size", "320", "--epochs", "1",
                  "--estimator", "ConvAutoencoder", "--filters", "4", "8", "--parts", "speed",
                  "--gemm-size", "64", "--out", str(tmp_path))
    speed = json.loads((tmp_path / "training.json").read_text())["speed"]
    assert set(speed["epoch_seconds"]) == {"skae ConvAutoencoder", "plain Keras Model.fit"}
    # digits are 8x8 images: 8 -> 4 -> 2 and back; the multiply-adds of the two
    # convolutions (3*3*1*4 at 4x4 and 3*3*4*8 at 2x2 positions), the code's
    # dense layers (32*8 twice) and the transposed convolutions (the same as the
    # convolutions, at their inputs' positions), six a training row and two a
    # validation row
    macs = 3 * 3 * 1 * 4 * 16 + 3 * 3 * 4 * 8 * 4 + 2 * 32 * 8 + 3 * 3 * 8 * 4 * 4 + 3 * 3 * 4 * 1 * 16
    n_val = 32
    assert speed["gflop_per_epoch"] * 1e9 == pytest.approx(2 * macs * (3 * (320 - n_val) + n_val))
    assert "network 64-(4, 4, 4)-(2, 2, 8)-8-32-(4, 4, 4)-(8, 8, 1)-64" in out


SEQUENCES_SCRIPT = SCRIPT.parent / "sequences.py"


def test_sequences_benchmark_runs_offline_and_reports_every_model(tmp_path):
    _script(sys.executable, str(SEQUENCES_SCRIPT), "--seeds", "1", "--max-iter", "1",
            "--n-components", "2", "--out", str(tmp_path))
    report = json.loads((tmp_path / "results.json").read_text())
    assert report["data"] == "generated bumps"
    assert {(s["model"], s["k"]) for s in report["summary"]} == {
        ("IsolationForest", None), ("PCA", 2), ("dense AE", 2), ("conv AE", 2), ("LSTM AE", 2),
        ("GRU AE", 2), ("LSTM AE, step by step", 2)}
    assert all(0 <= s["roc_auc_mean"] <= 1 and 0 <= s["average_precision_mean"] <= 1
               for s in report["summary"])
    for name in ("roc.png", "reconstructions.png"):
        assert (tmp_path / name).stat().st_size > 1000


def test_sequences_benchmark_trains_on_normal_beats_of_both_ecg5000_splits(tmp_path):
    # A stand-in for the archive's two files: label first, then the steps.
    rng = np.random.RandomState(0)
    folder = tmp_path / "data" / "ecg5000"
    folder.mkdir(parents=True)
    for split, n_normal, n_abnormal in (("TRAIN", 30, 10), ("TEST", 20, 12)):
        labels = np.r_[np.ones(n_normal), rng.randint(2, 6, n_abnormal)]
        np.savetxt(folder / f"ECG5000_{split}.txt", np.c_[labels, rng.normal(size=(len(labels), 16))])
    _script(sys.executable, str(SEQUENCES_SCRIPT), "--data-dir", str(tmp_path / "data"), "--seeds", "1",
            "--n-components", "2", "--models", "PCA", "--n-train", "35", "--out", str(tmp_path / "out"))
    report = json.loads((tmp_path / "out" / "results.json").read_text())
    assert report["data"] == "ECG5000 (both splits)"
    assert report["sizes"] == {"train": 35, "test_normal": 15, "test_abnormal": 22}


def test_sequences_benchmark_fits_only_the_models_asked_for(tmp_path):
    _script(sys.executable, str(SEQUENCES_SCRIPT), "--seeds", "1", "--n-components", "2",
            "--models", "PCA", "--out", str(tmp_path))
    report = json.loads((tmp_path / "results.json").read_text())
    assert {(s["model"], s["k"]) for s in report["summary"]} == {
        ("IsolationForest", None), ("PCA", 2)}
    failed = subprocess.run([sys.executable, str(SEQUENCES_SCRIPT), "--models", "PCA", "LSTM"],
                            capture_output=True, text=True)
    assert failed.returncode != 0 and "unknown model(s) ['LSTM']" in failed.stderr


def test_vae_benchmark_quick_run_offline(tmp_path):
    script = SCRIPT.parent / "vae.py"
    out = tmp_path / "out"
    stdout = _script(sys.executable, str(script), "--quick", "--out", str(out))
    report = json.loads((out / "results.json").read_text())
    models = {r["model"] for r in report["density"]}
    assert {"PPCA (PCA.score), k=4", "GaussianMixture(2) on PCA codes + PPCA noise, k=4"} <= models
    vae = [r for r in report["density"] if r["model"].startswith("VAE")]
    assert len(vae) == 1 and vae[0]["draws"] == 5
    for r in report["density"]:
        assert math.isfinite(r["test_log_likelihood"])
    detectors = {r["detector"] for r in report["anomaly"]}
    assert detectors == {"VAE -score_samples (k=8)", "AutoencoderAnomalyDetector", "IsolationForest"}
    assert all(0 <= r["roc_auc"] <= 1 for r in report["anomaly"])
    assert "| digits | VAE, max_iter=2" in stdout
    if (out / "digits_samples.png").exists():  # with matplotlib
        assert (out / "digits_latent_2d.png").stat().st_size > 1000


def test_impute_benchmark_quick_run_offline(tmp_path):
    out = tmp_path / "out"
    stdout = _script(sys.executable, str(SCRIPT.parent / "impute.py"), "--quick", "--out", str(out))
    report = json.loads((out / "results.json").read_text())
    rows = report["results"]
    assert {r["imputer"] for r in rows} == {
        "SimpleImputer(mean)", "KNNImputer", "IterativeImputer", "AutoencoderImputer",
        "AutoencoderImputer(n_estimators=1)",
    }
    for r in rows:
        assert r["table"] == "digits" and r["rate"] == 0.3
        assert math.isfinite(r["rmse"]) and 0 <= r["accuracy"] <= 1
    # Mean imputation of standardized columns: an RMSE near 1.
    mean_rmse = next(r["rmse"] for r in rows if r["imputer"] == "SimpleImputer(mean)")
    assert 0.5 < mean_rmse < 1.5
    assert "| digits | 30% |" in stdout

    # --combine: the runs' rows averaged over their seeds, nothing fitted.
    other = tmp_path / "other.json"
    shifted = [{**r, "seed": 1, "rmse": r["rmse"] + 0.5} for r in rows]
    other.write_text(json.dumps({**report, "results": shifted}))
    combined = _script(sys.executable, str(SCRIPT.parent / "impute.py"), "--combine",
                       str(out / "results.json"), str(other))
    assert "Mean over seeds [0, 1] of 2 runs" in combined and "note:" not in combined
    assert f"| digits | 30% | {mean_rmse + 0.25:.4f} / " in combined
    uneven = _script(sys.executable, str(SCRIPT.parent / "impute.py"), "--combine",
                     str(out / "results.json"), str(other), str(other))
    assert "note: digits, 30%, KNNImputer averages seeds [0, 1, 1]" in uneven


def test_movielens_benchmark_quick_run_on_synthetic_ratings(tmp_path):
    out = tmp_path / "out"
    _script(sys.executable, str(SCRIPT.parent / "movielens.py"), "--quick", "--out", str(out))
    report = json.loads((out / "results.json").read_text())
    synthetic = report["synthetic"]
    assert synthetic["shape"] == [2000, 1000] and synthetic["stored"] > 19_000
    assert synthetic["epoch_and_fit_s"] > 0 and synthetic["peak_rss_mb"] > 0
    assert "movielens" not in report  # no data directory given


def test_serving_benchmark_serves_each_format_without_tensorflow(tmp_path):
    out = tmp_path / "out"
    printed = _script(sys.executable, str(SCRIPT.parent / "serving.py"), "--models",
                      "AutoencoderTransformer", "--max-iter", "1", "--repeats", "1",
                      "--out", str(out))
    report = json.loads((out / "results.json").read_text())["results"]
    # The baselines of the transformers and of the detector are always served.
    assert set(report) == {"PCA", "IsolationForest", "AutoencoderTransformer"}
    for name, by_format in report.items():
        assert set(by_format) == {"joblib", "skops", "onnx"}
        for result in by_format.values():
            assert not result["tensorflow"], name
            assert result["cold_s"] > 0 and result["peak_mb"] > 0 and result["row_ms"] > 0
    assert "| AutoencoderTransformer | joblib |" in printed
    assert (out / "serving.png").stat().st_size > 0


def _fake_report(path, k, **changes):
    """A results.json as compare.py writes it, for one code size, with made-up errors."""
    row = dict(train_mse=0.1 / k, test_mse=0.2 / k, denoising_mse=0.3 / k, accuracy=None, fit_s=1.0,
               transform_batch_ms=1.0, transform_row_ms=0.1, fit_peak_rss_added_mb=1.0, n_iter=3,
               reached_max_iter=False)
    report = dict(dataset="toy", preprocessing="standardized", n_train=10, n_test=5, n_features=4,
                  n_components=[k], max_iter=2, seed=0, denoising_noise_std=0.2,
                  settings={"PCA": {"class": "PCA"}}, environment={"python": "3"}, total_seconds=1.0,
                  plots=[], results=[{"estimator": e, "n_components": k, **row}
                                     for e in ("PCA", "linear AE")])
    report.update(changes)
    path.mkdir()
    (path / "results.json").write_text(json.dumps(report))
    return str(path / "results.json")


def test_merge_joins_runs_of_other_code_sizes_and_refuses_other_settings(tmp_path):
    runs = [_fake_report(tmp_path / f"k{k}", k) for k in (8, 2)]
    out = tmp_path / "merged"
    printed = _script(sys.executable, str(SCRIPT), "--merge", *runs, "--out", str(out))
    merged = json.loads((out / "results.json").read_text())
    assert merged["n_components"] == [2, 8]
    assert [(r["estimator"], r["n_components"]) for r in merged["results"]] == [
        ("PCA", 2), ("linear AE", 2), ("PCA", 8), ("linear AE", 8)]
    assert merged["linear_ae_to_pca_mse_ratio"] == {"2": 1.0, "8": 1.0}
    assert printed.count("| PCA |") == 2
    assert (out / "mse_vs_n_components.png").stat().st_size > 1000
    other = _fake_report(tmp_path / "other", 32, max_iter=200)
    done = subprocess.run([sys.executable, str(SCRIPT), "--merge", runs[0], other, "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode != 0 and "differs from the other runs in max_iter" in done.stderr


def test_results_name_the_commit_they_came_from(monkeypatch):
    root = SCRIPT.parents[1]
    head = subprocess.run(["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"],
                          capture_output=True, text=True)
    if head.returncode != 0:
        pytest.skip("not a git checkout")
    monkeypatch.syspath_prepend(str(SCRIPT.parent))
    from common import commit
    assert commit() in (head.stdout.strip(), head.stdout.strip() + "+dirty")
