"""The command line as wpa_supplicant's: Debian wpa_supplicant 2.10 and pywps started with the same arguments on the
wired lab's station end, side by side. The forms that carry over from Debian's units (`-c/etc/x.conf -Dwired
-ivsta`) and from ifupdown's functions.sh (`-s -B -P PIDFILE -i IFACE -D nl80211,wext -c CONF`, `-q`, `-t -dd`)
start both, and what a caller sees of them is compared: the exit status, the moment -B returns (the control
socket answers then), the process left behind (pidfile, session, working directory, stdio), the driver a -D list
ends on, LOG_LEVEL after -d and -q, -W's wait for a monitor, and what -s sends to syslog.

Differences on purpose, each asserted where it shows:
- the syslog tag is pywps's own name, `pywps[pid]`;
- pywps also logs the events wpa_supplicant gives monitors alone (CTRL-EVENT-NETWORK-ADDED, ...): more lines in
  the log, none fewer;
- an option pywps does not have (-u for D-Bus, -b, -N, ...) is a usage error (exit 2); wpa_supplicant prints its
  usage and exits 0 for a letter it does not know;
- SIGHUP with -C alone: wpa_supplicant has no file to read again and exits; pywps goes on with what it holds;
- `wext` in a -D list is passed over: pywps has no Wireless Extensions driver. (wpa_supplicant's wext "starts" on
  a veth, with ioctl errors; on a Wi-Fi card both stop at nl80211.) So the lab's lists end on wired.
"""

from __future__ import annotations

import os
import re
import signal
import time

import netlab
import pytest
from difflab import EVENTS_NOT_SENT, EventMonitor
from netlab import WiredLab, pywps_conf, requires_lab, wait_for
from proclab import KINDS, PYWPS, WPAS, Run, alive, both, events_within, ping, request, stop

pytestmark = requires_lab


def background_facts(run: Run) -> dict[str, object]:
    """What a caller sees of `-B`: the exit status, whether the socket answered the moment the command returned,
    and the process the pidfile names."""
    status = run.finish()
    facts: dict[str, object] = {"status": status, "answers at return": ping(run.socket)}
    pid = run.background_pid()
    facts["alive"] = alive(pid)
    facts["not the command"] = pid != run.proc.pid
    facts["own session"] = os.getsid(pid) == pid
    facts["cwd"] = os.readlink(f"/proc/{pid}/cwd")
    facts["stdio"] = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in (0, 1, 2)]
    return facts


@pytest.mark.parametrize("args", [
    ["-B", "-P", "sta.pid", "-i", "vsta", "-Dwired", "-c", "sta.conf"],  # relative paths: made absolute first
    ["-s", "-B", "-P", "@DIR@/sta.pid", "-i", "vsta", "-D", "nl80211,wired", "-c", "@DIR@/sta.conf"],  # ifupdown's
])
def test_background_start_returns_once_the_daemon_is_up(args):
    with WiredLab() as lab:
        runs = both(lab, args)
        try:
            facts = {kind: background_facts(run) for kind, run in runs.items()}
            assert facts[WPAS] == facts[PYWPS], facts
            assert facts[PYWPS]["answers at return"] and facts[PYWPS]["own session"], facts
            for run in runs.values():  # SIGTERM: both leave and take the pidfile with them
                stop(run.pid)
            assert [run.pidfile_pid() for run in runs.values()] == [None, None]
        finally:
            for run in runs.values():
                run.close()


@pytest.mark.parametrize("args", [
    ["-B", "-P", "sta.pid", "-i", "vsta", "-Dwired", "-c", "missing.conf"],
    ["-B", "-P", "sta.pid", "-i", "vsta", "-Dbogus", "-c", "sta.conf"],
    ["-B", "-P", "sta.pid", "-i", "nosuch0", "-Dwired", "-c", "sta.conf"],
])
def test_a_background_start_that_fails_fails_in_the_foreground(args):
    with WiredLab() as lab:
        runs = both(lab, args)
        try:
            statuses = {kind: run.finish() for kind, run in runs.items()}
            assert statuses == {WPAS: 255, PYWPS: 255}, {k: (r.out, r.err) for k, r in runs.items()}
            assert [run.pidfile_pid() for run in runs.values()] == [None, None]
        finally:
            for run in runs.values():
                run.close()


