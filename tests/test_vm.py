"""The mac80211_hwsim tests (tests/vm/guest), run in one boot of the test VM and reported here one by one.

The VM (tests/vm/run.sh: Debian's kernel under QEMU/TCG, this machine's filesystem read-only, 4 hwsim
radios) runs pytest on tests/vm/guest once per session, from the start of the session beside the host's tests
(tests/vmboots.py); each host test below stands for one guest test and fails with the guest's failure text.
"""

from __future__ import annotations

import ast
import os
import shutil
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import vmboots

HERE = Path(__file__).parent
GUEST = HERE / "vm" / "guest"
ARTEFACTS = Path(os.environ.get("VM_ARTEFACTS", HERE.parent / "vm-artefacts"))
RADIOS = 4
VM_TIMEOUT = 1800  # seconds for the whole guest session (about 10-15 minutes under TCG on 2 cores)


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


def boot_guest() -> dict[str, tuple[str, str]]:
    """One boot running every guest test; their outcomes by `file::test` name (and `__output__`: the log)."""
    out = Path(tempfile.mkdtemp(prefix="pywps-vm-"))
    cmd = (f"PYWPS_IN_VM=1 {sys.executable} -m pytest -p no:cacheprovider -q -rA "
           f"--junitxml=/mnt/out/junit.xml {GUEST}")
    env = dict(os.environ, HWSIM_RADIOS=str(RADIOS), VM_OUT=str(out), VM_TIMEOUT=str(VM_TIMEOUT))
    proc = vmboots.run_vm(["bash", str(HERE / "vm" / "run.sh"), cmd], VM_TIMEOUT + 60, cwd=HERE.parent, env=env)
    (HERE.parent / "vm-artefacts").mkdir(exist_ok=True)
    log = proc.stdout[-20000:]
    junit = out / "junit.xml"
    if not junit.exists():
        raise AssertionError(f"the VM produced no results (exit {proc.returncode}):\n{log}\n{proc.stderr[-3000:]}")
    results = {}
    for case in ET.parse(junit).iter("testcase"):
        name = f"{case.get('classname', '').rsplit('.', 1)[-1]}::{case.get('name')}"
        problem = case.find("failure") if case.find("failure") is not None else case.find("error")
        skipped = case.find("skipped")
        if problem is not None:
            results[name] = ("failed", (problem.get("message") or "") + "\n" + (problem.text or ""))
        elif skipped is not None:
            results[name] = ("skipped", skipped.get("message") or "")
        else:
            results[name] = ("passed", "")
    results["__output__"] = ("", log)
    shutil.rmtree(out, ignore_errors=True)
    return results


BOOT = vmboots.Boot("hwsim", boot_guest, ready=lambda: skip_reason() is None)


@pytest.fixture(scope="session")
def guest_results() -> dict[str, tuple[str, str]]:
    if reason := skip_reason():
        pytest.skip(reason)
    return vmboots.result(BOOT)


def outcome_of(results: dict[str, tuple[str, str]], name: str) -> tuple[str, str]:
    """A guest test's outcome; a parametrized one's cases (`name[...]` in the junit file) count together: failed
    if one failed, skipped if all were, passed if all passed."""
    cases = [result for case, result in results.items() if case == name or case.startswith(name + "[")]
    if not cases:
        return "missing", results["__output__"][1]
    problems = [text for outcome, text in cases if outcome == "failed"]
    if problems:
        return "failed", "\n".join(problems)
    if all(outcome == "skipped" for outcome, _ in cases):
        return "skipped", cases[0][1]
    return "passed", ""


@pytest.mark.parametrize("name", guest_tests())
def test_in_vm(guest_results, name):
    outcome, text = outcome_of(guest_results, name)
    if outcome == "skipped":
        pytest.skip(text)
    assert outcome == "passed", f"{name} {outcome} in the VM:\n{text}"
