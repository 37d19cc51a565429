"""The command survey (issue 12): every station command of wpa_cli 2.10 that applies to a WPS / WPA2-PSK
station, sent with typical arguments to Debian wpa_supplicant -Dwired and to pywps -D wired with the same
config; pywps's reply must be wpa_supplicant's live reply.

The list is `wpa_cli help` of Debian's wpa_cli 2.10 without the P2P, mesh, DPP, Wi-Fi Display, Hotspot 2.0 /
interworking / ANQP / GAS, TDLS, WMM-AC, TWT and AP-mode (sta, deauthenticate, chan_switch, ...) families and
without wpa_cli's local commands (help, quit, license, interface); each command is sent as the request text
wpa_cli builds for it (wpa_supplicant/wpa_cli.c), plus the request forms other clients send (wpa_gui's
INTERFACES, STATUS-VERBOSE, LIST_NETWORKS LAST_ID=N). Both daemons run without a peer: the survey is about the
control interface, the WPS runs are in test_diff_events.py.

How a case compares (`Case.how`):
- exact: the same bytes (each daemon's control directory written as @CTRL@);
- class: the same reply class (value / OK / FAIL / FAIL-BUSY / UNKNOWN COMMAND / ...), for values that depend
  on the process (random PINs, counters);
- keys: the same class and the same key names in the same order (key=value replies);
- status: STATUS-like: the same keys except pywps's allowed extras (difflab.EXTRA_STATUS_KEYS), and the same
  values for the keys both have;
- subset: GET_CAPABILITY: the same class and layout, and pywps names only what wpa_supplicant names (pywps tells
  the truth about itself, which is less).

A case where pywps differs today is marked xfail(strict=True) with what differs (DIFFERS below): a fix flips
the mark. `python tests/test_diff_survey.py` re-runs the survey and rewrites tests/data/diff/SURVEY.md.
"""

from __future__ import annotations

import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from difflab import (EXTRA_STATUS_KEYS, KINDS, PAE_GROUP, PYWPS, WPAS, Station, conf_text, describe, reply_class,
                     reply_dict, reply_keys, requires_diff)
from netlab import AP_MAC, WiredLab

AP_UUID = "12345678-9abc-def0-1234-56789abcdef0"


@dataclass(frozen=True)
class Case:
    id: str  # pytest id: wpa_cli's command name, then the variant
    command: str  # the request under test
    setup: tuple[str, ...] = ()  # requests sent before it (their replies are not compared)
    how: str = "exact"
    fresh: bool = False  # needs its own daemon: it changes the daemon for good (SET, TERMINATE, a WPS run...)
    # For a feature pywps does not have: the build option without which wpa_supplicant answers ABSENT[option]
    # instead (wpa_supplicant/ctrl_iface.c); pywps may answer that too.
    without: str | None = None


UNKNOWN = b"UNKNOWN COMMAND\n"
# What Debian wpa_supplicant would answer if built without the option (read from ctrl_iface.c): the command is
# compiled out (UNKNOWN COMMAND), or GET_CAPABILITY does not know the field (FAIL).
ABSENT: dict[str, bytes] = {
    "CONFIG_WPS_NFC": UNKNOWN, "CONFIG_WPS_ER": UNKNOWN, "CONFIG_AP": UNKNOWN, "CONFIG_IBSS_RSN": UNKNOWN,
    "CONFIG_IEEE80211R": UNKNOWN, "CONFIG_WNM": UNKNOWN, "CONFIG_PMKSA_CACHE_EXTERNAL": UNKNOWN,
    "IEEE8021X_EAPOL": UNKNOWN,  # PREAUTH is compiled out...
    "IEEE8021X_EAPOL (CTRL-RSP)": b"FAIL\n",  # ...and CTRL-RSP-* answer FAIL (wpa_supplicant_ctrl_iface_ctrl_rsp)
    "CONFIG_DPP": b"FAIL\n", "CONFIG_ACS": b"FAIL\n", "CONFIG_TDLS": b"FAIL\n",
}


def c(id: str, command: str, *setup: str, how: str = "exact", fresh: bool = False, without: str | None = None) -> Case:
    assert without is None or without in ABSENT
    return Case(id, command, setup, how, fresh, without)


