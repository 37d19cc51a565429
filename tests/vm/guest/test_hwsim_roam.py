"""Roaming between two BSSes of one network on a radio: Debian wpa_supplicant and pywps, one after the other on
wlan1, with Debian hostapd as two APs of the same SSID and passphrase (wlan0: 802.11g only, channel 1; wlan2:
802.11n, channel 6). mac80211_hwsim hears every AP at the same signal, -30 dBm with a noise floor of -92 dBm,
so wpa_supplicant's within-ESS choice (wpa_supplicant_need_to_roam_within_ess) goes by estimated throughput
alone: the 802.11n AP's 65 Mbit/s beats the 802.11g AP's 54 by more than its 5 Mbit/s margin, and the other way
round a good SNR keeps the link where it is. What is compared: the events each step brings (texts with the
BSSIDs named, parameters that vary left out), the BSS each ends on, and who saw the station (hostapd's station
tables)."""

from __future__ import annotations

import json
import re
import time

from hwlab import AP2_MAC, AP_MAC, STA_MAC, one_after_the_other, sta_conf

NETWORK = 'network={\n\tssid="jkm-wps-test"\n\tpsk="12345678"\n\tkey_mgmt=WPA-PSK\n}\n'
NAMES = {AP_MAC: "AP-g", AP2_MAC: "AP-n"}
# events whose every word matters; the others are compared by their first word
WHOLE = ("CTRL-EVENT-CONNECTED", "CTRL-EVENT-DISCONNECTED", "CTRL-EVENT-DO-ROAM", "CTRL-EVENT-SKIP-ROAM",
         "Trying to associate", "Associated with", "WPA: Key negotiation completed")
# "SME: Trying to authenticate with": wpa_supplicant's own SME on a mac80211 radio; pywps hands the kernel one
# CONNECT, says the line as the kernel authenticates, and "Trying to associate with" once the AP took it
UNCOMPARED = ("CTRL-EVENT-BSS-", "CTRL-EVENT-SCAN-")


def named(text: str) -> str:
    for mac, name in NAMES.items():
        text = text.replace(mac, name)
    return text


def shape(event: str) -> str:
    """An event as compared: BSSIDs named, the changing parts (SSID quoting, frequencies, levels) left out."""
    event = named(event)
    if not event.startswith(WHOLE):
        return event.split(" ", 1)[0]
    event = re.sub(r" \(SSID='[^']*' freq=\d+ MHz\)", "", event)
    return re.sub(r"(level|est|freq)=-?\d+", r"\1=*", event)


def step_events(sta, until: str, seconds: float = 30.0) -> list[str]:
    """The events from now until one matches `until` (and a second more), in order, shaped."""
    sta.monitor.wait(until, seconds)
    sta.monitor.gather(1.0)
    return [shape(e) for e in sta.monitor.events if not e.startswith(UNCOMPARED)]


def bssid(sta) -> str:
    status = dict(line.split("=", 1) for line in sta.cli("status").splitlines() if "=" in line)
    return NAMES.get(status.get("bssid", ""), "none") + " " + status.get("wpa_state", "?")


def roaming(lab, program: str) -> dict[str, object]:
    legacy = lab.hostapd("wlan0", ieee80211n="0", wps_state=None)
    sta = lab.station(sta_conf() + NETWORK, program)
    seen: dict[str, object] = {}
    sta.monitor.wait(r"^CTRL-EVENT-CONNECTED", 90)
    seen["joined"] = bssid(sta)
    faster = lab.hostapd("wlan2", channel="6", ieee80211n="1", wps_state=None)
    time.sleep(1)
    sta.monitor.events.clear()
    assert sta.cli("scan").strip() == "OK"
    seen["a scan finds an 802.11n AP"] = step_events(sta, rf"^CTRL-EVENT-CONNECTED - Connection to {AP2_MAC}")
    seen["after the scan"] = bssid(sta)
    # mac80211 drops the old link without a frame: the old AP keeps the station until it times out
    seen["stations of each AP"] = (STA_MAC in legacy.cli("all_sta"), STA_MAC in faster.cli("all_sta"))
    sta.monitor.events.clear()
    seen["ROAM back"] = sta.cli("roam", AP_MAC).strip()
    seen["ROAM's events"] = step_events(sta, rf"^CTRL-EVENT-CONNECTED - Connection to {AP_MAC}")
    seen["after ROAM"] = bssid(sta)
    seen["ROAM to a BSSID not in the table"] = sta.cli("roam", "02:00:00:00:09:00").strip()
    sta.monitor.events.clear()
    assert sta.cli("scan").strip() == "OK"
    seen["a scan again"] = step_events(sta, rf"^CTRL-EVENT-CONNECTED - Connection to {AP2_MAC}")
    sta.monitor.events.clear()
    assert sta.cli("scan").strip() == "OK"
    sta.monitor.wait(r"^CTRL-EVENT-SCAN-RESULTS", 60)
    sta.monitor.gather(3.0)
    seen["a scan on the faster AP"] = [shape(e) for e in sta.monitor.events if not e.startswith(UNCOMPARED)]
    seen["after it"] = bssid(sta)
    assert sta.cli("disconnect").strip() == "OK"
    sta.monitor.wait(r"^CTRL-EVENT-DISCONNECTED", 30)
    seen["ROAM while disconnected"] = sta.cli("roam", AP_MAC).strip()
    return seen


