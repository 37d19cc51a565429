"""Credentials stored as Debian wpa_supplicant 2.10 stores them (issue 15).

For each credential type, Debian hostapd (driver=wired, its internal registrar, `skip_cred_build=1` plus
`extra_cred=` so the M8 carries exactly the credentials we choose) enrolls Debian wpa_supplicant -Dwired
(`update_config=1`, `wps_cred_processing=2`) by PIN; the WPS-CRED-RECEIVED hexdumps give the exact credential
bytes, which pywps's Config.store_credentials then stores into the same starting file. The network blocks, the
ids and the removed duplicates must be the same.

Normalized, each for a stated reason:
- `mesh_fwding=1` and `pbss=2` lines: wpa_supplicant writes its mesh default and the WPS network's "PBSS or
  not" setting into every stored block; pywps has neither feature and absent means the same to wpa_supplicant.
- `disabled=1` on the networks that were there before: wpa_supplicant disables every other network while WPS
  runs and saves the file before it re-enables them (10 s after WPS-SUCCESS), so its saved file keeps them
  disabled. pywps never disables them: a credential must not switch off the user's other networks.
Observed facts the test records: a WEP credential is refused (`WPS-FAIL msg=12 config_error=0 reason=2 (WEP
Prohibited)`, nothing stored); an open credential is stored enabled (Debian's build lacks
CONFIG_WPS_REG_DISABLE_OPEN, so no `WPS-OPEN-NETWORK` event); two credentials of one SSID and key in one M8
become one network (the later id, the earlier is removed: CTRL-EVENT-NETWORK-ADDED 1 then -REMOVED 0).
"""

from __future__ import annotations

import pytest
from difflab_config import WpaSupplicant
from netlab import STA_MAC, Monitor, WiredLab, lab_skip_reason

from pywps import config as cfg
from pywps.netevents import NetworkRemoved
from pywps.wps.credential import Credential, parse_credentials
from pywps.wps.defs import AuthType as A
from pywps.wps.defs import EncrType as E

pytestmark = pytest.mark.skipif(lab_skip_reason() is not None, reason=str(lab_skip_reason()))

MAC = bytes.fromhex(STA_MAC.replace(":", ""))
HEX_PSK = b"0E4B0456c266fe0d39ad1554a1f4bf712437acfdb7f399e54f1f1b020ad448b5"
EXISTING_SAME = 'network={\n\tssid="other"\n\tkey_mgmt=NONE\n}\n\nnetwork={\n\tssid="credtest"\n\tpsk="12345678"\n' \
                '\tproto=RSN\n\tkey_mgmt=WPA-PSK\n\tpairwise=CCMP\n\tauth_alg=OPEN\n\tpriority=3\n}\n'
EXISTING_OTHER_KEY = 'network={\n\tssid="credtest"\n\tpsk="differentpw"\n}\n'


def cred(auth, encr, key=b"12345678", ssid=b"credtest", index=1, **kw) -> Credential:
    return Credential(ssid, auth, encr, key, MAC, network_index=index, **kw)


CASES = {
    "wpa2_aes": ([cred(A.WPA2PSK, E.AES)], ""),
    "wpa_tkip": ([cred(A.WPAPSK, E.TKIP)], ""),
    "mixed": ([cred(A.WPAPSK | A.WPA2PSK, E.TKIP | E.AES)], ""),
    "wpa2_tkip_aes": ([cred(A.WPA2PSK, E.TKIP | E.AES)], ""),
    "wpa2_tkip": ([cred(A.WPA2PSK, E.TKIP)], ""),
    "wpa_aes": ([cred(A.WPAPSK, E.AES)], ""),
    "open": ([cred(A.OPEN, E.NONE, b"")], ""),
    "hex_psk": ([cred(A.WPA2PSK, E.AES, HEX_PSK)], ""),
    "quotes": ([cred(A.WPA2PSK, E.AES, b'pa"ss\\word', ssid=b'q"uo\\te')], ""),
    "two_of_one_ssid": ([cred(A.WPA2PSK, E.AES), cred(A.WPAPSK, E.TKIP, index=2)], ""),
    "two_ssids": ([cred(A.WPA2PSK, E.AES), cred(A.WPA2PSK, E.AES, b"abcdefgh", ssid=b"other", index=2)], ""),
    "replaces_same": ([cred(A.WPA2PSK, E.AES)], EXISTING_SAME),
    "keeps_other_proto": ([cred(A.WPAPSK, E.TKIP)], EXISTING_SAME),
    "keeps_other_security": ([cred(A.WPA2PSK, E.AES)], EXISTING_OTHER_KEY),
    "wps_priority": ([cred(A.WPA2PSK, E.AES)], "wps_priority=4\n"),
}


