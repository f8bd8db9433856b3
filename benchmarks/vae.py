"""VariationalAutoencoder as a density model, beside PCA's and a mixture's, in one run.

Test log-likelihood in nats per image (the VAE's importance-weighted with
``--draws`` draws per image) for VAEs trained for several epoch budgets
(how it moves with time), against probabilistic PCA (``PCA.score``) and a
Gaussian mixture on PCA codes with PPCA's isotropic noise outside them, on:

- MNIST, binarized at 0.5: a Bernoulli VAE, against independent pixels (the
  Gaussian models give densities of continuous data, not probabilities of
  binary images, so they are not comparable there and not shown);
- Fashion-MNIST, pixels in [0, 1]: a Gaussian VAE against the Gaussian models;
- offline, scikit-learn's digits (pixels / 16), as Fashion-MNIST.

Then a grid of samples and a 2-D latent map (plots, with matplotlib), and
the anomaly ROC-AUC of ``-score_samples`` on the shared anomaly sets beside
``AutoencoderAnomalyDetector`` and IsolationForest.

    python benchmarks/vae.py                           # digits, offline
    python benchmarks/vae.py --data-dir ../shared/data
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
from anomaly import digits_anomalies, read_sets
from common import load_idx_set
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skae import AutoencoderAnomalyDetector, VariationalAutoencoder


def load_images(args):
    """{name: (X_train, X_test, y_test, likelihood, image_shape)}."""
    if args.data_dir is None:
        data = load_digits()
        X_train, X_test, _, y_test = train_test_split(
            data.data / 16.0, data.target, test_size=0.25, random_state=0
        )
        return {"digits": (X_train, X_test, y_test, "gaussian", (8, 8))}
    sets = {}
    for name in args.datasets:
        (X_train, _), (X_test, y_test), shape = load_idx_set(Path(args.data_dir) / name)
        if name == "mnist":
            X_train, X_test = (X_train > 0.5).astype(float), (X_test > 0.5).astype(float)
            sets["mnist (binarized)"] = (X_train, X_test, y_test, "bernoulli", shape)
        else:
            sets[name] = (X_train, X_test, y_test, "gaussian", shape)
    return sets


def independent_pixels(X_train, X_test):
    """Log-probability of binary rows under independent pixels (smoothed marginals)."""
    p = (X_train.sum(axis=0) + 1) / (len(X_train) + 2)
    return float(np.mean(X_test @ np.log(p) + (1 - X_test) @ np.log1p(-p)))


def mixture_on_codes(X_train, X_test, k, n_mixture, seed):
    """A Gaussian mixture on PCA codes, with isotropic noise (PPCA's) outside them.

    A density in the data's space: the mixture's density of the code plus an
    isotropic Gaussian density of the residual in the other n_features - k
    directions, whose variance is PPCA's (the mean discarded eigenvalue).
    """
    pca = PCA(k, random_state=seed).fit(X_train)
    gmm = GaussianMixture(n_mixture, covariance_type="full", reg_covar=1e-6, random_state=seed)
    gmm.fit(pca.transform(X_train))
    codes = pca.transform(X_test)
    residual = X_test - pca.inverse_transform(codes)
    rest = X_train.shape[1] - k
    noise = max(pca.noise_variance_, 1e-12)
    log_rest = -0.5 * (np.sum(residual**2, axis=1) / noise + rest * np.log(2 * np.pi * noise))
    return float(np.mean(gmm.score_samples(codes) + log_rest))


def density_table(name, X_train, X_test, likelihood, args):
    k = args.n_components
    rows = []

    def add(model, seconds, score, **extra):
        rows.append({"dataset": name, "model": model, "fit_s": seconds,
                     "test_log_likelihood": score, **extra})
        print(f"  {model}: {score:.2f} nats per image ({seconds:.1f} s)", flush=True)

    if likelihood == "bernoulli":
        start = time.perf_counter()
        score = independent_pixels(X_train, X_test)
        add("independent pixels", time.perf_counter() - start, score)
    else:
        start = time.perf_counter()
        pca = PCA(k, random_state=args.seed).fit(X_train)
        add(f"PPCA (PCA.score), k={k}", time.perf_counter() - start, float(pca.score(X_test)))
        start = time.perf_counter()
        score = mixture_on_codes(X_train, X_test, k, args.mixture, args.seed)
        add(f"GaussianMixture({args.mixture}) on PCA codes + PPCA noise, k={k}",
            time.perf_counter() - start, score)
    vae = None
    for budget in args.budgets:
        vae = VariationalAutoencoder(k, likelihood=likelihood, max_iter=budget,
                                     n_importance_samples=args.draws, random_state=args.seed,
                                     **args.params)
        start = time.perf_counter()
        vae.fit(X_train)
        seconds = time.perf_counter() - start
        start = time.perf_counter()
        score = vae.score(X_test)
        score_s = time.perf_counter() - start
        elbo = vae.set_params(n_importance_samples=1).score(X_test)
        vae.set_params(n_importance_samples=args.draws)
        collapsed = int(np.sum(vae.kl_per_component_ < 0.01))
        add(f"VAE, max_iter={budget} ({vae.n_iter_} epochs)", seconds, score,
            elbo=elbo, epochs=vae.n_iter_, score_s=score_s, draws=args.draws,
            inactive_components=collapsed)
    return rows, vae


def plots(name, vae, X_train, X_test, y_test, likelihood, shape, args, out):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("  (no matplotlib: plots skipped)")
        return
    slug = name.split(" ")[0]
    # Decoder means of codes drawn from the prior: what the model believes
    # an image is, without the pixel noise of the likelihood.
    rng = np.random.RandomState(args.seed)
    means = vae.inverse_transform(rng.standard_normal((64, vae.n_components_)))
    fig, axes = plt.subplots(8, 8, figsize=(8, 8))
    for ax, image in zip(axes.ravel(), means):
        ax.imshow(np.clip(image.reshape(shape), 0, 1), cmap="gray_r", vmin=0, vmax=1)
        ax.axis("off")
    fig.suptitle(f"{name}: decoder means of 64 codes drawn from the prior")
    fig.savefig(out / f"{slug}_samples.png", dpi=80)
    plt.close(fig)

    latent = VariationalAutoencoder(2, likelihood=likelihood, max_iter=args.latent_max_iter,
                                    random_state=args.seed, **args.params).fit(X_train)
    codes = latent.transform(X_test)
    fig, ax = plt.subplots(figsize=(7, 6))
    points = ax.scatter(codes[:, 0], codes[:, 1], c=y_test, cmap="tab10", s=3)
    fig.colorbar(points, ax=ax, label="label")
    ax.set_xlabel("posterior mean, component 1")
    ax.set_ylabel("posterior mean, component 2")
    ax.set_title(f"{name}: 2-D VAE codes of the test images")
    fig.savefig(out / f"{slug}_latent_2d.png", dpi=80)
    plt.close(fig)
    print(f"  plots: {slug}_samples.png, {slug}_latent_2d.png")


def anomaly_sets(args):
    folder = None if args.data_dir is None else Path(args.data_dir) / "anomaly"
    if folder is None or not folder.is_dir():
        return {"digits (zeros as anomalies)": digits_anomalies(args.seed)}
    return read_sets(sorted(folder.glob("*.npz")))


def anomaly_table(args):
    rows = []
    short = {"max_iter": 2} if args.quick else {}
    for name, (X, y) in anomaly_sets(args).items():
        if args.quick:
            X, y = X[::4], y[::4]
        X = StandardScaler().fit_transform(X)
        k = int(np.ceil(np.sqrt(X.shape[1])))  # the detector's default code size
        detectors = {
            f"VAE -score_samples (k={k})": lambda: -VariationalAutoencoder(
                k, n_importance_samples=args.draws, random_state=args.seed, **short
            ).fit(X).score_samples(X),
            "AutoencoderAnomalyDetector": lambda: -AutoencoderAnomalyDetector(
                random_state=args.seed, **short).fit(X).score_samples(X),
            "IsolationForest": lambda: -IsolationForest(
                random_state=args.seed).fit(X).score_samples(X),
        }
        for detector, outlyingness in detectors.items():
            start = time.perf_counter()
            auc = roc_auc_score(y, outlyingness())
            rows.append({"dataset": name, "detector": detector, "roc_auc": auc,
                         "fit_score_s": time.perf_counter() - start})
            print(f"  {name}, {detector}: ROC-AUC {auc:.3f}", flush=True)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="the shared data folder; default: bundled digits")
    parser.add_argument("--datasets", nargs="+", default=["mnist", "fashion-mnist"])
    parser.add_argument("--n-components", type=int, default=32)
    parser.add_argument("--budgets", type=int, nargs="+", default=[5, 20, 60],
                        help="max_iter of each VAE fit, to show how the score moves with time")
    parser.add_argument("--draws", type=int, default=100, help="importance samples per image")
    parser.add_argument("--latent-max-iter", type=int, default=20,
                        help="max_iter of the 2-D VAE of the latent map")
    parser.add_argument("--mixture", type=int, default=10, help="GaussianMixture components")
    parser.add_argument("--n-train", type=int, help="first rows of the training set only")
    parser.add_argument("--n-test", type=int, help="first rows of the test set only")
    parser.add_argument("--params", type=json.loads, default={},
                        help="more VariationalAutoencoder parameters, as JSON")
    parser.add_argument("--no-anomaly", action="store_true")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: few rows, draws and epochs (not for results)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="benchmarks/out/vae")
    args = parser.parse_args(argv)
    if args.quick:
        args.budgets, args.draws, args.n_train, args.n_test = [2], 5, 300, 100
        args.latent_max_iter = 2
        args.n_components, args.mixture = 4, 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    report = {"density": [], "anomaly": [], "args": vars(args)}
    for name, (X_train, X_test, y_test, likelihood, shape) in load_images(args).items():
        X_train, X_test, y_test = X_train[: args.n_train], X_test[: args.n_test], y_test[: args.n_test]
        print(f"{name}: {len(X_train)} training and {len(X_test)} test images, "
              f"{likelihood} likelihood", flush=True)
        rows, vae = density_table(name, X_train, X_test, likelihood, args)
        report["density"] += rows
        plots(name, vae, X_train, X_test, y_test, likelihood, shape, args, out)
    if not args.no_anomaly:
        print("anomaly detection (all rows, standardized; -score_samples as outlyingness)")
        report["anomaly"] = anomaly_table(args)

    print("\n| data | model | test log-likelihood (nats/image) | ELBO | epochs | fit s |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in report["density"]:
        elbo = f"{r['elbo']:.2f}" if "elbo" in r else "-"
        print(f"| {r['dataset']} | {r['model']} | {r['test_log_likelihood']:.2f} | {elbo} "
              f"| {r.get('epochs', '-')} | {r['fit_s']:.1f} |")
    if report["anomaly"]:
        print("\n| data | detector | ROC-AUC | fit+score s |")
        print("| --- | --- | --- | --- |")
        for r in report["anomaly"]:
            print(f"| {r['dataset']} | {r['detector']} | {r['roc_auc']:.3f} | {r['fit_score_s']:.1f} |")
    (out / "results.json").write_text(json.dumps(report, indent=1))
    print(f"\nwrote {out / 'results.json'}")


if __name__ == "__main__":
    main()
