"""In-process registrations over the EAP layer, as bytes: Enrollee <-> Registrar for every outcome."""

from __future__ import annotations

import pytest
from wps_helpers import (
    AP,
    CRED,
    PIN,
    STA,
    RFC3526_P,
    WscReassembly,
    decode_wsc_pdu,
    eap_code,
    enrollee_run,
    ref_authenticator,
    ref_decrypt,
    ref_dhkey,
    ref_hmac,
    ref_keys,
    ref_psks,
    registrar_run,
    tlvs,
)

from pywps.wps.credential import Credential
from pywps.wps.defs import AuthType, ConfigError, EncrType, MsgType
from pywps.wps.eap import EapFailureReceived
from pywps.wps.events import CredentialReceived, Failure, M2DReceived, PeerIdentified, Success

M = MsgType


def seeded_rng(seed: bytes):
    counter = [0]

    def rng(n: int) -> bytes:
        out = b""
        while len(out) < n:
            counter[0] += 1
            out += ref_hmac(seed, counter[0].to_bytes(8, "big"))
        return out[:n]

    return rng


def only_success(run, side="peer"):
    assert not run.events(side, Failure), run.events(side, Failure)
    assert len(run.events(side, Success)) == 1


def test_pin_success():
    run = enrollee_run()
    only_success(run, "peer")
    only_success(run, "auth")
    (got,) = run.events("peer", CredentialReceived)
    cred = got.credential
    assert not got.from_ap_settings
    assert (cred.ssid, cred.auth_type, cred.encr_type, cred.network_key) == (
        CRED.ssid, CRED.auth_type, CRED.encr_type, CRED.network_key)
    assert cred.mac_address == STA.mac_address  # the registrar addresses the credential to the enrollee
    assert cred.raw == cred.to_credential_attr()
    assert run.msg_types("up") == [M.M1, M.M3, M.M5, M.M7, M.WSC_DONE]
    assert run.msg_types("down") == [None, M.M2, M.M4, M.M6, M.M8]  # None: WSC_Start (no body)
    assert eap_code(run.down[-1]) == 4  # every WPS run ends with EAP-Failure
    assert run.events("peer", EapFailureReceived)
    (peer_id,) = run.events("auth", PeerIdentified)
    assert peer_id.device.mac_address == STA.mac_address and peer_id.device.uuid == STA.uuid


def test_transcript_checks_out_with_the_reference_formulas():
    """Recompute every key, Authenticator and E/R-Hash of a deterministic run from the wire bytes alone."""
    run = enrollee_run(rng=seeded_rng(b"transcript"))
    only_success(run)
    up, down = run.messages("up"), run.messages("down")
    m1, m3, m5, m7 = (body for _, body in up[:4])
    m2, m4, m6, m8 = (body for _, body in down[1:5])
    a1, a2 = dict(tlvs(m1)), dict(tlvs(m2))
    x = run.peer.session.dh._private  # the enrollee's exponent (from the injected rng)
    pk_e, pk_r = a1[0x1032], a2[0x1032]
    assert pow(2, x, RFC3526_P).to_bytes(192, "big") == pk_e
    dhkey = ref_dhkey(pow(int.from_bytes(pk_r, "big"), x, RFC3526_P))
    auth_key, kwk, _ = ref_keys(dhkey, a1[0x101A], a1[0x1020], a2[0x1039])
    chain = [m1, m2, m3, m4, m5, m6, m7, m8]
    for prev, cur in zip(chain, chain[1:]):
        assert cur[-12:-8] == b"\x10\x05\x00\x08"
        assert cur[-8:] == ref_authenticator(auth_key, prev, cur[:-12])
    psk1, psk2 = ref_psks(auth_key, PIN)
    a3, a4, a5, a6 = (dict(tlvs(m)) for m in (m3, m4, m5, m6))
    e_s1 = dict(tlvs(ref_decrypt(kwk, a5[0x1018])))[0x1016]
    r_s1 = dict(tlvs(ref_decrypt(kwk, a4[0x1018])))[0x103F]
    r_s2 = dict(tlvs(ref_decrypt(kwk, a6[0x1018])))[0x1040]
    assert a3[0x1014] == ref_hmac(auth_key, e_s1 + psk1 + pk_e + pk_r)
    assert a4[0x103D] == ref_hmac(auth_key, r_s1 + psk1 + pk_e + pk_r)
    assert a4[0x103E] == ref_hmac(auth_key, r_s2 + psk2 + pk_e + pk_r)
    inner = ref_decrypt(kwk, dict(tlvs(m8))[0x1018])
    settings, kwa = inner[:-12], inner[-8:]
    assert inner[-12:-8] == b"\x10\x1e\x00\x08" and kwa == ref_hmac(auth_key, settings)[:8]
    (got,) = run.events("peer", CredentialReceived)
    assert settings == got.credential.raw


