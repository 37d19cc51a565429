"""EAPOL-Key frames a station drops, and what it says of each: Debian wpa_supplicant against pywps on wlan1.

Debian hostapd (wlan0, WPA2-PSK CCMP) hands its EAPOL frames to the test (ext_eapol_frame_io), which sends the
station, through hostapd's EAPOL_TX, a burst of message 3 spoiled one way each (a wrong MIC; no Ack, the Request
or the SMK bit; descriptor version 1 or 4; encrypted key data without a MIC; a Key Data Length over the frame;
then, signed again with the KCK from hostapd's -K log, key data that does not unwrap and, with the same counter,
a key index), then hostapd's next retry of message 3 with a wrong MIC, then its next retry as it is. Once the
station is connected, REKEY_GTK: a burst of group messages spoiled the same way (a wrong MIC, no MIC bit, neither
MIC nor Encrypted bit, version 1, message 3's replay counter, 20 bytes of wrapped key data), then hostapd's retry.

wpa_supplicant's wpa_sm_rx_eapol says a word of each at MSG_INFO or MSG_WARNING, and a MIC that verifies moves its
replay counter and makes message 3's key the one in use even when the frame is dropped after: the key index after
the unwrap failure is a replay to it, and the wrong MIC of the retry fails under the PTK in use, with no TPTK to
try first. Compared: every WPA: line and CTRL-EVENT-(DIS)CONNECTED the monitor hears, with levels, in order."""

from __future__ import annotations

import json
import re
import struct
import time

from test_hwsim_bad_m3 import KEY_DATA_AT, KEY_INFO_AT, MIC_AT, logged_key, with_mic
from test_hwsim_mfp import network

from hwlab import STA_MAC, one_after_the_other, request, sta_conf
from netlab import Monitor

# hostapd retries message 3 and group messages 4 times by default: a burst under TCG can outlast that
PATIENT_AP = {"wps_state": None, "wpa_pairwise_update_count": "10", "wpa_group_update_count": "10"}
ACK, MIC, REQUEST, ENCRYPTED, SMK = 0x0080, 0x0100, 0x0800, 0x1000, 0x2000
PAIRWISE, KEY_INDEX_1 = 0x0008, 0x0010
REPLAY_AT = 9


def with_bits(pdu: bytes, clear: int = 0, add: int = 0, version: int | None = None) -> bytes:
    (info,) = struct.unpack_from(">H", pdu, KEY_INFO_AT)
    info = (info & ~clear) | add
    if version is not None:
        info = (info & ~7) | version
    return pdu[:KEY_INFO_AT] + struct.pack(">H", info) + pdu[KEY_INFO_AT + 2:]


def wrong_mic(pdu: bytes) -> bytes:
    return pdu[:MIC_AT] + bytes(b ^ 0xFF for b in pdu[MIC_AT:MIC_AT + 16]) + pdu[MIC_AT + 16:]


def overflowing(pdu: bytes) -> bytes:
    """Key Data Length 8 over the key data there is."""
    (length,) = struct.unpack_from(">H", pdu, KEY_DATA_AT - 2)
    return pdu[:KEY_DATA_AT - 2] + struct.pack(">H", length + 8) + pdu[KEY_DATA_AT:]


def signed(pdu: bytes, kck: bytes, key_data: bytes | None = None, replay: int | None = None, add: int = 0) -> bytes:
    """`pdu` with other key data, replay counter or Key Info bits, and a new Key MIC (HMAC-SHA-1-128: version 2)."""
    pdu = with_bits(pdu, add=add)
    if replay is not None:
        pdu = pdu[:REPLAY_AT] + struct.pack(">Q", replay) + pdu[REPLAY_AT + 8:]
    if key_data is not None:
        body = pdu[4:KEY_DATA_AT - 2] + struct.pack(">H", len(key_data)) + key_data
        pdu = pdu[:2] + struct.pack(">H", len(body)) + body
    return with_mic(pdu, kck)


def replay_counter(pdu: bytes) -> int:
    return struct.unpack_from(">Q", pdu, REPLAY_AT)[0]


