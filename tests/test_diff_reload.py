"""Reading the configuration file again (RECONFIGURE, SIGHUP) on a wired port, side by side: Debian wpa_supplicant
-Dwired and pywps -D wired start with the same file (test_diff_wired's lab: -W, a monitor from the start), the
file is changed or not, then each gets the same steps; after each step the reply, the events a monitor got (with
their levels), STATUS and LIST_NETWORKS are compared.

What wpa_supplicant 2.10 was seen to do, and pywps now does (wpa_supplicant_reload_configuration):
- a port on a network is deauthenticated (CTRL-EVENT-DISCONNECTED reason=3 locally_generated=1) and the file's
  first joinable network associated again; the file's networks are numbered afresh, one added by a command and
  not saved is gone, and no CTRL-EVENT-NETWORK-ADDED / -REMOVED is said for any of them;
- during a WPS run, the run's network goes with the old list and the port is deauthenticated: a later
  WPS_CANCEL finds no run of that network to remove (pywps used to keep the run's old id, which could name one of
  the file's networks: that network was then shown as the current one and removed by the cancel);
- a file that cannot be read: RECONFIGURE answers FAIL, says "Failed to parse the configuration file '<path>' -
  exiting" at MSG_ERROR (5), and goes on with the old configuration.
And, not a reload: a WPS command lifts DISCONNECT (wpas_wps_reassoc), so the stored network is joined again after
the run (pywps's wired port used to stay off).

Differences on purpose, each asserted where it shows:
- SIGHUP with a file that cannot be read: wpa_supplicant says the same line, then exits (the port left, every
  network removed, CTRL-EVENT-TERMINATING); pywps keeps serving with its old configuration and says "- keeping
  the old configuration" instead. A daemon that a reload with a typo takes down takes the network with it.
- RECONFIGURE after DISCONNECT: wpa_supplicant's ap_scan=0 association that follows is ignored in DISCONNECTED
  ("Ignore unexpected EVENT_ASSOC"), yet it has already made the file's first network current, so LIST_NETWORKS
  marks it [CURRENT] while STATUS says DISCONNECTED; pywps marks no network current when none is joined.
- A WPS run ended by a reload: wpa_supplicant's run lingers without a network until its walk time ends it with
  WPS-TIMEOUT (2 minutes later, not waited for here); pywps's run ends at the reload, and says nothing more.
"""

from __future__ import annotations

import os
import signal
from functools import partial

import pytest
from difflab import (EXTRA_STATUS_KEYS, PYWPS, WPAS, EventMonitor, Hapd, Sleep, Wait, conf_text, network_blocks,
                     reply_dict, run_both, without_unsent)
from netlab import requires_lab, wait_for
from proclab import alive, events_within, ping, request
from test_diff_wired import conf_with, side_by_side, status

pytestmark = requires_lab

BROKEN = "ctrl_interface=@CTRL@\nnetwork={\n\tssid=\"never closed\"\n"
EDIT = "edit"  # a step ("edit", network or None): the file rewritten with that stored network (BROKEN: broken)


def reload_steps(run, pid: int, monitor: EventMonitor, steps: list) -> list[tuple]:
    """The start, then each step: (step, reply, events, STATUS, LIST_NETWORKS), the file's path in an event as
    <file>; False for STATUS and LIST_NETWORKS once the daemon is gone, and None for a request to it then."""
    conf = run.dir / "sta.conf"
    seen = [("start", "", events_within(monitor, 0.5), status(run.socket), request(run.socket, "LIST_NETWORKS"))]
    for step in steps:
        monitor.events.clear()
        if isinstance(step, tuple):
            text = BROKEN if step[1] is BROKEN else conf_with(step[1])
            conf.write_text(text.replace("@CTRL@", run.ctrl))
            continue
        if not alive(pid):
            seen.append((step, None, [], None, None))
            continue
        if step == "SIGHUP":
            os.kill(pid, signal.SIGHUP)
            reply = ""
        else:
            reply = request(run.socket, step)
        events = [(level, text.replace(str(conf), "<file>")) for level, text in events_within(monitor, 0.7)]
        up = alive(pid)
        seen.append((step, reply, events, up and status(run.socket), up and request(run.socket, "LIST_NETWORKS")))
    return seen


def both_walk(network: str | None, steps: list) -> dict[str, list[tuple]]:
    return side_by_side(conf_with(network), partial(reload_steps, steps=steps))


def at(seen: list[tuple], step: str) -> tuple:
    """What the first `step` of a walk showed."""
    return next(entry for entry in seen if entry[0] == step)


def texts(entry: tuple) -> list[str]:
    return [text for _, text in entry[2]]


