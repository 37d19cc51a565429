"""Issue 6 over real nl80211: after WPS, and at start with a stored network, pywps joins the WPA2-PSK network
of Debian hostapd (4-way and group key handshakes, keys installed through nl80211) and data flows; an open
network (key_mgmt=NONE) is joined as wpa_supplicant joins it; the link's operstate goes DORMANT, then UP once
the port is open, as with wpa_supplicant."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest

from difflab import EXTRA_STATUS_KEYS, without_unsent
from hwlab import AP2_MAC, AP_MAC, HEARD_AT_ONCE, fresh_scan_cache, run, side_by_side, sta_conf, wait_for

AP_IP, STA_IP = "192.168.77.1", "192.168.77.2"


@pytest.fixture
def sta_netns():
    """wlan1's radio in its own network namespace, so pings really cross the (simulated) air."""
    subprocess.run(["ip", "netns", "add", "sta"], check=True)
    subprocess.run(["iw", "phy", "phy1", "set", "netns", "name", "sta"], check=True)
    subprocess.run(["ip", "addr", "add", f"{AP_IP}/24", "dev", "wlan0"], check=True)
    subprocess.run(["ip", "netns", "exec", "sta", "ip", "link", "set", "lo", "up"], check=True)
    subprocess.run(["ip", "netns", "exec", "sta", "ip", "addr", "add", f"{STA_IP}/24", "dev", "wlan1"], check=True)
    yield "sta"
    subprocess.run(["ip", "netns", "exec", "sta", "iw", "phy", "phy1", "set", "netns", "1"])
    subprocess.run(["ip", "addr", "flush", "dev", "wlan0"])
    subprocess.run(["ip", "netns", "del", "sta"])


def ping(count: int, interval: str = "0.5") -> subprocess.CompletedProcess:
    return subprocess.run(["ip", "netns", "exec", "sta", "ping", "-c", str(count), "-i", interval, "-W", "2", AP_IP],
                          capture_output=True, text=True, timeout=120)


def test_wps_then_connected_with_data_then_restart_joins_without_wps(lab, sta_netns):
    ap = lab.hostapd()
    sta = lab.station(sta_conf(), netns=sta_netns)
    ap.cli("wps_pin", "any", "12345670")
    sta.cli("wps_pin", "any", "12345670")
    sta.monitor.wait(r"^WPS-SUCCESS", 90)
    m = sta.monitor.wait(r"^CTRL-EVENT-CONNECTED - Connection to (\S+) completed \[id=0 id_str=\]", 90)
    assert m[1] == AP_MAC
    ap.wait_log(r"AP-STA-CONNECTED 02:00:00:00:01:00")
    link = run(["ip", "netns", "exec", "sta", "iw", "dev", "wlan1", "link"])
    assert f"Connected to {AP_MAC}" in link and "SSID: jkm-wps-test" in link
    status = dict(line.split("=", 1) for line in sta.cli("status").splitlines() if "=" in line)
    assert status["wpa_state"] == "COMPLETED" and status["bssid"] == AP_MAC and status["ssid"] == "jkm-wps-test"
    assert status["key_mgmt"] == "WPA2-PSK" and status["pairwise_cipher"] == "CCMP" and status["id"] == "0"
    result = ping(5)
    assert result.returncode == 0, result.stdout + result.stderr

    sta.stop()  # a restart: the stored network, no WPS
    ap.wait_log(r"AP-STA-DISCONNECTED 02:00:00:00:01:00")
    again = lab.station("", conf=sta.conf, netns=sta_netns)
    again.monitor.wait(r"^CTRL-EVENT-CONNECTED - Connection to 02:00:00:00:00:00 completed", 90)
    # WPS-AP-AVAILABLE after its scans is fine (wpa_supplicant emits it too); no WPS run may have happened
    assert not any(e.startswith(("WPS-PIN-ACTIVE", "WPS-SUCCESS", "WPS-CRED")) for e in again.monitor.events)
    result = ping(3)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_hidden_network_joins_and_gtk_rekeys_keep_the_link_up(lab, sta_netns):
    """The AP hides its SSID (ignore_broadcast_ssid=1): the network's scan_ssid=1 has pywps probe for it, as
    wpa_supplicant does, and join the entry the AP's answer made."""
    lab.hostapd(wpa_group_rekey="5", ignore_broadcast_ssid="1")
    network = 'network={\n\tssid="jkm-wps-test"\n\tscan_ssid=1\n\tpsk="12345678"\n\tkey_mgmt=WPA-PSK\n}\n'
    sta = lab.station(sta_conf() + network, netns=sta_netns)
    sta.monitor.wait(r"^CTRL-EVENT-CONNECTED", 90)
    assert "\tjkm-wps-test" in sta.cli("scan_results")
    result = ping(20, "1")
    assert result.returncode == 0 and " 0% packet loss" in result.stdout, result.stdout
    # wpa_supplicant's event for each group key handshake after the link is up
    assert sta.log_text().count("WPA: Group rekeying completed with") >= 2, sta.log_text()[-3000:]
    assert not any(e.startswith("CTRL-EVENT-DISCONNECTED") for e in sta.monitor.events)


