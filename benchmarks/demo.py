"""Fit an autoencoder next to PCA on scikit-learn's digits and compare.

Runs offline in well under a minute on two cores:

    python benchmarks/demo.py
"""

import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skae import AutoencoderTransformer

N_COMPONENTS = 8
SEED = 0


def reconstruction_mse(estimator, X):
    return float(np.mean((X - estimator.inverse_transform(estimator.transform(X))) ** 2))


def main():
    X = load_digits().data
    X_train, X_test = train_test_split(X, test_size=0.25, random_state=SEED)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

    estimators = {
        "PCA": PCA(n_components=N_COMPONENTS, random_state=SEED),
        "AutoencoderTransformer (defaults)": AutoencoderTransformer(
            n_components=N_COMPONENTS, random_state=SEED
        ),
    }
    print(
        f"digits: {X_train.shape[0]} train / {X_test.shape[0]} test rows, "
        f"{X.shape[1]} features, standardized; n_components={N_COMPONENTS}"
    )
    print(f"{'estimator':<36}{'test MSE':>10}{'fit s':>8}")
    for name, estimator in estimators.items():
        start = time.perf_counter()
        estimator.fit(X_train)
        seconds = time.perf_counter() - start
        print(f"{name:<36}{reconstruction_mse(estimator, X_test):>10.4f}{seconds:>8.1f}")


if __name__ == "__main__":
    main()