CONNECTED_AGAIN = [(3, "CTRL-EVENT-DISCONNECTED bssid=01:80:c2:00:00:03 reason=3 locally_generated=1"),
                   (3, "Associated with 01:80:c2:00:00:03"),
                   (3, "CTRL-EVENT-CONNECTED - Connection to 01:80:c2:00:00:03 completed [id=0 id_str=]"),
                   (3, "CTRL-EVENT-SUBNET-STATUS-UPDATE status=0")]

# (stored network at the start, steps), compared whole
ALIKE = {
    "the same file": ("open", ["RECONFIGURE"]),
    "the same file, SIGHUP": ("open", ["SIGHUP"]),
    "its network gone from the file": ("open", [(EDIT, None), "RECONFIGURE"]),
    "a second network in the file": ("open", [(EDIT, "open, then psk of higher priority"), "RECONFIGURE"]),
    "a network added and not saved": ("open", ["ADD_NETWORK", "RECONFIGURE"]),
    "a network only in the new file": (None, [(EDIT, "open"), "SIGHUP"]),
    "a network disabled by command": ("open", ["DISABLE_NETWORK 0", "RECONFIGURE"]),
    "during a WPS run": ("psk without its key", ["WPS_PBC", "RECONFIGURE", "WPS_CANCEL", "RECONNECT"]),
    "during a WPS run after DISCONNECT, a network added": (
        "open", ["DISCONNECT", "WPS_PBC", (EDIT, "open, then psk of higher priority"), "RECONFIGURE",
                 "WPS_CANCEL"]),
    "a file that cannot be read": ("open", [(EDIT, BROKEN), "RECONFIGURE", "ADD_NETWORK"]),
}


def without_disabled_during_runs(seen: list[tuple]) -> list[tuple]:
    """wpa_supplicant disables the other networks while a WPS command's run lasts; pywps never switches off the
    user's networks (test_scenarios_wps.py's test_ap_wps_init says why): its LIST_NETWORKS then has no
    [DISABLED]."""
    return [(step, reply, events, state, networks.replace("[DISABLED]", "") if step.startswith("WPS_P") else networks)
            for step, reply, events, state, networks in seen]


@pytest.mark.parametrize("case", sorted(ALIKE))
def test_a_reload_as_wpa_supplicants(case):
    network, steps = ALIKE[case]
    seen = both_walk(network, steps)
    seen[WPAS] = without_disabled_during_runs(seen[WPAS])
    differ = [(theirs, ours) for theirs, ours in zip(seen[WPAS], seen[PYWPS]) if theirs != ours]
    assert not differ, differ
    if case in ("the same file", "the same file, SIGHUP"):
        assert seen[WPAS][1][2] == CONNECTED_AGAIN  # the comparison covered a whole leave and join
    if case.startswith("during a WPS run"):
        reload, cancel = at(seen[WPAS], "RECONFIGURE"), at(seen[WPAS], "WPS_CANCEL")
        assert texts(reload)[0] == "CTRL-EVENT-DISCONNECTED bssid=01:80:c2:00:00:03 reason=3 locally_generated=1"
        assert not [text for text in texts(reload) + texts(cancel) if "NETWORK-REMOVED" in text]
    if case == "a file that cannot be read":
        assert at(seen[WPAS], "RECONFIGURE")[:3] == (
            "RECONFIGURE", "FAIL\n", [(5, "Failed to parse the configuration file '<file>' - exiting")])
        assert at(seen[WPAS], "ADD_NETWORK")[1] == "1\n"  # the old list goes on


def test_a_wps_command_lifts_disconnect():
    """DISCONNECT, then a WPS run cancelled: wpa_supplicant joins the stored network again after it."""
    seen = both_walk("open", ["DISCONNECT", "WPS_PBC", "WPS_CANCEL", "DISCONNECT"])
    seen[WPAS] = without_disabled_during_runs(seen[WPAS])
    assert seen[PYWPS] == seen[WPAS]
    assert texts(at(seen[WPAS], "WPS_CANCEL"))[2:4] == ["WPS-CANCEL ", "Associated with 01:80:c2:00:00:03"]


def test_sighup_with_a_file_that_cannot_be_read():
    """On purpose: wpa_supplicant exits, pywps goes on with its old configuration (see the module's docstring)."""
    seen = both_walk("open", [(EDIT, BROKEN), "SIGHUP", "ADD_NETWORK"])
    theirs, ours = at(seen[WPAS], "SIGHUP"), at(seen[PYWPS], "SIGHUP")
    assert theirs[2] == [(5, "Failed to parse the configuration file '<file>' - exiting"),
                         (3, "CTRL-EVENT-DISCONNECTED bssid=01:80:c2:00:00:03 reason=3 locally_generated=1"),
                         (3, "CTRL-EVENT-NETWORK-REMOVED 0"), (3, "CTRL-EVENT-TERMINATING ")]
    assert theirs[3:] == (False, False)  # gone
    assert ours[2] == [(5, "Failed to parse the configuration file '<file>' - keeping the old configuration")]
    assert ours[3:] == seen[PYWPS][0][3:]  # still on its network, with the same list
    assert at(seen[PYWPS], "ADD_NETWORK")[1] == "1\n"