NET = ("ADD_NETWORK", 'SET_NETWORK 0 ssid "survey"')  # network 0 exists
CASES: list[Case] = [
    c("status", "STATUS", how="status"),
    c("status-verbose", "STATUS-VERBOSE", how="status"),
    c("status-wps", "STATUS-WPS", how="status"),
    c("status-driver", "STATUS-DRIVER"),
    c("ifname", "IFNAME"),
    c("interfaces", "INTERFACES"),
    c("interface_list", "INTERFACE_LIST"),
    c("ping", "PING"),
    c("ifname-prefix", "IFNAME=vsta PING"),
    c("ifname-prefix-other", "IFNAME=other0 PING"),
    c("status-no_events", "STATUS-NO_EVENTS", how="status"),
    c("relog", "RELOG"),
    c("note", "NOTE survey note"),
    c("mib", "MIB", how="keys"),
    c("level-not-attached", "LEVEL 3"),
    c("detach-not-attached", "DETACH"),
    c("set-wps_cred_processing", "SET wps_cred_processing 1", fresh=True),
    c("set-device_name", "SET device_name survey-dev", fresh=True),
    c("set-unknown-key", "SET nonexistent_key 1", fresh=True),
    c("set-bad-value", "SET wps_cred_processing x", fresh=True),
    c("set-update_config", "SET update_config 0", fresh=True),
    c("set-config_methods", "SET config_methods display push_button", fresh=True),
    c("set-wps_fragment_size", "SET wps_fragment_size 50", fresh=True),
    c("set-no-value", "SET device_name", fresh=True),
    c("dump", "DUMP"),
    c("get-wps_cred_processing", "GET wps_cred_processing"),
    c("get-device_name", "GET device_name"),
    c("get-update_config", "GET update_config"),
    c("get-ap_scan", "GET ap_scan"),
    c("get-config_methods", "GET config_methods"),
    c("get-uuid", "GET uuid"),
    c("get-ctrl_interface", "GET ctrl_interface"),
    c("get-unknown-key", "GET nonexistent_key"),
    c("get-device_name-set", "GET device_name", "SET device_name survey-dev", fresh=True),
    c("get-config_methods-set", "GET config_methods", "SET config_methods display push_button", fresh=True),
    c("get-os_version-set", "GET os_version", "SET os_version 01020300", fresh=True),
    c("get-wps_cred_processing-set", "GET wps_cred_processing", "SET wps_cred_processing 2", fresh=True),
    c("set-os_version", "SET os_version 01020300", fresh=True),
    c("set-device_type", "SET device_type 1-0050F204-1", fresh=True),
    c("set-uuid", "SET uuid 12345678-9abc-def0-1234-56789abcdef1", fresh=True),
    c("set-wps_cred_processing-range", "SET wps_cred_processing 3", fresh=True),
    c("driver_flags", "DRIVER_FLAGS"),
    c("driver_flags2", "DRIVER_FLAGS2"),
    c("logon", "LOGON", fresh=True),
    c("logoff", "LOGOFF", fresh=True),
    c("pmksa", "PMKSA"),
    c("pmksa_flush", "PMKSA_FLUSH"),
    c("pmksa_get", "PMKSA_GET 0", without="CONFIG_PMKSA_CACHE_EXTERNAL"),
    c("pmksa_add", "PMKSA_ADD 0 02:00:00:00:01:00 00112233445566778899aabbccddeeff "
                   + "00" * 32 + " 43200 43200 1 0", without="CONFIG_PMKSA_CACHE_EXTERNAL"),
    c("reassociate", "REASSOCIATE", fresh=True),
    c("reattach", "REATTACH", fresh=True),
    c("preauthenticate", f"PREAUTH {AP_MAC}", without="IEEE8021X_EAPOL"),  # pywps runs no 802.1X
    c("bssid", f"BSSID 0 {AP_MAC}", *NET),
    c("bssid-no-network", f"BSSID 7 {AP_MAC}"),
    c("bssid_ignore", "BSSID_IGNORE"),
    c("bssid_ignore-add", f"BSSID_IGNORE {AP_MAC}", fresh=True),
    c("bssid_ignore-list", "BSSID_IGNORE", f"BSSID_IGNORE {AP_MAC}", fresh=True),
    c("bssid_ignore-clear", "BSSID_IGNORE clear"),
    c("blacklist", "BLACKLIST"),
    c("log_level", "LOG_LEVEL"),
    c("log_level-set", "LOG_LEVEL DEBUG", fresh=True),
    c("list_networks", "LIST_NETWORKS"),
    c("list_networks-one", "LIST_NETWORKS", *NET),
    c("list_networks-last_id", "LIST_NETWORKS LAST_ID=0", *NET),
    c("list_networks-last_id-next", "LIST_NETWORKS LAST_ID=0", *NET, "ADD_NETWORK", 'SET_NETWORK 1 ssid "two"'),
    c("select_network-none", "SELECT_NETWORK 0"),
    c("select_network", "SELECT_NETWORK 0", *NET, fresh=True),
    c("select_network-any", "SELECT_NETWORK any", fresh=True),
    c("enable_network-all", "ENABLE_NETWORK all"),
    c("enable_network", "ENABLE_NETWORK 0", *NET, fresh=True),
    c("disable_network-all", "DISABLE_NETWORK all"),
    c("disable_network-none", "DISABLE_NETWORK 7"),
    c("add_network", "ADD_NETWORK"),
    c("remove_network-all", "REMOVE_NETWORK all"),
    c("remove_network-none", "REMOVE_NETWORK 7"),
    c("remove_network", "REMOVE_NETWORK 0", *NET),
    c("set_network-ssid", 'SET_NETWORK 0 ssid "survey"', "ADD_NETWORK"),
    c("set_network-psk", 'SET_NETWORK 0 psk "12345678"', "ADD_NETWORK"),
    c("set_network-short-psk", 'SET_NETWORK 0 psk "short"', "ADD_NETWORK"),
    c("set_network-key_mgmt", "SET_NETWORK 0 key_mgmt WPA-PSK", "ADD_NETWORK"),
    c("set_network-unknown", "SET_NETWORK 0 nonexistent 1", "ADD_NETWORK"),
    c("set_network-no-network", 'SET_NETWORK 7 ssid "x"'),
    c("get_network-ssid", "GET_NETWORK 0 ssid", *NET),
    c("get_network-psk", "GET_NETWORK 0 psk", *NET, 'SET_NETWORK 0 psk "12345678"'),
    c("get_network-key_mgmt", "GET_NETWORK 0 key_mgmt", *NET),
    c("get_network-unset", "GET_NETWORK 0 bssid", *NET),
    c("dup_network", "DUP_NETWORK 0 1 ssid", *NET, "ADD_NETWORK"),
    c("list_creds", "LIST_CREDS"),
    c("add_cred", "ADD_CRED"),
    c("remove_cred", "REMOVE_CRED all"),
    c("set_cred", 'SET_CRED 0 realm "example.com"', "ADD_CRED"),
    c("get_cred", "GET_CRED 0 realm", "ADD_CRED", 'SET_CRED 0 realm "example.com"'),
    c("list_creds-one", "LIST_CREDS", "ADD_CRED", 'SET_CRED 0 realm "example.com"', 'SET_CRED 0 domain "ex.org"'),
    c("set_cred-no-cred", 'SET_CRED 7 realm "x"'),
    c("set_cred-unknown", "SET_CRED 0 nonexistent 1", "ADD_CRED"),
    c("set_cred-hex", "GET_CRED 0 username", "ADD_CRED", "SET_CRED 0 username 75736572"),
    c("set_cred-unquoted", "SET_CRED 0 realm example.com", "ADD_CRED"),
    c("get_cred-password", "GET_CRED 0 password", "ADD_CRED", 'SET_CRED 0 password "secret"'),
    c("get_cred-unset", "GET_CRED 0 imsi", "ADD_CRED"),
    c("remove_cred-one", "REMOVE_CRED 0", "ADD_CRED"),
    c("remove_cred-none", "REMOVE_CRED 7"),
    c("remove_cred-sp_fqdn", "LIST_CREDS", "ADD_CRED", 'SET_CRED 0 domain "ex.org"', "ADD_CRED",
      "REMOVE_CRED sp_fqdn=ex.org"),
    c("save_config", "SAVE_CONFIG", fresh=True),
    c("disconnect", "DISCONNECT", fresh=True),
    c("reconnect", "RECONNECT", fresh=True),
    c("scan", "SCAN", fresh=True),
    # SCAN's arguments, as wpas_ctrl_scan reads them (on a radio: tests/vm/guest/test_hwsim_events_diff.py)
    c("scan-use_id", "SCAN use_id=1", "SCAN use_id=1", fresh=True),  # the second scan id
    c("scan-options", "SCAN TYPE=ONLY ssid 6162 passive=1 only_new=1 bssid=02:00:00:00:01:00 scan_id=0,1",
      fresh=True),
    c("scan-freq", "SCAN freq=2412"),  # a wire has no channels
    c("scan-ssid-odd", "SCAN ssid 616"),
    c("scan-ssid-long", "SCAN ssid " + "61" * 33),
    c("scan-bssid-short", "SCAN bssid=02:00:00:00:01"),
    c("scan-scan_id-17", "SCAN scan_id=" + ",".join("0" * 17)),
    c("scan_results", "SCAN_RESULTS"),
    c("abort_scan", "ABORT_SCAN"),
    c("bss", "BSS 0"),
    c("bss-range", "BSS RANGE=ALL MASK=0x2"),
    c("all_bss", "BSS FIRST MASK=0x1887"),
    *(c(f"get_capability-{what}", f"GET_CAPABILITY {what}", how="subset")
      for what in ("eap", "pairwise", "group", "group_mgmt", "key_mgmt", "proto", "auth_alg", "modes",
                   "channels", "freq", "erp", "fips", "fils", "multibss", "sae", "sae_pk", "ocv", "beacon_prot",
                   "pairwise strict", "key_mgmt iftype=STATION")),
    c("get_capability-tdls", "GET_CAPABILITY tdls", without="CONFIG_TDLS"),
    c("get_capability-acs", "GET_CAPABILITY acs", without="CONFIG_ACS"),
    c("get_capability-dpp", "GET_CAPABILITY dpp", without="CONFIG_DPP"),
    c("get_capability-unknown", "GET_CAPABILITY nonexistent"),
    c("reconfigure", "RECONFIGURE", fresh=True),
    c("terminate", "TERMINATE", fresh=True),
    c("ap_scan-0", "AP_SCAN 0", fresh=True),
    c("ap_scan-1", "AP_SCAN 1", fresh=True),
    c("scan_interval", "SCAN_INTERVAL 5", fresh=True),
    c("bss_expire_age", "BSS_EXPIRE_AGE 180", fresh=True),
    c("bss_expire_count", "BSS_EXPIRE_COUNT 2", fresh=True),
    # BSS_EXPIRE_* set the globals SET, GET and DUMP know
    c("bss_expire_age-get", "GET bss_expiration_age", "BSS_EXPIRE_AGE 20", fresh=True),
    c("bss_expire_count-get", "GET bss_expiration_scan_count", "BSS_EXPIRE_COUNT 5", fresh=True),
    c("bss_expire_age-refused-get", "GET bss_expiration_age", "BSS_EXPIRE_AGE 9", fresh=True),
    c("bss_flush", "BSS_FLUSH 0"),
    c("ft_ds", f"FT_DS {AP_MAC}", without="CONFIG_IEEE80211R"),
    c("wps_pbc", "WPS_PBC", fresh=True),
    c("wps_pbc-pae", f"WPS_PBC {PAE_GROUP}", fresh=True),
    c("wps_pbc-pae-tail", f"WPS_PBC {PAE_GROUP}x", fresh=True),  # hwaddr_aton reads 17 characters
    c("wps_pbc-short-bssid", f"WPS_PBC {PAE_GROUP[:-1]}", fresh=True),
    c("wps_pin", "WPS_PIN any 12345670", fresh=True),
    c("wps_pin-generate", "WPS_PIN any", how="pin", fresh=True),
    c("wps_pin-get", "WPS_PIN get", how="pin"),
    c("wps_pin-bad-checksum", "WPS_PIN any 12345678", fresh=True),
    c("wps_pin-4-digits", "WPS_PIN any 1234", fresh=True),
    c("wps_pin-pae", f"WPS_PIN {PAE_GROUP} 12345670", fresh=True),
    c("wps_pin-pae-tail", f"WPS_PIN {PAE_GROUP}x 12345670", fresh=True),
    c("wps_pin-no-args", "WPS_PIN"),
    c("wps_check_pin", "WPS_CHECK_PIN 12345670"),
    c("wps_check_pin-bad-checksum", "WPS_CHECK_PIN 12345678"),
    c("wps_check_pin-separators", "WPS_CHECK_PIN 1-2.3:4 5670"),
    c("wps_check_pin-4-digits", "WPS_CHECK_PIN 1234"),
    c("wps_check_pin-letters", "WPS_CHECK_PIN abcdefgh"),
    c("wps_cancel-idle", "WPS_CANCEL"),
    c("wps_cancel-active", "WPS_CANCEL", "WPS_PIN any 12345670", fresh=True),
    c("wps_nfc", "WPS_NFC", without="CONFIG_WPS_NFC"),
    c("wps_nfc_config_token", "WPS_NFC_CONFIG_TOKEN NDEF", without="CONFIG_WPS_NFC"),
    c("wps_nfc_token", "WPS_NFC_TOKEN NDEF", how="class", without="CONFIG_WPS_NFC"),
    c("wps_nfc_tag_read", "WPS_NFC_TAG_READ 00", without="CONFIG_WPS_NFC"),
    c("nfc_get_handover_req", "NFC_GET_HANDOVER_REQ NDEF WPS-CR", how="class", without="CONFIG_WPS_NFC"),
    c("nfc_get_handover_sel", "NFC_GET_HANDOVER_SEL NDEF WPS-CR", without="CONFIG_WPS_NFC"),
    c("nfc_report_handover", "NFC_REPORT_HANDOVER INIT WPS 00 00", without="CONFIG_WPS_NFC"),
    c("wps_reg", f"WPS_REG {PAE_GROUP} 12345670", fresh=True),
    c("wps_reg-bssid-only", f"WPS_REG {AP_MAC}"),
    c("wps_reg-configure", f"WPS_REG {PAE_GROUP} 12345670 {b'new-ssid'.hex()} WPA2PSK CCMP "
                           f"{b'newpassphrase'.hex()}", fresh=True),
    c("wps_reg-empty-key", f"WPS_REG 02:34:56:78:9a:bc 12345670 {b'open'.hex()} OPEN NONE ", fresh=True),
    c("wps_reg-wep", f"WPS_REG {PAE_GROUP} 12345670 {b'wep'.hex()} OPEN WEP {b'12345'.hex()}", fresh=True),
    c("wps_ap_pin", "WPS_AP_PIN get", without="CONFIG_AP"),
    c("wps_er_start", "WPS_ER_START", fresh=True, without="CONFIG_WPS_ER"),
    c("wps_er_stop", "WPS_ER_STOP", without="CONFIG_WPS_ER"),
    c("wps_er_pin", "WPS_ER_PIN any 12345670", without="CONFIG_WPS_ER"),
    c("wps_er_pbc", f"WPS_ER_PBC {AP_MAC}", without="CONFIG_WPS_ER"),
    c("wps_er_learn", f"WPS_ER_LEARN {AP_UUID} 12345670", without="CONFIG_WPS_ER"),
    c("wps_er_set_config", f"WPS_ER_SET_CONFIG {AP_UUID} 0", without="CONFIG_WPS_ER"),
    c("wps_er_config", f"WPS_ER_CONFIG {AP_UUID} 12345670 {b'new'.hex()} WPA2PSK CCMP {b'newpassphrase'.hex()}",
      without="CONFIG_WPS_ER"),
    c("wps_er_nfc_config_token", f"WPS_ER_NFC_CONFIG_TOKEN NDEF {AP_UUID}", without="CONFIG_WPS_ER"),
    c("signal_poll", "SIGNAL_POLL"),
    c("pktcnt_poll", "PKTCNT_POLL"),
    c("reauthenticate", "REAUTHENTICATE", fresh=True),
    c("flush", "FLUSH", fresh=True),
    c("identity", "CTRL-RSP-IDENTITY-0:user", *NET, without="IEEE8021X_EAPOL (CTRL-RSP)"),
    c("password", "CTRL-RSP-PASSWORD-0:secret", *NET, without="IEEE8021X_EAPOL (CTRL-RSP)"),
    c("new_password", "CTRL-RSP-NEW_PASSWORD-0:secret", *NET, without="IEEE8021X_EAPOL (CTRL-RSP)"),
    c("pin", "CTRL-RSP-PIN-0:1234", *NET, without="IEEE8021X_EAPOL (CTRL-RSP)"),
    c("otp", "CTRL-RSP-OTP-0:123456", *NET, without="IEEE8021X_EAPOL (CTRL-RSP)"),
    c("sim", "CTRL-RSP-SIM-0:GSM-AUTH:00", *NET, without="IEEE8021X_EAPOL (CTRL-RSP)"),
    c("psk_passphrase", "CTRL-RSP-PSK_PASSPHRASE-0:12345678", *NET, without="IEEE8021X_EAPOL (CTRL-RSP)"),
    c("passphrase", "CTRL-RSP-PASSPHRASE-0:secret", *NET, without="IEEE8021X_EAPOL (CTRL-RSP)"),
    c("ibss_rsn", f"IBSS_RSN {AP_MAC}", without="CONFIG_IBSS_RSN"),
    c("roam", f"ROAM {AP_MAC}"),
    c("autoscan", "AUTOSCAN ", fresh=True),
    c("autoscan-then-get", "GET autoscan", "AUTOSCAN exponential:3:300", fresh=True),
    c("autoscan-unknown-module", "GET autoscan", "AUTOSCAN nosuch:1", fresh=True),
    c("autoscan-cleared", "GET autoscan", "AUTOSCAN periodic:10", "AUTOSCAN ", fresh=True),
    c("autoscan-in-dump", "DUMP", "AUTOSCAN periodic:30", fresh=True),
    c("set-autoscan", "GET autoscan", "SET autoscan exp:2:8", fresh=True),
    c("signal_monitor", "SIGNAL_MONITOR"),
    c("signal_monitor-threshold", "SIGNAL_MONITOR THRESHOLD=-70 HYSTERESIS=4"),
    c("set-bgscan", "GET bgscan", 'SET bgscan "simple:30:-70:3600"', fresh=True),
    c("set-bgscan-unquoted", "GET bgscan", "SET bgscan simple:30:-70:3600", fresh=True),
    c("bgscan-in-dump", "DUMP", 'SET bgscan "simple:30:-70:3600"', fresh=True),
    c("bgscan-unset", "GET bgscan", fresh=True),
    c("set_network-bgscan", "GET_NETWORK 0 bgscan", *NET, 'SET_NETWORK 0 bgscan "simple:30:-70:3600"'),
    c("mac_rand_scan", "MAC_RAND_SCAN all enable=0", fresh=True),
    c("erp_flush", "ERP_FLUSH"),
    c("sta_autoconnect", "STA_AUTOCONNECT 1", fresh=True),
    c("suspend", "SUSPEND", fresh=True),
    c("resume", "RESUME", fresh=True),
    c("driver", "DRIVER test"),
    c("radio_work", "RADIO_WORK show"),
    c("get_pref_freq_list", "GET_PREF_FREQ_LIST STATION"),
    c("neighbor_rep_request", "NEIGHBOR_REP_REQUEST"),
    c("wnm_bss_query", "WNM_BSS_QUERY 0", without="CONFIG_WNM"),
    c("sta-first", "STA-FIRST"),
    c("attach-twice", "ATTACH", "ATTACH"),
]
assert len({case.id for case in CASES}) == len(CASES)

