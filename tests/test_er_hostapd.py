"""The External Registrar against Debian hostapd's UPnP proxy on the wired lab, side by side with Debian
wpa_supplicant as the ER: the same command sequence on two identical labs, the same WPS event texts and
replies, and hostapd's get_config proving that WPS_ER_CONFIG changed the AP."""

from __future__ import annotations

import pytest

from netlab import AP_MAC, WiredLab, requires_lab

from er.lab import AP_PIN, AP_UUID, UPNP_AP, WpasEr, address_lab, run_pywps_er

pytestmark = [pytest.mark.root, pytest.mark.hostapd, requires_lab]

WRONG_UUID = "00000000-0000-0000-0000-000000000001"
# After a step's last event: wpa_supplicant refuses the next command for its AP while the learn run's final
# WSC_NACK is still in flight (an HTTP exchange of about a millisecond here); pywps does not wait for it.
SETTLE = 0.3
# (label, wpa_cli arguments, the event that ends the step or None, seconds to wait for it)
SEQUENCE = [
    ("start", ["wps_er_start"], "WPS-ER-AP-ADD", 10),
    ("learn unknown AP", ["wps_er_learn", WRONG_UUID, AP_PIN], None, 0.5),
    ("learn", ["wps_er_learn", AP_UUID, AP_PIN], "WPS-FAIL", 10),
    ("learn wrong PIN", ["wps_er_learn", AP_UUID, "11111111"], "WPS-FAIL", 10),
    ("learn by BSSID", ["wps_er_learn", AP_MAC, AP_PIN], "WPS-FAIL", 10),
    ("pbc unknown", ["wps_er_pbc", WRONG_UUID], None, 0.5),
    ("set_config", ["wps_er_set_config", AP_UUID, "0"], None, 0.5),
    ("pin", ["wps_er_pin", "any", "12345670"], None, 1),
    ("pbc", ["wps_er_pbc", AP_UUID], "WPS-PBC-ACTIVE", 3),
    ("config", ["wps_er_config", AP_UUID, AP_PIN, "new-ssid", "WPA2PSK", "CCMP", "newpassphrase"], "WPS-SUCCESS", 10),
    ("stop", ["wps_er_stop"], "WPS-ER-AP-REMOVE", 5),
    ("learn after stop", ["wps_er_learn", AP_UUID, AP_PIN], None, 0.5),
    ("pin after stop", ["wps_er_pin", "any", "12345670"], None, 0.5),
    ("set_config after stop", ["wps_er_set_config", AP_UUID, "0"], None, 0.5),
    ("stop again", ["wps_er_stop"], None, 0.5),
    ("start bad filter", ["wps_er_start", "not-an-address"], None, 0.5),
]


def ctrl_command(args: list[str]) -> str:
    """What wpa_cli sends for these arguments (it hex-encodes WPS_ER_CONFIG's SSID and key)."""
    if args[0] == "wps_er_config":
        args = [*args[:3], args[3].encode().hex(), args[4], args[5], args[6].encode().hex()]
    return " ".join([args[0].upper(), *args[1:]])


def run_wpa_supplicant() -> tuple[list[tuple[str, list[str]]], str]:
    with WiredLab() as lab:
        address_lab(lab)
        hostapd = lab.hostapd(**UPNP_AP)
        er = WpasEr(lab)
        try:
            steps = []
            for label, args, until, wait in SEQUENCE:
                start = len(er.monitor.events)
                reply = er.cli(*args).strip()
                if until:
                    er.events_since(start, until, wait)
                    er.drain(SETTLE)
                else:
                    er.drain(wait)
                steps.append((label, [f"reply {reply}", *er.events_since(start)]))
            return steps, hostapd.cli("get_config")
        finally:
            er.stop()


def run_pywps() -> tuple[list[tuple[str, list[str]]], str, str]:
    with WiredLab() as lab:
        address_lab(lab)
        hostapd = lab.hostapd(**UPNP_AP)
        plan = []
        for label, args, until, wait in SEQUENCE:
            plan.append(["cmd", ctrl_command(args)])
            plan += [["wait", until, wait], ["sleep", SETTLE]] if until else [["sleep", wait]]
        lines, log = run_pywps_er(lab, plan)
        steps: list[tuple[str, list[str]]] = []
        for line in lines:
            if "cmd" in line:
                steps.append((SEQUENCE[len(steps)][0], []))
            elif "reply" in line:
                steps[-1][1].insert(0, f"reply {line['reply'].rsplit(' -> ', 1)[1]}")
            elif "event" in line:
                steps[-1][1].append(line["event"])
        return steps, hostapd.cli("get_config"), log


def visible(events: list[str]) -> list[str]:
    """What a default-level monitor sees: wpa_supplicant sends SET-SEL-REG START/DONE at MSG_DEBUG."""
    return [e for e in events if not (e.startswith("WPS-ER-AP-SET-SEL-REG") and "state=FAILED" not in e)]


def test_same_events_as_wpa_supplicant():
    wpas, wpas_config = run_wpa_supplicant()
    ours, our_config, log = run_pywps()
    assert [label for label, _ in ours] == [step[0] for step in SEQUENCE], log
    for (label, theirs), (_, mine) in zip(wpas, ours):
        assert visible(mine) == theirs, f"{label}: pywps {mine} vs wpa_supplicant {theirs}\n{log}"
    # the texts of the flows the issue names, as observed from Debian wpa_supplicant 2.10 (and now from pywps)
    steps = dict(ours)
    assert steps["start"][1].startswith(f"WPS-ER-AP-ADD {AP_UUID} {AP_MAC} pri_dev_type=0-00000000-0 wps_state=2 "
                                        "|WPS AP|Test|Wired test AP|hapd|http://example.com/|http://example.com/m|")
    assert steps["learn"][1:] == [f"WPS-ER-AP-SETTINGS uuid={AP_UUID} ssid=jkm-wps-test auth_type=0x0020 "
                                  "encr_type=0x0008 key=12345678", "WPS-FAIL msg=11 config_error=0"]
    assert steps["learn wrong PIN"][1:] == ["WPS-FAIL msg=8 config_error=18"]
    assert steps["config"][1:] == ["WPS-CRED-RECEIVED ", "WPS-SUCCESS "]
    assert steps["stop"][1:] == [f"WPS-ER-AP-REMOVE {AP_UUID}"]
    # SetSelectedRegistrar reached hostapd (the texts a debug-level monitor of wpa_supplicant would see)
    assert any("state=DONE" in e for e in steps["pin"]) and any("dev_passwd_id=4" in e for e in steps["pbc"])
    for config in (wpas_config, our_config):
        assert "ssid=new-ssid" in config and "passphrase=newpassphrase" in config, config
    assert "Traceback" not in log
