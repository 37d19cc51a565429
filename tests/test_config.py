"""The configuration file: byte-exact round trips, errors with line numbers, atomic save, safe credential storage,
and acceptance of what we write by Debian's wpa_supplicant."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pywps import config as cfg
from pywps.netevents import NetworkAdded, NetworkRemoved
from pywps.wps.credential import Credential
from pywps.wps.defs import AuthType, ConfigMethods, EncrType

REALISTIC = """# pywps test configuration
ctrl_interface=DIR=/run/pywps GROUP=netdev
update_config=1
uuid=12345678-9abc-def0-1234-56789abcdef1
device_name=Living room speaker
device_type=1-0050F204-1
os_version=01020300
config_methods=display push_button keypad
wps_cred_processing=2
p2p_disabled=1   # unknown to pywps: kept as written

network={
\tssid="home"
\tpsk="correct horse"
\tkey_mgmt=WPA-PSK
\tpriority=5
\t# a comment inside a block
\tmesh_fwding=1
}
"""


def test_round_trip_is_byte_identical():
    assert cfg.parse(REALISTIC).serialize() == REALISTIC
    no_final_newline = REALISTIC.rstrip("\n")
    assert cfg.parse(no_final_newline).serialize() == no_final_newline


def test_typed_values():
    c = cfg.parse(REALISTIC)
    assert (c.ctrl_dir, c.ctrl_group, c.update_config, c.wps_cred_processing) == ("/run/pywps", "netdev", True, 2)
    assert c.uuid == bytes.fromhex("123456789abcdef0123456789abcdef1")
    d = c.device
    assert d.device_name == b"Living room speaker"
    assert d.device_type == bytes.fromhex("00010050f2040001") and d.os_version == 0x01020300
    assert d.config_methods == ConfigMethods.DISPLAY | ConfigMethods.PUSHBUTTON | ConfigMethods.KEYPAD
    assert [n.ssid for n in c.networks] == [b"home"]
    assert cfg.parse("ctrl_interface=/var/run/x\n").ctrl_dir == "/var/run/x"


def test_uuid_from_mac_is_hostaps_name_based_uuid():
    mac = bytes.fromhex("020000000200")
    digest = bytearray(hashlib.sha1(bytes.fromhex("526480f8c99b4be5a65558ed5f5d6084") + mac).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    assert cfg.uuid_from_mac(mac) == bytes(digest)


@pytest.mark.parametrize("text,line,words", [
    ("update_config=1\nnetwork={\n\tssid=\"x\"\n", 3, "not closed"),
    ("update_config=1\n  what is this\n", 2, "cannot read"),
    ("network={\n\tssid=\"" + "x" * 33 + "\"\n}\n", 2, "SSID of 33"),
    ("network={\n\tssid=\"x\"\n\tpsk=\"short\"\n}\n", 3, "passphrase of 5"),
    ("network={\n\tssid=\"x\"\n\tpsk=abcd\n}\n", 3, "64 hex"),
    ("network={\n\tssid=\"x\n}\n", 2, "unterminated"),
    ("network={\n\tpriority=high\n}\n", 2, "priority"),
    ("wps_cred_processing=7\n", 1, "wps_cred_processing"),
    ("uuid=not-a-uuid\n", 1, "UUID"),
    ("os_version=1020300\n", 1, "os_version"),  # wpa_supplicant wants exactly 8 hex digits
    ("network={\n\tssid=\"x\"\n\tpsk=\"tab\there\"\n}\n", 3, "control"),
])
def test_errors_name_the_line(text, line, words):
    with pytest.raises(cfg.ConfigFileError) as err:
        cfg.parse(text, "test.conf")
    assert err.value.line == line and words in str(err.value) and str(err.value).startswith(f"test.conf:{line}:")


def test_a_parse_error_never_quotes_a_secret():
    with pytest.raises(cfg.ConfigFileError) as err:
        cfg.parse('network={\n\tssid="x"\n\tpsk="my secret"x\n}\n\npsk "my secret"\n')
    assert "my secret" not in str(err.value)


def test_unknown_config_methods_are_kept_and_skipped_like_wpa_supplicant():
    c = cfg.parse("config_methods=display telepathy\n")  # Debian wpa_supplicant loads this file too
    assert c.device.config_methods == ConfigMethods.DISPLAY


def test_load_errors_are_config_errors(tmp_path):
    with pytest.raises(cfg.ConfigFileError):
        cfg.load(str(tmp_path / "missing.conf"))
    binary = tmp_path / "binary.conf"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(cfg.ConfigFileError):
        cfg.load(str(binary))


def test_atomic_save_keeps_mode_and_never_leaves_a_partial_file(tmp_path, monkeypatch):
    path = tmp_path / "pywps.conf"
    path.write_text(REALISTIC)
    os.chmod(path, 0o640)
    c = cfg.load(str(path))
    c.set("device_name", "new name")
    c.save()
    assert (path.stat().st_mode & 0o777) == 0o640
    assert "device_name=new name" in path.read_text() and "p2p_disabled=1" in path.read_text()

    c.set("device_name", "third")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        c.save()
    assert "device_name=new name" in path.read_text()
    assert sorted(os.listdir(tmp_path)) == ["pywps.conf"]  # no temp file left behind


def test_set_validates_wps_keys():
    c = cfg.parse("")
    for key, value in (("wps_cred_processing", "3"), ("uuid", "zz"), ("device_name", "x" * 33),
                       ("device_name", "a\nnetwork={"), ("os_version", "xyz")):
        with pytest.raises(ValueError):
            c.set(key, value)
    with pytest.raises(KeyError):
        c.set("nonexistent_key", "1")  # wpa_supplicant answers FAIL and would refuse the saved file
    c.set("device_name", "ok")
    c.set("manufacturer", "pywps")
    assert c.get("device_name") == "ok"
    assert c.serialize() == "device_name=ok\nmanufacturer=pywps\n"


@pytest.mark.parametrize("cred,expected", [
    (Credential(b"home", AuthType.WPA2PSK, EncrType.AES, b"12345678"),
     {"ssid": '"home"', "psk": '"12345678"', "proto": "RSN", "key_mgmt": "WPA-PSK", "pairwise": "CCMP", "auth_alg": "OPEN"}),
    (Credential(b"home", AuthType.WPA2PSK, EncrType.AES, b"0E4B0456c266fe0d39ad1554a1f4bf712437acfdb7f399e54f1f1b020ad448b5"),
     {"psk": "0e4b0456c266fe0d39ad1554a1f4bf712437acfdb7f399e54f1f1b020ad448b5"}),
    (Credential(b"old", AuthType.WPAPSK, EncrType.TKIP, b"abcdefgh"),
     {"ssid": '"old"', "psk": '"abcdefgh"', "key_mgmt": "WPA-PSK", "auth_alg": "OPEN"}),
    (Credential(b"mixed", AuthType.WPAPSK | AuthType.WPA2PSK, EncrType.TKIP | EncrType.AES, b"abcdefgh"),
     {"ssid": '"mixed"', "psk": '"abcdefgh"', "proto": "RSN", "key_mgmt": "WPA-PSK", "auth_alg": "OPEN"}),
    (Credential(b"cafe", AuthType.OPEN, EncrType.NONE, b""), {"ssid": '"cafe"', "key_mgmt": "NONE", "auth_alg": "OPEN"}),
])
def test_network_from_credential(cred, expected):
    fields = cfg.network_from_credential(cred).fields
    if len(expected) == 1:
        assert fields["psk"] == expected["psk"]
    else:
        assert fields == expected


def test_wep_credentials_are_prohibited():
    with pytest.raises(cfg.WepProhibited):
        cfg.network_from_credential(Credential(b"wep", AuthType.OPEN, EncrType.WEP, b"0102030405", key_index=1))


@pytest.mark.parametrize("ssid", [b"evil\nnetwork={\n\tssid=\"pwned\"\n}", b"nul\x00byte", b"\xff\xfe non-utf8", b"tab\there"])
def test_hostile_ssid_is_stored_once_as_hex(ssid, tmp_path):
    path = tmp_path / "pywps.conf"
    path.write_text("update_config=1\n")
    c = cfg.load(str(path))
    c.add_credential(Credential(ssid, AuthType.WPA2PSK, EncrType.AES, b"12345678"))
    c.save()
    text = path.read_text()
    assert f"ssid={ssid.hex()}\n" in text
    again = cfg.load(str(path))
    assert [n.ssid for n in again.networks] == [ssid]
    assert text.count("network={") == 1


@pytest.mark.parametrize("key", [b"1234567", b"k" * 65, b"g" * 64, b"pass\nword", b"pass\x00word"])
def test_unsafe_keys_are_refused(key):
    with pytest.raises(cfg.CredentialRejected):
        cfg.network_from_credential(Credential(b"net", AuthType.WPA2PSK, EncrType.AES, key))
    with pytest.raises(ValueError):
        cfg.parse("").add_credential(Credential(b"net", AuthType.WPA2PSK, EncrType.AES, key))


@pytest.mark.parametrize("ssid", [b'quote"d', b"back\\slash", b'"'])
def test_quotes_and_backslashes_stay_quoted_as_wpa_supplicant_writes_them(ssid):
    # wpa_supplicant writes ssid="q"uo\te" (observed); its parser and ours read up to the last quote.
    c = cfg.parse("")
    network = c.add_credential(Credential(ssid, AuthType.WPA2PSK, EncrType.AES, b'pa"ss\\word'))
    assert network.fields["ssid"] == '"' + ssid.decode() + '"' and network.fields["psk"] == '"pa"ss\\word"'
    assert cfg.parse(c.serialize()).networks[0].ssid == ssid


def test_a_credential_replaces_the_same_network_and_gets_a_new_id():
    c = cfg.parse('network={\n\tssid="other"\n\tkey_mgmt=NONE\n}\n' + cfg.network_block_text(
        cfg.network_from_credential(Credential(b"home", AuthType.WPA2PSK, EncrType.AES, b"old passphrase"))))
    stored = c.store_credentials([Credential(b"home", AuthType.WPA2PSK, EncrType.AES, b"new passphrase")])
    # wpa_supplicant: the new network takes the next id, the older one for the same SSID and security goes
    assert [n.id for n in stored.networks] == [2] and [n.id for n in c.networks] == [0, 2]
    assert stored.events == [NetworkAdded(2), NetworkRemoved(1)]
    assert c.network(2).fields["psk"] == '"new passphrase"'
    other = c.add_credential(Credential(b"third", AuthType.WPA2PSK, EncrType.AES, b"12345678"))
    assert other.id == 3


@settings(max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(ssid=st.binary(min_size=1, max_size=32),
       key=st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=8, max_size=63))
def test_any_ssid_and_passphrase_survive_save_and_load(ssid, key):
    c = cfg.parse("update_config=1\n")
    c.add_credential(Credential(ssid, AuthType.WPA2PSK, EncrType.AES, key.encode()))
    back = cfg.parse(c.serialize())
    (network,) = back.networks
    assert network.ssid == ssid
    assert cfg.decode_string(network.fields["psk"]) == key.encode()


@settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(st.text(max_size=300) | st.lists(st.sampled_from(
    ["network={", "}", "\tssid=\"a\"", "ssid=6162", "psk=\"12345678\"", "update_config=1", "x", "=", "# c", "",
     "uuid=1", "priority=x", "network = {", "\tpsk=" + "a" * 64]), max_size=12).map("\n".join))
def test_random_text_raises_only_config_error(text):
    try:
        c = cfg.parse(text)
    except cfg.ConfigFileError:
        return
    assert c.serialize() == text or c.serialize() == text + "\n" or text.endswith("\n")


def wpa_supplicant_skip() -> str | None:
    if os.geteuid() != 0:
        return "needs root for a network namespace"
    if not shutil.which("wpa_supplicant") or not shutil.which("wpa_cli"):
        return "wpa_supplicant not installed: apt-get install wpasupplicant"
    return None


@pytest.mark.skipif(wpa_supplicant_skip() is not None, reason=str(wpa_supplicant_skip()))
def test_debian_wpa_supplicant_reads_what_we_write(tmp_path):
    ctrl = tempfile.mkdtemp(prefix="pwcfg-", dir="/tmp")
    path = tmp_path / "written.conf"
    c = cfg.parse(f"ctrl_interface={ctrl}\nap_scan=0\n")
    hostile = b"evil\nnetwork={"
    for cred in (Credential(b"home", AuthType.WPA2PSK, EncrType.AES, b"12345678"),
                 Credential(hostile, AuthType.WPA2PSK, EncrType.AES, b"0e4b0456c266fe0d39ad1554a1f4bf712437acfdb7f399e54f1f1b020ad448b5"),
                 Credential(b'q"uote', AuthType.WPAPSK, EncrType.TKIP, b'pass"phrase')):
        c.add_credential(cred)
    c.save(str(path))
    ns = f"pwcfg{os.getpid()}"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    proc = None
    try:
        subprocess.run(["ip", "-n", ns, "link", "add", "cfg0", "type", "veth", "peer", "name", "cfg1"], check=True)
        subprocess.run(["ip", "-n", ns, "link", "set", "cfg0", "up"], check=True)
        proc = subprocess.Popen(["ip", "netns", "exec", ns, "wpa_supplicant", "-Dwired", "-i", "cfg0", "-c", str(path)],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        listing = ""
        for _ in range(100):
            listing = subprocess.run(["wpa_cli", "-p", ctrl, "-i", "cfg0", "list_networks"], capture_output=True, text=True).stdout
            if "network id" in listing:
                break
            assert proc.poll() is None, proc.stdout.read()
            time.sleep(0.1)
        rows = [line.split("\t") for line in listing.splitlines()[1:]]
        assert [r[1] for r in rows] == ["home", "evil\\nnetwork={", 'q\\"uote']  # wpa_supplicant's escaping
        ssid = subprocess.run(["wpa_cli", "-p", ctrl, "-i", "cfg0", "get_network", "2", "ssid"], capture_output=True, text=True).stdout
        assert ssid.strip() == '"q"uote"'  # we wrote hex; wpa_supplicant read back exactly these bytes
    finally:
        if proc:
            proc.terminate()
            proc.wait(5)
        subprocess.run(["ip", "netns", "del", ns])
        shutil.rmtree(ctrl, ignore_errors=True)


def test_the_shipped_example_parses_and_round_trips():
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "wpa_supplicant.conf.example"
    c = cfg.load(str(path))
    assert c.ctrl_dir == "/run/pywps" and c.ctrl_group == "netdev" and c.update_config
    assert c.device.device_name == b"pywps device"
    assert c.serialize() == path.read_text()
