"""skae on Dask: model search over workers, out-of-core training and inference.

Three parts (``--parts`` picks some), each beside a baseline run in the same
process:

``search``
    ``GridSearchCV`` over ``--candidates`` small ``AutoencoderTransformer``
    candidates (code size, width, learning rate) on digits (or
    ``--dataset``): first with ``n_jobs=1`` in this process, then on joblib's
    Dask backend with a ``LocalCluster`` of 1 worker (all the cores) and of
    2 workers (half the cores each), every worker's TensorFlow capped by
    :func:`skae.dask.worker_env`. Each cluster runs the search three times:
    the first is cold (each worker traces each architecture it meets), the
    third warm. Prints both wall times, speedup over 1 worker (the ideal on
    2 cores is 2), whether the split scores equal those of ``n_jobs=1``
    exactly, and each worker's resident memory after the second and third
    searches, with the growth per fit between them (after warm-up: a leak
    shows there). Workers import TensorFlow before the clock starts (their
    start-up is printed apart).
``incremental``
    ``dask_ml.wrappers.Incremental`` over a Dask array of ``--rows`` x 784
    float32 rows (1,000,000 by default: 3.1 GB) that is never held whole:
    each block of ``--chunk`` rows is drawn when a worker needs it (rows of
    rank 16 plus noise, a seed per block). One pass is one ``partial_fit``
    a block. The blocks go through one chain of ``partial_fit`` calls, so
    this runs on one worker process of all the cores: a second worker
    would only draw blocks ahead of the chain and hold them (it measured
    5.7 GB for this 3.1 GB array). Baseline: ``IncrementalPCA`` of the same
    code size through the same wrapper, on the same cluster. Prints seconds
    per epoch, the resident memory of all the processes (client and
    workers) before and at its peak, sampled every 0.2 s, beside the
    array's size.
``transform``
    Codes of the whole array: :func:`skae.dask.map_rows` (``transform``)
    of the fitted autoencoder against the fitted ``IncrementalPCA``'s,
    reduced to their column means so no result is held whole either, on
    ``--workers`` workers (blocks are independent here); seconds and rows
    a second.
``memory``
    Resident memory growth per fit: ``--fits`` fits of one architecture
    (the search's first candidate, ``--search-epochs`` epochs) in this
    process, then one at a time in a 1-worker ``LocalCluster`` with Dask's
    statistical profiler on (its default) and off. Growth per fit is
    measured after the first fifth of the fits (warm-up). The profiler
    samples the running thread's stack every 10 ms and keeps one profile
    a second for the last ``distributed.admin.low-level-log-length``
    seconds (1000): TensorFlow's deep stacks make that history the bulk of
    a training worker's growth.

    python benchmarks/scale.py --quick                       # a minute, tiny sizes
    python benchmarks/scale.py --out results/scale           # the issue's sizes
"""

import argparse
import json
import logging
import os
import time
from pathlib import Path

import numpy as np
from common import PeakMemory, add_data_arguments, load_dataset

PARTS = ("search", "incremental", "transform", "memory")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_arguments(parser)
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS))
    parser.add_argument("--candidates", type=int, default=12, choices=(4, 8, 12, 16),
                        help="grid search candidates (default 12)")
    parser.add_argument("--search-epochs", type=int, default=20,
                        help="max_iter of each search candidate (default 20)")
    parser.add_argument("--fits", type=int, default=100,
                        help="fits of the memory part, in each setting (default 100)")
    parser.add_argument("--rows", type=int, default=1_000_000,
                        help="rows of the out-of-core array (default 1,000,000)")
    parser.add_argument("--chunk", type=int, default=20_000, help="rows of one block (default 20,000)")
    parser.add_argument("--epochs", type=int, default=1, help="passes of the Incremental fit (default 1)")
    parser.add_argument("--n-components", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2,
                        help="worker processes for transform (default 2; Incremental runs on one)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="folder for scale.json")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 4 candidates of 3 epochs, 20,000 rows in blocks of 5,000")
    args = parser.parse_args(argv)
    if args.quick:
        args.candidates, args.search_epochs = 4, 3
        args.rows, args.chunk, args.fits = 20_000, 5_000, 10
    return args