@pytest.mark.parametrize("drivers", ["nl80211,wired", "bogus,wired", "wired,nl80211", "wired", "nl80211", "bogus",
                                     "nl80211,bogus"])
def test_a_driver_list_ends_where_wpa_supplicants_does(drivers):
    """A veth is no nl80211 interface (and this kernel may have no cfg80211 at all): a list goes on to wired."""
    with WiredLab() as lab:
        runs = both(lab, ["-i", "vsta", f"-D{drivers}", "-c", "sta.conf"])
        try:
            outcome = {}
            for kind, run in runs.items():
                if run.up():
                    outcome[kind] = request(run.socket, "DRIVER_FLAGS")
                else:
                    outcome[kind] = f"exit {run.finish()}"
            assert outcome[WPAS] == outcome[PYWPS], outcome
        finally:
            for run in runs.values():
                run.close()


@pytest.mark.parametrize("flags", [[], ["-d"], ["-dd"], ["-ddd", "-t"], ["-dddd"], ["-q"], ["-qq"], ["-qqq"],
                                   ["-d", "-q"], ["-qq", "-d"]])
def test_log_level_after_d_and_q(flags):
    with WiredLab() as lab:
        runs = both(lab, ["-i", "vsta", "-Dwired", "-c", "sta.conf", "-f", "sta.log", *flags])
        try:
            replies = {kind: run.up() and request(run.socket, "LOG_LEVEL") for kind, run in runs.items()}
            assert replies[WPAS] == replies[PYWPS], replies
        finally:
            for run in runs.values():
                run.close()


def test_debian_units_command_line():
    """wpa_supplicant-wired@.service's ExecStart, letters and values joined: `-c/etc/...conf -Dwired -i%I`."""
    with WiredLab() as lab:
        runs = both(lab, ["-c@DIR@/sta.conf", "-Dwired", "-ivsta"])
        try:
            assert {kind: run.up() for kind, run in runs.items()} == {WPAS: True, PYWPS: True}
        finally:
            for run in runs.values():
                run.close()


def test_an_option_pywps_lacks_is_a_usage_error():
    with WiredLab() as lab:
        runs = both(lab, ["-i", "vsta", "-Dwired", "-c", "sta.conf", "-Z"])
        try:
            statuses = {kind: run.finish() for kind, run in runs.items()}
            assert statuses == {WPAS: 0, PYWPS: 2}  # on purpose: see the module's docstring
            assert "-Z" in runs[PYWPS].err
        finally:
            for run in runs.values():
                run.close()


SYSLOG_LINE = re.compile(rb"<(\d+)>([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) ([\w_]+)\[(\d+)\]: (.*)", re.S)


def syslog_lines(run: Run) -> list[tuple[int, str, int, str]]:
    """(priority, tag, pid, text) of each datagram; every one must have glibc syslog(3)'s form."""
    lines = []
    for datagram in run.syslog.read():
        m = SYSLOG_LINE.fullmatch(datagram)
        assert m, datagram
        lines.append((int(m[1]), m[3].decode(), int(m[4]), m[5].decode()))
    return lines


PSK_HEX = b"12345678".hex()  # the AP's passphrase, as WPS-CRED-RECEIVED's credential carries it


def event_line(text: str) -> str:
    """An event's log line as compared: WPS-CRED-RECEIVED by its name alone (wpa_supplicant logs the credential,
    network key included; pywps hides it unless -K, as it hides every key)."""
    return "vsta: WPS-CRED-RECEIVED" if text.startswith("vsta: WPS-CRED-RECEIVED") else text


