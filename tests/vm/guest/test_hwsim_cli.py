"""The command line Debian's ifupdown passes (functions.sh: `-s -B -P PIDFILE -i IFACE -D nl80211,wext -c CONF`)
on a radio: Debian wpa_supplicant and pywps, one after the other on wlan1 with the same stored network of Debian
hostapd's. For both: the command returns 0 once the daemon is up (its control socket answers then), the pidfile
names the process left behind, the driver the list ends on is nl80211 (DRIVER_FLAGS alike: pywps passes over
wext, which it does not have; wpa_supplicant never gets to it) and the stored network is joined (COMPLETED).
And the radio each program leaves behind: down again if it found it down, else up."""

from __future__ import annotations

import os
import signal
import subprocess
import time

from hwlab import REPO, WORK, run, sta_conf, wait_for
from proclab import KINDS, alive, program, read_pidfile


def background_start(kind: str) -> dict[str, object]:
    workdir = WORK / f"cli-{kind}"
    workdir.mkdir()
    ctrl = workdir / "ctrl"
    conf = workdir / "sta.conf"
    conf.write_text(sta_conf(ctrl_interface=str(ctrl)) + 'network={\n\tssid="jkm-wps-test"\n\tpsk="12345678"\n}\n')
    pidfile = workdir / "sta.pid"
    argv = [*program(kind), "-s", "-B", "-P", str(pidfile), "-i", "wlan1", "-D", "nl80211,wext", "-c", str(conf)]
    command = subprocess.Popen(argv, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    command.communicate(timeout=120)
    seen: dict[str, object] = {"status": command.returncode}

    def cli(*args: str) -> str:
        return run(["wpa_cli", "-p", str(ctrl), "-i", "wlan1", *args])

    seen["answers at return"] = cli("ping").strip()
    # wpa_supplicant's child writes its pidfile after -B has returned
    pid = wait_for(lambda: read_pidfile(pidfile), 10, f"{kind}'s pidfile", interval=0.05)
    try:
        seen["alive, not the command"] = alive(pid) and pid != command.pid
        seen["driver flags"] = cli("driver_flags")
        wait_for(lambda: "wpa_state=COMPLETED" in cli("status"), 90, f"{kind} to join the stored network")
        status = dict(line.split("=", 1) for line in cli("status").splitlines() if "=" in line)
        seen["joined"] = (status["ssid"], status["key_mgmt"], status["id"])
    finally:
        os.kill(pid, signal.SIGTERM)
        wait_for(lambda: not alive(pid), 15, f"{kind} to end")
    seen["pidfile removed"] = not pidfile.exists()
    return seen


def test_ifupdowns_command_line_on_a_radio(lab):
    lab.hostapd()
    seen = {}
    for kind in KINDS:
        seen[kind] = background_start(kind)
        time.sleep(1)  # hostapd notes the departure before the next program associates
    assert seen["pywps"] == seen["wpa_supplicant"], seen
    assert seen["pywps"]["status"] == 0 and seen["pywps"]["answers at return"] == "PONG"
    assert seen["pywps"]["joined"] == ("jkm-wps-test", "WPA2-PSK", "0")


def radio_is_up(iface: str = "wlan1") -> bool:
    flags = run(["ip", "-o", "link", "show", iface]).split("<", 1)[1].split(">", 1)[0]
    return "UP" in flags.split(",")


def test_the_radio_is_left_up_or_down_as_each_program_found_it(lab):
    """wpa_supplicant brings a radio it found down up, and down again when it stops (driver_nl80211's
    start_iface_up); one it found up stays up. pywps on the same radio, each started on it down and up: is it up
    at the first PONG, and after the program ends?"""
    seen = {}
    for kind in KINDS:
        for at_start in ("down", "up"):
            run(["ip", "link", "set", "wlan1", at_start])
            sta = lab.station(sta_conf(), program=kind)
            running = radio_is_up()
            sta.stop()
            seen[kind, at_start] = (running, radio_is_up())
    assert seen["wpa_supplicant", "down"] == (True, False), seen  # what the comparison rests on
    assert seen["wpa_supplicant", "up"] == (True, True), seen
    assert [seen["pywps", s] for s in ("down", "up")] == [seen["wpa_supplicant", s] for s in ("down", "up")], seen


def radio_type(iface: str = "wlan1") -> str:
    """The interface's type as `iw dev` names it (managed, monitor, IBSS, AP, mesh point)."""
    for line in run(["iw", "dev", iface, "info"]).splitlines():
        if line.strip().startswith("type "):
            return line.strip()[len("type "):]
    raise AssertionError(f"no type in iw dev {iface} info")


def test_an_interface_of_another_type_is_made_a_station_as_wpa_supplicant_does(lab):
    """wpa_supplicant makes a station of a monitor, IBSS, AP or mesh interface it is given (driver_nl80211's
    set_mode: a running one is taken down for the switch and brought up again) and joins its stored network;
    pywps used to refuse to start. Each program on each type, found up or down: the type once joined, and the
    type and up flag it leaves behind. One difference on purpose, not compared: wpa_supplicant keeps an AP or mesh
    interface as it is until it associates (its AP and mesh modes use it); pywps has no such modes and switches
    at its start."""
    lab.hostapd()
    cases = (("monitor", "up"), ("ibss", "down"), ("__ap", "up"), ("mp", "down"))
    seen = {}
    try:
        for kind in KINDS:
            for iw_type, at_start in cases:
                run(["ip", "link", "set", "wlan1", "down"])
                run(["iw", "dev", "wlan1", "set", "type", iw_type])
                run(["ip", "link", "set", "wlan1", at_start])
                found = radio_type()
                sta = lab.station(sta_conf() + 'network={\n\tssid="jkm-wps-test"\n\tpsk="12345678"\n}\n',
                                  program=kind)
                wait_for(lambda: "wpa_state=COMPLETED" in sta.cli("status"), 60, f"{kind} to join from {found}")
                joined_as = radio_type()
                sta.stop()
                seen[kind, found] = (joined_as, radio_type(), radio_is_up())
                time.sleep(1)  # hostapd notes the departure before the next station associates
    finally:
        run(["ip", "link", "set", "wlan1", "down"])
        run(["iw", "dev", "wlan1", "set", "type", "managed"])
    assert seen["wpa_supplicant", "monitor"] == ("managed", "managed", True), seen  # what the comparison rests on
    assert seen["wpa_supplicant", "IBSS"] == ("managed", "managed", False), seen
    assert {k: v for (p, k), v in seen.items() if p == "pywps"} == {
        k: v for (p, k), v in seen.items() if p == "wpa_supplicant"}, seen
