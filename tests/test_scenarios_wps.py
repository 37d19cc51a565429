"""hostap's test_ap_wps.py on the wired lab, the station as an enrollee (issue 15): each scenario of
scenarios_wps.py runs on Debian wpa_supplicant -Dwired and on pywps -D wired against its own fresh Debian hostapd
(driver=wired, internal registrar); wpa_supplicant's behaviour is asserted as observed, and pywps must match it.
Tests are grouped by the hwsim test their scenario comes from; each docstring names it.

Facts about the wired lab these scenarios showed (Debian hostapd/wpa_supplicant 2.10), beyond shared/notes:
- An unconfigured hostapd (wps_state=1, no wpa settings) configures itself on the first enrollee as WPA+WPA2
  (get_config: wpa=3, group_cipher=TKIP, rsn/wpa_pairwise_cipher=CCMP TKIP) with a random 22-character
  passphrase, but the credential it sends is WPA2-PSK/CCMP only (the station stores proto=RSN pairwise=CCMP).
- With rsn_pairwise=GCMP, GCMP-256 or CCMP-256 the AP still sends AES in the credential: stored as CCMP.
- During a WPS run wpa_supplicant disables every other network (saved `disabled=1`) and after the run associates
  with the credential's network, not with the first enabled one.
- A PIN enrollee run that fails (wrong PIN at M4 or M6, M2D) is not ended by wpa_supplicant: it "continues
  trying" (wpas_wps_eapol_cb): after the EAP-Failure it associates again, disconnects a second time and only then
  removes the WPS network; no bare `WPS-FAIL`. A PBC run that fails ends with a bare `WPS-FAIL ` after
  CTRL-EVENT-EAP-FAILURE, as every registrar run does.
- An AP without WPS (no wps_state, or WPA/TKIP only, which makes hostapd disable WPS) answers the WSC identity
  with EAP-Failure at once: no EAP method is proposed.
- hostapd's `wps_pin any PIN 1` expires after a second: the station then gets `WPS-M2D dev_password_id=0
  config_error=0`; hostapd's `wps_cancel` of a PBC shows `PBC Status: Timed-out` and a PBC station gets M2D.
- `wps_pin_requests=FILE`: hostapd appends `<time>\t<uuid>\t<mac>\t<device strings>\t<pri dev type>` for an
  enrollee it has no PIN for.
- `wpa_psk_file` without a passphrase: hostapd makes a PSK for this enrollee, sends it as 64 hex digits and appends
  `wps=1 <mac> <psk>` to the file.
- `wps_testing_stub_cred=1` works in Debian's hostapd: M8 carries a stub credential (ssid "stub", psk "stub psk")
  before the real one; wpa_supplicant stores both, the stub in the WPS network's id 0.
- auto_uuid=1 gives wpa_supplicant a random UUID (STATUS and M1's UUID-E), kept for the process's life.
- A WEP credential: wpa_supplicant refuses it inside the enrollee before any WPS-CRED-RECEIVED: `WPS-FAIL msg=12
  config_error=0 reason=2 (WEP Prohibited)`, EAP-Failure, bare `WPS-FAIL `.
- wpa_supplicant -Dwired sends its EAPOL to the PAE group address (the AP's capture sees multicast frames).
"""

from __future__ import annotations

import re

import pytest
from difflab import PAE_GROUP, m1_from_hostapd_log, requires_diff
from netlab import STA_MAC
from scenarios_wps import (
    ASSOCIATED,
    after_startup,
    ENROLLED_PBC,
    ENROLLED_PIN,
    blocks,
    hapd,
    run,
    status,
    texts,
    wps_events,
)

pytestmark = [pytest.mark.root, pytest.mark.hostapd, requires_diff]

WPA2_BLOCK = {"proto": "RSN", "key_mgmt": "WPA-PSK", "pairwise": "CCMP", "auth_alg": "OPEN"}
MAC_UUID = "2b7093f1-d6fb-5108-adbb-bea66bb87333"  # derived from netlab.STA_MAC when uuid is unset
PIN_RETRY_TAIL = [f"CTRL-EVENT-DISCONNECTED bssid={PAE_GROUP} reason=3 locally_generated=1",
                  f"Associated with {PAE_GROUP}", "CTRL-EVENT-SUBNET-STATUS-UPDATE status=0",
                  f"CTRL-EVENT-DISCONNECTED bssid={PAE_GROUP} reason=3 locally_generated=1",
                  "CTRL-EVENT-NETWORK-REMOVED 0"]


def enrolled_like_wpa_supplicant(name: str, ssid: str, events=ENROLLED_PIN) -> tuple:
    wpas, pywps = run(name)
    assert texts(wpas) == events
    assert texts(pywps) == texts(wpas)
    assert blocks(wpas) == [{"ssid": f'"{ssid}"', "psk": '"12345678"', **WPA2_BLOCK}]
    assert blocks(pywps) == blocks(wpas)
    return wpas, pywps


# -- test_ap_wps_init / test_ap_wps_auto_setup_with_config_file -------------------------------------------------