def test_wrong_psk_backs_off_with_clear_events(lab):
    lab.hostapd()
    sta = lab.station(sta_conf() + 'network={\n\tssid="jkm-wps-test"\n\tpsk="wrongpassword"\n\tkey_mgmt=WPA-PSK\n}\n')
    m = sta.monitor.wait(r'^CTRL-EVENT-SSID-TEMP-DISABLED id=0 ssid="jkm-wps-test" auth_failures=1 '
                         r"duration=(\d+) reason=WRONG_KEY", 90)
    assert int(m[1]) == 10
    assert sta.cli("ping").strip() == "PONG" and sta.proc.poll() is None
    assert not any(e.startswith("CTRL-EVENT-CONNECTED") for e in sta.monitor.events)
    assert sta.cli("status").count("wpa_state=COMPLETED") == 0
    assert "Traceback" not in sta.log_text()


def global_country() -> str:
    """The kernel's global regulatory domain (`iw reg get`: "global" then "country DE: DFS-ETSI")."""
    m = re.search(r"^global\ncountry (\S\S):", run(["iw", "reg", "get"]), re.M)
    return m[1] if m else ""


def world_domain() -> None:
    run(["iw", "reg", "set", "00"])
    wait_for(lambda: global_country() == "00", 10, "the world regulatory domain")


@pytest.fixture
def world_domain_after():
    yield
    world_domain()  # the next tests' radios scan under the world domain, as before


def test_country_sets_the_kernels_regulatory_domain(lab, world_domain_after):
    """`country=DE` in the file is asked of the kernel at start, and `SET country US` at once, by both programs
    (NL80211_CMD_REQ_SET_REG); GET country answers the setting."""
    got = {}
    for program in ("wpa_supplicant", "pywps"):
        world_domain()
        sta = lab.station(sta_conf(country="DE"), program=program)
        wait_for(lambda: global_country() == "DE", 10, f"{program}'s country=DE")
        assert sta.cli("set", "country", "US").strip() == "OK"
        wait_for(lambda: global_country() == "US", 10, f"{program}'s SET country US")
        got[program] = sta.cli("get", "country").strip()
        lab.restart()
    assert got == {"wpa_supplicant": "US", "pywps": "US"}


OPEN_SSID = "open-net"
OPEN_NETWORK = f'network={{\n\tssid="{OPEN_SSID}"\n\tkey_mgmt=NONE\n}}\n'


