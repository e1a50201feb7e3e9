"""Process-parallel maps over chunks of parameter arrays (waveforms, likelihoods)."""

from __future__ import annotations

import sys

_SHARED: tuple = ()
_LIMITS = None


def _share(args: tuple) -> None:
    """Worker start-up: keep the shared arguments, and one BLAS thread per worker (the
    workers already fill the cores; nested BLAS threads would oversubscribe them)."""
    global _SHARED, _LIMITS
    from threadpoolctl import threadpool_limits

    _SHARED = args
    _LIMITS = threadpool_limits(1)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)


def _call_with_shared(job):
    func, chunk = job
    return func((chunk, *_SHARED))


def map_chunks(func, params: dict, args: tuple, threads: int = 1, chunk: int = 500) -> list:
    """``func((params_chunk, *args))`` over row chunks of the parameter arrays, in
    ``threads`` worker processes when there is more than one chunk; results in order.
    ``args`` (simulator, basis, ...) reach each worker once, not once per chunk."""
    from concurrent.futures import ProcessPoolExecutor

    n = len(next(iter(params.values())))
    chunks = [{k: v[i:i + chunk] for k, v in params.items()} for i in range(0, n, chunk)]
    if threads > 1 and len(chunks) > 1:
        with ProcessPoolExecutor(max_workers=threads, initializer=_share, initargs=(args,)) as pool:
            return list(pool.map(_call_with_shared, [(func, c) for c in chunks]))
    return [func((c, *args)) for c in chunks]