def test_ap_wps_init():
    """test_ap_wps_init: an unconfigured AP (wps_state=1) and two stored networks enabled with `ENABLE_NETWORK <id>
    no-connect` (no association follows); PBC configures the AP and the station then joins the new network
    (id 2), not the first enabled one.

    Deliberate difference (as in test_diff_config_creds.py): wpa_supplicant disables the other networks for the
    run and re-enables them 10 s after it, so right after the run LIST_NETWORKS marks them [DISABLED] and its
    saved file keeps `disabled=1`; pywps never switches off the user's other networks."""
    wpas, pywps = run("init")
    conf = hapd(wpas, "get_config")
    assert (conf["wps_state"], conf["wpa"], conf["rsn_pairwise_cipher"]) == ("configured", "3", "CCMP TKIP")
    assert hapd(wpas, "wps_get_status", 1) == {"PBC Status": "Disabled", "Last WPS result": "Success",
                                              "Peer Address": STA_MAC}
    assert blocks(wpas)[2]["psk"] == f'"{conf["passphrase"]}"'
    assert status(wpas) == {**ASSOCIATED, "ssid": "test-wps", "id": "2", "pairwise_cipher": "CCMP",
                            "group_cipher": "CCMP", "key_mgmt": "WPA2-PSK", "uuid": MAC_UUID}
    assert status(pywps) == status(wpas)
    assert wpas.reply("LIST_NETWORKS") == b"network id / ssid / bssid / flags\n0\thome\tany\t[DISABLED]\n" \
        b"1\thome2\t00:11:22:33:44:55\t[DISABLED]\n2\ttest-wps\tany\t[CURRENT]\n"
    assert pywps.reply("LIST_NETWORKS") == wpas.reply("LIST_NETWORKS").replace(b"[DISABLED]", b"")
    assert texts(pywps) == texts(wpas)
    assert texts(wpas)[:3] == ["CTRL-EVENT-NETWORK-ADDED 0", "CTRL-EVENT-NETWORK-ADDED 1",
                               "CTRL-EVENT-NETWORK-ADDED 2"]
    assert [{k: v for k, v in b.items() if k not in ("disabled", "psk")} for b in blocks(pywps)] == \
        [{k: v for k, v in b.items() if k not in ("disabled", "psk")} for b in blocks(wpas)]


def test_ap_wps_init_self_configured_credential():
    """test_ap_wps_init: the part pywps matches today: the AP's random passphrase is what the station stores, as
    WPA2-PSK/CCMP, and hostapd reports the run as wpa_supplicant's."""
    wpas, pywps = run("init")
    for t in (wpas, pywps):
        conf = hapd(t, "get_config")
        assert conf["wps_state"] == "configured" and len(conf["passphrase"]) == 22
        assert blocks(t)[2] == {"ssid": '"test-wps"', "psk": f'"{conf["passphrase"]}"', **WPA2_BLOCK}
        assert hapd(t, "wps_get_status", 0) == {"PBC Status": "Active", "Last WPS result": "None"}
        assert hapd(t, "wps_get_status", 1)["Last WPS result"] == "Success"
    assert [r for c, r in pywps.replies if c != "STATUS" and c != "LIST_NETWORKS"] == \
        [r for c, r in wpas.replies if c != "STATUS" and c != "LIST_NETWORKS"]


def test_ap_wps_auto_setup_with_config_file():
    """test_ap_wps_auto_setup_with_config_file: hostapd rewrites its config file (wps_state=2, WPA-PSK) after the
    first enrollee; the station stores the passphrase hostapd wrote."""
    wpas, pywps = run("auto-setup-config-file")
    for t in (wpas, pywps):
        conf = dict(line.split("=", 1) for line in t.hostapd_conf_after.splitlines() if "=" in line)
        assert conf["wps_state"] == "2" and "WPA-PSK" in conf["wpa_key_mgmt"]
        assert blocks(t) == [{"ssid": '"wps"', "psk": f'"{conf["wpa_passphrase"]}"', **WPA2_BLOCK}]
        assert status(t) == {**ASSOCIATED, "ssid": "wps", "id": "0", "pairwise_cipher": "CCMP",
                             "group_cipher": "CCMP", "key_mgmt": "WPA2-PSK", "uuid": MAC_UUID}
    assert texts(pywps) == texts(wpas) == ENROLLED_PBC


# -- test_ap_wps_init_through_wps_config ---------------------------------------------------------------------


def test_ap_wps_init_through_wps_config():
    """test_ap_wps_init_through_wps_config: hostapd's WPS_CONFIG configures the AP (hostapd_cli's wps_config
    hex-encodes the SSID and key itself: give them as text; a second hex encoding ends up as a 32-character
    SSID); an enrollee then receives those settings. `wps_config foo` is FAIL."""
    wpas, pywps = run("init-through-wps-config")
    assert wpas.hapd("wps_config foo").strip() == "FAIL"
    for t in (wpas, pywps):
        conf = hapd(t, "get_config")
        assert (conf["ssid"], conf["wps_state"], conf["passphrase"]) == ("test-wps-init-config", "configured",
                                                                       "12345678")
    assert blocks(wpas) == [{"ssid": '"test-wps-init-config"', "psk": '"12345678"', **WPA2_BLOCK}]
    assert blocks(pywps) == blocks(wpas)
    assert texts(pywps) == texts(wpas)
    assert status(pywps) == status(wpas)


