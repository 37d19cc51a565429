"""BSS's est_throughput on a radio, side by side: Debian hostapd as an AP of each kind hwsim can run in the world
regulatory domain (2.4 GHz: legacy 11g, HT20, HT40, HE), Debian wpa_supplicant 2.10 -D nl80211 and pywps -D
nl80211 each scan it on wlan1 and answer `BSS <AP>`; snr and est_throughput must be the same. The estimate is
wpa_supplicant's wpas_get_est_tpt (scan.c): the legacy rate capped by the SNR, raised to the HT/VHT/HE rate the
SNR allows where the AP's elements and our radio's mode both have the feature (pywps/station/throughput.py).
Observed (hwsim, SNR 62): 54000, 65000 (HT20 MCS7), 135000 (HT40 MCS7), 143402 (HE20 MCS11 + 2: hostapd's 2.4 GHz
HE AP offers no 40 MHz). VHT needs 5 GHz, where the world regulatory domain lets no AP start: the VHT rules are
checked against scan.c's tables in tests/test_throughput.py only.
"""

from __future__ import annotations

import json
from pathlib import Path

from hwlab import AP_MAC, fresh_scan_cache, sta_conf

OUT = Path("/mnt/out")
AP_KINDS = {
    "legacy": {},
    "ht20": {"ieee80211n": "1"},
    "ht40": {"ieee80211n": "1", "ht_capab": "[HT40+]"},
    "he": {"ieee80211n": "1", "ieee80211ax": "1"},
}
KEYS = ("snr", "est_throughput")


def bss_values(lab, program: str) -> dict[str, str]:
    sta = lab.station(sta_conf(), program=program)
    try:
        sta.scan()
        reply = sta.cli("bss", AP_MAC)
        return {k: v for k, _, v in (line.partition("=") for line in reply.splitlines()) if k in KEYS or k == "ie"}
    finally:
        sta.stop()


def test_est_throughput_matches_wpa_supplicant_for_each_kind_of_ap(lab):
    seen: dict[str, dict[str, dict[str, str]]] = {}
    for kind, overrides in AP_KINDS.items():
        ap = lab.hostapd(**overrides)
        try:
            seen[kind] = {program: bss_values(lab, program) for program in ("wpa_supplicant", "pywps")}
        finally:
            ap.stop()
            fresh_scan_cache()  # the next kind of AP has the same BSSID: no entry of this one may stand in for it
    if OUT.is_dir():
        (OUT / "est_throughput.json").write_text(json.dumps(seen, indent=1))
    differing = {kind: {p: {k: v[k] for k in KEYS if k in v} for p, v in got.items()} for kind, got in seen.items()
                 if any(got["wpa_supplicant"].get(k) != got["pywps"].get(k) for k in KEYS)}
    assert all(got["wpa_supplicant"].get("est_throughput") for got in seen.values()), seen
    assert not differing, differing