def moved(run, pid: int, monitor: EventMonitor) -> list:
    """RECONFIGURE with a file whose ctrl_interface is another directory: the reply (None: none came), whether
    the old socket is still there, then LIST_NETWORKS and STATUS on the socket in the new directory."""
    moved_to = run.ctrl + "-moved"
    (run.dir / "sta.conf").write_text(conf_with("open").replace("@CTRL@", moved_to))
    try:
        reply = request(run.socket, "RECONFIGURE", timeout=2)
    except TimeoutError:
        reply = None
    socket = os.path.join(moved_to, "vsta")
    wait_for(lambda: os.path.exists(socket) and ping(socket), 5, f"{socket} to answer")
    return [reply, os.path.exists(run.socket), request(socket, "LIST_NETWORKS"), status(socket)]


def test_a_reload_moves_the_control_socket_where_the_file_says():
    """wpa_supplicant makes its control socket in the new directory and removes the old one (its monitors are
    detached). On purpose: pywps answers the RECONFIGURE on the old socket first (wpa_supplicant closes the
    socket the request came on, so its client gets no reply), and its old monitors hear the reload's events
    before they are detached."""
    seen = side_by_side(conf_with("open"), moved)
    assert seen[WPAS][0] is None and seen[PYWPS][0] == "OK\n"
    assert seen[WPAS][1] is False
    assert seen[PYWPS][1:] == seen[WPAS][1:]


def test_reconfigure_after_disconnect():
    """On purpose: wpa_supplicant's LIST_NETWORKS marks a network it has not joined [CURRENT] (see the module's
    docstring); everything else is alike."""
    seen = both_walk("open", ["DISCONNECT", "RECONFIGURE", "RECONNECT"])
    reconfigured = at(seen[WPAS], "RECONFIGURE")
    assert reconfigured[3] == ["wpa_state=DISCONNECTED"]
    assert reconfigured[4].endswith("0\twired\tany\t[CURRENT]\n")
    seen[WPAS][2] = (*reconfigured[:4], reconfigured[4].replace("[CURRENT]", ""))
    assert seen[PYWPS] == seen[WPAS]
    assert texts(at(seen[PYWPS], "RECONNECT"))[0] == "Associated with 01:80:c2:00:00:03"  # RECONNECT joins it


def test_a_reload_as_the_credential_comes_reads_it_from_the_file():
    """RECONFIGURE the moment WPS-CRED-RECEIVED is heard (update_config=1), against hostapd: wpa_supplicant has
    written the credential and said WPS-SUCCESS before it reads the request, so its reload reads the new
    network from the file, and both end on it (the same list, STATUS and saved block). pywps writes off the loop,
    and its reload now waits for that write: before, it read the file first (3 runs of 3, even on tmpfs), so the
    network was gone from its list and the run's WPS-SUCCESS was never said (tests/test_shell.py holds the
    write to show it every time).
    The events between WPS-SUCCESS and the last join are not compared: on both daemons the reload and the AP's
    EAP-Failure race (the reload first: one DISCONNECTED, the EAP-Failure ignored by the fresh EAPOL state; the
    EAP-Failure first: EAP-FAILURE, the port left and joined as after any run, then left and joined again by the
    reload; wpa_supplicant showed a third, its reload between the two), and no client can tell them apart by
    anything but timing."""
    both = run_both([Hapd("wps_pin", "any", "12345670"), "WPS_PIN any 12345670", Wait("^WPS-CRED-RECEIVED"),
                     "RECONFIGURE", Sleep(1.5), "LIST_NETWORKS", "STATUS"], conf_text(), hostapd={})
    theirs, ours = both[WPAS], both[PYWPS]
    for command in ("RECONFIGURE", "LIST_NETWORKS"):
        assert ours.reply(command) == theirs.reply(command), command
    assert theirs.reply("LIST_NETWORKS").endswith(b"0\tjkm-wps-test\tany\t[CURRENT]\n")
    assert {k: v for k, v in reply_dict(ours.reply("STATUS")).items() if k not in EXTRA_STATUS_KEYS} == \
        reply_dict(theirs.reply("STATUS"))
    assert network_blocks(ours.conf_after) == network_blocks(theirs.conf_after) and network_blocks(ours.conf_after)
    wps = {kind: [t for _, t in both[kind].texts() if t.startswith("WPS-")] for kind in both}
    assert wps[PYWPS] == wps[WPAS] == ["WPS-PIN-ACTIVE ", "WPS-CRED-RECEIVED ", "WPS-SUCCESS "]
    for kind in both:  # the stored network associated last (no AP here takes up its PSK handshake)
        assert without_unsent(both[kind].after("^WPS-SUCCESS"))[-2:] == [CONNECTED_AGAIN[1], CONNECTED_AGAIN[3]]
