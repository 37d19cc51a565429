"""In-process Enrollee <-> Registrar over the EAP layer, as bytes: every outcome of a registration."""

from __future__ import annotations

from core_helpers import AP, CRED, STA, enrollee_run, registrar_run, wsc_message_type

from pywps.wps.credential import Credential
from pywps.wps.defs import AuthType, EncrType, MsgType
from pywps.wps.eap import EapFailureReceived, EapStarted, build_wsc, parse_eap, parse_eapol, parse_wsc
from pywps.wps.events import CredentialReceived, Failure, M2DReceived, Success


def test_pin_success():
    r = enrollee_run()
    (got,) = r.of("peer", CredentialReceived)
    assert (got.credential.ssid, got.credential.network_key) == (CRED.ssid, CRED.network_key)
    assert got.credential.mac_address == STA.mac_address  # the registrar names the enrollee
    assert r.of("peer", Success) and r.of("auth", Success)
    assert not r.of("peer", Failure)
    kinds = [type(e) for e in r.peer_events]
    assert kinds.index(EapStarted) < kinds.index(CredentialReceived) < kinds.index(Success) < kinds.index(EapFailureReceived)


def test_pbc_success():
    r = enrollee_run(pbc=True)
    assert r.of("peer", Success) and r.of("peer", CredentialReceived)


def test_four_digit_pin():
    assert enrollee_run(b"1234", b"1234").of("peer", Success)


def test_several_credentials_in_m8():
    second = Credential(b"other-net", AuthType.WPAPSK, EncrType.TKIP, b"abcdefgh", network_index=2)
    r = enrollee_run(credentials=(CRED, second))
    assert [c.credential.ssid for c in r.of("peer", CredentialReceived)] == [b"jkm-wps-test", b"other-net"]


def test_wrong_first_half_stops_at_m4_without_m5():
    r = enrollee_run(b"12345670", b"99995670")
    (fail,) = r.of("peer", Failure)
    assert (fail.msg, fail.config_error) == (MsgType.M4, 18)
    assert not r.of("peer", CredentialReceived) and not r.of("peer", Success)
    sent = [wsc_message_type(f) for f in r.up]
    assert MsgType.M5 not in sent  # E-S1 never left the enrollee
    assert MsgType.WSC_NACK in sent


def test_wrong_second_half_stops_at_m6():
    r = enrollee_run(b"12345670", b"12345671")
    (fail,) = r.of("peer", Failure)
    assert (fail.msg, fail.config_error) == (MsgType.M6, 18)
    sent = [wsc_message_type(f) for f in r.up]
    assert MsgType.M5 in sent and MsgType.M7 not in sent
    assert r.of("auth", Failure)[0].config_error == 18  # the registrar heard our NACK


def test_registrar_without_password_sends_m2d():
    r = enrollee_run(registrar_pin=None)
    (m2d,) = r.of("peer", M2DReceived)
    assert m2d.registrar.device_name == AP.device_name and m2d.config_error == 0
    assert not r.of("peer", CredentialReceived) and not r.of("peer", Failure)
    assert MsgType.WSC_ACK in [wsc_message_type(f) for f in r.up]


def test_learn_only_registrar_stops_with_nack_after_m7():
    r = registrar_run()
    (learned,) = r.of("peer", CredentialReceived)
    assert learned.from_ap_settings and learned.credential.ssid == CRED.ssid
    assert learned.credential.network_key == CRED.network_key
    (fail,) = r.of("peer", Failure)
    assert (fail.msg, fail.config_error) == (MsgType.M7, 0)
    assert MsgType.WSC_NACK in [wsc_message_type(f) for f in r.up]
    assert not r.of("auth", CredentialReceived)  # the AP kept its settings


def test_configuring_registrar_gives_the_ap_new_settings():
    new = Credential(b"new-ssid", AuthType.WPA2PSK, EncrType.AES, b"newpassphrase")
    r = registrar_run(new_settings=new)
    (applied,) = r.of("auth", CredentialReceived)
    assert (applied.credential.ssid, applied.credential.network_key) == (b"new-ssid", b"newpassphrase")
    assert applied.credential.mac_address == AP.mac_address
    assert r.of("auth", Success) and r.of("peer", Success)
    (ours,) = r.of("peer", CredentialReceived)
    assert ours.credential.ssid == b"new-ssid"


def test_wrong_ap_pin_is_refused_by_the_ap():
    r = registrar_run(ap_pin=b"12345670", registrar_pin=b"11115670")
    (fail,) = r.of("peer", Failure)
    assert (fail.msg, fail.config_error) == (MsgType.M4, 18)
    assert r.of("auth", Failure)[0].config_error == 18


def _fragment_counts(frames: list[bytes]) -> tuple[int, int]:
    more, acks = 0, 0
    for f in frames:
        try:
            frame = parse_wsc(parse_eap(parse_eapol(f).body).data)
        except Exception:
            continue
        more += bool(frame.flags & 0x01)
        acks += frame.op == 6
    return more, acks


def test_fifty_byte_fragments_both_ways():
    r = enrollee_run(fragment_size=50)
    assert r.of("peer", Success) and r.of("peer", CredentialReceived)
    up_more, up_acks = _fragment_counts(r.up)
    down_more, down_acks = _fragment_counts(r.down)
    assert up_more > 10 and down_more > 10  # M1 (~400 bytes) and M2 each took many fragments
    assert up_acks >= down_more and down_acks >= up_more  # every fragment was acknowledged
    assert all(len(parse_eap(parse_eapol(f).body).data) <= 50 + 7 for f in r.up + r.down if parse_eapol(f).type == 0
               and parse_eap(parse_eapol(f).body).type == 254)

    r = registrar_run(fragment_size=50, new_settings=Credential(b"n", AuthType.WPA2PSK, EncrType.AES, b"passphrase"))
    assert r.of("peer", Success) and r.of("auth", Success)


def test_frame_layout_is_eap_wsc():
    r = enrollee_run()
    start = parse_eap(parse_eapol(r.down[1]).body)  # after Identity: WSC_Start
    assert (start.code, start.type) == (1, 254)
    assert start.data[:7] == b"\x00\x37\x2a\x00\x00\x00\x01" and start.data[7] == 1
    assert build_wsc(1) == start.data
    assert parse_eapol(r.up[0]).type == 1  # EAPOL-Start
    identity = parse_eap(parse_eapol(r.up[1]).body)
    assert identity.type == 1 and identity.data == b"WFA-SimpleConfig-Enrollee-1-0"
    assert parse_eap(parse_eapol(r.down[-1]).body).code == 4  # EAP-Failure ends it


def test_nonces_and_secrets_differ_across_runs():
    def m1_nonce_and_ehash(result):
        nonces = []
        for f in result.up:
            data = parse_wsc(parse_eap(parse_eapol(f).body).data).data if wsc_message_type(f) else b""
            for marker in (b"\x10\x1a\x00\x10", b"\x10\x14\x00\x20"):  # Enrollee Nonce, E-Hash1
                if (pos := data.find(marker)) >= 0:
                    nonces.append(data[pos + 4 : pos + 4 + (16 if marker[1] == 0x1A else 32)])
        return nonces

    a, b = m1_nonce_and_ehash(enrollee_run()), m1_nonce_and_ehash(enrollee_run())
    assert a and b and not set(a) & set(b)