# -- test_ap_wps_conf ----------------------------------------------------------------------------------------


def test_ap_wps_conf():
    """test_ap_wps_conf: PBC with a configured AP; STATUS on wired afterwards shows the association with the
    stored network; hostapd's wps_get_status names the station; M1 carries the device name that was SET."""
    wpas, pywps = enrolled_like_wpa_supplicant("conf-pbc", "test-wps-conf", ENROLLED_PBC)
    assert status(wpas) == {**ASSOCIATED, "ssid": "test-wps-conf", "id": "0", "pairwise_cipher": "CCMP",
                            "group_cipher": "CCMP", "key_mgmt": "WPA2-PSK", "uuid": MAC_UUID}
    assert status(pywps) == status(wpas)
    for t in (wpas, pywps):
        assert hapd(t, "wps_get_status") == {"PBC Status": "Disabled", "Last WPS result": "Success",
                                            "Peer Address": STA_MAC}
        assert m1_from_hostapd_log(t.hostapd_log)["Device Name"] == b"Device A".hex()


# -- test_ap_wps_twice ---------------------------------------------------------------------------------------


def test_ap_wps_twice():
    """test_ap_wps_twice: a second PBC run after the AP changed its passphrase (a fresh hostapd: the quiet
    period) replaces the stored network: NETWORK-ADDED 1, the credential stored, REMOVED 0 before WPS-SUCCESS."""
    wpas, pywps = run("twice")
    assert wpas.reply("LIST_NETWORKS", 1) == b"network id / ssid / bssid / flags\n1\ttest-wps-twice\tany\t[CURRENT]\n"
    assert blocks(wpas) == [{"ssid": '"test-wps-twice"', "psk": '"another passphrase"', **WPA2_BLOCK}]
    second = texts(wpas)[texts(wpas).index("CTRL-EVENT-NETWORK-ADDED 1"):]
    assert second.index("CTRL-EVENT-NETWORK-REMOVED 0") == second.index("WPS-CRED-RECEIVED ") + 1
    assert texts(pywps) == texts(wpas)
    assert blocks(pywps) == blocks(wpas)
    assert [r for c, r in pywps.replies if c != "STATUS"] == [r for c, r in wpas.replies if c != "STATUS"]


# -- test_ap_wps_incorrect_pin ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name,msg", [("incorrect-pin-first-half", 8), ("incorrect-pin-second-half", 10)])
def test_ap_wps_incorrect_pin(name, msg):
    """test_ap_wps_incorrect_pin: a wrong first half fails at M4 (the enrollee's WPS-FAIL says msg=8), a wrong
    second half at M6 (msg=10), config_error=18 both; hostapd's last result is Failed; nothing is stored."""
    wpas, pywps = run(name)
    fails = [f"WPS-FAIL msg={msg} config_error=18"]
    assert [x for x in wps_events(wpas) if x.startswith("WPS-FAIL")] == fails
    assert [x for x in wps_events(pywps) if x.startswith("WPS-FAIL")] == fails
    for t in (wpas, pywps):
        assert hapd(t, "wps_get_status") == {"PBC Status": "Disabled", "Last WPS result": "Failed",
                                            "Peer Address": STA_MAC}
        assert blocks(t) == []
    end = "CTRL-EVENT-EAP-FAILURE EAP authentication failed"
    assert texts(pywps)[:texts(pywps).index(end) + 1] == texts(wpas)[:texts(wpas).index(end) + 1]


@pytest.mark.parametrize("name", ["incorrect-pin-first-half", "incorrect-pin-second-half", "conf-pin-unknown-pin",
                                  "conf-pin-timeout", "pbc-pin-mismatch"])
def test_failed_pin_run_continues_trying(name):
    """test_ap_wps_incorrect_pin, test_ap_wps_conf_pin, test_ap_wps_conf_pin_timeout, test_ap_wps_pbc_pin_mismatch:
    the events after a failed PIN run's EAP-Failure."""
    wpas, pywps = run(name)
    tail = texts(wpas)[texts(wpas).index("CTRL-EVENT-EAP-FAILURE EAP authentication failed") + 1:]
    assert tail[:5] == PIN_RETRY_TAIL
    assert texts(pywps) == texts(wpas)


# -- test_ap_wps_conf_pin (+ _mixed_mode, _gcmp_128, _gcmp_256, _ccmp_256) ---------------------------------


@pytest.mark.parametrize("name,ssid", [("conf-pin", "test-wps-conf-pin"),
                                       ("conf-pin-mixed-mode", "test-wps-conf-pin-mixed"),
                                       ("conf-pin-gcmp", "test-wps-conf-pin"),
                                       ("conf-pin-gcmp-256", "test-wps-conf-pin"),
                                       ("conf-pin-ccmp-256", "test-wps-conf-pin")])