def test_syslog_of_a_wps_run():
    """-s -B with a PIN run against hostapd: lines in syslog(3)'s form, facility daemon, MSG_INFO as notice
    (priority 29), tagged with the daemon's pid; the event lines wpa_supplicant logs (`vsta: WPS-SUCCESS`, ...)
    are in pywps's log too, at the same priority, but for CTRL-EVENT-DSCP-POLICY (pywps does not send it:
    difflab.EVENTS_NOT_SENT) and with no key in them."""
    with WiredLab() as lab:
        hostapd = lab.hostapd()
        runs = {}
        try:
            texts = {}
            for kind in KINDS:  # one after the other: hostapd holds an enrollee's MAC for a while after EAP-Failure
                hostapd.cli("wps_pin", "any", "12345670")
                run = runs[kind] = Run(lab, kind, ["-s", "-B", "-P", "sta.pid", "-i", "vsta", "-Dwired", "-c",
                                                   "sta.conf"], pywps_conf(), syslog=True)
                assert run.finish() == 0, (run.out, run.err)
                run.background_pid()
                assert request(run.socket, "WPS_PIN any 12345670") == "12345670"
                wait_for(lambda run=run: any(b"WPS-SUCCESS" in line for line in run.syslog.read()), 20,
                         f"{kind}'s WPS-SUCCESS in syslog")
                stop(run.pid)
                lines = syslog_lines(run)
                if kind == PYWPS:  # wpa_supplicant's first line comes from -B's parent, before the fork
                    assert {(tag, pid) for _, tag, pid, _ in lines} == {(PYWPS, run.pid)}, lines
                texts[kind] = {(priority, text.rstrip()) for priority, _, _, text in lines}
                hostapd.stop()
                hostapd = lab.hostapd()
            events = {(p, event_line(t)) for p, t in texts[WPAS] if re.match(r"vsta: [A-Z]+(-[A-Z]+)+", t)
                      and t.split(" ")[1] not in EVENTS_NOT_SENT}
            names = {t.split(" ")[1] for _, t in events}
            assert names >= {"WPS-SUCCESS", "WPS-CRED-RECEIVED", "CTRL-EVENT-TERMINATING"}, names
            ours = {(p, event_line(t)) for p, t in texts[PYWPS]}
            assert events <= ours, (events - ours, texts[PYWPS])
            assert not any(PSK_HEX in t for _, t in texts[PYWPS]) and any(PSK_HEX in t for _, t in texts[WPAS])
        finally:
            for run in runs.values():
                run.close()


def test_wait_for_a_monitor():
    """-W with -B, ifupdown's form when an action script is set: the command returns once the socket is up;
    until a client ATTACHes, every other request is FAIL (PING too) and no network is joined; the monitor that
    attaches then hears the stored network's join from its start, as it does from wpa_supplicant."""
    conf = pywps_conf() + 'network={\n\tssid="wired"\n\tpsk="12345678"\n}\n'
    with WiredLab() as lab:
        runs = both(lab, ["-W", "-B", "-P", "sta.pid", "-i", "vsta", "-Dwired", "-c", "sta.conf"], conf)
        try:
            seen = {}
            for kind, run in runs.items():
                status = run.finish()
                run.background_pid()
                time.sleep(0.5)  # without -W the join comes 100 ms after start
                before = [request(run.socket, command) for command in ("PING", "STATUS", "DETACH", "ATTACH x")]
                monitor = EventMonitor(run.socket)
                try:
                    assert monitor.attach_reply == b"OK\n", kind
                    events = events_within(monitor, 2.0)
                finally:
                    monitor.close()
                seen[kind] = {"status": status, "before": before, "events": events,
                              "after": request(run.socket, "PING")}
            assert seen[WPAS] == seen[PYWPS], seen
            assert seen[PYWPS]["before"] == ["FAIL\n"] * 4 and "Associated with" in str(seen[PYWPS]["events"])
        finally:
            for run in runs.values():
                run.close()