# What pywps answers differently today (observed; each reason says what differs). A fix flips the mark.
DIFFERS: dict[str, str] = {
}


# -- running the survey ------------------------------------------------------------------------------------


def survey(kind: str, cases: list[Case]) -> dict[str, bytes | None]:
    """Each case's reply from one kind of daemon: the shared cases in order on one daemon (all networks and
    credentials removed after each), each fresh case on its own."""
    replies: dict[str, bytes | None] = {}
    conf = conf_text()
    with WiredLab() as lab:
        shared = None
        for case in cases:
            if case.fresh:
                sta = Station(lab, kind, conf).wait_ready()
            else:
                shared = shared or Station(lab, kind, conf).wait_ready()
                sta = shared
            for command in case.setup:
                sta.request(command)
            replies[case.id] = sta.normalize(sta.request(case.command, timeout=3.0))
            if case.fresh:
                sta.stop()
            else:
                for command in ("REMOVE_NETWORK all", "REMOVE_CRED all", "DETACH"):
                    sta.request(command, timeout=1.0)
    return replies


def survey_both(cases: list[Case]) -> dict[str, dict[str, bytes | None]]:
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {kind: pool.submit(survey, kind, cases) for kind in KINDS}
        return {kind: f.result() for kind, f in futures.items()}