def test_ap_wps_conf_pin(name, ssid):
    """test_ap_wps_conf_pin and its cipher variants: `WPS_PIN get` makes a PIN with a valid checksum that the AP
    is given; the run stores WPA2-PSK/CCMP whatever the AP's pairwise cipher (WSC has only AES)."""
    wpas, pywps = enrolled_like_wpa_supplicant(name, ssid)
    for t in (wpas, pywps):
        pin = t.replies[0][1].decode()
        assert re.fullmatch(r"\d{8}", pin) and t.replies[1] == (f"WPS_PIN {PAE_GROUP} {pin}", pin.encode())
        digits = [int(d) for d in pin]
        assert (3 * sum(digits[0:8:2]) + sum(digits[1:8:2])) % 10 == 0
        assert status(t) == {**ASSOCIATED, "ssid": ssid, "id": "0", "pairwise_cipher": "CCMP",
                             "group_cipher": "CCMP", "key_mgmt": "WPA2-PSK", "uuid": MAC_UUID}


@pytest.mark.parametrize("name", ["conf-pin-unknown-pin", "conf-pin-timeout"])
def test_ap_wps_conf_pin_m2d(name):
    """test_ap_wps_conf_pin (a PIN the AP does not know) and test_ap_wps_conf_pin_timeout (`wps_pin any PIN 1`,
    used 1.3 s later): M2D, hostapd logs WPS-PIN-NEEDED with our UUID and MAC."""
    wpas, pywps = run(name)
    assert wps_events(wpas) == ["WPS-PIN-ACTIVE ", "WPS-M2D dev_password_id=0 config_error=0", "WPS-CANCEL "]
    assert wps_events(pywps) == wps_events(wpas)
    for t in (wpas, pywps):
        assert re.search(rf"WPS-PIN-NEEDED {MAC_UUID} {STA_MAC}", t.hostapd_log)
    if name == "conf-pin-timeout":
        assert wpas.hapd("wps_pin").startswith("Invalid 'wps_pin' command")


# -- test_ap_wps_cancel / test_ap_wps_from_event / test_ap_wps_pbc_pin_mismatch ------------------------------


@pytest.mark.parametrize("name", ["ap-cancel", "pbc-before-ap"])
def test_pbc_without_the_aps_button(name):
    """test_ap_wps_cancel (the AP cancelled its PBC: `PBC Status: Timed-out`) and test_ap_wps_from_event (the
    station pushes first): hostapd answers with M2D (dev_password_id=0, not PBC's 4); the run ends (EAP-Failure, quiet period),
    so pushing the AP's button afterwards does not enroll this station over a wire."""
    wpas, pywps = run(name)
    assert wps_events(wpas)[:2] == ["WPS-PBC-ACTIVE ", "WPS-M2D dev_password_id=0 config_error=0"]
    assert "WPS-SUCCESS " not in texts(wpas)
    end = "CTRL-EVENT-EAP-FAILURE EAP authentication failed"
    assert texts(pywps)[:texts(pywps).index(end) + 1] == texts(wpas)[:texts(wpas).index(end) + 1]
    if name == "ap-cancel":
        assert hapd(wpas, "wps_get_status")["PBC Status"] == "Timed-out"


@pytest.mark.parametrize("name", ["ap-cancel", "pbc-before-ap", "wps-disabled", "ap-tkip-only"])
def test_failed_pbc_run_says_bare_wps_fail(name):
    """test_ap_wps_cancel, test_ap_wps_from_event, test_ap_wps_disabled, test_ap_wps_tkip: the whole event list."""
    wpas, pywps = run(name)
    assert "WPS-FAIL " in texts(wpas)
    assert texts(pywps) == texts(wpas)


def test_ap_wps_pbc_pin_mismatch():
    """test_ap_wps_pbc_pin_mismatch: the AP runs PBC, the station a PIN: M2D with our PIN's password id 0."""
    wpas, pywps = run("pbc-pin-mismatch")
    assert wps_events(wpas) == ["WPS-PIN-ACTIVE ", "WPS-M2D dev_password_id=0 config_error=0", "WPS-CANCEL "]
    assert wps_events(pywps) == wps_events(wpas)


# -- test_ap_wps_disabled / test_ap_wps_tkip -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["wps-disabled", "ap-tkip-only"])
def test_ap_without_wps(name):
    """test_ap_wps_disabled and test_ap_wps_tkip: hostapd_cli wps_pbc says FAIL; the station's run gets an
    EAP-Failure right after EAP-Started (no method proposed) and removes its network."""
    wpas, pywps = run(name)
    assert wpas.hapd("wps_pbc").strip() == "FAIL"
    assert "CTRL-EVENT-EAP-PROPOSED-METHOD vendor=14122 method=1" not in texts(wpas)
    end = "CTRL-EVENT-EAP-FAILURE EAP authentication failed"
    assert texts(pywps)[:texts(pywps).index(end) + 1] == texts(wpas)[:texts(wpas).index(end) + 1]
    assert "CTRL-EVENT-NETWORK-REMOVED 0" in texts(wpas) and "CTRL-EVENT-NETWORK-REMOVED 0" in texts(pywps)


# -- test_ap_wps_fragmentation --------------------------------------------------------------------------------


