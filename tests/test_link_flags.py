"""set_interface_up, with which the nl80211 driver brings a radio it found down up (and down again when it stops,
as wpa_supplicant does), on a veth link in a network namespace of the test's own: the kernel's flag follows each
call, the link's other flags stay, and a link that does not exist says why. The driver's use of it on a radio,
side by side with wpa_supplicant: tests/vm/guest/test_hwsim_cli.py."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from netlab import REPO, run

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("ip") is None,
                                reason="needs root and iproute2 for a network namespace")

PROBE = r"""
import errno, json, sys
from pathlib import Path
from pywps.driver.packet import interface_is_up, set_interface_up
flags = lambda: int(Path("/sys/class/net/link0/flags").read_text(), 16)
seen = [interface_is_up("link0")]
set_interface_up("link0", True); seen.append(interface_is_up("link0")); after_up = flags()
set_interface_up("link0", True); seen.append(interface_is_up("link0"))
set_interface_up("link0", False); seen.append(interface_is_up("link0"))
try:
    set_interface_up("nosuch0", True)
except OSError as e:
    seen.append(errno.errorcode[e.errno])
print(json.dumps({"states": seen, "noarp kept": bool(after_up & 0x80)}))
"""


def test_set_interface_up_sets_and_clears_the_kernels_flag():
    ns = f"pywps-flags-{os.getpid()}"
    run(["ip", "netns", "add", ns])
    try:
        run(["ip", "-n", ns, "link", "add", "link0", "type", "veth", "peer", "name", "link1"])
        run(["ip", "-n", ns, "link", "set", "link0", "arp", "off"])
        done = subprocess.run(["ip", "netns", "exec", ns, sys.executable, "-c", PROBE], cwd=REPO,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        seen = json.loads(done.stdout)
        assert seen["states"] == [False, True, True, False, "ENODEV"]
        assert seen["noarp kept"]  # IFF_NOARP, which `ip link add` does not set
        link = run(["ip", "-n", ns, "-o", "link", "show", "link0"]).stdout
        assert "NOARP" in link and ",UP" not in link and "<UP" not in link
    finally:
        run(["ip", "netns", "del", ns], check=False)
