"""Single-row and batched transform latency of AutoencoderTransformer.

Prints times next to PCA.transform and Keras' Model.predict, all measured in
this process on the same rows, plus their ratios:

    python benchmarks/latency.py [--repeats 300]
"""

import argparse
import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

from skae import AutoencoderTransformer


def per_call_ms(fn, repeats):
    fn()  # warm up (traces graphs, fills caches)
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats * 1e3


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=300)
    args = parser.parse_args()

    X = StandardScaler().fit_transform(load_digits().data)
    big = np.tile(X, (20, 1))  # 35,940 rows
    row = X[:1]
    pca = PCA(8, random_state=0).fit(X)
    ae = AutoencoderTransformer(8, max_iter=20, random_state=0).fit(X)
    encoder = ae.encoder_
    row32 = row.astype(np.float32)

    rows = [
        ("PCA.transform, 1 row", per_call_ms(lambda: pca.transform(row), args.repeats)),
        ("AutoencoderTransformer.transform, 1 row", per_call_ms(lambda: ae.transform(row), args.repeats)),
        ("keras encoder.predict, 1 row", per_call_ms(lambda: encoder.predict(row32, verbose=0), 20)),
        (f"PCA.transform, {len(big)} rows", per_call_ms(lambda: pca.transform(big), 20)),
        (f"AutoencoderTransformer.transform, {len(big)} rows", per_call_ms(lambda: ae.transform(big), 20)),
        (f"keras encoder.predict, {len(big)} rows", per_call_ms(lambda: encoder.predict(big, verbose=0, batch_size=4096), 5)),
    ]
    print(f"{'call':<52}{'ms':>10}")
    for name, ms in rows:
        print(f"{name:<52}{ms:>10.3f}")
    t = dict(rows)
    print()
    print(f"single row: skae / PCA = {t['AutoencoderTransformer.transform, 1 row'] / t['PCA.transform, 1 row']:.1f}x, "
          f"keras predict / skae = {t['keras encoder.predict, 1 row'] / t['AutoencoderTransformer.transform, 1 row']:.0f}x")


if __name__ == "__main__":
    main()
