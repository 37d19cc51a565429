"""pywps as a systemd service: the shipped unit passes systemd's own checker, and the daemon speaks the notify
protocol that `Type=notify` relies on (READY=1 only once the control socket answers, STOPPING=1 on SIGTERM, a
clean exit). This machine's PID 1 is not systemd, so systemd's side of the protocol is played by a datagram
socket here, as sd_notify(3) describes it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from netlab import WiredLab, lab_skip_reason, pywps_conf

UNIT = Path(__file__).resolve().parent.parent / "systemd" / "pywps@.service"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed (package systemd)")
def test_unit_verifies(tmp_path):
    """`systemd-analyze verify` on an instance of the template, with ExecStart pointing at this checkout's
    pywps (the checker requires the program to exist): no warning at all."""
    program = Path(sys.executable).with_name("pywps")
    if not program.exists():
        pytest.skip(f"{program} not installed (pip install -e .)")
    unit = tmp_path / "pywps@.service"
    unit.write_text(UNIT.read_text().replace("/usr/local/bin/pywps", str(program)))
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", str(tmp_path / "pywps@wlan0.service")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stderr == "" and result.stdout == "", result.stdout + result.stderr


def test_unit_matches_the_readme():
    """The README's service instructions name the unit's config path, notify type and reload signal."""
    readme = (UNIT.parent.parent / "README.md").read_text()
    unit = UNIT.read_text()
    assert "/etc/pywps/pywps-IFACE.conf" in readme and "-c /etc/pywps/pywps-%I.conf" in unit
    assert "`Type=notify`" in readme and "\nType=notify\n" in unit
    assert "(SIGHUP)" in readme and "ExecReload=/bin/kill -HUP $MAINPID" in unit
    assert "-C /run/pywps" in unit and "RuntimeDirectory=pywps" in unit  # systemd makes the socket directory


@pytest.mark.skipif(lab_skip_reason() is not None, reason=lab_skip_reason() or "")
def test_notify_protocol(monkeypatch):
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify, WiredLab() as lab:
        path = lab.dir / "notify"
        notify.bind(str(path))
        notify.settimeout(15)
        monkeypatch.setenv("NOTIFY_SOCKET", str(path))
        pywps = lab.pywps(pywps_conf(), wait=False)
        assert notify.recv(4096) == b"READY=1"
        # READY=1 means "clients may connect": the socket already answers
        assert pywps.cli("ping").strip() == "PONG"
        pywps.proc.send_signal(1)  # SIGHUP: a reload (ExecReload) keeps the daemon running and answering
        time.sleep(0.3)
        assert pywps.proc.poll() is None and pywps.cli("ping").strip() == "PONG"
        assert pywps.stop() == 0
        assert notify.recv(4096) == b"STOPPING=1"
        assert not os.path.exists(pywps.socket)  # the socket file is gone, so a restart binds it again