def test_runs_use_fresh_nonces_and_keys():
    a, b = enrollee_run(), enrollee_run()
    m1a, m1b = dict(tlvs(a.messages("up")[0][1])), dict(tlvs(b.messages("up")[0][1]))
    assert m1a[0x101A] != m1b[0x101A] and m1a[0x1032] != m1b[0x1032]
    # Same seed, same bytes: the injected rng drives everything, including the DH exponents.
    c, d = enrollee_run(rng=seeded_rng(b"s")), enrollee_run(rng=seeded_rng(b"s"))
    assert c.up == d.up and c.down == d.down


def test_pbc_success():
    run = enrollee_run(pbc=True)
    only_success(run)
    assert run.events("peer", CredentialReceived)[0].credential.ssid == CRED.ssid
    m1 = dict(tlvs(run.messages("up")[0][1]))
    assert m1[0x1012] == b"\x00\x04"  # Device Password ID: PushButton


def test_four_digit_pin():
    run = enrollee_run(b"1234", b"1234")
    only_success(run)
    assert run.events("peer", CredentialReceived)
    failed = enrollee_run(b"1234", b"1235")
    assert not failed.events("peer", CredentialReceived)
    (f,) = failed.events("peer", Failure)
    assert (f.msg, f.config_error) == (M.M6, ConfigError.DEV_PASSWORD_AUTH_FAILURE)


def test_wrong_first_half():
    run = enrollee_run(b"12345670", b"99995670")
    (f,) = run.events("peer", Failure)
    assert (f.msg, f.config_error) == (M.M4, 18)
    assert not run.events("peer", CredentialReceived) and not run.events("peer", Success)
    sent = run.msg_types("up")
    assert M.M5 not in sent  # E-S1 never leaves the enrollee when the registrar did not prove PIN half 1
    assert sent == [M.M1, M.M3, M.WSC_NACK]
    nack = dict(tlvs(run.messages("up")[-1][1]))
    assert nack[0x1009] == b"\x00\x12"
    assert run.events("auth", Failure) and not run.events("auth", Success)


def test_wrong_second_half():
    run = enrollee_run(b"12345670", b"12349995")
    (f,) = run.events("peer", Failure)
    assert (f.msg, f.config_error) == (M.M6, 18)
    assert not run.events("peer", CredentialReceived)
    assert run.msg_types("up") == [M.M1, M.M3, M.M5, M.WSC_NACK]


def test_enrollee_with_wrong_pin_is_caught_by_the_registrar():
    # The registrar knows the right PIN, the enrollee a wrong one: its R-Hash1 check fails first (msg 8).
    run = enrollee_run(b"11115670", b"12345670")
    assert (run.events("peer", Failure)[0].msg, run.events("peer", Failure)[0].config_error) == (M.M4, 18)


def test_m2d_when_the_registrar_has_no_password():
    run = enrollee_run(registrar_pin=None)
    (m2d,) = run.events("peer", M2DReceived)
    assert m2d.registrar.uuid == AP.uuid and m2d.registrar.device_name == AP.device_name
    assert not run.events("peer", CredentialReceived) and not run.events("peer", Success)
    assert run.msg_types("down")[1] == M.M2D
    assert run.msg_types("up") == [M.M1, M.WSC_ACK]
    assert eap_code(run.down[-1]) == 4


def test_multiple_credentials_in_m8():
    creds = (CRED, Credential(b"five-ghz", AuthType.WPA2PSK, EncrType.AES, b"b" * 64, network_index=2),
             Credential(b"guest", AuthType.OPEN, EncrType.NONE, network_index=3))
    run = enrollee_run(credentials=creds)
    only_success(run)
    got = [e.credential for e in run.events("peer", CredentialReceived)]
    assert [(c.ssid, c.network_key, c.network_index) for c in got] == [
        (c.ssid, c.network_key, c.network_index) for c in creds]
    assert all(c.mac_address == STA.mac_address for c in got)


