"""What hostap says to monitors of an EAPOL-Key frame it drops (wpa_sm_rx_eapol, its MIC check and key data
decryption): the handshake says the same notices, in the same order, before each FrameDropped, and the frame
changes nothing. tests/vm/guest/test_hwsim_eapol_drops.py compares the texts with Debian wpa_supplicant's."""

from __future__ import annotations

import struct

import pytest

from pywps.ctrl.events import NOTICES
from pywps.wpa import (Cipher, FrameNotice, GroupRekeyed, HandshakeCompleted, InstallGroupKey, InstallPairwiseKey,
                       Notice, SendEapol)
from pywps.wpa.eapol_key import KeyInfo
from test_wpa_handshake import (ACK, ENCR, INSTALL, MIC, PAIRWISE, SECURE, V2, Authenticator, after_message_2,
                                assert_still_completes, frame, gtk_kde, handshake, kinds, notices, only_drop, ref_ptk,
                                wpa_group1)

SMK, REQUEST, KEY_INDEX_1 = int(KeyInfo.SMK_MESSAGE), int(KeyInfo.REQUEST), 1 << 4
GTK_TX = 0x04  # in a GTK KDE's first byte


def altered(ap: Authenticator, pdu: bytes, *, clear: int = 0, add: int = 0, version: int | None = None,
            key_data: bytes | None = None, sign: bool = True) -> bytes:
    """`pdu` with Key Information bits cleared and added, another descriptor version or other key data, signed
    again with the AP's KCK (or left with its MIC)."""
    (info,) = struct.unpack_from(">H", pdu, 5)
    info = (info & ~clear) | add
    if version is not None:
        info = (info & ~0x7) | version
    pdu = pdu[:5] + struct.pack(">H", info) + pdu[7:]
    if key_data is not None:
        body = pdu[4:97] + struct.pack(">H", len(key_data)) + key_data
        pdu = pdu[:2] + struct.pack(">H", len(body)) + body
    return ap.sign(pdu) if sign else pdu


MESSAGE_3_CASES = {
    # the MIC verifies under no key: hostap tries the TPTK of the handshake under way, and has no PTK in use yet
    "a wrong MIC": (lambda ap, m3: m3[:81] + bytes(16) + m3[97:], [Notice.MIC_TPTK, Notice.MIC_UNVERIFIED]),
    "no Ack bit": (lambda ap, m3: altered(ap, m3, clear=ACK), [Notice.NO_ACK]),
    "the Request bit": (lambda ap, m3: altered(ap, m3, add=REQUEST), [Notice.REQUEST]),
    "the SMK bit": (lambda ap, m3: altered(ap, m3, add=SMK), [Notice.SMK]),
    "version 1 with CCMP": (lambda ap, m3: altered(ap, m3, version=1), [Notice.CCMP_VERSION]),
    "version 4": (lambda ap, m3: altered(ap, m3, version=4), [Notice.DESCRIPTOR_VERSION]),
    "version 0": (lambda ap, m3: altered(ap, m3, version=0), [Notice.DESCRIPTOR_VERSION]),
    "a key index": (lambda ap, m3: altered(ap, m3, add=KEY_INDEX_1), [Notice.PAIRWISE_KEY_INDEX]),
    "encrypted key data without a MIC": (lambda ap, m3: altered(ap, m3, clear=MIC, sign=False),
                                         [Notice.UNAUTHENTICATED_DATA]),
    "wrapped key data of 20 bytes": (lambda ap, m3: altered(ap, m3, key_data=bytes(20)), [Notice.AES_WRAP_LENGTH]),
    "key data that does not unwrap": (lambda ap, m3: altered(ap, m3, key_data=bytes(range(40))), [Notice.AES_UNWRAP]),
    "a Key Data Length over the frame": (lambda ap, m3: m3[:97] + struct.pack(">H", len(m3) - 99 + 8) + m3[99:],
                                         [Notice.KEY_DATA_OVERFLOW]),
}


@pytest.mark.parametrize("case", MESSAGE_3_CASES)
def test_a_dropped_message_3_is_said_as_hostap_says_it(case):
    change, said = MESSAGE_3_CASES[case]
    ap, hs = after_message_2()
    m3 = ap.msg3()
    out = hs.receive(change(ap, m3))
    only_drop(out)
    assert notices(out) == said
    assert_still_completes(ap, hs)  # nothing changed: the next message 3 is taken


