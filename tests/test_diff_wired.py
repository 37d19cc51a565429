"""A wired port's stored networks, side by side: Debian wpa_supplicant -Dwired and pywps -D wired start with the
same network block (with -W, so a monitor hears the first join from its start), then get the same commands;
after each step the events a monitor got and STATUS are compared (STATUS without pywps's own wps_* keys and the
address and uuid, which differ between the two daemons' defaults).

What wpa_supplicant 2.10 was seen to do, and pywps now does (station/wired.py):
- an open network (key_mgmt=NONE) is connected at once: "Associated with 01:80:c2:00:00:03",
  CTRL-EVENT-CONNECTED (with id_str), CTRL-EVENT-SUBNET-STATUS-UPDATE; STATUS COMPLETED with cipher NONE;
- a network with a WEP key, and a PSK network without its key (an SSID alone: key_mgmt defaults to
  WPA-PSK WPA-EAP), is never joined (the wired driver has no WEP cipher; wpas_network_disabled);
- the first joinable network in the file's order is joined, whatever the priorities, and kept while it may be:
  ENABLE_NETWORK of another one does not move the port;
- looking for a network and finding none is INACTIVE (ENABLE_NETWORK, SELECT_NETWORK, RECONNECT, removing the
  current network or DISABLE_NETWORK all), DISABLE_NETWORK <id> and DISCONNECT are DISCONNECTED.

Ending (TERMINATE or SIGTERM), as wpa_supplicant's interface deinit: CTRL-EVENT-DISCONNECTED when the port is
associated (a stored network or a WPS run's), then CTRL-EVENT-NETWORK-REMOVED for every network in the list's
order (a run's own network after the stored ones), then CTRL-EVENT-TERMINATING.

Not compared, on purpose: a PSK network with the default key_mgmt (WPA-PSK WPA-EAP) and its key, where
wpa_supplicant chooses 802.1X and shows its EAPOL state machine in STATUS; pywps has no EAP method but WSC (its
GET_CAPABILITY eap) and shows the network as WPA2-PSK.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from functools import partial

import pytest
from difflab import EXTRA_STATUS_KEYS, EventMonitor
from netlab import WiredLab, pywps_conf, requires_lab
from proclab import PYWPS, WPAS, both, events_within, request

pytestmark = requires_lab

NETWORKS = {
    "open": 'ssid="wired"\n\tkey_mgmt=NONE',
    "open with id_str": 'ssid="wired"\n\tkey_mgmt=NONE\n\tid_str="home"',
    "psk": 'ssid="wired"\n\tkey_mgmt=WPA-PSK\n\tpsk="12345678"',
    "psk or open": 'ssid="wired"\n\tkey_mgmt=WPA-PSK NONE\n\tpsk="12345678"',
    "psk without its key": 'ssid="wired"\n\tkey_mgmt=WPA-PSK',
    "psk or open without a key": 'ssid="wired"\n\tkey_mgmt=WPA-PSK NONE',
    "an SSID alone": 'ssid="wired"',
    "WEP-40": 'ssid="wired"\n\tkey_mgmt=NONE\n\twep_key0="abcde"',
    "WEP-104": 'ssid="wired"\n\tkey_mgmt=NONE\n\twep_key1="abcdefghijklm"\n\twep_tx_keyidx=1',
    # joined whatever its mode, as the wired driver joins (a radio joins mode 0 alone), and STATUS names the mode
    "an AP's (mode=2)": 'ssid="wired"\n\tkey_mgmt=NONE\n\tmode=2',
    "mode=-1 (no mode)": 'ssid="wired"\n\tkey_mgmt=NONE\n\tmode=-1',
    "an IBSS's (mode=1), then open": 'ssid="wired"\n\tkey_mgmt=NONE\n\tmode=1\n}\nnetwork={\n\tssid="second"\n\t'
                                     'key_mgmt=NONE',
    "open, then psk of higher priority": 'ssid="wired"\n\tkey_mgmt=NONE\n}\nnetwork={\n\tssid="second"\n\t'
                                         'key_mgmt=WPA-PSK\n\tpsk="12345678"\n\tpriority=5',
}
STEPS = ("DISABLE_NETWORK 0", "ENABLE_NETWORK 0", "DISCONNECT", "RECONNECT", "SELECT_NETWORK 0",
         "DISABLE_NETWORK all", "SELECT_NETWORK 0", "REMOVE_NETWORK 0", "ENABLE_NETWORK all")
NOT_COMPARED = ("address=", "uuid=", *(f"{key}=" for key in EXTRA_STATUS_KEYS))


def status(socket: str) -> list[str]:
    return [line for line in request(socket, "STATUS").splitlines() if not line.startswith(NOT_COMPARED)]


def conf_with(network: str | None, ap_scan: str | None = "0") -> str:
    return pywps_conf(ap_scan=ap_scan) + ("network={\n\t" + NETWORKS[network] + "\n}\n" if network else "")


def side_by_side(conf: str, look: Callable[..., list]) -> dict[str, list]:
    """Both daemons started with -W, so that a monitor hears them from their start, one after the other:
    `look(run, pid, monitor)` of each."""
    with WiredLab() as lab:
        runs = both(lab, ["-W", "-B", "-P", "sta.pid", "-i", "vsta", "-Dwired", "-c", "sta.conf"], conf)
        try:
            return {kind: watched(run, look) for kind, run in runs.items()}
        finally:
            for run in runs.values():
                run.close()


def watched(run, look: Callable[..., list]) -> list:
    assert run.finish() == 0, (run.out, run.err)
    pid = run.background_pid()
    monitor = EventMonitor(run.socket)
    try:
        assert monitor.attach_reply == b"OK\n"
        return look(run, pid, monitor)
    finally:
        monitor.close()


def walk(run, pid: int, monitor: EventMonitor) -> list[tuple]:
    """The start, then each step: (step, reply, events, STATUS)."""
    seen = [("start", "", events_within(monitor, 0.5), status(run.socket))]
    for step in STEPS:
        monitor.events.clear()
        reply = request(run.socket, step)
        seen.append((step, reply, events_within(monitor, 0.5), status(run.socket)))
    return seen


# ap_scan=0 is a wire's usual setting; the default (1) takes the same path on -Dwired, checked for two blocks
CASES = [(network, "0") for network in sorted(NETWORKS)] + [("open", None), ("an SSID alone", None)]


@pytest.mark.parametrize(("network", "ap_scan"), CASES)
def test_a_stored_network_on_a_wire(network, ap_scan):
    seen = side_by_side(conf_with(network, ap_scan), walk)
    differ = [(theirs, ours) for theirs, ours in zip(seen[WPAS], seen[PYWPS]) if theirs != ours]
    assert not differ, differ


# (stored network or None, requests before the end, how it ends)
ENDINGS = [
    ("open", (), "TERMINATE"),  # associated and connected
    ("psk", (), "SIGTERM"),  # associated
    ("psk without its key", (), "TERMINATE"),  # never joined: its removal alone
    ("open", ("DISCONNECT",), "TERMINATE"),  # left on request
    ("open", ("WPS_PBC",), "TERMINATE"),  # a run: its network (1) goes after the stored one
    (None, ("WPS_PBC",), "SIGTERM"),
    (None, (), "TERMINATE"),
]


def ending(run, pid: int, monitor: EventMonitor, before: tuple[str, ...], how: str) -> list[tuple]:
    """The events a monitor hears from the end (after `before`'s have been heard)."""
    for command in before:
        request(run.socket, command)
    events_within(monitor, 0.5)
    monitor.events.clear()
    if how == "SIGTERM":
        os.kill(pid, signal.SIGTERM)
    else:
        assert request(run.socket, how) == "OK\n"
    return events_within(monitor, 1.0)


@pytest.mark.parametrize(("network", "before", "how"), ENDINGS,
                         ids=[f"{n or 'no network'}-{'+'.join(b) or 'idle'}-{h}" for n, b, h in ENDINGS])
def test_the_end_says_what_goes(network, before, how):
    heard = side_by_side(conf_with(network), partial(ending, before=before, how=how))
    assert heard[WPAS][-1] == (3, "CTRL-EVENT-TERMINATING ")
    assert heard[PYWPS] == heard[WPAS]