# what the MIB says of the link (the counters and the pre-authentication lines are compared elsewhere)
OPEN_MIB = ("dot11RSNAEnabled", "dot11RSNAConfigGroupCipherSize", "dot11RSNAAuthenticationSuiteSelected",
            "dot11RSNAPairwiseCipherSelected", "dot11RSNAGroupCipherSelected", "dot11RSNAAuthenticationSuiteRequested",
            "dot11RSNAPairwiseCipherRequested", "dot11RSNAGroupCipherRequested", "dot1xSuppPaeState",
            "dot1xSuppSuppControlledPortStatus", "dot1xSuppBackendPaeState")


def open_ap(lab):
    """Debian hostapd without WPA or WPS: an open network."""
    return lab.hostapd(ssid=OPEN_SSID, wpa=None, wpa_passphrase=None, wpa_key_mgmt=None, rsn_pairwise=None,
                       wps_state=None, eap_server=None, ap_pin=None)


def test_an_open_network_is_joined_as_wpa_supplicant_joins_it(lab):
    """A stored key_mgmt=NONE network, Debian wpa_supplicant on wlan1 and pywps on wlan3 at once: the same
    CTRL-EVENT-CONNECTED, STATUS and MIB once joined (no handshake: the link is up on association)."""
    fresh_scan_cache("wlan3")
    open_ap(lab)
    radios = {"wpa_supplicant": "wlan1", "pywps": "wlan3"}
    stations = {program: lab.station(sta_conf() + OPEN_NETWORK, program, iface=iface)
                for program, iface in radios.items()}

    def joined(sta) -> tuple[str, dict[str, str], dict[str, str]]:
        m = sta.monitor.wait(r"^CTRL-EVENT-CONNECTED .*", 90)
        status = dict(line.split("=", 1) for line in sta.cli("status").splitlines() if "=" in line)
        mib = dict(line.split("=", 1) for line in sta.cli("mib").splitlines() if "=" in line)
        for own in ("address", "uuid", "ip_address"):  # each station's own
            status.pop(own, None)
        for extra in (*EXTRA_STATUS_KEYS, "p2p_device_address"):  # pywps's WPS view; wpa_supplicant's P2P
            status.pop(extra, None)
        return m[0], status, {k: mib.get(k) for k in OPEN_MIB}

    got = side_by_side(stations, joined)
    theirs = got["wpa_supplicant"]
    assert theirs[0] == "CTRL-EVENT-CONNECTED - Connection to 02:00:00:00:00:00 completed [id=0 id_str=]", theirs
    assert theirs[1]["key_mgmt"] == "NONE" and theirs[1]["wpa_state"] == "COMPLETED", theirs
    assert got["pywps"][0] == theirs[0]
    assert got["pywps"][1] == theirs[1], got
    assert got["pywps"][2] == theirs[2], got


def test_an_open_network_carries_data(lab, sta_netns):
    open_ap(lab)
    sta = lab.station(sta_conf() + OPEN_NETWORK, netns=sta_netns)
    sta.monitor.wait(r"^CTRL-EVENT-CONNECTED - Connection to 02:00:00:00:00:00 completed", 90)
    result = ping(3)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_network_with_a_bssid_joins_that_ap_alone_as_wpa_supplicant(lab):
    """Two APs of one SSID (channels 1 and 6): a network locked to a BSSID that is not on the air joins
    neither (CTRL-EVENT-NETWORK-NOT-FOUND after each scan), then, locked to the second AP, joins it, in Debian
    wpa_supplicant on wlan1 and pywps on wlan3 alike."""
    fresh_scan_cache("wlan3")
    lab.hostapd()
    lab.hostapd("wlan2", channel="6")
    absent = "02:00:00:00:09:00"
    network = f'network={{\n\tssid="jkm-wps-test"\n\tpsk="12345678"\n\tkey_mgmt=WPA-PSK\n\tbssid={absent}\n}}\n'
    radios = {"wpa_supplicant": "wlan1", "pywps": "wlan3"}
    stations = {program: lab.station(sta_conf() + network, program, iface=iface) for program, iface in radios.items()}

    def locked(sta) -> tuple[list[str], str]:
        sta.monitor.wait(r"^CTRL-EVENT-NETWORK-NOT-FOUND", 90)
        sta.monitor.wait(r"^CTRL-EVENT-SCAN-RESULTS", 30)  # the next scan: still nothing joined
        sta.monitor.gather(1)
        before = [e.rstrip() for e in sta.monitor.events if e.startswith(("CTRL-EVENT-CONNECTED", "Trying"))]
        sta.monitor.events.clear()
        assert sta.cli("set_network", "0", "bssid", AP2_MAC).strip() == "OK"
        assert sta.cli("reassociate").strip() == "OK"
        return before, sta.monitor.wait(r"^CTRL-EVENT-CONNECTED .*", 90)[0]

    got = side_by_side(stations, locked)
    assert got["wpa_supplicant"] == ([], f"CTRL-EVENT-CONNECTED - Connection to {AP2_MAC} completed [id=0 id_str=]")
    assert got["pywps"] == got["wpa_supplicant"]


