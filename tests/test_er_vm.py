"""The External Registrar's enrollee flow over the air, in the mac80211_hwsim VM (its own boot, about 3-5
minutes under TCG): a station on wlan1 runs `wps_pin any 12345678` against hostapd on wlan0, whose UPnP (on
lo) proxies the registration to the ER, which has learned the AP's settings and holds the PIN from
`wps_er_pin any 12345678`. Once with Debian wpa_supplicant as the ER (the oracle), once with pywps's
(tests/er/vm_er.py runs both in the VM)."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest
import vmboots

HERE = Path(__file__).parent
ARTEFACTS = Path(os.environ.get("VM_ARTEFACTS", HERE.parent / "vm-artefacts"))
VM_TIMEOUT = 900


def skip_reason() -> str | None:
    if os.geteuid() != 0:
        return "the hwsim VM needs root"
    if shutil.which("qemu-system-x86_64") is None:
        return "qemu-system-x86_64 not installed (apt-get install qemu-system-x86; scripts/setup.sh does)"
    if not (ARTEFACTS / "initrd.gz").exists():
        return f"no VM artefacts in {ARTEFACTS} (tests/vm/build.sh builds them)"
    for tool in ("hostapd", "wpa_supplicant", "wpa_cli"):
        if shutil.which(tool) is None:
            return f"{tool} not installed"
    return None


pytestmark = [pytest.mark.vm, pytest.mark.skipif(skip_reason() is not None, reason=str(skip_reason()))]


def boot() -> dict:
    env = dict(os.environ, HWSIM_RADIOS="3", VM_TIMEOUT=str(VM_TIMEOUT), VM_ARTEFACTS=str(ARTEFACTS))
    proc = vmboots.run_vm(["bash", str(HERE / "vm" / "run.sh"), f"{sys.executable} tests/er/vm_er.py"],
                          VM_TIMEOUT + 60, cwd=HERE.parent, env=env)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise AssertionError(f"the VM gave no result (exit {proc.returncode}):\n{proc.stdout[-6000:]}\n"
                         f"{proc.stderr[-2000:]}")


BOOTS = [vmboots.Boot("er", boot, ready=lambda: skip_reason() is None)]  # started with the session (tests/vmboots.py)


@pytest.fixture(scope="module")
def vm_result() -> dict:
    return vmboots.result(BOOTS[0])


def enrollee_added(events: list[str]) -> list[str]:
    return [e for e in events if e.startswith("WPS-ER-ENROLLEE-ADD")]


def test_wpa_supplicant_er_lets_the_station_in(vm_result):
    """The oracle: the recipe works with Debian wpa_supplicant as the ER."""
    run = vm_result["wpa_supplicant"]
    assert "error" not in run, run
    assert "WPS-SUCCESS " in run["station"]["events"], run
    assert any(" M1=1 " in e for e in enrollee_added(run["er_events"])), run


def test_pywps_er_lets_the_station_in(vm_result):
    run, oracle = vm_result["pywps"], vm_result["wpa_supplicant"]
    assert "error" not in run, run
    station = run["station"]
    assert "WPS-SUCCESS " in station["events"] and station["connected"], run
    assert "jkm-wps-test" in station["networks"]  # the AP's own settings, learned by the ER with the AP PIN
    assert "WPS-SUCCESS " in run["er_events"], run
    # the station as both ERs saw it, from its probe requests (M1=0) and then its M1: the same texts
    assert enrollee_added(run["er_events"]) == enrollee_added(oracle["er_events"]), (run, oracle)
    assert any(" M1=1 " in e for e in enrollee_added(run["er_events"]))
