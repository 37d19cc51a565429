"""mac_addr on a radio: Debian wpa_supplicant and pywps, one after the other on wlan1, with Debian hostapd on
wlan0. Random addresses differ from run to run, so what is compared is what each address is (the permanent one,
a random one, a random one with the permanent OUI, the one before) and who saw it (STATUS, hostapd's station
table, the MAC Address of M1 as hostapd read it), and what each program leaves the interface with at its exit."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

from hwlab import STA_MAC, run, sta_conf, wait_for

PERMANENT = bytes.fromhex(STA_MAC.replace(":", ""))


def interface(name: str = "wlan1") -> tuple[str, bool]:
    """The interface's address and up flag, from sysfs."""
    sysfs = Path("/sys/class/net") / name
    return sysfs.joinpath("address").read_text().strip(), bool(int(sysfs.joinpath("flags").read_text(), 16) & 1)


def kind(address: str, before: str | None = None) -> str:
    raw = bytes.fromhex(address.replace(":", ""))
    if raw == PERMANENT:
        return "permanent"
    if address == before:
        return "the one before"
    if raw[0] & 0x03 != 0x02:
        return f"not a local unicast address: {address}"
    return "random, the permanent OUI" if raw[1:3] == PERMANENT[1:3] and raw[0] == PERMANENT[0] | 2 else "random"


def status_address(sta) -> str:
    return dict(line.split("=", 1) for line in sta.cli("status").splitlines() if "=" in line)["address"]


def onboarding(lab, program: str) -> dict[str, object]:
    ap = lab.hostapd()
    sta = lab.station(sta_conf(update_config="1", mac_addr="1"), program)
    seen: dict[str, object] = {}

    def joined(step: str, before: str | None = None) -> str:
        sta.monitor.wait(r"^CTRL-EVENT-CONNECTED", 90)
        now = status_address(sta)
        stations = ap.cli("all_sta")
        seen[step] = (kind(now, before), now == interface()[0], now in stations.split())
        return now

    seen["at start"] = kind(status_address(sta))
    ap.cli("wps_pbc")
    assert sta.cli("wps_pbc").strip() == "OK"
    sta.monitor.wait(r"^WPS-SUCCESS", 90)
    m1_mac = ap.wait_log(r"WPS: Enrollee MAC Address (\S+)")[1]
    first = joined("the WPS run's network, then its credential's")
    seen["M1's MAC Address"] = kind(m1_mac, first)
    sta.monitor.events.clear()
    time.sleep(1)
    assert sta.cli("set_network", "0", "mac_addr", "0").strip() == "OK"
    assert sta.cli("reassociate").strip() == "OK"
    joined("mac_addr=0 on the same network")
    sta.monitor.events.clear()
    assert sta.cli("set_network", "0", "mac_addr", "2").strip() == "OK"
    assert sta.cli("reassociate").strip() == "OK"
    joined("mac_addr=2 on the same network (its address kept)")
    sta.monitor.events.clear()
    assert sta.cli("add_network").strip() == "1"
    for field, value in (("ssid", '"jkm-wps-test"'), ("psk", '"12345678"'), ("mac_addr", "2")):
        assert sta.cli("set_network", "1", field, value).strip() == "OK"
    assert sta.cli("select_network", "1").strip() == "OK"
    joined("another network with mac_addr=2")
    sta.stop()
    seen["after the exit (address, up)"] = (kind(wait_for(lambda: interface()[0], 5, "wlan1")), interface()[1])
    saved = sta.conf.read_text()
    seen["saved"] = re.findall(r"^\s*mac_addr=.*$", saved, re.M)
    return seen


