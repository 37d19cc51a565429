"""Beacon protection as hostap 2.10's wpa_supplicant does it: with a network's `beacon_prot=1` on a radio whose
kernel checks beacons, the BIGTK of message 3 and of group messages (IEEE 802.11-2020 12.7.2 BIGTK KDE) is
installed once, under KeyID 6 or 7, with the link's BIP cipher (rsn_supp/wpa.c ieee80211w_set_keys,
wpa_supplicant_install_bigtk); one it cannot install ends the association after message 3 and is only said after a
group message; a beacon the kernel drops as unprotected is said and reported to the AP (events.c
wpas_event_unprot_beacon). Against test_wpa_handshake.py's authenticator and the fake radio."""

from __future__ import annotations

import asyncio
import logging

import pytest

from pywps.wpa import (BigtkNotInstalled, Cipher, GroupKeyNotConfigured, GroupRekeyed, HandshakeCompleted,
                       HandshakeFailed, InstallGroupKey, InstallPairwiseKey, SendEapol, State)
from test_wpa_handshake import REF_KEY_LEN, Authenticator, handshake, kinds

BIP = Cipher.BIP_CMAC_128
BIP_CIPHERS = (Cipher.BIP_CMAC_128, Cipher.BIP_GMAC_128, Cipher.BIP_GMAC_256, Cipher.BIP_CMAC_256)


def protected_ap(mgmt_group: Cipher = BIP) -> Authenticator:
    ap = Authenticator(mgmt_group=mgmt_group)
    ap.bigtk = bytes([0x75]) * REF_KEY_LEN[mgmt_group]
    return ap


@pytest.mark.parametrize("mgmt_group", BIP_CIPHERS, ids=lambda c: c.name)
def test_message_3s_bigtk_is_installed_after_the_igtk_with_the_bip_cipher(mgmt_group):
    ap = protected_ap(mgmt_group)
    hs, out = handshake(ap, ap.supplicant(beacon_protection=True))
    assert kinds(out) == [SendEapol, InstallPairwiseKey, InstallGroupKey, InstallGroupKey, InstallGroupKey,
                          HandshakeCompleted]
    igtk, bigtk = out[3], out[4]
    assert (igtk.key_index, igtk.cipher) == (4, mgmt_group)
    assert (bigtk.gtk, bigtk.key_index, bigtk.rsc, bigtk.cipher) == (ap.bigtk, 6, ap.bipn, mgmt_group)


def test_without_beacon_protection_or_without_a_protected_link_the_bigtk_is_ignored():
    """hostap reads the KDE only with sm->beacon_prot, and not at all without a management group cipher."""
    ap = protected_ap()
    hs, out = handshake(ap, ap.supplicant())
    assert [e.key_index for e in out if isinstance(e, InstallGroupKey)] == [1, 4]
    ap = protected_ap()
    hs, out = handshake(ap, ap.supplicant(mgmt_group=None, beacon_protection=True))
    assert [e.key_index for e in out if isinstance(e, InstallGroupKey)] == [1]
    assert not hs.beacon_protection and isinstance(out[-1], HandshakeCompleted)


def test_message_3_without_a_bigtk_completes():
    """An AP without beacon protection sends none: nothing is said (hostap's ieee80211w_set_keys)."""
    ap = Authenticator(mgmt_group=BIP)
    hs, out = handshake(ap, ap.supplicant(beacon_protection=True))
    assert kinds(out)[-1] is HandshakeCompleted and len([e for e in out if isinstance(e, InstallGroupKey)]) == 2


@pytest.mark.parametrize("key_id,length,said", [(8, 16, 8), (5, 16, 5), (0x0600, 16, 0x0600), (6, 15, None),
                                                (6, 32, None)])
def test_a_bigtk_that_cannot_be_installed_ends_the_association_after_message_4_and_the_keys(key_id, length, said):
    """hostap sends message 4 and installs the PTK, GTK and IGTK first; then "RSN: Failed to configure IGTK"
    and a deauthentication with reason 1 (unspecified)."""
    ap = protected_ap()
    ap.bigtk, ap.bigtk_id = bytes([0x75]) * length, key_id
    hs, out = handshake(ap, ap.supplicant(beacon_protection=True))
    assert kinds(out) == [SendEapol, InstallPairwiseKey, InstallGroupKey, InstallGroupKey, BigtkNotInstalled,
                          GroupKeyNotConfigured, HandshakeFailed]
    ap.check_msg4(out[0].pdu)
    assert out[4].key_id == said and out[5].key == "IGTK"
    assert out[6].reason_code == 1 and out[6].after_message_4
    assert hs.state is State.FAILED