def test_ap_wps_fragmentation_pbc():
    """test_ap_wps_fragmentation: hostapd fragment_size=50 and `SET wps_fragment_size 50` on the station (a WPA+WPA2
    AP): the run succeeds with the fragments hostapd logs, and wps_fragment_size is not written to the file."""
    wpas, pywps = enrolled_like_wpa_supplicant("fragmentation-pbc", "test-wps-fragmentation", ENROLLED_PBC)
    for t in (wpas, pywps):
        assert "wps_fragment_size" not in t.conf_after
    assert pywps.reply("SET wps_fragment_size 50") == wpas.reply("SET wps_fragment_size 50") == b"OK\n"


def _station_fragments(t) -> int:
    """EAP-WSC messages from the station with More Fragments set (frames to the AP, not hostapd's own)."""
    count = 0
    for kind, frame in t.frames:
        eap = frame[18:]
        if kind != 4 and len(eap) >= 14 and eap[4] == 254 and eap[0] == 2 and eap[13] & 0x01:
            count += 1
    return count


def test_ap_wps_fragmentation_station_fragments():
    """test_ap_wps_fragmentation: after `SET wps_fragment_size 50` wpa_supplicant sends M1, M3, M5, M7 and
    WSC_Done in fragments of at most 50 bytes (op-code, flags, length field and data), each but the last with
    More Fragments set; pywps sends as many."""
    wpas, pywps = run("fragmentation-pbc")
    assert _station_fragments(wpas) > 5
    assert _station_fragments(pywps) == _station_fragments(wpas)
    for t in (wpas, pywps):
        sizes = [len(f) - 18 - 12 for kind, f in t.frames if kind != 4 and len(f) > 31 and f[22] == 254]
        assert sizes and max(sizes) <= 50


# -- test_ap_wps_wep_enroll -----------------------------------------------------------------------------------


def test_ap_wps_wep_enroll_stores_nothing():
    """test_ap_wps_wep_enroll: hostapd sends a WEP credential (skip_cred_build + extra_cred): WSC 2.0 forbids
    it; nothing is stored and WPS-SUCCESS never comes."""
    wpas, pywps = run("wep-enroll")
    for t in (wpas, pywps):
        assert blocks(t) == [] and "WPS-SUCCESS " not in texts(t)
        assert t.reply("LIST_NETWORKS") == b"network id / ssid / bssid / flags\n"


def test_ap_wps_wep_enroll_events():
    """test_ap_wps_wep_enroll: wpa_supplicant refuses inside the enrollee: no WPS-CRED-RECEIVED, `WPS-FAIL msg=12
    config_error=0 reason=2 (WEP Prohibited)`, and a bare WPS-FAIL after the EAP-Failure."""
    wpas, pywps = run("wep-enroll")
    assert wps_events(wpas) == ["WPS-PBC-ACTIVE ", "WPS-FAIL msg=12 config_error=0 reason=2 (WEP Prohibited)",
                                "WPS-FAIL "]
    assert texts(pywps) == texts(wpas)


def test_ap_wps_wep_enroll_ap_sees_failure():
    """test_ap_wps_wep_enroll: hostapd records the refusal (`Last WPS result: Failed`, PBC still active)."""
    wpas, pywps = run("wep-enroll")
    assert hapd(wpas, "wps_get_status") == {"PBC Status": "Active", "Last WPS result": "Failed",
                                           "Peer Address": STA_MAC}
    assert hapd(pywps, "wps_get_status") == hapd(wpas, "wps_get_status")


# -- test_ap_wps_per_station_psk ------------------------------------------------------------------------------


def test_ap_wps_per_station_psk():
    """test_ap_wps_per_station_psk: hostapd's wpa_psk_file: a PSK made for this enrollee, sent as 64 hex digits,
    stored unquoted, and recorded by hostapd as `wps=1 <mac> <psk>`."""
    wpas, pywps = run("per-station-psk")
    for t in (wpas, pywps):
        line = t.files_after["psk"].decode().splitlines()[-1]
        m = re.fullmatch(rf"wps=1 {STA_MAC} ([0-9a-f]{{64}})", line)
        assert m, line
        assert blocks(t) == [{"ssid": '"wps"', "psk": m[1], **WPA2_BLOCK}]
    assert texts(pywps) == texts(wpas) == ENROLLED_PBC


# -- test_ap_wps_pin_request_file ---------------------------------------------------------------------------


def test_ap_wps_pin_request_file():
    """test_ap_wps_pin_request_file: hostapd writes the enrollee's UUID (STATUS uuid=) and MAC to its
    wps_pin_requests file; the device strings are a single space each when nothing is configured."""
    wpas, pywps = run("pin-request-file")
    for t in (wpas, pywps):
        uuid = dict(x.split("=", 1) for x in t.reply("STATUS").decode().splitlines())["uuid"]
        fields = t.files_after["pinreq"].decode().rstrip("\n").split("\t")
        assert fields[1:] == [uuid, STA_MAC, " ", " ", " ", " ", " ", "0-00000000-0"]
    assert wps_events(wpas) == ["WPS-PIN-ACTIVE ", "WPS-M2D dev_password_id=0 config_error=0", "WPS-CANCEL "]
    end = "CTRL-EVENT-EAP-FAILURE EAP authentication failed"
    assert texts(pywps)[:texts(pywps).index(end) + 1] == texts(wpas)[:texts(wpas).index(end) + 1]


