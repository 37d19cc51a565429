"""Bytes that are not UTF-8 in control requests, through the socket, side by side: Debian wpa_supplicant 2.10
-Dwired and pywps -D wired get the same datagrams; every reply must be wpa_supplicant's byte for byte, and the
values SAVE_CONFIG writes the same bytes.

wpa_supplicant reads a request as C bytes: `SET_NETWORK 0 ssid "a\\xffb"` stores the three bytes, GET_NETWORK
answers them in hex, GET_CRED / GET / LIST_CREDS answer them raw, and the file holds them raw or in hex as for any
value. pywps's server decodes a request with surrogateescape and encodes the reply back the same way, so those
bytes travel unchanged (ctrl/server.py); the config layer already keeps values as such bytes.
"""

from __future__ import annotations

from difflab import PYWPS, WPAS, Station, conf_text, requires_diff
from netlab import WiredLab

REQUESTS: list[bytes] = [
    b"ADD_NETWORK", b'SET_NETWORK 0 ssid "a\xffb"', b"GET_NETWORK 0 ssid", b"LIST_NETWORKS",
    b'SET_NETWORK 0 ssid "\xc3\xa9t\xe9"', b"GET_NETWORK 0 ssid", b"LIST_NETWORKS",
    b'SET_NETWORK 0 psk "pass\xffword"', b"GET_NETWORK 0 psk", b'SET_NETWORK 0 id_str "x\xfey"',
    b"GET_NETWORK 0 id_str", b"GET_NETWORK 0 ssid\xff", b"SET_NETWORK 0 ssid \xff", b"SET_NETWORK 0 ssid\xff \"x\"",
    b"ADD_CRED", b'SET_CRED 0 realm "r\xffx"', b"GET_CRED 0 realm", b"LIST_CREDS", b'SET_CRED 0 domain "d\xfe"',
    b"GET_CRED 0 domain", b"ADD_CRED", b'SET_CRED 1 domain "e\xfe"', b"REMOVE_CRED sp_fqdn=e\xfe", b"LIST_CREDS",
    b'SET_CRED 0 username "u\xff"', b"GET_CRED 0 username",
    b"SET device_name dev\xffname", b"GET device_name", b"NOTE n\xffote", b"WPS_CHECK_PIN 1234\xff5670",
    b"PING\xff", b"DUMP\xff", b"LOG_LEVEL \xff", b"\xff", b"SAVE_CONFIG",
]


def _values(conf: bytes) -> list[bytes]:
    """The saved file's value lines (globals, cred and network blocks), without the control directory and
    without wpa_supplicant's mesh default (pywps has no mesh: tests/test_diff_config.py). A string value is
    taken as its bytes, quoted or hex alike: wpa_supplicant writes a cred string that is not UTF-8 quoted with
    its raw bytes, pywps in hex, which wpa_supplicant reads as the same string (tests/test_diff_creds.py)."""
    keep = []
    for line in conf.splitlines():
        if line.startswith(b"ctrl_interface=") or line.strip() in (b"", b"mesh_fwding=1"):
            continue
        key, eq, value = line.partition(b"=")
        if eq and len(value) >= 2 and value[:1] == value[-1:] == b'"':
            value = value[1:-1]
        elif eq and value and len(value) % 2 == 0 and all(c in b"0123456789abcdef" for c in value):
            value = bytes.fromhex(value.decode())
        keep.append(key + eq + value)
    return keep


@requires_diff
def test_raw_bytes_answer_and_save_as_wpa_supplicant():
    replies: dict[str, list[bytes | None]] = {}
    saved: dict[str, bytes] = {}
    logs: dict[str, str] = {}
    with WiredLab() as lab:
        for kind in (WPAS, PYWPS):
            sta = Station(lab, kind, conf_text()).wait_ready()
            replies[kind] = [sta.normalize(sta.client.request(r, timeout=3.0)) for r in REQUESTS]
            saved[kind] = sta.conf.read_bytes()
            logs[kind] = sta.log_text()
            sta.stop()
    differing = [(r, a, b) for r, a, b in zip(REQUESTS, replies[WPAS], replies[PYWPS]) if a != b]
    assert not differing
    assert replies[WPAS][2] == b"61ff62" and replies[WPAS][16] == b"r\xffx"  # the bytes came back, not U+FFFD
    # the same values, byte for byte, in the same order (a global set at run time before the cred blocks)
    assert _values(saved[PYWPS]) == _values(saved[WPAS])
    assert "NOTE: n\\udcffote" in logs[PYWPS]  # logged, escaped (a strict log file would drop the line)