def test_group_messages_bring_a_new_bigtk_once_and_a_bad_one_leaves_the_link_up():
    ap = protected_ap()
    hs, _ = handshake(ap, ap.supplicant(beacon_protection=True))
    ap.bigtk, ap.bigtk_id = bytes([0x76]) * 16, 7
    out = hs.receive(ap.group1(bytes([0x62]) * 16, 2))
    assert kinds(out) == [InstallGroupKey, InstallGroupKey, SendEapol, GroupRekeyed]  # the IGTK is the same
    assert (out[1].gtk, out[1].key_index, out[1].cipher) == (ap.bigtk, 7, BIP)
    out = hs.receive(ap.group1(bytes([0x63]) * 16, 1))  # the same BIGTK again: not reinstalled (KRACK)
    assert kinds(out) == [InstallGroupKey, SendEapol, GroupRekeyed] and out[0].cipher == Cipher.CCMP
    ap.bigtk, ap.bigtk_id = bytes([0x77]) * 16, 9  # hostap: "Failed to configure IGTK", the GTK taken all the same
    out = hs.receive(ap.group1(bytes([0x64]) * 16, 2))
    assert kinds(out) == [InstallGroupKey, BigtkNotInstalled, GroupKeyNotConfigured, SendEapol, GroupRekeyed]
    ap.check_group2(out[3].pdu)
    assert out[1].key_id == 9 and hs.state is State.COMPLETED


def test_a_repeated_message_3_does_not_install_the_bigtk_again():
    ap = protected_ap()
    hs, _ = handshake(ap, ap.supplicant(beacon_protection=True))
    assert kinds(hs.receive(ap.msg3())) == [SendEapol]


# -- the daemon on the fake radio ------------------------------------------------------------------------------

STORED = 'network={\n\tssid="pywps-test"\n\tpsk="correct horse battery"\n\tieee80211w=2\n%s}\n'


@pytest.mark.parametrize("network,keys", [("\tbeacon_prot=1\n", ["ptk", "gtk1", "igtk4", "bigtk6", "port"]),
                                          ("", ["ptk", "gtk1", "igtk4", "port"])])
def test_the_daemon_installs_the_bigtk_of_a_network_with_beacon_prot(network, keys):
    from shellfakes import FakeAp, FakeRadioDriver
    from shellrig import Rig, run

    async def main():
        driver = FakeRadioDriver(FakeAp(mgmt_group=BIP, bigtk_key_id=6))
        async with Rig(driver, STORED % network) as rig:
            await rig.wait_event("^CTRL-EVENT-CONNECTED")
            assert driver.keys == keys
            assert await rig.cmd("GET_CAPABILITY beacon_prot") == "supported"
            assert await rig.cmd("GET_NETWORK 0 beacon_prot") == ("1" if network else "0")

    run(main())


def test_a_radio_that_cannot_check_beacons_installs_no_bigtk_and_says_not_supported():
    """wpa_supplicant_rsn_supp_set_config: beacon_prot only with the driver's BEACON_PROTECTION(_CLIENT)."""
    from shellfakes import FakeAp, FakeRadioDriver
    from shellrig import Rig, run

    async def main():
        driver = FakeRadioDriver(FakeAp(mgmt_group=BIP, bigtk_key_id=6))
        driver.protects_beacons = False
        async with Rig(driver, STORED % "\tbeacon_prot=1\n") as rig:
            await rig.wait_event("^CTRL-EVENT-CONNECTED")
            assert driver.keys == ["ptk", "gtk1", "igtk4", "port"]
            assert await rig.cmd("GET_CAPABILITY beacon_prot") == "not supported"

    run(main())


