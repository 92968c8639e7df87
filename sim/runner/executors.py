"""Where runs execute: a ``concurrent.futures`` executor, local processes or Dask, one code path
for ``alignsim sweep`` and ``alignsim compare``.

- Local (default): :class:`concurrent.futures.ProcessPoolExecutor` with ``jobs`` workers (all
  cores by default). The start method is chosen here, when the pool is made, never at import:
  ``forkserver`` where the platform has it, else ``spawn`` (never ``fork``: a forked child
  inherits the coordinator's threads and locks).
- Dask (the ``dask`` install extra): ``"local"`` starts a :class:`distributed.LocalCluster` of
  ``jobs`` single-threaded worker processes; any other value is a scheduler address to join
  (``tcp://host:8786``) or a scheduler file (``*.json``, from ``dask scheduler --scheduler-file``),
  for example on SLURM. Its executor is
  ``Client.get_executor()``, so the engine's loop (:mod:`sim.runner.loop`) cannot tell them apart.
- In this process (``in_process=True`` with one job): tasks run when submitted, no worker is
  started (what ``alignsim compare --jobs 1`` has always done).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import logging
import multiprocessing
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sim.errors import InputError


@dataclass
class Pool:
    executor: cf.Executor
    kind: str  # "processes" or "dask"
    workers: int
    description: str

    def info(self) -> dict[str, object]:
        return {"kind": self.kind, "workers": self.workers, "description": self.description}


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def start_method() -> str:
    """``forkserver`` where the platform has it, else ``spawn``; looked up at call time."""
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


class InProcess(cf.Executor):
    """Runs each task when it is submitted, in this process."""

    def submit(self, fn, /, *args, **kwargs) -> cf.Future:
        future: cf.Future = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # handed to the caller through the future, as a pool would
            future.set_exception(exc)
        return future


@contextlib.contextmanager
def in_process() -> Iterator[Pool]:
    yield Pool(InProcess(), "in-process", 1, "this process")


@contextlib.contextmanager
def local_processes(jobs: int | None) -> Iterator[Pool]:
    n = jobs or default_jobs()
    method = start_method()
    executor = cf.ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context(method))
    try:
        yield Pool(executor, "processes", n, f"{n} local process{'es' if n > 1 else ''} ({method})")
    except BaseException:
        # interrupted (Ctrl-C, SIGTERM) or failed: stop the workers now rather than wait for their
        # chunks; a SIGTERM reaches only this process, and its workers would otherwise run on
        for proc in list((getattr(executor, "_processes", None) or {}).values()):
            proc.terminate()
        raise
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _import_distributed():
    try:
        import distributed
    except ImportError:
        raise InputError("--dask", "needs Dask: pip install 'alignsim[dask]'") from None
    return distributed


@contextlib.contextmanager
def dask_pool(address: Any, jobs: int | None) -> Iterator[Pool]:
    """A Dask pool: ``"local"``, a scheduler address, or a ``distributed.Client`` the caller owns."""
    distributed = _import_distributed()
    cluster = None
    own = True
    if isinstance(address, distributed.Client):
        client, own = address, False
        description = "dask client"
    elif address == "local":
        n = jobs or default_jobs()
        cluster = distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                           dashboard_address=None, silence_logs=logging.ERROR)
        client = distributed.Client(cluster)
        description = f"dask LocalCluster of {n} worker process{'es' if n > 1 else ''}"
    else:
        if jobs is not None:
            raise InputError("--jobs", "applies to local processes and --dask local; a scheduler's "
                             "workers are started with the cluster")
        try:
            if address.endswith(".json"):  # a scheduler file, as written by `dask scheduler --scheduler-file`
                if not os.path.isfile(address):
                    raise InputError(f"--dask {address}", "no such scheduler file")
                client = distributed.Client(scheduler_file=address, timeout="10s")
            else:
                client = distributed.Client(address, timeout="10s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(f"--dask {address}", f"cannot reach a Dask scheduler there: {exc}") from None
        description = f"dask scheduler {address}"
    try:
        workers = sum(client.nthreads().values()) or 1
        executor = client.get_executor(pure=False)
        try:
            yield Pool(executor, "dask", workers, f"{description} ({workers} threads)")
        finally:
            executor.shutdown(wait=False)
    finally:
        if own:
            client.close()
        if cluster is not None:
            cluster.close()


def open_pool(jobs: int | None = None, dask: Any = None,
              in_process_if_one: bool = False) -> contextlib.AbstractContextManager[Pool]:
    """The executor: local processes, or Dask when ``dask`` is given (``"local"``, an address, or a
    ``distributed.Client``); this process when ``jobs`` is 1 and ``in_process_if_one``."""
    if jobs is not None and jobs < 1:
        raise InputError("--jobs", f"value {jobs} is not allowed: must be >= 1")
    if dask is None:
        if jobs == 1 and in_process_if_one:
            return in_process()
        return local_processes(jobs)
    if not isinstance(dask, str):
        return dask_pool(dask, jobs)
    if not dask.strip():
        raise InputError("--dask", "expected 'local' or a scheduler address such as tcp://host:8786")
    return dask_pool(dask.strip(), jobs)
