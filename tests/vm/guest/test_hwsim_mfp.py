"""Management frame protection on a radio: Debian wpa_supplicant and pywps, one after the other on wlan1, against
Debian hostapd on wlan0 that offers it (ieee80211w=1, WPA-PSK) or requires it (ieee80211w=2, WPA-PSK-SHA256),
with a group rekey every few seconds (a new GTK and IGTK in each group message).

What is compared, for each program: the RSN element of its association requests (read off the air on hwsim0:
MFPC/MFPR bits, AKM, the management group suite), the key negotiation and group rekey events, STATUS's security
lines (key_mgmt, pmf, mgmt_group_cipher) and the MIB's suites,
hostapd's view of the station (its flags, [MFP] among them, and AKM), that the group rekeys complete, and that a
broadcast deauthentication from the AP, which mac80211 takes only when it verifies with the IGTK of that moment
(BIP, after a rekey: the IGTK of a group message), ends the link (CTRL-EVENT-DISCONNECTED)."""

from __future__ import annotations

import json
import re
import time

import pytest

from hwlab import AP_MAC, HEARD_AT_ONCE, STA_MAC, AirCapture, one_after_the_other, sta_conf, undisturbed

ASSOC_REQUEST = 0
REKEY_SECONDS = "6"


def network(extra: str) -> str:
    return 'network={\n\tssid="jkm-wps-test"\n\tpsk="12345678"\n' + extra + "}\n"


def rsn_elements(capture: AirCapture) -> list[str]:
    """The RSN element (hex) of each distinct association request the station sent."""
    out: list[str] = []
    for frame in capture.frames:
        fc = frame[0]
        if (fc >> 2) & 3 != 0 or (fc >> 4) != ASSOC_REQUEST or frame[10:16] != capture.sender:
            continue
        body, pos = frame[28:], 0
        while pos + 2 <= len(body):
            eid, length = body[pos], body[pos + 1]
            if eid == 48 and body[pos : pos + 2 + length].hex() not in out:
                out.append(body[pos : pos + 2 + length].hex())
            pos += 2 + length
    return out


def security_lines(sta) -> dict[str, str]:
    """STATUS's lines on the link's security, and the MIB's suites and group key size."""
    status = dict(line.split("=", 1) for line in sta.cli("status").splitlines() if "=" in line)
    mib = dict(line.split("=", 1) for line in sta.cli("mib").splitlines() if "=" in line)
    lines = {k: status.get(k, "-") for k in ("wpa_state", "key_mgmt", "pairwise_cipher", "group_cipher", "pmf",
                                             "mgmt_group_cipher")}
    return lines | {f"MIB's {k}": mib.get(k, "-") for k in (
        "dot11RSNAAuthenticationSuiteSelected", "dot11RSNAPairwiseCipherSelected", "dot11RSNAGroupCipherSelected",
        "dot11RSNAConfigGroupCipherSize")}


def ap_view(ap) -> dict[str, str]:
    """hostapd's lines about the station that say how it is protected."""
    sta = dict(line.split("=", 1) for line in ap.cli("sta", STA_MAC).splitlines() if "=" in line)
    return {k: sta.get(k, "-") for k in ("flags", "AKMSuiteSelector", "dot11RSNAStatsSelectedPairwiseCipher")}


def protected(lab, program: str, ap_settings: dict[str, str], network_lines: str) -> dict[str, object]:
    ap = lab.hostapd("wlan0", wps_state=None, wpa_group_rekey=REKEY_SECONDS, **ap_settings)
    seen: dict[str, object] = {}
    with AirCapture() as capture:
        sta = lab.station(sta_conf() + network(network_lines), program)
        sta.monitor.wait(r"^CTRL-EVENT-CONNECTED", 90)
    seen["association request's RSN element"] = rsn_elements(capture)
    seen["key negotiation"] = [e for e in sta.monitor.events if e.startswith("WPA: Key negotiation completed")]
    seen["STATUS"] = security_lines(sta)
    seen["hostapd's station"] = ap_view(ap)
    sta.monitor.events.clear()
    seen["a group rekey"] = sta.monitor.wait(r"^WPA: Group rekeying completed", 30).string
    sta.monitor.events.clear()
    ap.cli("deauthenticate", "ff:ff:ff:ff:ff:ff")  # BIP-protected: needs the IGTK of the last rekey
    try:
        event = sta.monitor.wait(r"^CTRL-EVENT-DISCONNECTED", 10).string
        seen["a broadcast deauthentication"] = event
    except AssertionError:
        seen["a broadcast deauthentication"] = "ignored"
    return seen