def test_a_bigtk_under_a_wrong_key_id_is_said_as_wpa_supplicant_says_it_and_the_ap_is_left():
    """wpa_supplicant_install_bigtk's warning, process_3_of_4's "Failed to configure IGTK" and its
    deauthentication (reason 1), after message 4: in its group handshake state, so no wrong passphrase is
    suspected (Debian wpa_supplicant said exactly these lines in the VM: test_hwsim_bad_m3.py)."""
    from shellfakes import AP, FakeAp, FakeRadioDriver
    from shellrig import Rig, run

    async def main():
        driver = FakeRadioDriver(FakeAp(mgmt_group=BIP, bigtk_key_id=8))
        async with Rig(driver, STORED % "\tbeacon_prot=1\n") as rig:
            await rig.wait_event("^CTRL-EVENT-DISCONNECTED")
            await asyncio.sleep(0.1)
            events = [(level, text) for level, text in rig.events]
            first = next(i for i, (_, text) in enumerate(events) if "BIGTK" in text)
            assert events[first:first + 3] == [
                (4, "WPA: Invalid BIGTK KeyID 8"), (3, "RSN: Failed to configure IGTK"),
                (3, f"CTRL-EVENT-DISCONNECTED bssid={AP.hex(':')} reason=1 locally_generated=1")]
            assert not [text for _, text in events if "TEMP-DISABLED" in text or "pre-shared key" in text]
            assert driver.keys == ["ptk", "gtk1", "igtk4"]  # the port never opened
            assert "disconnect 1" in driver.log
            assert not [text for _, text in rig.events if text.startswith("CTRL-EVENT-CONNECTED")]

    run(main())


def test_an_unprotected_beacon_of_the_ap_is_said_and_reported_to_it():
    """wpas_event_unprot_beacon: only while COMPLETED and only for the BSS joined; a WNM Notification Request
    (dialog token 1, type 2: beacon protection failure) goes to the AP, and the link stays."""
    from pywps.driver.base import UnprotectedBeacon
    from shellfakes import AP, FakeAp, FakeRadioDriver
    from shellrig import Rig, run

    async def main():
        driver = FakeRadioDriver(FakeAp(mgmt_group=BIP, bigtk_key_id=6))
        async with Rig(driver, STORED % "\tbeacon_prot=1\n") as rig:
            await rig.wait_event("^CTRL-EVENT-CONNECTED")
            driver._emit(UnprotectedBeacon(bytes.fromhex("020000000999")))  # another BSS's: nothing
            driver._emit(UnprotectedBeacon(AP))
            await rig.wait_event("^CTRL-EVENT-UNPROT-BEACON")
            said = [(level, text) for level, text in rig.events if text.startswith("CTRL-EVENT-UNPROT-BEACON")]
            assert said == [(3, f"CTRL-EVENT-UNPROT-BEACON {AP.hex(':')}")]
            await asyncio.sleep(0.1)  # the connector sends it after the event
            assert [line for line in driver.log if line.startswith("action")] == [f"action to {AP.hex(':')} 0a1a0102"]
            assert "wpa_state=COMPLETED" in await rig.cmd("STATUS")

    run(main())


def test_a_wnm_notification_the_driver_cannot_send_is_only_logged(caplog):
    """wpas_event_unprot_beacon logs "Failed to send WNM-Notification Request frame" at MSG_DEBUG: the monitors
    hear nothing of it, and the link stays."""
    from pywps.driver.base import DriverError, UnprotectedBeacon
    from shellfakes import AP, FakeAp, FakeRadioDriver
    from shellrig import Rig, run

    class RefusingRadio(FakeRadioDriver):
        async def send_action(self, bssid: bytes, body: bytes) -> None:
            raise DriverError("send_action: No such device")

    async def main():
        driver = RefusingRadio(FakeAp(mgmt_group=BIP, bigtk_key_id=6))
        async with Rig(driver, STORED % "\tbeacon_prot=1\n") as rig:
            await rig.wait_event("^CTRL-EVENT-CONNECTED")
            before = len(rig.events)
            with caplog.at_level(logging.DEBUG, logger="pywps"):
                driver._emit(UnprotectedBeacon(AP))
                await rig.wait_event("^CTRL-EVENT-UNPROT-BEACON", after=before)
                await asyncio.sleep(0.1)
            assert [text for _, text in rig.events[before:]] == [f"CTRL-EVENT-UNPROT-BEACON {AP.hex(':')}"]
            logged = [(r.levelno, r.getMessage()) for r in caplog.records if "WNM" in r.getMessage()]
            assert logged == [(logging.DEBUG, "Failed to send WNM-Notification Request frame: send_action: No such device")]
            assert "wpa_state=COMPLETED" in await rig.cmd("STATUS")

    run(main())