LIMIT_STEPS = [
    # (what changes, SET_NETWORK field and value pairs): each on the disabled network, then ENABLE_NETWORK, and
    # the first join or NETWORK-NOT-FOUND is compared
    ("a channel list holding the second AP's channel alone", [("freq_list", "2437")]),
    ("the first AP's channel, but that AP ignored", [("freq_list", "2412"), ("bssid_ignore", AP_MAC)]),
    ("no channel list; the second AP ignored under a mask, by the older name",
     [("freq_list", ""), ("bssid_ignore", ""), ("bssid_blacklist", "02:00:00:00:02:ff/ff:ff:ff:ff:ff:00")]),
    ("only an absent AP accepted", [("bssid_blacklist", ""), ("bssid_accept", "02:00:00:00:09:00")]),
    ("both accepted under a mask; the first AP's channel left out",
     [("bssid_whitelist", "02:00:00:00:00:00/ff:ff:ff:ff:f0:00"), ("freq_list", "2437 2462")]),
]


def test_a_networks_bssid_and_channel_limits_pick_among_two_aps_as_wpa_supplicant(lab):
    """Two APs of one SSID (channels 1 and 6): freq_list, bssid_ignore and bssid_accept (with masks and the older
    names bssid_blacklist and bssid_whitelist), set step by step with SET_NETWORK, decide which AP an
    ENABLE_NETWORK joins, or that none fits (CTRL-EVENT-NETWORK-NOT-FOUND), in Debian wpa_supplicant on wlan1 and
    pywps on wlan3 alike."""
    fresh_scan_cache("wlan3")
    lab.hostapd()
    lab.hostapd("wlan2", channel="6")
    network = 'network={\n\tssid="jkm-wps-test"\n\tpsk="12345678"\n\tkey_mgmt=WPA-PSK\n\tdisabled=1\n}\n'
    radios = {"wpa_supplicant": "wlan1", "pywps": "wlan3"}
    stations = {program: lab.station(sta_conf() + network, program, iface=iface) for program, iface in radios.items()}

    def steps(sta) -> list[str]:
        outcomes = []
        for _, changes in LIMIT_STEPS:
            for field, value in changes:
                assert sta.cli("set_network", "0", field, value).strip() == "OK", (field, value)
            sta.monitor.events.clear()
            assert sta.cli("enable_network", "0").strip() == "OK"
            outcome = sta.monitor.wait(r"^(CTRL-EVENT-CONNECTED - Connection to \S+|CTRL-EVENT-NETWORK-NOT-FOUND)", 90)
            outcomes.append(outcome[1])
            assert sta.cli("disable_network", "0").strip() == "OK"
            sta.monitor.gather(2)  # a scan under way ends, with no enabled network to say anything of
        return outcomes

    got = side_by_side(stations, steps)
    joined, not_found = "CTRL-EVENT-CONNECTED - Connection to ", "CTRL-EVENT-NETWORK-NOT-FOUND"
    assert got["wpa_supplicant"] == [joined + AP2_MAC, not_found, joined + AP_MAC, not_found, joined + AP2_MAC], got
    assert got["pywps"] == got["wpa_supplicant"], list(zip((s for s, _ in LIMIT_STEPS), got["pywps"]))