SAID = r"^(WPA:|RSN:|CTRL-EVENT-(DISCONNECTED|CONNECTED))"


def drops(lab, program: str) -> list[tuple[int, str]]:
    ap = lab.hostapd("wlan0", log_keys=True, **PATIENT_AP)
    ap_ctrl = f"{ap.ctrl}/wlan0"
    assert request(ap_ctrl, "SET ext_eapol_frame_io 1") == "OK\n"
    frames = Monitor(ap_ctrl)

    def next_frame(timeout: float, pairwise: bool, above: int = -1) -> bytes:
        """The next frame hostapd sends with the Key MIC bit (message 3 or a group message) and a replay counter
        above `above`: the retries it made meanwhile are passed over."""
        deadline = time.monotonic() + timeout
        while True:
            m = frames.wait(r"^EAPOL-TX (\S+) (\S+)", deadline - time.monotonic())
            frames.events.remove(m.string)
            pdu = bytes.fromhex(m[2])
            (info,) = struct.unpack_from(">H", pdu, KEY_INFO_AT)
            if bool(info & PAIRWISE) == pairwise and info & MIC and replay_counter(pdu) > above:
                return pdu

    def send(*pdus: bytes) -> None:
        for pdu in pdus:
            assert request(ap_ctrl, f"EAPOL_TX {STA_MAC} {pdu.hex()}") == "OK\n"
            time.sleep(0.05)

    try:
        sta = lab.station(sta_conf() + network(""), program)
        m = frames.wait(r"^EAPOL-TX (\S+) (\S+)", 60)  # message 1
        frames.events.remove(m.string)
        sta.monitor.events.clear()
        mark = len(sta.monitor.leveled)
        send(bytes.fromhex(m[2]))
        m3 = next_frame(20, pairwise=True)
        kck = logged_key(ap.log_text(), "KCK")
        send(wrong_mic(m3), with_bits(m3, clear=ACK), with_bits(m3, add=REQUEST), with_bits(m3, add=SMK),
             with_bits(m3, version=1), with_bits(m3, version=4), with_bits(m3, clear=MIC), overflowing(m3),
             signed(m3, kck, key_data=bytes(range(40))), signed(m3, kck, add=KEY_INDEX_1))
        retry = next_frame(20, pairwise=True, above=replay_counter(m3))
        send(wrong_mic(retry))
        send(next_frame(20, pairwise=True, above=replay_counter(retry)))
        sta.monitor.wait(r"^CTRL-EVENT-CONNECTED", 20)
        assert request(ap_ctrl, "REKEY_GTK") == "OK\n"
        group = next_frame(20, pairwise=False)
        send(wrong_mic(group), with_bits(group, clear=MIC), with_bits(group, clear=MIC | ENCRYPTED),
             with_bits(group, version=1), signed(group, kck, replay=replay_counter(m3)),
             signed(group, kck, key_data=bytes(20)))
        send(next_frame(20, pairwise=False, above=replay_counter(group)))
        sta.monitor.wait(r"^WPA: Group rekeying completed", 20)
        sta.monitor.gather(1.0)
        return [(level, re.sub(r" id=\d+", "", text)) for level, text in sta.monitor.leveled[mark:]
                if re.search(SAID, text)]
    finally:
        frames.close()


def test_eapol_key_frames_dropped_are_said_as_wpa_supplicant_says_them(lab):
    seen = one_after_the_other(lab, drops, r"EAPOL|MIC|Replay|Ack|key_info|descriptor|AES|overflow|DISCONNECTED")
    report = json.dumps(seen, indent=1)
    texts = [text for _, text in seen["wpa_supplicant"]]
    # what the comparison rests on: the reference said a word of each of the 17 spoiled frames (two of the first),
    # and kept the link
    said = [t for t in texts if t.startswith("WPA:") and not re.search(r" completed with ", t)]
    assert len(said) == 18, report
    assert not any(t.startswith("CTRL-EVENT-DISCONNECTED") for t in texts), report
    assert seen["pywps"] == seen["wpa_supplicant"], report