def scanning(lab, program: str) -> dict[str, object]:
    ap = lab.hostapd()
    sta = lab.station(sta_conf(preassoc_mac_addr="1"), program)
    seen: dict[str, object] = {}

    def scanned() -> str:
        sta.monitor.events.clear()
        assert sta.cli("scan").strip() == "OK"
        sta.monitor.wait(r"^CTRL-EVENT-SCAN-RESULTS", 60)
        return status_address(sta)

    seen["at start (no network: no scan)"] = kind(status_address(sta))
    first = scanned()
    seen["after a scan"] = kind(first)
    seen["after another scan"] = kind(scanned(), first)
    sta.monitor.events.clear()
    assert sta.cli("add_network").strip() == "0"
    for field, value in (("ssid", '"jkm-wps-test"'), ("psk", '"12345678"')):
        assert sta.cli("set_network", "0", field, value).strip() == "OK"
    assert sta.cli("select_network", "0").strip() == "OK"
    sta.monitor.wait(r"^CTRL-EVENT-CONNECTED", 90)
    joined = status_address(sta)
    seen["joined (mac_addr 0)"] = (kind(joined), joined in ap.cli("all_sta").split())
    sta.monitor.events.clear()
    assert sta.cli("disconnect").strip() == "OK"
    sta.monitor.wait(r"^CTRL-EVENT-DISCONNECTED", 30)
    seen["a scan after DISCONNECT, within rand_addr_lifetime"] = kind(scanned(), first)
    assert sta.cli("set", "rand_addr_lifetime", "0").strip() == "OK"
    time.sleep(1)
    seen["a scan past rand_addr_lifetime"] = kind(scanned(), first)
    assert sta.cli("flush").strip() == "OK"
    seen["after FLUSH (mac_addr 0)"] = kind(status_address(sta))
    sta.stop()
    seen["after the exit (address, up)"] = (kind(interface()[0]), interface()[1])
    return seen


def test_random_addresses_for_scans_as_wpa_supplicant(lab):
    """preassoc_mac_addr=1: a scan while not associated comes from a random address, the same one for the next
    scan within rand_addr_lifetime; a network of mac_addr 0 is joined from the permanent address; a scan after
    DISCONNECT within the lifetime keeps the permanent address (wpa_supplicant's wpas_update_random_addr sees
    the last random address of that style as still young), one past it takes a new random address, and FLUSH
    gives the permanent one back. pywps used to scan from the permanent address."""
    seen = one_after_the_other(lab, scanning)
    assert seen["wpa_supplicant"]["after a scan"] == "random", seen
    assert seen["pywps"] == seen["wpa_supplicant"], seen


def one_after_the_other(lab, steps: Callable[[object, str], dict[str, object]]) -> dict[str, dict[str, object]]:
    """`steps` for Debian wpa_supplicant, then for pywps, on wlan1; then wlan1's permanent address again, which
    the tests after these know it by, whatever a failure left."""
    seen = {}
    try:
        for program in ("wpa_supplicant", "pywps"):
            seen[program] = steps(lab, program)
            lab.restart()
            time.sleep(1)
    finally:
        run(["ip", "link", "set", "wlan1", "down"])
        run(["ip", "link", "set", "wlan1", "address", STA_MAC])
        run(["ip", "link", "set", "wlan1", "up"])
    return seen


def test_random_addresses_for_associations_as_wpa_supplicant(lab):
    """Global mac_addr=1: a WPS run associates from a random address, which M1 names and the credential's
    network keeps (the same network, or within rand_addr_lifetime); mac_addr=0 on that network gives the
    permanent address back; mac_addr=2 on the same network keeps it (wpa_supplicant changes the address only for
    another network); another network with mac_addr=2 gets a random address with the permanent OUI; at the exit
    the permanent address again, the interface left down (wpa_driver_nl80211_deinit). pywps used to ignore
    mac_addr and refuse it in SET_NETWORK."""
    seen = one_after_the_other(lab, onboarding)
    assert seen["wpa_supplicant"]["the WPS run's network, then its credential's"] == ("random", True, True), seen
    assert seen["wpa_supplicant"]["after the exit (address, up)"] == ("permanent", False), seen
    assert seen["pywps"] == seen["wpa_supplicant"], seen