# -- test_ap_wps_mixed_cred --------------------------------------------------------------------------------------


def test_ap_wps_mixed_cred_one_network():
    """test_ap_wps_mixed_cred: two credentials of one SSID (WPA2/AES and WPA/TKIP) in one M8 become one network
    with no proto/pairwise lines, so GET_NETWORK shows the defaults 'WPA RSN' and 'CCMP TKIP'."""
    wpas, pywps = run("mixed-cred")
    block = {"ssid": '"test-wps-wep"', "psk": '"12345678"', "key_mgmt": "WPA-PSK", "auth_alg": "OPEN"}
    assert blocks(wpas) == blocks(pywps) == [block]
    assert [r for c, r in wpas.replies if c.startswith("GET_NETWORK 1")] == [b"WPA RSN", b"CCMP TKIP"]
    assert [r for c, r in pywps.replies if c.startswith("GET_NETWORK") and r != b"FAIL\n"] == [b"WPA RSN", b"CCMP TKIP"]


def test_ap_wps_mixed_cred_ids_and_events():
    """test_ap_wps_mixed_cred: the first credential takes the WPS network's id 0, the second is added as 1 and the
    merge keeps the later one: NETWORK-ADDED 1, NETWORK-REMOVED 0, the network listed as id 1; the removed
    network was the current one, so no disconnect is reported after the EAP-Failure.

    Deliberate difference (issue 15): after the run wpa_supplicant is left "associated" with no network
    (STATUS: key_mgmt=WPS, no ssid or id, LIST_NETWORKS without [CURRENT], still so 10 s later), since the merge
    deleted its current network; pywps joins the merged network (id 1), which is what the run was for."""
    wpas, pywps = run("mixed-cred")
    assert wpas.reply("LIST_NETWORKS") == b"network id / ssid / bssid / flags\n1\ttest-wps-wep\tany\t\n"
    assert pywps.reply("LIST_NETWORKS") == wpas.reply("LIST_NETWORKS").replace(b"any\t\n", b"any\t[CURRENT]\n")
    assert [r for c, r in pywps.replies if c.startswith("GET_NETWORK")] == \
        [r for c, r in wpas.replies if c.startswith("GET_NETWORK")] == [b"FAIL\n", b"FAIL\n", b"WPA RSN", b"CCMP TKIP"]
    end = "CTRL-EVENT-EAP-FAILURE EAP authentication failed"
    assert texts(wpas)[-1] == end and texts(wpas)[9:13] == ["WPS-CRED-RECEIVED ", "WPS-CRED-RECEIVED ",
                                                           "CTRL-EVENT-NETWORK-ADDED 1", "CTRL-EVENT-NETWORK-REMOVED 0"]
    assert texts(pywps)[:len(texts(wpas))] == texts(wpas)
    assert texts(pywps)[len(texts(wpas)):] == [f"Associated with {PAE_GROUP}", "CTRL-EVENT-SUBNET-STATUS-UPDATE status=0"]
    later = status(wpas, 0)
    assert (later["key_mgmt"], later["wpa_state"], "id" in later) == ("WPS", "ASSOCIATED", False)
    assert (status(pywps)["id"], status(pywps)["ssid"]) == ("1", "test-wps-wep")
    assert pywps.reply("LIST_NETWORKS", 1) == b"network id / ssid / bssid / flags\n1\ttest-wps-wep\tany\t[CURRENT]\n"


# -- test_ap_wps_priority ---------------------------------------------------------------------------------------


def test_ap_wps_priority():
    """test_ap_wps_priority: `SET wps_priority 6` puts priority=6 in the stored network, and wps_priority=6 is
    saved as a global."""
    wpas, pywps = run("priority")
    for t in (wpas, pywps):
        assert blocks(t) == [{"ssid": '"test-wps-conf-pin"', "psk": '"12345678"', **WPA2_BLOCK, "priority": "6"}]
        assert "wps_priority=6\n" in t.conf_after and t.reply("GET_NETWORK 0 priority") == b"6"
    assert texts(pywps) == texts(wpas) == ENROLLED_PIN


# -- test_ap_wps_conf_and_sae -----------------------------------------------------------------------------------


def test_ap_wps_conf_and_sae_run():
    """test_ap_wps_conf_and_sae: a PSK+SAE AP (ieee80211w=1): the run itself is the plain WPA2 one."""
    wpas, pywps = run("conf-and-sae")
    assert texts(pywps) == texts(wpas) == ENROLLED_PIN


def test_ap_wps_conf_and_sae_stored():
    """test_ap_wps_conf_and_sae: with wps_cred_add_sae=1 wpa_supplicant stores `key_mgmt=WPA-PSK SAE` and
    `ieee80211w=1`, and no auth_alg line; on wired STATUS still says key_mgmt=WPA2-PSK (no SAE over a wire)."""
    wpas, pywps = run("conf-and-sae")
    assert blocks(wpas) == [{"ssid": '"test-wps-conf-sae"', "psk": '"12345678"', "proto": "RSN",
                             "key_mgmt": "WPA-PSK SAE", "pairwise": "CCMP", "ieee80211w": "1"}]
    assert blocks(pywps) == blocks(wpas)
    assert status(wpas)["key_mgmt"] == "WPA2-PSK" and status(pywps) == status(wpas)