def differences(case: Case, wpas: bytes | None, pywps: bytes | None) -> list[str]:
    """What makes pywps's reply not wpa_supplicant's, under the case's comparison; empty when they agree."""
    out: list[str] = []
    if case.without and pywps == ABSENT[case.without]:
        return []  # answered as a wpa_supplicant without the feature
    if reply_class(wpas) != reply_class(pywps):
        return [f"reply class {reply_class(pywps)} instead of {reply_class(wpas)}"]
    if case.how == "exact" and wpas != pywps:
        out.append("text differs")
    elif case.how == "keys" and reply_keys(wpas) != reply_keys(pywps):
        out.append(f"keys {reply_keys(pywps)} instead of {reply_keys(wpas)}")
    elif case.how == "status":
        mine = [k for k in reply_keys(pywps) if k not in EXTRA_STATUS_KEYS]
        if mine != reply_keys(wpas):
            out.append(f"keys {mine} (without the allowed extras) instead of {reply_keys(wpas)}")
        a, b = reply_dict(wpas), reply_dict(pywps)
        out += [f"{k}={b[k]} instead of {a[k]}" for k in a.keys() & b.keys() if a[k] != b[k]]
    elif case.how == "subset":
        a, b = (r.decode(errors="replace") if r else "" for r in (wpas, pywps))
        if a.endswith("\n") != b.endswith("\n"):
            out.append("layout differs (trailing newline)")
        if extra := set(b.split()) - set(a.split()):
            out.append(f"names {sorted(extra)} that wpa_supplicant does not")
    elif case.how == "pin":
        if not (pywps and re.fullmatch(rb"\d{8}", pywps)):
            out.append("not an 8-digit PIN")
    return out


