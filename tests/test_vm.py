"""The mac80211_hwsim tests (tests/vm/guest), run by boots of the test VM at once and reported here one by one.

The VM (tests/vm/run.sh: Debian's kernel under QEMU/TCG, this machine's filesystem read-only, 4 hwsim
radios) runs pytest on tests/vm/guest; the VMs share the tests, each taking the next one no other has
(tests/vm/guest/conftest.py): two from the start of the session beside the host's tests (tests/vmboots.py), a
third once those are done and pytest reaches the tests below. Each host test below stands for one guest test
and fails with the guest's failure text.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import sys
import tempfile
from functools import partial
from pathlib import Path

import pytest
import vmboots

HERE = Path(__file__).parent
GUEST = HERE / "vm" / "guest"
ARTEFACTS = Path(os.environ.get("VM_ARTEFACTS", HERE.parent / "vm-artefacts"))
RADIOS = 4
# Each guest mostly waits on timers (about half a core under TCG): two halve the wall time. A third share, booting
# when the ER's VM was done, cut a CI run from 30.8 to 24.8 min but overloaded the 2 cores beside the host's
# tests: four comparisons timed out that pass alone (VMs of two vCPUs then; one since 964cb58, tests/vm/run.sh).
VMS = 2
# One more share boots when pytest reaches these tests, the host's tests before them done: the guest tests still
# unclaimed then are split three ways.
LATE_VMS = 1
# seconds for one share (28 min under TCG on 2 cores beside the host's tests on 2026-12-01; 23 with one vCPU)
VM_TIMEOUT = 2400


def guest_tests() -> list[str]:
    names = []
    for path in sorted(GUEST.glob("test_*.py")):
        tree = ast.parse(path.read_text())
        names += [f"{path.stem}::{node.name}" for node in tree.body
                  if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")]
    return names


def skip_reason() -> str | None:
    if os.geteuid() != 0:
        return "the hwsim VM needs root (9p export of /, AF_PACKET inside)"
    if shutil.which("qemu-system-x86_64") is None:
        return "qemu-system-x86_64 not installed (apt-get install qemu-system-x86; scripts/setup.sh does)"
    if not (ARTEFACTS / "initrd.gz").exists():
        return f"no VM artefacts in {ARTEFACTS} (tests/vm/build.sh builds them; scripts/test.sh runs it)"
    for tool in ("hostapd", "wpa_supplicant", "wpa_cli", "hostapd_cli", "iw"):
        if shutil.which(tool) is None:
            return f"{tool} not installed"
    return None


def boot_guest(vm: int) -> tuple[list[dict], str]:
    """One VM's share of the guest tests: the reports of their phases (tests/vm/guest/conftest.py's lines), and
    the end of its output. It raises only when it could not start."""
    claims = vmboots.session_dir() / "claims"
    claims.mkdir(exist_ok=True)
    out = Path(tempfile.mkdtemp(prefix="pywps-vm-"))
    cmd = (f"PYWPS_IN_VM=1 PYWPS_VM_CLAIMS=/mnt/shared/claims PYWPS_VM_RESULTS=/mnt/out/results.jsonl "
           f"{sys.executable} -m pytest -p no:cacheprovider -q -rfE {GUEST}")
    env = dict(os.environ, HWSIM_RADIOS=str(RADIOS), VM_OUT=str(out), VM_TIMEOUT=str(VM_TIMEOUT),
               VM_SHARED=str(claims.parent))
    proc = vmboots.run_vm(["bash", str(HERE / "vm" / "run.sh"), cmd], VM_TIMEOUT + 60, cwd=HERE.parent, env=env)
    results = out / "results.jsonl"
    reports = [report for line in (results.read_text().splitlines() if results.exists() else [])
               if (report := _report(line)) is not None]
    log = f"VM {vm} (exit {proc.returncode}):\n{proc.stdout[-10000:]}\n{proc.stderr[-2000:]}"
    shutil.rmtree(out, ignore_errors=True)
    return reports, log


def _report(line: str) -> dict | None:
    """One line of a VM's reports; None for the line a VM stopped in the middle of (its timeout)."""
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        return None


BOOTS = [vmboots.Boot(f"hwsim-{vm}", partial(boot_guest, vm), ready=lambda: skip_reason() is None, late=vm > VMS)
         for vm in range(1, VMS + LATE_VMS + 1)]


GUEST_REPORTS: list[dict] = []  # for the session's summary (tests/conftest.py): the slowest guest tests


@pytest.fixture(scope="session")
def guest_results() -> tuple[list[dict], str]:
    """Every VM's reports, and their outputs."""
    if reason := skip_reason():
        pytest.skip(reason)
    vmboots.start(BOOTS)  # the late share too, before waiting for the first
    shares = [vmboots.result(boot) for boot in BOOTS]
    reports = [report for reports, _ in shares for report in reports]
    GUEST_REPORTS[:] = reports
    return reports, "\n".join(log for _, log in shares)


def slowest(reports: list[dict], count: int = 10) -> list[tuple[float, str]]:
    """The guest test functions that took longest (their cases and phases summed), in seconds."""
    spent: dict[str, float] = {}
    for r in reports:
        name = re.sub(r"\[.*\]$", "", r["nodeid"].rsplit("/", 1)[-1])
        spent[name] = spent.get(name, 0.0) + r.get("duration", 0.0)
    return sorted(((seconds, name) for name, seconds in spent.items()), reverse=True)[:count]


def outcome_of(reports: list[dict], log: str, name: str) -> tuple[str, str]:
    """A guest test's outcome from the reports of its phases; a parametrized one's cases (`name[...]`) count
    together: failed if one failed or never ended, skipped if all were, passed if all passed."""
    module, function = name.split("::")
    collect = [r for r in reports if r["when"] == "collect" and r["nodeid"].endswith(f"/{module}.py")]
    if collect:
        return "failed", collect[0]["text"]
    cases: dict[str, list[dict]] = {}
    for r in reports:
        if re.search(rf"/{module}\.py::{function}(\[.*\])?$", r["nodeid"]):
            cases.setdefault(r["nodeid"], []).append(r)
    if not cases:
        return "missing", f"no VM took it:\n{log}"
    problems = []
    for case, phases in cases.items():
        problems += [f"{case} ({r['when']}):\n{r['text']}" for r in phases if r["outcome"] == "failed"]
        if all(r["when"] != "teardown" for r in phases):
            problems.append(f"{case} never ended: its VM stopped (its timeout?):\n{log}")
    if problems:
        return "failed", "\n".join(problems)
    skips = [r for phases in cases.values() for r in phases if r["outcome"] == "skipped"]
    if len(skips) == len(cases):
        return "skipped", skips[0]["text"]
    return "passed", ""


@pytest.mark.parametrize("name", guest_tests())
def test_in_vm(guest_results, name):
    outcome, text = outcome_of(*guest_results, name)
    if outcome == "skipped":
        pytest.skip(text)
    assert outcome == "passed", f"{name} {outcome} in the VM:\n{text}"
