"""The link state the nl80211 driver keeps as wpa_supplicant does (pywps/driver/linkstate.py), against the kernel,
on a veth pair in a network namespace of the test's own: set_interface_up (a radio found down is brought up, and
down again at the stop), the RFC 2863 operstate (link mode DORMANT while the driver runs; UP only once the
port is open; UP asked for before the carrier came is asked for again when it comes) and the up flag as another
program changes it (the driver's InterfaceToggled). The driver's use of them on a radio, side by side with
wpa_supplicant: tests/vm/guest/test_hwsim_cli.py and test_hwsim_connect.py."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
from contextlib import contextmanager

import pytest

from netlab import REPO, run
from pywps.driver.linkstate import IFF_UP, RTM_NEWLINK, OperState, RfkillWatch, link_flags, setlink_request

needs_namespace = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("ip") is None,
                                     reason="needs root and iproute2 for a network namespace")

FLAGS_PROBE = r"""
import errno, json, sys
from pathlib import Path
from pywps.driver.linkstate import interface_is_up, set_interface_up
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

# link0 up, its peer down (no carrier) at the start: what /sys says after each step, the event loop running
# between steps so that the link's notifications are read
OPERSTATE_PROBE = r"""
import asyncio, json, socket, subprocess
from pathlib import Path
from pywps.driver.linkstate import KernelLink

def sysfs(name):
    return Path(f"/sys/class/net/link0/{name}").read_text().strip()

async def settle():
    await asyncio.sleep(0.5)  # the kernel's linkwatch applies a carrier change a moment later

async def main():
    seen = {}
    toggled = []
    state = KernelLink(socket.if_nametoindex("link0"), "link0", toggled.append)
    state.open()
    await settle()
    seen["open, no carrier"] = (sysfs("link_mode"), sysfs("operstate"))
    state.set_operstate(True)  # before the carrier: the kernel keeps the link down
    await settle()
    seen["up asked, no carrier"] = sysfs("operstate")
    subprocess.run(["ip", "link", "set", "link1", "up"], check=True)
    await settle()
    seen["carrier came"] = sysfs("operstate")
    state.set_operstate(False)
    await settle()
    seen["dormant asked"] = sysfs("operstate")
    state.set_operstate(True)
    await settle()
    seen["up asked"] = sysfs("operstate")
    for flag in ("down", "up"):  # another program's doing: told to the driver
        subprocess.run(["ip", "link", "set", "link0", flag], check=True)
        await settle()
    seen["toggled"] = toggled
    state.close()
    await settle()
    seen["closed"] = (sysfs("link_mode"), sysfs("operstate"))
    print(json.dumps(seen))

asyncio.run(main())
"""


@contextmanager
def veth_namespace():
    ns = f"pywps-link-{os.getpid()}"
    run(["ip", "netns", "add", ns])
    try:
        run(["ip", "-n", ns, "link", "add", "link0", "type", "veth", "peer", "name", "link1"])
        yield ns
    finally:
        run(["ip", "netns", "del", ns], check=False)


def in_namespace(ns: str, probe: str) -> dict:
    done = subprocess.run(["ip", "netns", "exec", ns, sys.executable, "-c", probe], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@needs_namespace
def test_set_interface_up_sets_and_clears_the_kernels_flag():
    with veth_namespace() as ns:
        run(["ip", "-n", ns, "link", "set", "link0", "arp", "off"])
        seen = in_namespace(ns, FLAGS_PROBE)
        assert seen["states"] == [False, True, True, False, "ENODEV"]
        assert seen["noarp kept"]  # IFF_NOARP, which `ip link add` does not set
        link = run(["ip", "-n", ns, "-o", "link", "show", "link0"]).stdout
        assert "NOARP" in link and ",UP" not in link and "<UP" not in link


@needs_namespace
def test_the_operstate_is_dormant_with_a_carrier_until_the_port_is_open():
    with veth_namespace() as ns:
        run(["ip", "-n", ns, "link", "set", "link0", "up"])
        seen = in_namespace(ns, OPERSTATE_PROBE)
    assert seen == {
        "open, no carrier": ["1", "lowerlayerdown"],  # a veth: its peer is the lower layer
        "up asked, no carrier": "lowerlayerdown",
        "carrier came": "up",  # the kernel made it DORMANT; its notification made us ask for UP again
        "dormant asked": "dormant",
        "up asked": "up",
        "toggled": [False, True],  # the link down, then up (the kernel's notifications of our own requests: none)
        "closed": ["0", "up"],  # wpa_supplicant's deinit: the kernel's default link mode, UP
    }


def test_the_request_is_rtm_setlink_with_one_byte_attributes():
    request = setlink_request(7, None, OperState.UP, 3)
    assert len(request) == 16 + 16 + 8 and request[:8] == bytes.fromhex("28000000" "1300" "0100")
    assert request[20:24] == (7).to_bytes(4, "little") and request[32:] == bytes.fromhex("0500" "1000" "06000000")


def newlink(index: int, flags: int) -> bytes:
    body = struct.pack("=BxHiII", 0, 1, index, flags, 0) + bytes(8)  # an attribute the reader skips
    return struct.pack("=IHHII", 16 + len(body), RTM_NEWLINK, 0, 0, 0) + body


def test_link_notifications_are_read_for_their_flags_and_a_truncated_one_ends_the_datagram():
    datagram = newlink(3, IFF_UP) + newlink(4, 0) + newlink(3, 0)
    assert link_flags(datagram, 3) == [IFF_UP, 0]
    assert link_flags(datagram + newlink(3, IFF_UP)[:20], 3) == [IFF_UP, 0]
    error = struct.pack("=IHHII", 20, 2, 0, 1, 0) + struct.pack("=i", -1)  # NLMSG_ERROR, EPERM: logged only
    assert link_flags(error + newlink(3, IFF_UP), 3) == [IFF_UP]


def test_the_rfkill_watch_calls_once_the_radio_is_unblocked():
    """/dev/rfkill replays every switch when opened and reports each change: only our switch going from blocked
    to free calls back (events written to a pipe in its place)."""
    unblocked = []
    watch = RfkillWatch("nosuch0", lambda: unblocked.append(True))
    watch.index, watch._blocked = 1, True
    read_end, write_end = os.pipe()
    os.set_blocking(read_end, False)
    watch._fd = read_end
    try:
        for index, op, soft, hard in ((0, 0, 0, 0), (1, 0, 1, 0), (1, 2, 0, 1), (2, 2, 0, 0), (1, 2, 0, 0),
                                      (1, 2, 0, 0), (1, 2, 1, 0), (1, 2, 0, 0)):
            os.write(write_end, struct.pack("=IBBBBB", index, 1, op, soft, hard, 0))  # a 9-byte event, as 5.11+
            watch._read()
    finally:
        os.close(read_end)
        os.close(write_end)
    assert unblocked == [True, True]  # free after the hard block; free again after the later soft block