@pytest.fixture(scope="module")
def results(request) -> dict[str, dict[str, bytes | None]]:
    selected = {item.callspec.params["case"].id for item in request.session.items
                if item.module.__name__ == __name__ and hasattr(item, "callspec")}
    return survey_both([case for case in CASES if case.id in selected])


def params():
    for case in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=DIFFERS[case.id])] if case.id in DIFFERS else []
        yield pytest.param(case, id=case.id, marks=marks)


@requires_diff
@pytest.mark.parametrize("case", list(params()))
def test_reply_is_wpa_supplicants(case: Case, results):
    wpas, pywps = results[WPAS][case.id], results[PYWPS][case.id]
    assert wpas is not None, f"wpa_supplicant did not answer {case.command!r}"
    assert not differences(case, wpas, pywps), (
        f"{case.command!r}: wpa_supplicant {describe(wpas)}, pywps {describe(pywps)}: "
        + "; ".join(differences(case, wpas, pywps)))


# -- the table -----------------------------------------------------------------------------------------------


def _cell(reply: bytes | None, limit: int = 70) -> str:
    text = describe(reply)
    text = text if len(text) <= limit else text[:limit] + "…"
    return "`" + text.replace("|", "\\|").replace("`", "'") + "`"


def _agreement(case: Case, wpas: bytes | None, pywps: bytes | None) -> str:
    if case.without and pywps == ABSENT[case.without] and wpas != pywps:
        return f"as wpa_supplicant without {case.without}"
    return "same" if wpas == pywps else f"same {case.how}"


