"""The test session's VM boots (tests/test_vm.py, tests/test_er_vm.py), started as soon as the tests are collected.

A boot takes minutes under TCG and leaves the host's own tests, which mostly wait on daemons and timers, room to
run beside it: so the boots run one after another in a thread of their own from the start of the session, in the
order of their modules (the ER boot, about a minute, before the long hwsim one), and a VM test's fixture takes its
boot's result when pytest reaches it. A module offers its boot as `BOOT = Boot(name, run)`; `run` returns the
result or raises, which the fixture re-raises. A boot not started early (its module run alone) runs when asked.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

_pool: ThreadPoolExecutor | None = None
_started: dict[str, Future] = {}
_running: set[subprocess.Popen] = set()
_lock = threading.Lock()


@dataclass(frozen=True)
class Boot:
    name: str
    run: Callable[[], Any]
    ready: Callable[[], bool] = lambda: True  # False: the module will skip, nothing to boot


def start(boots: Iterable[Boot]) -> None:
    """Queue these boots (in the order given) on the session's VM thread."""
    global _pool
    for boot in boots:
        if boot.name in _started or not boot.ready():
            continue
        if _pool is None:
            _pool = ThreadPoolExecutor(1, thread_name_prefix="vm-boot")
        _started[boot.name] = _pool.submit(boot.run)


def result(boot: Boot) -> Any:
    """The boot's result: waits for it if it was started early, runs it now if not."""
    future = _started.get(boot.name)
    return boot.run() if future is None else future.result()


def run_vm(argv: list[str], timeout: float, **kwargs: Any) -> subprocess.CompletedProcess:
    """subprocess.run for tests/vm/run.sh, in a process group that stop_all() can end (its qemu with it)."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            **kwargs)
    with _lock:
        _running.add(proc)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        stdout, stderr = proc.communicate()
    finally:
        with _lock:
            _running.discard(proc)
    return subprocess.CompletedProcess(argv, proc.returncode, stdout, stderr)


def stop_all() -> None:
    """The session is over (or interrupted): no VM outlives it."""
    with _lock:
        for proc in list(_running):
            _kill(proc)
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