def test_management_frame_protection_picks_aps_as_wpa_supplicant(lab):
    """An AP that requires management frame protection (hostapd ieee80211w=2, channel 1) and one that offers it
    (ieee80211w=1, channel 6): a network without ieee80211w is never tried on the first (CTRL-EVENT-NETWORK-NOT-FOUND,
    no association), and a network with ieee80211w=1 joins the second, in Debian wpa_supplicant on wlan1 and pywps
    on wlan3 alike (both then protect their management frames: test_hwsim_mfp.py compares how)."""
    fresh_scan_cache("wlan3")
    lab.hostapd(ssid="pmf-required", ieee80211w="2", wps_state=None)
    lab.hostapd("wlan2", channel="6", ssid="pmf-optional", ieee80211w="1", wps_state=None)
    networks = ('network={\n\tssid="pmf-required"\n\tpsk="12345678"\n\tkey_mgmt=WPA-PSK\n}\n'
                'network={\n\tssid="pmf-optional"\n\tpsk="12345678"\n\tkey_mgmt=WPA-PSK\n\tieee80211w=1\n'
                '\tdisabled=1\n}\n')
    radios = {"wpa_supplicant": "wlan1", "pywps": "wlan3"}
    stations = {program: lab.station(sta_conf() + networks, program, iface=iface) for program, iface in radios.items()}
    outcome = r"^(CTRL-EVENT-CONNECTED - Connection to \S+|CTRL-EVENT-NETWORK-NOT-FOUND|CTRL-EVENT-ASSOC-REJECT.*)"

    def steps(sta) -> list[str]:
        first = sta.monitor.wait(outcome, 90)[1]
        assert sta.cli("select_network", "1").strip() == "OK"
        sta.monitor.events.clear()
        return [first, sta.monitor.wait(outcome, 90)[1]]

    got = side_by_side(stations, steps)
    assert got["wpa_supplicant"] == ["CTRL-EVENT-NETWORK-NOT-FOUND", "CTRL-EVENT-CONNECTED - Connection to " + AP2_MAC]
    assert got["pywps"] == got["wpa_supplicant"]


def test_of_two_aps_of_a_network_the_one_wpa_supplicant_ranks_first_is_joined(lab):
    """One SSID on channel 1 (802.11g, transmitting at 20 dBm) and on channel 6 (802.11n, 16 dBm: heard 4 dB
    weaker): both programs join the second, since wpa_supplicant's order of a scan's results puts the higher
    estimated throughput first when the signals are within 7 dB (the same rule puts a dual-band AP's 5 GHz side
    first); pywps joined the stronger signal."""
    fresh_scan_cache("wlan3")
    lab.hostapd(**HEARD_AT_ONCE)
    lab.hostapd("wlan2", channel="6", ieee80211n="1", **HEARD_AT_ONCE)
    for iface, mbm in (("wlan0", "2000"), ("wlan2", "1600")):  # mac80211_hwsim: signal = sender's power - 50
        run(["iw", "dev", iface, "set", "txpower", "fixed", mbm])
    network = 'network={\n\tssid="jkm-wps-test"\n\tpsk="12345678"\n\tkey_mgmt=WPA-PSK\n}\n'
    radios = {"wpa_supplicant": "wlan1", "pywps": "wlan3"}
    stations = {program: lab.station(sta_conf() + network, program, iface=iface) for program, iface in radios.items()}
    got = side_by_side(stations, lambda sta: sta.monitor.wait(r"^CTRL-EVENT-CONNECTED - Connection to (\S+)", 90)[1])
    assert got == {"wpa_supplicant": AP2_MAC, "pywps": AP2_MAC}