def write_table(path: Path) -> None:
    started = time.monotonic()
    res = survey_both(CASES)
    rows = []
    same = 0
    for case in CASES:
        wpas, pywps = res[WPAS][case.id], res[PYWPS][case.id]
        diff = differences(case, wpas, pywps)
        same += not diff
        rows.append(f"| {case.id} | `{case.command[:60]}` | {reply_class(wpas)} {_cell(wpas)} | "
                    f"{reply_class(pywps)} {_cell(pywps)} | {'; '.join(diff) or _agreement(case, wpas, pywps)} |")
    head = (f"# Command survey: Debian wpa_supplicant 2.10 -Dwired vs pywps -D wired\n\n"
            f"Generated by `python tests/test_diff_survey.py` ({len(CASES)} requests, {same} answered alike "
            f"under the case's comparison, {time.monotonic() - started:.0f} s). The comparison per case is in "
            f"tests/test_diff_survey.py.\n\n"
            "| case | request | wpa_supplicant | pywps | difference |\n|---|---|---|---|---|\n")
    full = ["", "## wpa_supplicant's whole reply where the table cuts it", ""]
    for case in CASES:
        wpas = res[WPAS][case.id]
        if wpas is not None and len(describe(wpas)) > 70 and case.how not in ("class", "pin"):
            text = wpas.decode(errors="replace").rstrip("\n")
            full += [f"### {case.id}: `{case.command}`", "", "```", text, "```", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(head + "\n".join(rows) + "\n" + "\n".join(full))


if __name__ == "__main__":
    write_table(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "data" / "diff" / "SURVEY.md")