def test_sigterm_while_waiting_for_a_monitor():
    """pywps alone: -W's wait ends on SIGTERM like any other moment, pidfile and socket removed. (wpa_supplicant
    sets up its signal handlers only after the wait, so SIGTERM kills it there and both files stay behind.)"""
    with WiredLab() as lab:
        run = Run(lab, PYWPS, ["-W", "-B", "-P", "sta.pid", "-i", "vsta", "-Dwired", "-c", "sta.conf"], pywps_conf())
        try:
            assert run.finish() == 0
            run.background_pid()
            assert request(run.socket, "PING") == "FAIL\n"
            stop(run.pid)
            assert run.pidfile_pid() is None and not os.path.exists(run.socket)
        finally:
            run.close()


def test_a_control_directory_and_no_configuration_file():
    """`-C DIR` without -c: a configuration of that directory alone, in memory. Networks can be added;
    SAVE_CONFIG and RECONFIGURE answer FAIL (with update_config=1 too: there is no file); DUMP names the
    directory. Neither -c nor -C: no start, exit 255. SIGHUP, on purpose: wpa_supplicant, with no file to read
    again, exits; pywps goes on with what it holds, as with a file it cannot read (test_diff_reload.py)."""
    script = ["PING", "ADD_NETWORK", 'SET_NETWORK 0 ssid "x"', "LIST_NETWORKS", "SAVE_CONFIG", "RECONFIGURE",
              "GET update_config", "SET update_config 1", "SAVE_CONFIG", "GET ctrl_interface", "DUMP"]
    with WiredLab() as lab:
        runs = both(lab, ["-i", "vsta", "-Dwired", "-C", "@DIR@/ctrl"])
        bare = both(lab, ["-i", "vsta", "-Dwired"])
        try:
            replies = {}
            for kind, run in runs.items():
                assert run.up(), (run.finish(), run.err)
                replies[kind] = [request(run.socket, line).replace(str(run.dir), "@DIR@") for line in script]
            assert replies[WPAS] == replies[PYWPS], list(zip(script, replies[WPAS], replies[PYWPS]))
            assert replies[PYWPS][4:6] == ["FAIL\n", "FAIL\n"] and replies[PYWPS][8] == "FAIL\n"
            assert {kind: run.finish() for kind, run in bare.items()} == {WPAS: 255, PYWPS: 255}
            for run in runs.values():
                run.proc.send_signal(signal.SIGHUP)
            wait_for(lambda: runs[WPAS].proc.poll() is not None, 5, "wpa_supplicant to exit on SIGHUP")
            time.sleep(0.5)
            assert runs[PYWPS].proc.poll() is None
            assert request(runs[PYWPS].socket, "LIST_NETWORKS") == replies[PYWPS][3]
        finally:
            for run in [*runs.values(), *bare.values()]:
                run.close()


def port_is_up(lab: WiredLab) -> bool:
    link = netlab.run(["ip", "-n", lab.ns_sta, "-o", "link", "show", "vsta"]).stdout
    return "UP" in link.split("<", 1)[1].split(">", 1)[0].split(",")


def test_the_port_is_left_up_or_down_as_each_program_found_it():
    """wpa_supplicant's wired driver brings a port it found down up, and down again when it ends
    (driver_wired_init_common's iff_up); one it found up stays up. Each program in turn on the lab's station
    end, started on it down and up: is it up at the first PONG, and after the program ends?"""
    seen = {}
    with WiredLab() as lab:
        for kind in KINDS:
            for at_start in ("down", "up"):
                netlab.run(["ip", "-n", lab.ns_sta, "link", "set", "vsta", at_start])
                one = Run(lab, kind, ["-i", "vsta", "-Dwired", "-c", "sta.conf"], pywps_conf())
                try:
                    assert one.up(), kind
                    running = port_is_up(lab)
                finally:
                    one.close()
                seen[kind, at_start] = (running, port_is_up(lab))
    assert seen[WPAS, "down"] == (True, False) and seen[WPAS, "up"] == (True, True), seen  # the reference
    assert [seen[PYWPS, s] for s in ("down", "up")] == [seen[WPAS, s] for s in ("down", "up")], seen