CASES = {
    "offered": ({"ieee80211w": "1"}, "\tieee80211w=1\n"),
    # a first scan of one channel ends before pywps's warm-up has read the radio's keys: they are read before its
    # one result goes on (pywps joined without protection then)
    "offered, its channel alone": ({"ieee80211w": "1", **HEARD_AT_ONCE}, "\tieee80211w=1\n\tscan_freq=2412\n"),
    "required, PSK-SHA256": ({"ieee80211w": "2", "wpa_key_mgmt": "WPA-PSK-SHA256"},
                             "\tkey_mgmt=WPA-PSK-SHA256\n\tieee80211w=2\n"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_protected_management_frames_as_wpa_supplicant(lab, case):
    """pywps joined an AP that offers protection without it (its RSN element said no MFPC) and never one that
    requires it; now both programs agree on every line above."""
    ap_settings, network_lines = CASES[case]
    seen = one_after_the_other(lab, lambda lab, program: protected(lab, program, ap_settings, network_lines),
                               r"IGTK|MFP|mgmt|PMF|RSN|WPA|CONNECTED|Associated|key")
    report = json.dumps(seen, indent=1)
    reference = seen["wpa_supplicant"]
    assert reference["STATUS"]["mgmt_group_cipher"] == "BIP", report
    assert "[MFP]" in reference["hostapd's station"]["flags"], report
    assert reference["a broadcast deauthentication"].startswith("CTRL-EVENT-DISCONNECTED"), report
    assert seen["pywps"] == reference, report


WHOLE = ("CTRL-EVENT-CONNECTED", "CTRL-EVENT-DISCONNECTED", "Trying to associate", "Associated with")
# Left out: wpa_supplicant's QoS Management bookkeeping ("CTRL-EVENT-DSCP-POLICY clear_all" whenever it ends a
# link itself; pywps has no DSCP policies: tests/difflab.py), and what the other tests compare.
UNCOMPARED = ("CTRL-EVENT-BSS-", "CTRL-EVENT-SCAN-", "SME: ", "WPA: ", "CTRL-EVENT-SUBNET-STATUS-UPDATE",
              "CTRL-EVENT-DSCP-POLICY")


def shaped(events: list[str]) -> list[str]:
    """The events in order, their variable parts (SSID quoting, frequency, id_str) left out."""
    out = []
    for event in events:
        if event.startswith(UNCOMPARED):
            continue
        if not event.startswith(WHOLE):
            event = event.split(" ", 1)[0]
        out.append(re.sub(r" \(SSID='[^']*' freq=\d+ MHz\)", "", event))
    return out


def unprotected_deauth(ap, reason: int) -> None:
    """hostapd's DEAUTHENTICATE <addr> test=0: the frame alone, without protection, the station kept (hostapd_cli
    passes one argument after the address: the options go in it)."""
    ap.cli("deauthenticate", f"{STA_MAC} test=0 reason={reason}")


def sa_queries(lab, program: str) -> dict[str, object]:
    ap = lab.hostapd("wlan0", wps_state=None, ieee80211w="1")
    sta = lab.station(sta_conf() + network("\tieee80211w=1\n"), program)
    sta.monitor.wait(r"^CTRL-EVENT-CONNECTED", 90)
    time.sleep(1)
    seen: dict[str, object] = {}
    requests = ap.log_text().count(f"Received SA Query Request from {STA_MAC}")
    # the AP forgets the station without a word (tx=0), then says without protection that it does not know it
    sta.monitor.events.clear()
    ap.cli("deauthenticate", STA_MAC, "tx=0")
    first = time.monotonic()
    unprotected_deauth(ap, 7)
    sta.monitor.wait(r"^CTRL-EVENT-CONNECTED", 60)
    seen["the AP forgot us: events"] = shaped(sta.monitor.events)
    seen["SA Query Requests it read"] = ap.log_text().count(f"Received SA Query Request from {STA_MAC}") - requests
    # the AP knows the station and says without protection that it does not: the query is answered, the link kept
    time.sleep(max(0.0, 11.0 - (time.monotonic() - first)))  # one procedure per 10 s
    requests = ap.log_text().count(f"Received SA Query Request from {STA_MAC}")
    sta.monitor.events.clear()
    unprotected_deauth(ap, 7)
    sta.monitor.gather(4.0)
    seen["the AP knows us: events"] = shaped(sta.monitor.events)
    seen["SA Query Requests it answered"] = ap.log_text().count(f"Received SA Query Request from {STA_MAC}") - requests
    seen["STATUS after"] = security_lines(sta)["wpa_state"]
    # another reason (3, the AP leaving) without protection starts no query and is dropped by the kernel
    sta.monitor.events.clear()
    time.sleep(11.0)
    unprotected_deauth(ap, 3)
    sta.monitor.gather(3.0)
    seen["reason 3 without protection: events"] = shaped(sta.monitor.events)
    return seen


# How often a program's SA Query run is tried for a rejoin that the AP did not cut short (see undisturbed)
SA_QUERY_TRIES = 3
# The AP's deauthentication, not the station's: reason 6 (a class 2 frame from a station it has not authenticated)
CUT_SHORT = re.compile(r"^CTRL-EVENT-DISCONNECTED bssid=\S+ reason=6\s*$")


def sa_queries_undisturbed(lab, program: str) -> dict[str, object]:
    """sa_queries, run again (up to SA_QUERY_TRIES times) when the AP cut the rejoin after the procedure short with
    a deauthentication of reason 6, and the station joined once more. That was seen once in a CI run, for
    wpa_supplicant under load, and never in the runs before it: it depends on timing, and is no part of the
    procedure compared here."""
    return undisturbed(lab, lambda: sa_queries(lab, program),
                       lambda seen: any(CUT_SHORT.match(e) for e in seen["the AP forgot us: events"]), SA_QUERY_TRIES)


def test_the_sa_query_procedure_as_wpa_supplicant(lab):
    """An unprotected deauthentication saying the AP does not know the station (reason 7) starts the SA Query
    procedure: the AP that forgot the station does not answer, and the station leaves it (reason 2) and joins
    again; the AP that still knows it answers, and the link stays. pywps ignored it (the kernel drops the frame
    and only reports it): a link with an AP that had lost its keys stayed up, dead."""
    seen = one_after_the_other(lab, sa_queries_undisturbed, r"SA Query|SME|Unprot|CONNECTED|DISCONNECTED")
    report = json.dumps(seen, indent=1)
    reference = seen["wpa_supplicant"]
    assert reference["the AP forgot us: events"][0] == f"CTRL-EVENT-DISCONNECTED bssid={AP_MAC} reason=2 " \
        "locally_generated=1", report
    assert reference["SA Query Requests it answered"] >= 1 and reference["STATUS after"] == "COMPLETED", report
    assert seen["pywps"] == reference, report