def link_states(lines: list[str]) -> list[str]:
    """The operstates `ip -o monitor link` reported, a repeat of the one before dropped."""
    states = [m[1] for line in lines if (m := re.search(r" state (\S+) ", line))]
    return [s for i, s in enumerate(states) if i == 0 or states[i - 1] != s]


def test_the_link_is_dormant_until_the_handshake_as_with_wpa_supplicant(lab):
    """RFC 2863 operstate, which DHCP clients and network managers wait on (the kernel's IFF_RUNNING): each
    program in turn on wlan1 with a stored WPA2 network, the link watched with `ip monitor` from before its
    start. wpa_supplicant sets the link mode DORMANT, so association alone makes the link DORMANT; UP comes once
    the 4-Way Handshake has opened the port, DORMANT again at DISCONNECT, and the kernel's default link mode at
    the stop. pywps set none of it before (the link was UP at association, before its keys)."""
    lab.hostapd()
    # disabled until the first PONG has been seen: a program that finds the AP in the radio's cache can be
    # associated by the time its control socket answers
    network = 'network={\n\tssid="jkm-wps-test"\n\tpsk="12345678"\n\tkey_mgmt=WPA-PSK\n\tdisabled=1\n}\n'
    seen = {}
    for program in ("wpa_supplicant", "pywps"):
        sysfs = {name: Path(f"/sys/class/net/wlan1/{name}") for name in ("link_mode", "operstate")}
        watch = subprocess.Popen(["ip", "-o", "monitor", "link", "dev", "wlan1"], stdout=subprocess.PIPE, text=True)
        time.sleep(0.3)  # ip has joined the link group (no line says so)
        sta = lab.station(sta_conf() + network, program)
        at = {"pong": (sysfs["link_mode"].read_text().strip(), sysfs["operstate"].read_text().strip())}
        assert sta.cli("enable_network", "0").strip() == "OK"
        sta.monitor.wait(r"^CTRL-EVENT-CONNECTED", 90)
        wait_for(lambda: sysfs["operstate"].read_text().strip() == "up", 5, f"{program}'s link UP")
        sta.cli("disconnect")
        sta.monitor.wait(r"^CTRL-EVENT-DISCONNECTED", 30)
        time.sleep(1)
        at["disconnected"] = sysfs["operstate"].read_text().strip()
        sta.stop()
        at["stopped"] = sysfs["link_mode"].read_text().strip()
        watch.terminate()
        states = link_states(watch.communicate(timeout=10)[0].splitlines())
        at["to UP"] = states[:states.index("UP") + 1]
        seen[program] = at
    assert seen["wpa_supplicant"]["pong"] == ("1", "down"), seen  # what the comparison rests on
    assert seen["wpa_supplicant"]["to UP"][-2:] == ["DORMANT", "UP"], seen
    assert seen["pywps"] == seen["wpa_supplicant"], seen


def rfkill_soft(iface: str = "wlan1") -> Path:
    """The soft switch of the radio behind `iface` (hwsim's radios each have one, through cfg80211)."""
    names = [e.name for e in Path(f"/sys/class/net/{iface}/phy80211").iterdir() if re.fullmatch(r"rfkill\d+", e.name)]
    return Path(f"/sys/class/rfkill/{names[0]}/soft")


def briefly_disabled(sta) -> dict[str, object]:
    """Down and up again within a second of a scan's results: does the program scan before it joins again?"""
    sta.scan()
    sta.monitor.events.clear()
    run(["ip", "link", "set", "wlan1", "down"])
    time.sleep(0.5)
    run(["ip", "link", "set", "wlan1", "up"])
    sta.monitor.wait(r"^CTRL-EVENT-CONNECTED", 90)
    names = [text.split(" ", 1)[0] for text in sta.monitor.events]
    return {"scanned before the join": "CTRL-EVENT-SCAN-STARTED" in names[:names.index("CTRL-EVENT-CONNECTED")]}