def test_roaming_within_the_network_as_wpa_supplicant(lab):
    """A scan that finds a BSS of the network with a better estimated throughput moves the link to it, as
    wpa_supplicant's selection after a scan does while connected; ROAM moves it to a named BSS of the table
    (FAIL for one not there, or while not connected); a scan from the better BSS keeps it. pywps ignored scan
    results while connected and answered ROAM with FAIL."""
    seen = one_after_the_other(lab, roaming, r"roam|ESS|selected BSS|Considering|Trying|Associated|CONNECTED")
    assert seen["wpa_supplicant"]["after the scan"] == "AP-n COMPLETED", seen
    assert not any(e.startswith("CTRL-EVENT-DISCONNECTED") for e in seen["wpa_supplicant"]["ROAM's events"]), seen
    assert seen["pywps"] == seen["wpa_supplicant"], seen


def timed_events(sta, seconds: float) -> list[tuple[float, str]]:
    """Each event of the next `seconds` with the time it came."""
    out = []
    deadline = time.monotonic() + seconds
    while (event := sta.monitor._next(deadline)) is not None:
        out.append((time.monotonic(), event))
    return out


def waits_between_scans(events: list[tuple[float, str]]) -> list[int]:
    """Seconds from each scan's results to the next scan's start, rounded: bgscan's interval runs from there."""
    waits, results_at = [], None
    for at, event in events:
        if event.startswith("CTRL-EVENT-SCAN-RESULTS") and results_at is None:
            results_at = at
        elif event.startswith("CTRL-EVENT-SCAN-STARTED") and results_at is not None:
            waits.append(round(at - results_at))
            results_at = None
    return waits


def signal_events(events: list[tuple[float, str]]) -> list[str]:
    """The signal-change events, their rate and noise left out: the rate is the kernel's rate control's choice
    of the moment, and the noise is the channel survey's entry for the link's channel, which both programs read
    when the event comes and which mac80211_hwsim fills from the scans the radio made (its source): present
    (-92) or not (9999) by the moment. One CI run had wpa_supplicant say -92 at the first event and 9999 after,
    pywps 9999 throughout; other runs had both say the same."""
    return [re.sub(r"txrate=\d+", "txrate=*", re.sub(r"noise=-?\d+", "noise=*", e)) for _, e in events
            if e.startswith("CTRL-EVENT-SIGNAL-CHANGE")]


def background(lab, program: str) -> dict[str, object]:
    """bgscan simple with a threshold above hwsim's -30 dBm: the short interval (4 s), backing off to the long
    one (12 s) after 12 // 4 + 1 short scans; then SIGNAL_MONITOR on a link without bgscan. The network's
    scan_freq keeps each background scan on the link's channel: a scan of every channel while associated takes
    ~20 s under TCG (the radio returns to its channel between the others)."""
    lab.hostapd("wlan0", ieee80211n="0", wps_state=None)
    network = NETWORK.replace("key_mgmt=WPA-PSK\n", 'key_mgmt=WPA-PSK\n\tbgscan="simple:4:-20:12"\n\tscan_freq=2412\n')
    sta = lab.station(sta_conf() + network, program)
    seen: dict[str, object] = {}
    sta.monitor.wait(r"^CTRL-EVENT-CONNECTED", 90)
    sta.monitor.events.clear()
    events = timed_events(sta, 40.0)
    seen["waits between background scans"] = waits_between_scans(events)[:4]
    seen["signal changes"] = signal_events(events)
    seen["SIGNAL_MONITOR under bgscan"] = sta.cli("signal_monitor", "THRESHOLD=-40").strip()
    assert sta.cli("set_network", "0", "bgscan", '""').strip() == "OK"
    assert sta.cli("reassociate").strip() == "OK"
    sta.monitor.wait(r"^CTRL-EVENT-CONNECTED", 60)
    time.sleep(1)
    sta.monitor.events.clear()
    seen["SIGNAL_MONITOR below"] = sta.cli("signal_monitor", "THRESHOLD=-20", "HYSTERESIS=4").strip()
    seen["its events"] = signal_events(timed_events(sta, 4.0))
    seen["SIGNAL_MONITOR above"] = sta.cli("signal_monitor", "THRESHOLD=-40").strip()
    seen["their events"] = signal_events(timed_events(sta, 4.0))
    seen["SIGNAL_MONITOR off"] = sta.cli("signal_monitor").strip()
    return seen


def test_background_scans_and_the_signal_monitor_as_wpa_supplicant(lab):
    """bgscan="simple:4:-20:12": both programs scan 4 s after each scan's results while the signal is under
    -20 dBm, four times (the fourth backs off), then 12 s after; CTRL-EVENT-SIGNAL-CHANGE when the kernel's
    monitor sees the link below the threshold; SIGNAL_MONITOR refused while bgscan holds the monitor, then its
    events. pywps kept bgscan= without scanning, and answered SIGNAL_MONITOR with FAIL."""
    seen = {}
    for program in ("wpa_supplicant", "pywps"):
        seen[program] = background(lab, program)
        lab.restart()
        time.sleep(1)
    report = json.dumps(seen)
    for program in seen:  # timed from one monitor event to the next, through an emulated CPU: a second's slack
        waits = seen[program].pop("waits between background scans")
        assert len(waits) == 4 and all(abs(a - b) <= 1 for a, b in zip(waits, [4, 4, 4, 12])), report
    assert seen["pywps"] == seen["wpa_supplicant"], report