def cluster(n_workers, profile=True):
    """A LocalCluster of ``n_workers`` one-thread processes sharing the cores.

    ``profile=False`` turns off the workers' statistical profiler (see the
    ``memory`` part); each nanny passes the configuration of this process,
    as it stands at the cluster's creation, to its worker.
    """
    import dask
    import distributed

    from skae.dask import worker_env

    threads = max(1, (os.cpu_count() or 1) // n_workers)
    with dask.config.set({"distributed.worker.profile.enabled": profile}):
        local = distributed.LocalCluster(
            n_workers=n_workers, threads_per_worker=1, processes=True,
            env=worker_env(threads), dashboard_address=None, silence_logs=logging.ERROR,
        )
    return local, distributed.Client(local)


def process_rss_mb():
    """This process's resident memory, in MB."""
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def worker_rss_mb(client):
    """Each worker's resident memory (by address) and this process's, in MB."""
    rss = client.run(process_rss_mb)
    return [rss[address] for address in sorted(rss)], process_rss_mb()


def load_keras():
    import skae._keras  # noqa: F401  (Keras and skae's Keras side, loaded)


def import_tensorflow(client):
    """Load Keras and TensorFlow in every worker; the seconds it took."""
    start = time.perf_counter()
    client.run(load_keras)
    return time.perf_counter() - start


def negative_mse(estimator, X, y=None):
    """A score for dask-ml's wrappers, which insist on one (IncrementalPCA has none)."""
    return -float(np.mean((X - estimator.inverse_transform(estimator.transform(X))) ** 2))


# ----------------------------------------------------------------- search

def search_rows(args):
    """The training rows of --dataset (already scaled by load_dataset), as float32."""
    X = load_dataset(args)[0]
    return np.asarray(X[: args.train_size] if args.train_size else X, np.float32)


def search_grid(n):
    grid = {"n_components": [8, 16], "hidden_layer_sizes": [(64,), (128,)],
            "learning_rate": [1e-3, 3e-3, 1e-2, 3e-2]}
    from sklearn.model_selection import ParameterGrid

    return list(ParameterGrid(grid))[:n]


def run_search(args, X):
    from joblib import parallel_config
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV

    from skae import AutoencoderTransformer

    candidates = search_grid(args.candidates)
    search = GridSearchCV(
        AutoencoderTransformer(max_iter=args.search_epochs, random_state=args.seed),
        [{k: [v] for k, v in c.items()} for c in candidates], cv=2, refit=False,
    )
    fits = 2 * len(candidates)
    rows = []

    load_keras()  # as the workers do before their clocks start
    start = time.perf_counter()
    reference = clone(search).fit(X)
    rows.append(dict(setting="n_jobs=1, this process", seconds=time.perf_counter() - start,
                     same_scores=True))
    print(f"  n_jobs=1: {rows[-1]['seconds']:.1f} s", flush=True)
    for n_workers in (1, 2):
        local, client = cluster(n_workers)
        with local, client:
            startup = import_tensorflow(client)
            times, memory = [], []
            for _ in range(3):  # cold, warm, warm: growth between the warm ones
                start = time.perf_counter()
                with parallel_config(backend="dask"):
                    result = clone(search).fit(X)
                times.append(time.perf_counter() - start)
                memory.append(worker_rss_mb(client)[0])
        same = all(np.array_equal(result.cv_results_[f"split{i}_test_score"],
                                  reference.cv_results_[f"split{i}_test_score"]) for i in range(2))
        growth = [(after - before) / fits for before, after in zip(memory[1], memory[2])]
        rows.append(dict(
            setting=f"dask, {n_workers} worker{'s' * (n_workers > 1)}", seconds=times[0],
            warm_seconds=times[2], search_seconds=times, worker_startup_seconds=startup,
            same_scores=same, worker_rss_mb_after_each_search=memory,
            worker_rss_growth_mb_per_fit=growth,
        ))
        print(f"  {rows[-1]['setting']}: {times[0]:.1f} s cold, {times[2]:.1f} s warm, "
              f"start-up {startup:.1f} s", flush=True)
    one_worker = rows[1]
    for row in rows[1:]:
        row["speedup_over_1_worker"] = one_worker["seconds"] / row["seconds"]
        row["speedup_over_1_worker_warm"] = one_worker["warm_seconds"] / row["warm_seconds"]
    return dict(candidates=len(candidates), fits_per_search=fits, rows=rows,
                n_samples=int(X.shape[0]), n_features=int(X.shape[1]))


def print_search(result):
    print(f"\nGrid search: {result['candidates']} candidates x 2 folds = "
          f"{result['fits_per_search']} fits on {result['n_samples']} x {result['n_features']}")
    print("| setting | cold s | warm s | speedup vs 1 worker, cold / warm | "
          "same scores as n_jobs=1 | worker RSS MB after 2nd / 3rd search | growth MB per fit |")
    print("|---|---:|---:|---|---|---|---|")
    for row in result["rows"]:
        if "warm_seconds" not in row:
            print(f"| {row['setting']} | {row['seconds']:.1f} | - | - | {row['same_scores']} | - | - |")
            continue
        rss = row["worker_rss_mb_after_each_search"][1:]
        rss_text = " / ".join(", ".join(f"{v:.0f}" for v in m) for m in rss)
        growth_text = ", ".join(f"{g:+.2f}" for g in row["worker_rss_growth_mb_per_fit"])
        print(f"| {row['setting']} | {row['seconds']:.1f} | {row['warm_seconds']:.1f} | "
              f"{row['speedup_over_1_worker']:.2f} / {row['speedup_over_1_worker_warm']:.2f} | "
              f"{row['same_scores']} | {rss_text} | {growth_text} |")


# ------------------------------------------------------ out-of-core parts

N_FEATURES, RANK = 784, 16


def run_memory(args, X):
    """RSS growth per fit here, then in one Dask worker with its profiler on and off."""
    from skae import AutoencoderTransformer

    params, fits = search_grid(1)[0], args.fits
    warm = max(1, fits // 5)

    def estimator(seed):
        # Its bound fit goes to the workers by reference, as a search's
        # tasks do: a function of this script would be pickled by value
        # and rebuilt at every task, which grows a worker on its own
        # (about 0.1 MB a task in a trial loop).
        return AutoencoderTransformer(max_iter=args.search_epochs, random_state=seed, **params)

    def growth(run, rss):
        for seed in range(warm):
            run(seed)
        before = rss()
        for seed in range(warm, fits):
            run(seed)
        after = rss()
        return dict(rss_mb_after_warm_up=before, rss_mb_at_end=after,
                    growth_mb_per_fit=(after - before) / (fits - warm))

    load_keras()
    rows = [dict(setting="this process", **growth(
        lambda seed: estimator(seed).fit(X), process_rss_mb))]
    print(f"  this process: {rows[-1]['growth_mb_per_fit']:+.2f} MB a fit", flush=True)
    for profile in (True, False):
        local, client = cluster(1, profile=profile)
        with local, client:
            import_tensorflow(client)
            data = client.scatter(X)
            rows.append(dict(setting=f"dask worker, profiler {'on' if profile else 'off'}", **growth(
                lambda seed: client.submit(estimator(seed).fit, data, pure=False).result(),
                lambda: worker_rss_mb(client)[0][0])))
        print(f"  {rows[-1]['setting']}: {rows[-1]['growth_mb_per_fit']:+.2f} MB a fit", flush=True)
    return dict(fits=fits, warm_up_fits=warm, params=repr(params), epochs=args.search_epochs,
                n_samples=int(X.shape[0]), rows=rows)


def print_memory(result):
    print(f"\nMemory: {result['fits']} fits of {result['params']}, {result['epochs']} epochs, "
          f"on {result['n_samples']} rows; growth after the first {result['warm_up_fits']}")
    print("| setting | RSS MB after warm-up | at end | growth MB per fit |")
    print("|---|---|---|---|")
    for row in result["rows"]:
        print(f"| {row['setting']} | {row['rss_mb_after_warm_up']:.0f} | {row['rss_mb_at_end']:.0f} "
              f"| {row['growth_mb_per_fit']:+.3f} |")


def _draw_block(block_info=None, seed=0):
    """One block of rows of rank RANK plus noise, from the seed and its position."""
    start, stop = block_info[None]["array-location"][0]
    basis = np.random.default_rng(seed).normal(size=(RANK, N_FEATURES)) / np.sqrt(RANK)
    rng = np.random.default_rng([seed, start])
    latent = rng.normal(size=(stop - start, RANK))
    noise = rng.normal(scale=0.1, size=(stop - start, N_FEATURES))
    return (latent @ basis + noise).astype(np.float32)


def generated_rows(n_rows, chunk, seed):
    import dask.array as da

    chunks = (tuple(min(chunk, n_rows - s) for s in range(0, n_rows, chunk)), (N_FEATURES,))
    return da.map_blocks(_draw_block, seed=seed, chunks=chunks, dtype=np.float32,
                         meta=np.empty((0, N_FEATURES), np.float32))


class PeakClusterMemory(PeakMemory):
    """Peak of the summed resident memory of the client and every worker, in MB."""

    def __init__(self, client, interval=0.2):
        super().__init__(interval)
        self.client, self.last = client, 0

    def rss_bytes(self):
        try:
            workers, own = worker_rss_mb(self.client)
            self.last = int((own + sum(workers)) * 2**20)
        except Exception:  # a worker too busy to answer in time: keep the last sample
            pass
        return self.last

    def __exit__(self, *exc):
        super().__exit__(*exc)
        self.start, self.peak = self.start / 2**20, self.peak / 2**20


def run_out_of_core(args, parts):
    from dask_ml.wrappers import Incremental
    from sklearn.decomposition import IncrementalPCA

    from skae import AutoencoderTransformer
    from skae.dask import map_rows

    X = generated_rows(args.rows, args.chunk, args.seed)
    models = {
        "AutoencoderTransformer": AutoencoderTransformer(
            args.n_components, hidden_layer_sizes=(128,), batch_size=256, random_state=args.seed),
        "IncrementalPCA": IncrementalPCA(args.n_components),
    }
    result = dict(rows=args.rows, chunk=args.chunk, n_features=N_FEATURES,
                  array_gb=X.nbytes / 1e9, fit_workers=1, transform_workers=args.workers,
                  epochs=args.epochs, models={})
    fitted = {}
    local, client = cluster(1)
    with local, client:
        import_tensorflow(client)
        for name, model in models.items():
            row = result["models"][name] = {}
            wrapper = Incremental(model, scoring=negative_mse, shuffle_blocks=False)
            with PeakClusterMemory(client) as memory:
                start = time.perf_counter()
                for _ in range(args.epochs):
                    wrapper.partial_fit(X)
                row["seconds_per_epoch"] = (time.perf_counter() - start) / args.epochs
            row["fit_peak_rss_mb"] = memory.peak
            row["fit_rss_before_mb"] = memory.start
            fitted[name] = wrapper.estimator_
            print(f"  {name} Incremental: {row['seconds_per_epoch']:.1f} s an epoch, "
                  f"RSS {memory.start:.0f} MB before, {memory.peak:.0f} MB at peak", flush=True)
    if "transform" not in parts:
        return result
    local, client = cluster(args.workers)
    with local, client:
        import_tensorflow(client)
        for name, row in result["models"].items():
            with PeakClusterMemory(client) as memory:
                start = time.perf_counter()
                means = map_rows(fitted[name], X).mean(axis=0).compute()
                row["transform_seconds"] = time.perf_counter() - start
            row["transform_peak_rss_mb"] = memory.peak
            row["transform_rss_before_mb"] = memory.start
            row["transform_rows_per_second"] = args.rows / row["transform_seconds"]
            row["code_means_finite"] = bool(np.all(np.isfinite(means)))
            print(f"  {name} transform: {row['transform_seconds']:.1f} s, "
                  f"peak RSS {memory.peak:.0f} MB", flush=True)
    return result


def print_out_of_core(result):
    print(f"\nOut of core: {result['rows']:,} x {result['n_features']} float32 "
          f"({result['array_gb']:.2f} GB), blocks of {result['chunk']:,} rows; Incremental "
          f"on 1 worker, transform on {result['transform_workers']}")
    base = result["models"]["IncrementalPCA"]
    print("| model | s per epoch | x IncrementalPCA | fit RSS MB before / peak (all processes) | "
          "transform s | rows/s | x IncrementalPCA | transform RSS MB before / peak |")
    print("|---|---:|---:|---|---:|---:|---:|---|")
    for name, row in result["models"].items():
        transform = (f"{row['transform_seconds']:.1f} | {row['transform_rows_per_second']:,.0f} | "
                     f"{row['transform_seconds'] / base['transform_seconds']:.2f} | "
                     f"{row['transform_rss_before_mb']:.0f} / {row['transform_peak_rss_mb']:.0f}"
                     if "transform_seconds" in row else "- | - | - | -")
        print(f"| {name} | {row['seconds_per_epoch']:.1f} | "
              f"{row['seconds_per_epoch'] / base['seconds_per_epoch']:.2f} | "
              f"{row['fit_rss_before_mb']:.0f} / {row['fit_peak_rss_mb']:.0f} | {transform} |")


def main(argv=None):
    args = parse_args(argv)
    report = dict(cpu_count=os.cpu_count(), quick=args.quick)
    if {"search", "memory"} & set(args.parts):
        X = search_rows(args)  # both parts fit on these rows
    if "search" in args.parts:
        print("search", flush=True)
        report["search"] = run_search(args, X)
        print_search(report["search"])
    if "memory" in args.parts:
        print("\nmemory", flush=True)
        report["memory"] = run_memory(args, X)
        print_memory(report["memory"])
    if {"incremental", "transform"} & set(args.parts):
        print("\nout of core", flush=True)
        report["out_of_core"] = run_out_of_core(args, args.parts)
        print_out_of_core(report["out_of_core"])
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "scale.json").write_text(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
