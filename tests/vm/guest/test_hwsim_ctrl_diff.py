"""Issue 12 on a radio: the same control requests to Debian wpa_supplicant 2.10 -D nl80211 and to pywps -D nl80211
on wlan1 (Debian hostapd as a WPS AP on wlan0), in each state a client can meet: idle, scanning, a WPS run in
progress, connected, disconnected and reconnected. Every reply is compared: exactly where it is deterministic,
else by its keys and the class of each value (signal, counters, frequencies, ages differ from run to run).

Runs only in the hwsim VM (tests/vm/run.sh). The transcripts are written to /mnt/out when it exists, so a run
with VM_OUT=DIR keeps them for reading.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from difflab import CtrlClient  # tests/ is on sys.path (hwlab, imported by conftest, puts it there)
from hwlab import AP_MAC, sta_conf

PROGRAMS = ("wpa_supplicant", "pywps")
OUT = Path("/mnt/out")

# Every GET_CAPABILITY field wpa_supplicant 2.10 knows, and the `strict` forms it takes.
CAPABILITY_FIELDS = ("eap", "pairwise", "group", "group_mgmt", "key_mgmt", "proto", "auth_alg", "modes",
                     "channels", "freq", "tdls", "erp", "fips", "acs", "fils", "multibss", "dpp", "sae",
                     "ocv", "beacon_prot", "pairwise strict", "key_mgmt strict", "channels strict",
                     "freq strict", "nothing")
QUERIES = ("STATUS", "STATUS-VERBOSE", "SIGNAL_POLL", "PKTCNT_POLL", "LIST_NETWORKS", "BSSID_IGNORE", "MIB")


class Transcript:
    def __init__(self, sta) -> None:
        self.sta = sta
        # raw requests: wpa_cli rewrites some commands, the comparison wants the bytes as sent
        self.ctrl = CtrlClient(f"{sta.ctrl_dir}/{sta.iface}", timeout=10)
        self.lines: list[tuple[str, str, str]] = []  # (phase, request, reply)
        self.phase = ""

    def __call__(self, *requests: str) -> list[str]:
        replies = []
        for text in requests:
            raw = self.ctrl.request(text)
            assert raw is not None, f"{self.sta.program} did not answer {text!r}"
            reply = raw.decode(errors="replace")
            self.lines.append((self.phase, text, reply))
            replies.append(reply)
        return replies

    def wait(self, pattern: str, timeout: float = 90) -> re.Match:
        m = self.sta.monitor.wait(pattern, timeout)
        self.lines.append((self.phase, "<event>", m[0]))
        return m

    def events_clear(self) -> None:
        self.sta.monitor.events.clear()


def script(t: Transcript, ap) -> None:
    t.phase = "idle"
    time.sleep(2)
    t(*QUERIES, "DRIVER_FLAGS", "DRIVER_FLAGS2", "SCAN_RESULTS", "BSS FIRST", "ABORT_SCAN")
    t(*(f"GET_CAPABILITY {field}" for field in CAPABILITY_FIELDS))

    t.phase = "scanning"
    t.events_clear()
    t("SCAN", "SCAN", "STATUS", "ABORT_SCAN")
    t.wait(r"^CTRL-EVENT-SCAN-(RESULTS|FAILED)")
    t.events_clear()
    t("SCAN")
    t.wait(r"^CTRL-EVENT-SCAN-RESULTS", 60)

    t.phase = "scanned"
    t("STATUS", "SCAN_RESULTS", f"BSS {AP_MAC}", "BSS FIRST", "BSS LAST", "BSS 0", "BSS NEXT-0",
      "BSS RANGE=ALL MASK=0x21", "BSS RANGE=0-1 MASK=0x1", "BSS RANGE=ALL", "BSS 999")

    t.phase = "wps-run"
    t.events_clear()
    t("WPS_PIN any")
    time.sleep(1)
    t("STATUS", "SIGNAL_POLL", "PKTCNT_POLL", "LIST_NETWORKS")
    t.wait(r"^WPS-M2D", 90)
    t("STATUS", "LIST_NETWORKS", "STATUS", "WPS_CANCEL")
    time.sleep(1)
    t("STATUS", "LIST_NETWORKS")

    t.phase = "connected"
    t.events_clear()
    ap.cli("wps_pbc")
    t("WPS_PBC")
    t.wait(r"^CTRL-EVENT-CONNECTED", 90)
    time.sleep(1)
    t(*QUERIES, "DRIVER_FLAGS", "DRIVER_FLAGS2", f"BSSID_IGNORE {AP_MAC}", "BSSID_IGNORE", "BSSID_IGNORE clear", "BSSID_IGNORE",
      "GET_CAPABILITY channels", "GET_CAPABILITY freq")
    t.events_clear()
    t("SCAN", "SCAN")
    t.wait(r"^CTRL-EVENT-SCAN-RESULTS", 60)
    t("STATUS", "SCAN_RESULTS")

    t.phase = "disconnected"
    t.events_clear()
    t("DISCONNECT")
    t.wait(r"^CTRL-EVENT-DISCONNECTED", 30)
    time.sleep(1)
    t(*QUERIES, "DISCONNECT")

    t.phase = "reconnected"
    t.events_clear()
    t("RECONNECT")
    t.wait(r"^CTRL-EVENT-CONNECTED", 90)
    time.sleep(1)
    t("STATUS", "RECONNECT", "SIGNAL_POLL")
    t.events_clear()
    t("REASSOCIATE")
    t.wait(r"^CTRL-EVENT-CONNECTED", 90)
    time.sleep(1)
    t("STATUS", "PKTCNT_POLL")


def record(lab, program: str) -> list[tuple[str, str, str]]:
    ap = lab.hostapd()
    sta = lab.station(sta_conf(), program=program)
    t = Transcript(sta)
    try:
        script(t, ap)
    finally:
        t.ctrl.close()
        if OUT.is_dir():
            (OUT / f"ctrl-{program}.json").write_text(json.dumps(t.lines, indent=1))
            (OUT / f"ctrl-{program}.log").write_text(sta.log_text()[-400000:])
        sta.stop()
        ap.stop()
    return t.lines


# -- the comparison ------------------------------------------------------------------------------------------

# Deliberate differences, each with its reason:
# - STATUS: wpa_supplicant's p2p_device_address (it runs P2P on this radio; pywps does no P2P); pywps's own
#   wps_state / wps_remaining / wps_last_result lines (its WPS view, documented in the README).
P2P_ONLY = {"p2p_device_address"}
PYWPS_ONLY = {"wps_state", "wps_remaining", "wps_last_result"}
# - MIB: pywps does not pre-authenticate, so it says FALSE where wpa_supplicant says TRUE.
PREAUTH = {"dot11RSNAPreauthenticationImplemented", "dot11RSNAPreauthenticationEnabled"}
# - GET_CAPABILITY tells what pywps can do (WSC only, PSK, station only, no TDLS/OCV); it may say less than
#   wpa_supplicant, never more. The fields wpa_supplicant's build has and pywps lacks (acs, fils, multibss, dpp,
#   sae) answer FAIL, as wpa_supplicant built without them does. beacon_prot is the radio's: compared exactly.
OWN_CAPABILITIES = {"eap", "pairwise", "group", "group_mgmt", "key_mgmt", "proto", "auth_alg", "modes", "tdls",
                    "acs", "fils", "multibss", "dpp", "sae", "ocv", "pairwise strict", "key_mgmt strict"}
PYWPS_CAPABILITY_WORDS = {"tdls": "UNSUPPORTED\n", "ocv": "not supported"}
# The ciphers are the radio's, named and ordered as wpa_supplicant does, less WEP, which pywps does not key.
CIPHER_CAPABILITIES = {"pairwise", "pairwise strict", "group", "group_mgmt"}
# Values that differ from run to run: compared by class. Numbers: the TSF, the age, the rate the AP's rate
# control picked, packet and EAPOL frame counts (pywps's WPS runs may take more EAPOL rounds). The beacon's
# elements: its TIM element's DTIM count changes from beacon to beacon.
NUMBER = re.compile(r"-?\d+")
HEX = re.compile(r"([0-9a-f]{2})+")
# dot1xSuppEapolLogoffFramesTx too: pywps sends an EAPOL-Logoff when WPS_CANCEL stops a run in the middle of
# its EAP exchange (pywps/station/wpsrun.py), where wpa_supplicant only deauthenticates (0 in every run seen).
VARIABLE = {"tsf", "age", "update_idx", "LINKSPEED", "AVG_RSSI", "AVG_BEACON_RSSI", "TXGOOD", "TXBAD", "RXGOOD",
            "dot1xSuppEapolFramesRx", "dot1xSuppEapolFramesTx", "dot1xSuppEapolStartFramesTx",
            "dot1xSuppEapolRespFramesTx", "dot1xSuppEapolReqIdFramesRx", "dot1xSuppEapolReqFramesRx",
            "dot1xSuppEapolLogoffFramesTx"}
SAME_LENGTH_HEX = {"beacon_ie"}
# A WPS run's link state depends on where the run is when the request comes (scan, EAP, M2D, leaving).
RUN_STATES = {"SCANNING", "ASSOCIATING", "ASSOCIATED", "DISCONNECTED", "INACTIVE"}


def pairs(text: str) -> list[tuple[str, str]]:
    return [tuple(line.split("=", 1)) for line in text.splitlines() if "=" in line]


def same_pairs(want: list[tuple[str, str]], have: list[tuple[str, str]]) -> bool:
    """Same keys in the same order; values equal, or both numbers for a key in VARIABLE."""
    if [k for k, _ in want] != [k for k, _ in have]:
        return False
    return all(a == b or (k in VARIABLE and NUMBER.fullmatch(a) and NUMBER.fullmatch(b))
               or (k in SAME_LENGTH_HEX and len(a) == len(b) and HEX.fullmatch(a) and HEX.fullmatch(b))
               for (k, a), (_, b) in zip(want, have))


def agree(phase: str, request: str, want: str, have: str) -> bool:
    name, _, arg = request.partition(" ")
    if name in ("STATUS", "STATUS-VERBOSE"):
        w = [(k, v) for k, v in pairs(want) if k not in P2P_ONLY]
        h = [(k, v) for k, v in pairs(have) if k not in PYWPS_ONLY]
        state = dict(w).get("wpa_state"), dict(h).get("wpa_state")
        if phase == "wps-run" and state[0] != state[1]:  # caught at different points of the run
            keep = ("address", "uuid")
            return set(state) <= RUN_STATES and [p for p in w if p[0] in keep] == [p for p in h if p[0] in keep]
        return w == h
    if name == "MIB":
        w, h = pairs(want), pairs(have)
        if any(dict(h).get(k) != "FALSE" for k in PREAUTH):
            return False
        return same_pairs([p for p in w if p[0] not in PREAUTH], [p for p in h if p[0] not in PREAUTH])
    if name == "GET_CAPABILITY" and arg in CIPHER_CAPABILITIES:
        return have.split() == [word for word in want.split() if word not in ("WEP104", "WEP40")]
    if name == "GET_CAPABILITY" and arg in OWN_CAPABILITIES:
        if arg in PYWPS_CAPABILITY_WORDS:
            return have == PYWPS_CAPABILITY_WORDS[arg]
        return have == "FAIL\n" or set(have.split()) <= set(want.split())
    if name == "WPS_PIN":
        return bool(re.fullmatch(r"\d{8}", want) and re.fullmatch(r"\d{8}", have))
    if name in ("SIGNAL_POLL", "PKTCNT_POLL") and want != "FAIL\n":
        return same_pairs(pairs(want), pairs(have))
    if name == "BSS":  # the beacon's elements are there once the kernel has heard a beacon, not before
        return same_pairs(*([p for p in pairs(t) if p[0] != "beacon_ie"] for t in (want, have))) and (
            "beacon_ie=" not in want or "beacon_ie=" not in have or same_pairs(pairs(want), pairs(have)))
    return want == have


def steady(transcript: list[tuple[str, str, str]], index: int) -> str | None:
    """The link state around request `index` when the STATUS just before and just after it agree, else None
    (the run moved on in between: after M2D the AP soon fails the EAP exchange and the station leaves)."""
    def state(i: int) -> str | None:
        if 0 <= i < len(transcript) and transcript[i][1] == "STATUS":
            return dict(pairs(transcript[i][2])).get("wpa_state")
        return None

    before, after = state(index - 1), state(index + 1)
    return before if before is not None and before == after else None


def compare(wpa_supplicant: list[tuple[str, str, str]], pywps: list[tuple[str, str, str]]) -> list[str]:
    """The requests whose replies disagree. In a WPS run, LIST_NETWORKS's [CURRENT] (the run's network while
    associated) is compared only when both programs were in the same steady state around the request."""
    diffs = []
    for i, ((phase, req, want), (_, _, have)) in enumerate(zip(wpa_supplicant, pywps)):
        if phase == "wps-run" and req == "LIST_NETWORKS":
            state = steady(wpa_supplicant, i)
            if state is None or state != steady(pywps, i):
                want, have = want.replace("[CURRENT]", ""), have.replace("[CURRENT]", "")
        if not agree(phase, req, want, have):
            diffs.append(f"[{phase}] {req}\n  wpa_supplicant: {want!r}\n  pywps:          {have!r}")
    return diffs


def test_ctrl_replies_on_a_radio_match_wpa_supplicant(lab):
    """Every reply of the script agrees (see `agree` for the deliberate differences and the values compared by
    class). Observed with Debian wpa_supplicant 2.10 on hwsim: SCAN while scanning is FAIL-BUSY, ABORT_SCAN
    during a scan is OK and the scan still ends with CTRL-EVENT-SCAN-RESULTS, STATUS is INACTIVE after a scan
    with no network to join and DISCONNECTED before any scan or after DISCONNECT, SIGNAL_POLL / PKTCNT_POLL
    FAIL unless associated, the wiphy's 6 GHz band is an empty `Mode[A]` and an 11b mode copying the 2.4 GHz
    channels comes last, DRIVER_FLAGS is E4000D31FB5BFBE0 for hwsim, DRIVER_FLAGS2 0000000000000103 (the two
    control-port flags by name, AP_SME as UNKNOWN)."""
    got = {program: record(lab, program) for program in PROGRAMS}
    assert len(got["pywps"]) == len(got["wpa_supplicant"])
    diffs = compare(got["wpa_supplicant"], got["pywps"])
    assert not diffs, "\n".join(diffs)