# -- test_ap_wps_pbc_in_m1 / test_ap_wps_appl_ext / test_ap_wps_disable_enable --------------------------------


@pytest.mark.parametrize("name,ssid,events", [("pbc-in-m1", "test-wps-conf", ENROLLED_PBC),
                                              ("appl-ext", "test-wps-conf", ENROLLED_PIN),
                                              ("disable-enable", "test-wps", ENROLLED_PIN)])
def test_ap_variants_enroll(name, ssid, events):
    """test_ap_wps_pbc_in_m1 (the AP's pbc_in_m1=1 with virtual config methods), test_ap_wps_appl_ext (the AP's
    wps_application_ext) and test_ap_wps_disable_enable (hostapd_cli disable/enable on the wired driver, both OK):
    the station's run is the usual one."""
    enrolled_like_wpa_supplicant(name, ssid, events)


# -- test_ap_wps_random_uuid ------------------------------------------------------------------------------------


def test_ap_wps_random_uuid():
    """test_ap_wps_random_uuid: auto_uuid=1: a random UUID, not the MAC-derived one, in STATUS and M1's UUID-E."""
    wpas, pywps = run("random-uuid")
    uuids = []
    for t in (wpas, pywps):
        uuid = dict(x.split("=", 1) for x in t.reply("STATUS").decode().splitlines())["uuid"]
        assert uuid == dict(x.split("=", 1) for x in t.reply("STATUS", 1).decode().splitlines())["uuid"]
        assert uuid != MAC_UUID and m1_from_hostapd_log(t.hostapd_log)["UUID-E"] == uuid.replace("-", "")
        assert uuid[14] == "4" and uuid[19] in "89ab"  # a version 4 (random) UUID
        uuids.append(uuid)
    assert uuids[0] != uuids[1]


# -- test_ap_wps_wpa_cli_action ----------------------------------------------------------------------------------


def test_ap_wps_wpa_cli_action():
    """test_ap_wps_wpa_cli_action: Debian `wpa_cli -a SCRIPT` runs the script with `vsta EVENT` for the events it
    knows: on wired a PIN run gives WPS-PIN-ACTIVE, WPS-SUCCESS and the run's DISCONNECTED (no CONNECTED: the
    wired port only says "Associated with")."""
    wpas, pywps = run("wpa-cli-action")
    assert wpas.files_after["action.log"] == b"vsta WPS-PIN-ACTIVE\nvsta WPS-SUCCESS\nvsta DISCONNECTED\n"
    assert pywps.files_after["action.log"] == wpas.files_after["action.log"]
    assert texts(pywps) == texts(wpas) == ENROLLED_PIN


@pytest.mark.parametrize("name", ["eap-wsc-cancel-wps", "eap-wsc-cancel-8021x", "eap-wsc-disconnect-8021x"])
def test_eap_wsc_block_cancelled_or_disconnected(name):
    """WPS_CANCEL while a PIN enrollee block runs (no AP): wpas_wps_cancel deauthenticates; a key_mgmt=WPS block
    is then removed (in memory) as WPS networks are, an IEEE8021X one stays and is associated again (ap_scan=0),
    its EAPOL starting afresh. DISCONNECT leaves the block until RECONNECT. (STATUS: as in
    test_eap_wsc_blocks_read_and_write_as_wpa_supplicants, without wpa_supplicant's 802.1X state lines.)"""
    wpas, pywps = run(name)
    assert after_startup(pywps) == after_startup(wpas)
    assert [r for r in pywps.replies if r[0] != "STATUS"] == [r for r in wpas.replies if r[0] != "STATUS"]
    pae = {"Supplicant PAE state", "suppPortStatus", "EAP state"}
    assert {k: v for k, v in status(wpas).items() if k not in pae} == status(pywps)
    if name == "eap-wsc-cancel-wps":
        assert after_startup(wpas) == [f"CTRL-EVENT-DISCONNECTED bssid={PAE_GROUP} reason=3 locally_generated=1",
                                       "CTRL-EVENT-NETWORK-REMOVED 0", "WPS-CANCEL "]
    elif name == "eap-wsc-cancel-8021x":
        assert after_startup(wpas) == [f"CTRL-EVENT-DISCONNECTED bssid={PAE_GROUP} reason=3 locally_generated=1",
                                       "WPS-CANCEL ", f"Associated with {PAE_GROUP}",
                                       "CTRL-EVENT-SUBNET-STATUS-UPDATE status=0"]
    assert blocks(pywps) == blocks(wpas)