def blocks(text: str, drop_disabled: bool) -> list[list[str]]:
    out, block = [], None
    for line in text.splitlines():
        if line == "network={":
            block = []
        elif line == "}" and block is not None:
            out.append(block)
            block = None
        elif block is not None and line not in ("\tmesh_fwding=1", "\tpbss=2") and not (
                drop_disabled and line == "\tdisabled=1"):
            block.append(line)
    return out


def enroll_wpa_supplicant(creds: list[Credential], preconf: str) -> tuple[list[str], str, str]:
    """Events, the saved file and LIST_NETWORKS of wpa_supplicant after one PIN registration."""
    with WiredLab() as lab:
        extra = lab.dir / "extra_cred"
        extra.write_bytes(b"".join(c.to_credential_attr() for c in creds))
        hostapd = lab.hostapd(skip_cred_build="1", extra_cred=str(extra))
        conf = "ctrl_interface=@CTRL@\nupdate_config=1\nwps_cred_processing=2\n" + preconf
        with WpaSupplicant(conf, ns=lab.ns_sta) as wpa:
            mon = Monitor(wpa.socket_path)
            try:
                assert hostapd.cli("wps_pin", "any", "12345670").strip() == "OK"
                assert wpa.request("WPS_PIN any 12345670") == "12345670"
                mon.wait(r"^WPS-(SUCCESS|FAIL)", 20)
                listing = wpa.request("LIST_NETWORKS")
                return list(mon.events), wpa.conf_text(), listing
            finally:
                mon.close()


@pytest.mark.parametrize("name", sorted(CASES))
def test_credential_is_stored_as_wpa_supplicant_stores_it(name):
    creds, preconf = CASES[name]
    events, saved, listing = enroll_wpa_supplicant(creds, preconf)
    assert any(e.startswith("WPS-SUCCESS") for e in events), events
    received = [bytes.fromhex(e.split(" ", 1)[1]) for e in events if e.startswith("WPS-CRED-RECEIVED ")]
    assert received == [c.to_credential_attr() for c in creds]  # the exact bytes, as the registrar sent them
    parsed = [c for raw in received for c in parse_credentials(raw)]

    ours = cfg.parse("update_config=1\nwps_cred_processing=2\n" + preconf)
    stored = ours.store_credentials(parsed)
    assert blocks(ours.serialize(), False) == blocks(saved, drop_disabled=bool(preconf))
    their_ids = [int(row.split("\t")[0]) for row in listing.splitlines()[1:]]
    assert [n.id for n in ours.networks] == their_ids
    their_removed = [int(e.split()[1]) for e in events if e.startswith("CTRL-EVENT-NETWORK-REMOVED")]
    assert [e.id for e in stored.events if isinstance(e, NetworkRemoved)] == their_removed


def test_wep_credential_is_refused_like_wpa_supplicant():
    wep = cred(A.OPEN, E.WEP, b"0102030405", key_index=1)
    events, saved, listing = enroll_wpa_supplicant([wep], "")
    assert "WPS-FAIL msg=12 config_error=0 reason=2 (WEP Prohibited)" in events
    # Nothing saved; LIST_NETWORKS still shows wpa_supplicant's temporary WPS network (key_mgmt=WPS, id 0,
    # never written to the file) until it clears it 100 ms after the failure.
    assert "network={" not in saved and [row.split("\t")[0] for row in listing.splitlines()[1:]] == ["0"]
    ours = cfg.parse("update_config=1\n")
    with pytest.raises(cfg.WepProhibited):
        ours.store_credentials([wep])
    assert ours.networks == []
