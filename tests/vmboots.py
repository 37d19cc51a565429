"""The test session's VM boots (tests/test_vm.py, tests/test_er_vm.py), started as soon as the tests are collected.

A boot takes minutes under TCG, and its guest mostly waits on timers and daemons (about half a core), as the
host's own tests do: so the boots all run at once, each in a thread of its own, from the start of the session
beside the host's tests, and a VM test's fixture takes its boot's result when pytest reaches it (in name
order: test_wpagui, whose Qt lost its Xvfb under the VMs' load, runs after them). A module offers its boots as
`BOOTS = [Boot(name, run), ...]`; `run` returns the result or raises, which the fixture re-raises. A boot not
started early (its module run alone, or `late`: one more share of work, once the host's tests before its
module have left the CPU to the boots) starts when asked. Boots that share work use `session_dir()`.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

AT_ONCE = 3  # the hwsim guest's two shares and the ER's: about 1.5 cores under TCG, on a 2-core CI machine
_pool: ThreadPoolExecutor | None = None
_started: dict[str, Future] = {}
_running: set[subprocess.Popen] = set()
_session_dir: Path | None = None
_lock = threading.Lock()


@dataclass(frozen=True)
class Boot:
    name: str
    run: Callable[[], Any]
    ready: Callable[[], bool] = lambda: True  # False: the module will skip, nothing to boot
    late: bool = False  # not started with the session (start_early): when a test first asks for it (start, result)


def start_early(boots: Iterable[Boot]) -> None:
    """The session's start: these boots but the late ones."""
    start(boot for boot in boots if not boot.late)


def start(boots: Iterable[Boot]) -> None:
    """Start these boots now (in the order given, when more than AT_ONCE wait)."""
    global _pool
    with _lock:
        for boot in boots:
            if boot.name in _started or not boot.ready():
                continue
            if _pool is None:
                _pool = ThreadPoolExecutor(AT_ONCE, thread_name_prefix="vm-boot")
            _started[boot.name] = _pool.submit(boot.run)


def result(boot: Boot) -> Any:
    """The boot's result: waits for it, starting it first if nothing has."""
    start([boot])
    return _started[boot.name].result()


def session_dir() -> Path:
    """A folder of this test session's, the same for every boot; removed when the session ends."""
    global _session_dir
    with _lock:
        if _session_dir is None:
            _session_dir = Path(tempfile.mkdtemp(prefix="pywps-vm-session-"))
        return _session_dir


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
    if _session_dir is not None:
        shutil.rmtree(_session_dir, ignore_errors=True)


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