def test_eap_wsc_pbc_block_enrolls_as_wps_pbc():
    """An enrollee block with phase1="pbc=1" (the AP's button pressed before the block's first EAPOL-Start):
    the WPS_PBC run's events without the command's network and WPS-PBC-ACTIVE; the credential replaces the
    block under its id and is joined."""
    wpas, pywps = run("eap-wsc-pbc")
    assert after_startup(wpas) == ENROLLED_PBC[4:]
    assert after_startup(pywps) == after_startup(wpas)
    assert blocks(wpas) == [{"ssid": '"test-wps-conf"', "psk": '"12345678"', **WPA2_BLOCK}]
    assert blocks(pywps) == blocks(wpas)
    assert status(pywps) == status(wpas)


@pytest.mark.parametrize("name", ["eap-wsc-config-wps", "eap-wsc-config-8021x"])
def test_eap_wsc_blocks_read_and_write_as_wpa_supplicants(name):
    """The blocks of test_ap_wps_eap_wsc with no AP: GET_NETWORK (eap, identity, phase1, eapol_flags),
    LIST_NETWORKS ([CURRENT]: the port joined them), SET_NETWORK of those fields, and SAVE_CONFIG, which drops a
    key_mgmt=WPS block even one read from the file (wpa_config_write skips them) and writes the others as read.

    Deliberate difference: an IEEE8021X network's STATUS in wpa_supplicant also shows its 802.1X state machines
    (Supplicant PAE state, suppPortStatus, EAP state); pywps runs only EAP-WSC, and shows none. Observed, and
    kept out of the compared replies on purpose: after a refused `SET_NETWORK <id> eap WSCX` wpa_supplicant keeps
    an empty method list (GET_NETWORK eap answers an empty reply instead of FAIL); pywps keeps the network as it
    was (netfields.py: a refused SET_NETWORK never changes a network), so the script sets WSC right after it."""
    wpas, pywps = run(name)
    assert wpas.reply("GET_NETWORK 0 eap") == b"WSC" and wpas.reply("GET_NETWORK 0 eapol_flags") == b"0"
    assert [r for r in pywps.replies if r[0] != "STATUS"] == [r for r in wpas.replies if r[0] != "STATUS"]
    pae = {"Supplicant PAE state", "suppPortStatus", "EAP state"}
    assert {k: v for k, v in status(wpas).items() if k not in pae} == status(pywps)
    added = ["CTRL-EVENT-NETWORK-ADDED 1"] if name.endswith("8021x") else []
    assert after_startup(pywps) == after_startup(wpas) == added
    assert blocks(pywps) == blocks(wpas)
    if added:
        assert blocks(wpas)[1] == {"key_mgmt": "IEEE8021X", "eap": "WSC", "phase1": '"pin=12345670 new_ssid=6161"',
                                   "disabled": "1"}
    else:
        assert blocks(wpas) == []


# -- test_ap_wps_conf_stub_cred -------------------------------------------------------------------------------


def test_ap_wps_conf_stub_cred():
    """test_ap_wps_conf_stub_cred: two WPS-CRED-RECEIVED; the stub (ssid "stub", psk "stub psk") stored as id 0,
    the real one as id 1. hostapd builds the stub with a 9-byte key "stub psk" plus its NUL; wpa_supplicant drops
    a trailing NUL from a WPA passphrase (a workaround for a deployed registrar) and stores "stub psk"."""
    wpas, pywps = run("conf-stub-cred")
    assert [b["ssid"] for b in blocks(wpas)] == ['"stub"', '"test-wps-conf"']
    assert texts(wpas).count("WPS-CRED-RECEIVED ") == 2
    assert blocks(pywps) == blocks(wpas) and texts(pywps) == texts(wpas)


# -- test_ap_wps_eap_wsc: EAP-WSC in a network profile ------------------------------------------------------


@pytest.mark.parametrize("name", ["eap-wsc-unexpected-identity", "eap-wsc-no-phase1", "eap-wsc-pin-phase1",
                                  "eap-wsc-missing-new-auth"])
def test_ap_wps_eap_wsc(name):
    """test_ap_wps_eap_wsc: a network block with eap=WSC runs on wired with ap_scan=0: an unexpected identity
    gets EAP-Failure, no phase1 (or a registrar phase1 without new_auth) fails to start the method, and
    phase1="pin=..." with no PIN at the AP gets M2D.

    Observed (Debian wpa_supplicant 2.10): the network is "associated" ~100 ms after start (its first scan
    request; a monitor attached later misses that, on either daemon) and EAPOL starts with it, its EAPOL-Start
    1 s (key_mgmt=WPS) or 2 s (IEEE8021X) later; a refused method says "EAP: Failed to initialize EAP method",
    sends an expanded Nak, and hostapd's EAP-Failure follows. An IEEE8021X network then stays joined (no
    WPS-FAIL); a key_mgmt=WPS registrar block ends as a WPS_REG run does: bare WPS-FAIL, disconnect, the network
    removed in memory (the file keeps it); a PIN enrollee block keeps trying (disconnect, associated again)."""
    wpas, pywps = run(name)
    assert after_startup(wpas)[0] == "CTRL-EVENT-EAP-STARTED EAP authentication started"
    assert "CTRL-EVENT-EAP-FAILURE EAP authentication failed" in texts(wpas)
    assert after_startup(pywps) == after_startup(wpas)
    assert blocks(pywps) == blocks(wpas)