def disabled_then_enabled(sta, disable, enable) -> dict[str, object]:
    """What a client sees while the interface is disabled and once it is enabled again."""
    sta.monitor.events.clear()
    disable()
    # past the connector's rejoin delay (nothing may be scanned or joined meanwhile) and the moment the BSS
    # table is forgotten (5 s after the last results at most: CTRL-EVENT-BSS-REMOVED)
    sta.monitor.gather(7)
    texts = [text for _, text in without_unsent([(None, e) for e in sta.monitor.events])]
    seen: dict[str, object] = {
        "events": [t if t.startswith("CTRL-EVENT-DISCONNECTED") else t.split(" ", 1)[0] for t in texts],
        "wpa_state": re.search(r"^wpa_state=(\S+)", sta.cli("status"), re.M)[1],
        "replies": {request: sta.cli(request).strip() for request in ("scan", "reconnect", "reassociate")},
    }
    enable()
    sta.monitor.wait(r"^CTRL-EVENT-CONNECTED", 90)
    seen["then"] = re.search(r"^wpa_state=(\S+)", sta.cli("status"), re.M)[1]
    return seen


def test_a_disabled_interface_as_wpa_supplicant_tells_it(lab):
    """wpa_supplicant's INTERFACE_DISABLED, each program in turn on wlan1 with a stored network: the interface
    taken down (`ip link set down`) and up again, the radio blocked and unblocked (rfkill: the kernel takes the
    interface down, the program brings it up once unblocked), and the radio blocked before the program starts
    (wpa_supplicant starts anyway). The events while disabled, STATUS, the replies to SCAN, RECONNECT and
    REASSOCIATE, and the join after; and, down for half a second just after a scan, whether the join after waits
    for a scan (wpa_supplicant does not choose from its results of before, however recent). pywps ended at a start
    on a blocked radio, scanned on (failing) while its interface was down, and rejoined from its last results."""
    lab.hostapd(**HEARD_AT_ONCE)
    # scan_freq: each of the ten joins scans the AP's channel alone (every channel is ~4 s under TCG)
    network = 'network={\n\tssid="jkm-wps-test"\n\tpsk="12345678"\n\tkey_mgmt=WPA-PSK\n\tscan_freq=2412\n}\n'
    switch = rfkill_soft()
    seen = {}
    for program in ("wpa_supplicant", "pywps"):
        sta = lab.station(sta_conf() + network, program)
        sta.monitor.wait(r"^CTRL-EVENT-CONNECTED", 90)
        seen[program, "ip link"] = disabled_then_enabled(
            sta, lambda: run(["ip", "link", "set", "wlan1", "down"]), lambda: run(["ip", "link", "set", "wlan1", "up"]))
        seen[program, "rfkill"] = disabled_then_enabled(
            sta, lambda: switch.write_text("1"), lambda: switch.write_text("0"))
        seen[program, "down for a moment"] = briefly_disabled(sta)
        sta.stop()
        switch.write_text("1")
        try:
            sta = lab.station(sta_conf() + network, program)
            seen[program, "blocked at start"] = re.search(r"^wpa_state=(\S+)", sta.cli("status"), re.M)[1]
        finally:
            switch.write_text("0")
        sta.monitor.wait(r"^CTRL-EVENT-CONNECTED", 90)
        sta.stop()
    theirs = {key[1]: value for key, value in seen.items() if key[0] == "wpa_supplicant"}
    assert theirs["blocked at start"] == "INTERFACE_DISABLED", seen  # what the comparison rests on
    assert theirs["ip link"]["wpa_state"] == "INTERFACE_DISABLED", seen
    assert theirs["down for a moment"] == {"scanned before the join": True}, seen
    assert {key[1]: value for key, value in seen.items() if key[0] == "pywps"} == theirs, seen
