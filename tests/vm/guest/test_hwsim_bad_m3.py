"""Message 3 of the 4-way handshake, or a group message, carrying a group key the station cannot use: Debian
wpa_supplicant against pywps on wlan1. No AP sends such a message, so Debian hostapd (wlan0: ieee80211w=2,
beacon_prot=1, so message 3 and group messages hold a GTK, an IGTK and a BIGTK) hands its EAPOL frames to the test
instead of the air (its testing option ext_eapol_frame_io): the test passes them on unchanged but for the one it
alters (one KDE changed in its key data, decrypted with the KEK that hostapd's -K log shows, wrapped again and
given a new Key MIC), all through hostapd's EAPOL_TX; a group message comes from hostapd's REKEY_GTK once the
station is connected. Frames after the altered one are not passed on, so each station's answer to it is all
there is.

Compared, for each case: what the station's monitor hears (level and text) from the altered message on, whether
hostapd received message 4 (or group message 2), and STATUS's wpa_state while the AP's message 1 is held back
(ASSOCIATED: the handshake has not begun). wpa_supplicant's process_3_of_4 leaves the AP (reason 1)
either before message 4 (an IGTK KDE of the wrong length), when a wrong passphrase is suspected, or after message
4 and the keys it could install (an IGTK KeyID over 4095, no GTK KDE, a BIGTK KeyID other than 6 or 7), when it
is not; its process_1_of_2 leaves it over a group message without a GTK, and answers one whose IGTK it refuses.
Both leave over key data that does not split into elements (without a word of their own) or a GTK KDE in key
data sent in the clear (message 3 before message 4); a GTK KDE of 2 data bytes or fewer is none to them. A GTK
whose Tx bit is set (meant for group-key-only APs) is taken all the same, in words of their own. An RSN element in
message 3 other than the beacon's, or none, ends the association with reason 17.

Then a WPA (not RSN) AP (wpa=1, CCMP or TKIP): the group message that follows message 4 holds the GTK alone, as
its whole Key Data (AES-wrapped, or RC4-encrypted with TKIP); process_1_of_2_wpa leaves the AP (reason 1) over a
Key Length or Key Data it cannot take, in its words but for a Key Length over what the Key Data holds, and takes
the first Key Length bytes of Key Data that has room to spare."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import struct
import time

import pytest
from cryptography.hazmat.decrepit.ciphers.algorithms import ARC4
from cryptography.hazmat.primitives.ciphers import Cipher
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap, aes_key_wrap
from test_hwsim_mfp import network

from hwlab import HEARD_AT_ONCE, STA_MAC, one_after_the_other, request, sta_conf
from netlab import Monitor

# hostapd sends message 1 and 3 up to 4 times by default, 100 ms, then 1 s apart: a test thread starved for 3 s
# under TCG (CI once: the reference's message 2 came after hostapd had given up) loses the run
PATIENT = {"wpa_pairwise_update_count": "8"}
# the station scans the AP's channel alone (scan_freq): the AP beacons often enough for that scan to hear it
PROTECTED = {"wps_state": None, "ieee80211w": "2", "beacon_prot": "1", **PATIENT, **HEARD_AT_ONCE}
WPA_AP = {"wps_state": None, "wpa": "1", "rsn_pairwise": None, **PATIENT, **HEARD_AT_ONCE}  # wpa_pairwise: the case's
KEY_INFO_PAIRWISE, KEY_INFO_INSTALL, KEY_INFO_ACK, KEY_INFO_MIC = 0x0008, 0x0040, 0x0080, 0x0100
KEY_INFO_ENCRYPTED = 0x1000
# in the EAPOL PDU (header, descriptor, info, length, counter, nonce, IV, RSC, reserved)
KEY_INFO_AT, KEY_LENGTH_AT, IV_AT, MIC_AT, KEY_DATA_AT = 5, 7, 49, 81, 99
KDE_GTK, KDE_IGTK, KDE_BIGTK = 1, 9, 14


def kdes(key_data: bytes) -> list[tuple[int, bytes]]:
    """(KDE type, data) of each IEEE-OUI KDE, (-1, element) for any other element; the padding dropped."""
    out, at = [], 0
    while at + 2 <= len(key_data) and not (key_data[at] == 0xDD and key_data[at + 1] == 0):
        eid, length = key_data[at], key_data[at + 1]
        body = key_data[at + 2:at + 2 + length]
        ieee_kde = eid == 0xDD and body[:3] == b"\x00\x0f\xac"
        out.append((body[3], body[4:]) if ieee_kde else (-1, key_data[at:at + 2 + length]))
        at += 2 + length
    return out


def key_data_of(items: list[tuple[int, bytes]]) -> bytes:
    raw = b"".join(data if kind == -1 else bytes((0xDD, 4 + len(data))) + b"\x00\x0f\xac" + bytes((kind,)) + data
                   for kind, data in items)
    if len(raw) % 8 or len(raw) < 16:  # 12.7.2: 0xdd and zeros up to a multiple of 8
        raw += b"\xdd" + bytes((-len(raw) - 1) % 8 if len(raw) >= 15 else 15 - len(raw))
    return raw


def short_igtk(items):
    return [(k, d[:-2] if k == KDE_IGTK else d) for k, d in items]


def igtk_key_id(key_id: int):
    return lambda items: [(k, struct.pack("<H", key_id) + d[2:] if k == KDE_IGTK else d) for k, d in items]


def bigtk_key_id(key_id: int):
    return lambda items: [(k, struct.pack("<H", key_id) + d[2:] if k == KDE_BIGTK else d) for k, d in items]


def no_gtk(items):
    return [(k, d) for k, d in items if k != KDE_GTK]


def gtk_kde_data(n: int):
    return lambda items: [(k, d[:n] if k == KDE_GTK else d) for k, d in items]


def gtk_tx_bit(items):
    return [(k, bytes((d[0] | 0x04,)) + d[1:] if k == KDE_GTK else d) for k, d in items]


def is_rsn_element(kind: int, data: bytes) -> bool:
    return kind == -1 and data[0] == 0x30


def rsn_element_changed(items):
    return [(k, d[:-1] + bytes((d[-1] ^ 1,)) if is_rsn_element(k, d) else d) for k, d in items]


def no_rsn_element(items):
    return [(k, d) for k, d in items if not is_rsn_element(k, d)]


def overrunning(items):
    return [(-1, bytes.fromhex("30ff") + bytes(22))]  # an element longer than the key data


def rsn(alter, in_the_clear: bool = False):
    """An RSN message's alteration: its key data's KDEs changed by `alter`, then wrapped again (or sent in the
    clear, the Encrypted Key Data bit cleared)."""
    def altered(key_length: int, plain: bytes, encrypt) -> tuple[int, bytes, bool]:
        key_data = key_data_of(alter(kdes(plain)))
        return key_length, key_data if in_the_clear else encrypt(key_data), not in_the_clear
    return altered


def wpa_key_length(n: int):
    return lambda key_length, gtk, encrypt: (n, encrypt(gtk), True)


def wpa_key_data(more: int = 0, after: int = 0, under_another_kek: bool = False, only: int | None = None):
    """`more` bytes after the GTK, encrypted with it; `after` bytes after the encrypted key data; or `only` bytes
    of key data."""
    def altered(key_length: int, gtk: bytes, encrypt) -> tuple[int, bytes, bool]:
        if only is not None:
            return key_length, bytes(only), True
        wrapped = aes_key_wrap(bytes(16), gtk) if under_another_kek else encrypt(gtk + bytes(range(more)))
        return key_length, wrapped + bytes(after), True
    return altered


CASES = {  # (the message altered, the AP's cipher, how)
    "an IGTK KDE 2 bytes short": ("3", "CCMP", rsn(short_igtk)),
    "IGTK KeyID 4096": ("3", "CCMP", rsn(igtk_key_id(4096))),
    "no GTK KDE": ("3", "CCMP", rsn(no_gtk)),
    "BIGTK KeyID 8": ("3", "CCMP", rsn(bigtk_key_id(8))),
    "its key data in the clear": ("3", "CCMP", rsn(lambda items: items, in_the_clear=True)),
    "an element overrunning the key data": ("3", "CCMP", rsn(overrunning)),
    "a GTK KDE of 2 bytes": ("3", "CCMP", rsn(gtk_kde_data(2))),
    "a GTK KDE with its Tx bit": ("3", "CCMP", rsn(gtk_tx_bit)),
    "an RSN element other than the beacon's": ("3", "CCMP", rsn(rsn_element_changed)),
    "no RSN element": ("3", "CCMP", rsn(no_rsn_element)),
    "group message: no GTK KDE": ("group", "CCMP", rsn(no_gtk)),
    "group message: IGTK KeyID 4096": ("group", "CCMP", rsn(igtk_key_id(4096))),
    "group message: an IGTK KDE 2 bytes short": ("group", "CCMP", rsn(short_igtk)),
    "group message: its key data in the clear": ("group", "CCMP", rsn(lambda items: items, in_the_clear=True)),
    "group message: an element overrunning the key data": ("group", "CCMP", rsn(overrunning)),
    "group message: a GTK KDE of 1 byte": ("group", "CCMP", rsn(gtk_kde_data(1))),
    "group message: a GTK KDE with its Tx bit": ("group", "CCMP", rsn(gtk_tx_bit)),
    "WPA group message: Key Length 5": ("wpa group", "CCMP", wpa_key_length(5)),
    "WPA group message: Key Length 32, over the key data": ("wpa group", "CCMP", wpa_key_length(32)),
    "WPA group message: key data under another KEK": ("wpa group", "CCMP", wpa_key_data(under_another_kek=True)),
    "WPA group message: 4 bytes after the wrapped GTK": ("wpa group", "CCMP", wpa_key_data(after=4)),
    "WPA group message: 4 bytes of key data": ("wpa group", "CCMP", wpa_key_data(only=4)),
    "WPA group message: 48 bytes of wrapped key data": ("wpa group", "CCMP", wpa_key_data(more=24)),
    "WPA group message: 8 bytes to spare": ("wpa group", "CCMP", wpa_key_data(more=8)),
    "WPA group message: TKIP, 40 bytes of key data": ("wpa group", "TKIP", wpa_key_data(more=8)),
}


def altered(pdu: bytes, kck: bytes, kek: bytes, alter) -> bytes:
    """An EAPOL-Key frame with its Key Length and key data changed by `alter(key length, plain key data,
    encrypt)` (decrypted and encrypted again as the frame's descriptor version does: 2, AES key wrap; 1, RC4
    under the frame's IV; `alter` says whether the frame is still to say that its key data is encrypted), and a
    new Key MIC (HMAC-SHA-1-128, HMAC-MD5)."""
    (info,) = struct.unpack_from(">H", pdu, KEY_INFO_AT)
    version = info & 7
    assert version in (1, 2), f"key descriptor version {version}"
    (key_length,) = struct.unpack_from(">H", pdu, KEY_LENGTH_AT)
    (length,) = struct.unpack_from(">H", pdu, KEY_DATA_AT - 2)
    key_data = pdu[KEY_DATA_AT:KEY_DATA_AT + length]
    if version == 2:
        plain = aes_key_unwrap(kek, key_data)
        key_length, key_data, encrypted = alter(key_length, plain, lambda data: aes_key_wrap(kek, data))
    else:
        def rc4(data: bytes) -> bytes:  # the keystream's first 256 bytes discarded (IEEE 802.11 12.7.2)
            stream = Cipher(ARC4(pdu[IV_AT:IV_AT + 16] + kek), mode=None).encryptor()
            stream.update(bytes(256))
            return stream.update(data)
        key_length, key_data, encrypted = alter(key_length, rc4(key_data), rc4)
    if not encrypted:
        info &= ~KEY_INFO_ENCRYPTED
    body = (pdu[4:KEY_INFO_AT] + struct.pack(">HH", info, key_length) + pdu[KEY_LENGTH_AT + 2:MIC_AT] + bytes(16)
            + struct.pack(">H", len(key_data)) + key_data)
    return with_mic(pdu[:2] + struct.pack(">H", len(body)) + body, kck, version)


def with_mic(frame: bytes, kck: bytes, version: int = 2) -> bytes:
    """`frame` signed with the KCK, its Key MIC field zeroed first (HMAC-SHA-1-128: version 2; HMAC-MD5: 1)."""
    frame = frame[:MIC_AT] + bytes(16) + frame[MIC_AT + 16:]
    mic = hmac.new(kck, frame, hashlib.sha1).digest()[:16] if version == 2 else hmac.new(kck, frame, "md5").digest()
    return frame[:MIC_AT] + mic + frame[MIC_AT + 16:]


def logged_key(log: str, name: str) -> bytes:
    lines = re.findall(rf"WPA: {name} - hexdump\(len=\d+\):((?: [0-9a-f]{{2}})+)", log)
    assert lines, f"no {name} in hostapd's log (run with -K)"
    return bytes.fromhex(lines[-1].replace(" ", ""))


WORTH_COMPARING = r"^(WPA:|RSN:|CTRL-EVENT-(DISCONNECTED|CONNECTED|SSID-TEMP-DISABLED))"


class ApStalled(AssertionError):
    """hostapd never sent the message to alter: the case could not be set up (no finding about the station)."""


def answer_once_set_up(lab, program: str, message: str, cipher: str, alter) -> dict[str, object]:
    """`answer_to`, set up a second time (hostapd and the station started afresh) when hostapd stalled before the
    altered message: under TCG beside the host's tests hostapd has twice received the station's message 2 and
    sent message 1 again instead of message 3 (once for each program; likely an answer to a message 1 older than
    its last 4 sends, which it drops: the test now passes on the newest), and nothing the station does with a
    frame it never got can be compared."""
    try:
        return answer_to(lab, program, message, cipher, alter)
    except ApStalled as e:
        print(f"{program}: set up again: {str(e)[:2000]}")
        lab.restart()
        time.sleep(1)
        return answer_to(lab, program, message, cipher, alter)


def state_before_message_1(sta) -> str:
    """STATUS's wpa_state once the station knows it is associated, while the AP's message 1 is held back."""
    deadline = time.monotonic() + 3
    while True:
        state = re.search(r"^wpa_state=(\S+)", sta.cli("status"), re.M)[1]
        if state not in ("SCANNING", "AUTHENTICATING", "ASSOCIATING") or time.monotonic() > deadline:
            return state
        time.sleep(0.05)


def answer_to(lab, program: str, message: str, cipher: str, alter) -> dict[str, object]:
    wpa = message == "wpa group"
    ap = lab.hostapd("wlan0", log_keys=True, **({**WPA_AP, "wpa_pairwise": cipher} if wpa else PROTECTED))
    ap_ctrl = f"{ap.ctrl}/wlan0"
    assert request(ap_ctrl, "SET ext_eapol_frame_io 1") == "OK\n"
    frames = Monitor(ap_ctrl)

    def next_frame(timeout: float, pairwise: bool = True, mic: bool = False) -> bytes:
        """The newest frame hostapd has sent with these Key Info bits, waiting for one. hostapd takes an answer to
        its last 4 sends alone (RSNA_MAX_EAPOL_RETRIES): a test thread that sees a message late (under TCG, with
        retries 1 s apart behind it) passes on the retry, not a first send whose answer hostapd would drop."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                frames.wait(r"^EAPOL-TX ", deadline - time.monotonic())
            except AssertionError as e:
                raise ApStalled(str(e)) from None
            if (pdu := newest_sent(pairwise, mic)) is not None:
                return pdu

    def newest_sent(pairwise: bool = True, mic: bool = False) -> bytes | None:
        """The newest frame with these Key Info bits among those hostapd has sent since the last look, if any."""
        frames.gather(0.05)  # what is already queued
        sent = [m for text in frames.events if (m := re.match(r"^EAPOL-TX (\S+) (\S+)", text))]
        frames.events.clear()
        for m in reversed(sent):
            assert m[1] == STA_MAC, m.string
            pdu = bytes.fromhex(m[2])
            (info,) = struct.unpack_from(">H", pdu, KEY_INFO_AT)
            if bool(info & KEY_INFO_PAIRWISE) == pairwise and bool(info & KEY_INFO_MIC) == mic:
                return pdu
        return None

    def pass_on(pdu: bytes) -> None:
        assert request(ap_ctrl, f"EAPOL_TX {STA_MAC} {pdu.hex()}") == "OK\n"

    try:
        # scan_freq: the AP's channel alone (every channel, 5 GHz's passive ones too, is seconds under TCG)
        extra = "\tscan_freq=2412\n" + (f"\tproto=WPA\n\tpairwise={cipher}\n\tgroup={cipher}\n" if wpa
                                         else "\tieee80211w=2\n\tbeacon_prot=1\n")
        sta = lab.station(sta_conf() + network(extra), program)
        first = next_frame(60)  # message 1, held until STATUS has been read
        state = state_before_message_1(sta)
        # hostapd went on sending message 1 meanwhile (100 ms, then 1 s apart): its newest, whose answer it takes
        pass_on(newest_sent() or first)
        pdu = next_frame(20, mic=True)  # message 3
        if wpa:  # the group message follows message 4
            pass_on(pdu)
            pdu = next_frame(20, pairwise=False, mic=True)
        elif message == "group":
            pass_on(pdu)
            sta.monitor.wait(r"^CTRL-EVENT-CONNECTED", 20)
            assert request(ap_ctrl, "REKEY_GTK") == "OK\n"
            pdu = next_frame(20, pairwise=False, mic=True)
        (info,) = struct.unpack_from(">H", pdu, KEY_INFO_AT)
        expected = KEY_INFO_MIC | KEY_INFO_ACK | (KEY_INFO_INSTALL if message == "3" else 0)
        assert info & (KEY_INFO_MIC | KEY_INFO_ACK | KEY_INFO_INSTALL) == expected, hex(info)
        log = ap.log_text()
        changed = altered(pdu, logged_key(log, "KCK"), logged_key(log, "KEK"), alter)
        sta.monitor.events.clear()  # what it waits for below must come now
        mark = len(sta.monitor.leveled)
        pass_on(changed)
        sta.monitor.wait(r"^(CTRL-EVENT-(DISCONNECTED|CONNECTED)|WPA: Group rekeying completed)", 15)
        sta.monitor.gather(1.5)
        said = [(level, re.sub(r" id=\d+", "", text)) for level, text in sta.monitor.leveled[mark:]
                if re.search(WORTH_COMPARING, text)]
        answer = "4/4 Pairwise" if message == "3" else "2/2 Group"
        return {"said": said, f"hostapd got {answer}": f"received EAPOL-Key frame ({answer})" in ap.log_text(),
                "wpa_state before message 1": state}
    except AssertionError as e:  # what hostapd made of the station's answers, for the report
        heard = [line[:160] for line in ap.log_text().splitlines()
                 if re.search(r"EAPOL-Key|replay|timeout|MIC|ANonce|PSK", line)]
        raise type(e)(f"{e}\nhostapd: " + "\n".join(heard[-30:])) from None
    finally:
        frames.close()


# what wpa_supplicant does with each case (what the comparison rests on): says what it refuses (and leaves the AP,
# but over a group message's IGTK), leaves it without a word (key data that does not split, a WPA Key Length over
# the key data), or takes the GTK
SILENT = {"an element overrunning the key data", "group message: an element overrunning the key data",
          "WPA group message: Key Length 32, over the key data"}
TAKEN = {"WPA group message: 8 bytes to spare"}
TX_BIT_IGNORED = {"a GTK KDE with its Tx bit", "group message: a GTK KDE with its Tx bit"}  # said, and taken


@pytest.mark.parametrize("case", list(CASES))
def test_an_unusable_group_key_as_wpa_supplicant(lab, case):
    seen = one_after_the_other(lab, lambda lab, program: answer_once_set_up(lab, program, *CASES[case]),
                               r"EAPOL|4-Way|GTK|IGTK|KDE|KeyID|AES|maxkeylen|DISCONNECTED|TEMP-DISABLED|rekey")
    report = json.dumps(seen, indent=1)
    texts = [text for _, text in seen["wpa_supplicant"]["said"]]
    assert seen["wpa_supplicant"]["wpa_state before message 1"] == "ASSOCIATED", report
    refused = [t for t in texts if not re.match(r"CTRL-EVENT-|WPA: 4-Way Handshake failed|.* completed ", t)]
    if case in TX_BIT_IGNORED:
        assert refused == ["WPA: Tx bit set for GTK, but pairwise keys are used - ignore Tx bit"], report
        assert any(re.match(r"CTRL-EVENT-CONNECTED|WPA: Group rekeying completed", t) for t in texts), report
    elif case in TAKEN:
        assert any(t.startswith("CTRL-EVENT-CONNECTED") for t in texts) and not refused, report
    elif case in SILENT:
        assert not refused and any("reason=1 locally_generated=1" in t for t in texts), report
    else:
        assert refused, report
    assert seen["pywps"] == seen["wpa_supplicant"], report