def test_the_values_hostap_prints_are_kept():
    ap, hs = after_message_2()
    m3 = ap.msg3()
    assert [(e.notice, e.value) for e in hs.receive(altered(ap, m3, version=1))[:-1]] == [(Notice.CCMP_VERSION, 1)]
    assert [(e.notice, e.value) for e in hs.receive(altered(ap, m3, version=5))[:-1]] == [
        (Notice.DESCRIPTOR_VERSION, 5)]
    assert [(e.notice, e.value) for e in hs.receive(altered(ap, m3, key_data=bytes(20)))[:-1]] == [
        (Notice.AES_WRAP_LENGTH, 20)]
    data_len = len(m3) - 99
    overflow = m3[:97] + struct.pack(">H", data_len + 8) + m3[99:]
    assert [(e.notice, e.value, e.room) for e in hs.receive(overflow)[:-1]] == [
        (Notice.KEY_DATA_OVERFLOW, data_len + 8, data_len)]


def test_a_message_out_of_place_is_said_as_an_unverified_mic():
    """hostap keeps no table of the messages it expects: what comes before the key to check it is a MIC it could
    not verify."""
    ap = Authenticator()
    hs = ap.supplicant()
    ap.kck, ap.kek, ap.tk = ref_ptk(ap.anonce, bytes(32), 16)  # some keys, for frames sent too early
    assert notices(hs.receive(ap.msg3())) == [Notice.MIC_UNVERIFIED]  # before any message 1: no key at all
    ap.check_msg2(hs.receive(ap.msg1())[0].pdu)
    # a group message between messages 1 and 3: the TPTK does not verify it, and there is no PTK in use
    assert notices(hs.receive(ap.group1(bytes(16), 1))) == [Notice.MIC_TPTK, Notice.MIC_UNVERIFIED]
    assert_still_completes(ap, hs)


def test_a_dropped_group_message_is_said_as_hostap_says_it():
    ap = Authenticator()
    hs, _ = handshake(ap)
    last_message_3 = ap.replay
    good = ap.group1(bytes([0x63]) * 16, 2)
    assert notices(hs.receive(good[:81] + bytes(16) + good[97:])) == [Notice.MIC_INVALID]  # the PTK in use fails
    assert notices(hs.receive(altered(ap, good, clear=MIC, sign=False))) == [Notice.UNAUTHENTICATED_DATA]
    assert notices(hs.receive(altered(ap, good, clear=MIC | ENCR, sign=False))) == [Notice.GROUP_WITHOUT_MIC]
    replayed = ap.group1(bytes([0x63]) * 16, 2, replay=last_message_3)
    assert notices(hs.receive(replayed)) == [Notice.REPLAY]
    out = hs.receive(good)  # none of them changed a thing: the good one is still above the last counter taken
    assert kinds(out) == [InstallGroupKey, SendEapol, GroupRekeyed]


def test_a_group_message_in_a_ptk_rekey_is_tried_under_the_new_ptk_first():
    ap = Authenticator()
    hs, _ = handshake(ap)
    old_keys = (ap.kck, ap.kek, ap.tk)
    hs.receive(ap.msg1(anonce=bytes([0xA1]) * 32))
    ap.kck, ap.kek, ap.tk = old_keys  # the AP signs group messages with the PTK in use until message 3
    good = ap.group1(bytes([0x64]) * 16, 2)
    assert notices(hs.receive(good[:81] + bytes(16) + good[97:])) == [Notice.MIC_TPTK, Notice.MIC_INVALID]
    out = hs.receive(good)
    assert notices(out) == [Notice.MIC_TPTK] and kinds(out[1:]) == [InstallGroupKey, SendEapol, GroupRekeyed]


def test_a_message_3_whose_mic_verifies_moves_the_counter_and_the_ptk_even_when_dropped():
    """hostap's verify_eapol_key_mic: the counter of an authentic frame is the last one, and message 3's key is the
    PTK in use from then on; the next message 3 (the AP's retry) is taken, a replay of the dropped one is not, and
    one with a wrong MIC fails under the PTK in use, with no TPTK to try first."""
    ap, hs = after_message_2()
    m3 = ap.msg3()
    assert notices(hs.receive(altered(ap, m3, key_data=bytes(range(40))))) == [Notice.AES_UNWRAP]
    assert notices(hs.receive(altered(ap, m3, add=KEY_INDEX_1))) == [Notice.REPLAY]
    retry = ap.msg3()
    assert notices(hs.receive(retry[:81] + bytes(16) + retry[97:])) == [Notice.MIC_INVALID]
    assert_still_completes(ap, hs)