@pytest.mark.parametrize("peer_size,auth_size", [(50, 50), (50, 1398), (1398, 50)])
def test_fragmentation(peer_size, auth_size):
    from pywps.wps.eap import IDENTITY_ENROLLEE, EapAuthenticator, EapPeer
    from pywps.wps.enrollee import Enrollee, EnrolleeConfig
    from pywps.wps.registrar import Registrar, RegistrarConfig
    from wps_helpers import shuttle

    peer = EapPeer(Enrollee(EnrolleeConfig(STA, PIN)), IDENTITY_ENROLLEE, fragment_size=peer_size)
    auth = EapAuthenticator(registrar_factory=lambda: Registrar(RegistrarConfig(
        AP, PIN, enrollee_is_ap=False, credentials=(CRED,))), fragment_size=auth_size)
    run = shuttle(peer, auth)
    only_success(run)
    assert run.events("peer", CredentialReceived)[0].credential.network_key == CRED.network_key
    up, down = WscReassembly(), WscReassembly()
    for pdu in run.up:
        up.feed(pdu)
        w = decode_wsc_pdu(pdu)
        if w is not None and peer_size == 50:
            assert 2 + (2 if w.length_field is not None else 0) + len(w.data) <= 50
    for pdu in run.down:
        down.feed(pdu)
        w = decode_wsc_pdu(pdu)
        if w is not None and auth_size == 50:
            assert 2 + (2 if w.length_field is not None else 0) + len(w.data) <= 50
    def expected(messages, size):
        """(fragments, FRAG_ACKs) for these messages: the first fragment carries 4 header bytes, others 2."""
        frags = acks = 0
        for _, body in messages:
            if len(body) + 2 > size:
                n = 1 + -(-(len(body) - (size - 4)) // (size - 2))
                frags, acks = frags + n, acks + n - 1
        return frags, acks

    assert (up.fragments, down.frag_acks) == expected(up.messages, peer_size)
    assert (down.fragments, up.frag_acks) == expected(down.messages, auth_size)
    if peer_size == 50:  # M1 alone is ~400 bytes
        assert up.fragments > 15 and down.frag_acks > 10
    if auth_size == 50:
        assert down.fragments > 15 and up.frag_acks > 10
    assert len(up.messages) == 5 and len(down.messages) == 5


def test_fragmented_registrar_run():
    run = registrar_run(fragment_size=50, new_settings=Credential(b"frag", AuthType.WPA2PSK, EncrType.AES, b"k" * 20))
    assert run.events("auth", Success) and run.events("peer", Success)
    assert run.events("auth", CredentialReceived)[0].credential.ssid == b"frag"


# -- external registrar (wps_reg) against an AP enrollee --------------------------------------------------


def test_learn_only_registrar():
    run = registrar_run()
    (got,) = run.events("peer", CredentialReceived)
    assert got.from_ap_settings
    c = got.credential
    assert (c.ssid, c.auth_type, c.encr_type, c.network_key) == (CRED.ssid, CRED.auth_type, CRED.encr_type,
                                                                 CRED.network_key)
    (f,) = run.events("peer", Failure)
    assert (f.msg, f.config_error) == (M.M7, 0)
    assert not run.events("peer", Success)
    # The AP enrollee was told with WSC_NACK (op-code 3) and ended too, without new settings.
    assert run.msg_types("up")[-1] == M.WSC_NACK
    assert [decode_wsc_pdu(p).op for p in run.up if decode_wsc_pdu(p)][-1] == 3
    assert run.events("auth", Failure) and not run.events("auth", CredentialReceived)
    assert not run.events("auth", Success)
    assert run.msg_types("down") == [M.M1, M.M3, M.M5, M.M7]


def test_configure_registrar():
    new = Credential(b"new-ssid", AuthType.WPA2PSK, EncrType.AES, b"new-passphrase")
    run = registrar_run(new_settings=new)
    (ap_got,) = run.events("auth", CredentialReceived)
    c = ap_got.credential
    assert (c.ssid, c.auth_type, c.encr_type, c.network_key) == (new.ssid, new.auth_type, new.encr_type,
                                                                 new.network_key)
    assert c.mac_address == AP.mac_address
    assert len(run.events("auth", Success)) == 1 and not run.events("auth", Failure)
    # The station keeps the new settings as its credential once the AP confirmed with WSC_Done.
    (sta_got,) = run.events("peer", CredentialReceived)
    assert sta_got.credential.ssid == new.ssid and sta_got.from_ap_settings
    assert len(run.events("peer", Success)) == 1
    assert run.msg_types("up") == [M.M2, M.M4, M.M6, M.M8, M.WSC_ACK]
    assert run.msg_types("down") == [M.M1, M.M3, M.M5, M.M7, M.WSC_DONE]


def test_registrar_with_wrong_ap_pin():
    run = registrar_run(ap_pin=b"12345670", registrar_pin=b"11115670")
    assert not run.events("peer", CredentialReceived) and not run.events("auth", CredentialReceived)
    (f,) = run.events("auth", Failure)
    assert (f.msg, f.config_error) == (M.M4, 18)
    assert M.M5 not in run.msg_types("down")