def test_a_frame_of_the_other_descriptor_type_or_unreadable_is_dropped_without_a_word():
    """hostap takes either descriptor type (pywps keeps to the association's) and says what it cannot read at
    debug level only."""
    ap, hs = after_message_2()
    m3 = bytearray(ap.msg3())
    m3[4] = 254
    assert notices(hs.receive(ap.sign(bytes(m3)))) == []
    assert notices(hs.receive(frame(2, V2 | PAIRWISE | ACK | SECURE, 16, 99)[:50])) == []
    assert_still_completes(ap, hs)


def test_every_notice_has_hostaps_words():
    assert set(NOTICES) == {n.name for n in Notice}


def test_a_gtk_with_its_tx_bit_is_taken_and_said_as_hostap_says_it():
    """hostap's gtk_tx_bit_workaround: a GTK whose Tx bit is set (meant for group-key-only APs) is installed for
    receiving as any other, after "WPA: Tx bit set for GTK, but pairwise keys are used - ignore Tx bit": in a GTK
    KDE (message 3, RSN group messages) or as a WPA group message's Tx/Rx bit."""
    ap = Authenticator()
    hs = ap.supplicant()
    ap.check_msg2(hs.receive(ap.msg1())[0].pdu)
    out = hs.receive(ap.msg3(data=ap.encrypt(ap.ie + gtk_kde(ap.gtk_id | GTK_TX, ap.gtk), bytes(16))))
    assert kinds(out) == [SendEapol, InstallPairwiseKey, FrameNotice, InstallGroupKey, HandshakeCompleted]
    assert out[2].notice is Notice.GTK_TX_BIT and out[3].key_index == ap.gtk_id
    gtk = bytes([0x65]) * 16
    out = hs.receive(ap.group1(gtk, 2, plain=gtk_kde(2 | GTK_TX, gtk)))
    assert notices(out) == [Notice.GTK_TX_BIT]
    assert kinds(out[1:]) == [InstallGroupKey, SendEapol, GroupRekeyed] and out[1].key_index == 2
    wpa_ap = Authenticator(pairwise=Cipher.CCMP, group=Cipher.CCMP, wpa=True)
    wpa_hs, _ = handshake(wpa_ap)
    group = wpa_group1(wpa_ap, 16, wpa_ap.encrypt(gtk, bytes(16)))
    out = wpa_hs.receive(altered(wpa_ap, group, add=INSTALL))  # the Tx/Rx bit of a group message
    assert notices(out) == [Notice.GTK_TX_BIT] and kinds(out[1:]) == [InstallGroupKey, SendEapol, HandshakeCompleted]
    assert out[1].gtk == gtk


@pytest.mark.parametrize("refusal,said", [
    ("IE_MISMATCH", (4, "WPA: IE in 3/4 msg does not match with IE in Beacon/ProbeResp (src=02:00:00:00:01:00)")),
    ("IE_MISMATCH_NO_IE",
     (4, "WPA: IE in 3/4 msg does not match with IE in Beacon/ProbeResp (no IE?) (src=02:00:00:00:01:00)")),
    ("RSN_DOWNGRADE", (4, "WPA: Possible downgrade attack detected - RSN was enabled and RSN IE was in msg 3/4, but "
                          "not in Beacon/ProbeResp (src=02:00:00:00:01:00)")),
    ("NO_RSN_IE_IN_BEACON", (3, "WPA: No RSN IE in Beacon/ProbeResp")),
    ("AP_NOT_FOUND", (4, "WPA: Could not find AP from the scan results")),
])
def test_an_element_of_message_3_refused_is_said_in_wpa_supplicants_words(refusal, said):
    """wpa_report_ie_mismatch's wpa_msg lines (the hexdumps after them go to its debug log only)."""
    from pywps.ctrl.events import event_level, event_texts
    from pywps.events import KeyDataRefusal

    event = KeyDataRefusal(refusal, 0, "", bytes.fromhex("020000000100"))
    assert (event_level(event), event_texts(event)) == (said[0], [said[1]])
