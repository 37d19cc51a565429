"""mac_addr and preassoc_mac_addr: the interface's address for each association and for scans while not
associated, chosen as wpa_supplicant 2.10 chooses it (pywps/station/macaddr.py), then used on the fake radio: the
association, the 4-way handshake's PTK, a WPS run's M1, scans, FLUSH. Against Debian wpa_supplicant on radios:
tests/vm/guest/test_hwsim_macaddr.py."""

from __future__ import annotations

import asyncio
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pywps.config import parse
from pywps.station.macaddr import AddressChoice, AddressRequest, MacAddrStyle, address_request, random_address
from pywps.wps.attributes import parse_attrs
from pywps.wps.defs import AttrType, MsgType
from pywps.wps.eap import parse_eap, parse_eapol, parse_wsc
from shellfakes import PASSPHRASE, PIN, SSID, STA, FakeAp, FakeRadioDriver
from shellrig import Rig, run

PERMANENT = bytes.fromhex("020000000100")


def counter_bytes():
    """Distinct 'random' bytes for each draw."""
    counter = itertools.count(1)
    return lambda n: next(counter).to_bytes(n, "big")


@given(st.binary(min_size=6, max_size=6), st.sampled_from([MacAddrStyle.RANDOM, MacAddrStyle.RANDOM_SAME_OUI]))
def test_a_random_address_is_unicast_and_locally_administered(raw, style):
    addr = random_address(style, PERMANENT, lambda n: raw[:n])
    assert len(addr) == 6 and addr[0] & 0x01 == 0 and addr[0] & 0x02
    if style == MacAddrStyle.RANDOM_SAME_OUI:  # the OUI kept, its locally administered bit set
        assert addr[:3] == bytes([PERMANENT[0] | 0x02]) + PERMANENT[1:3] and addr[3:] == raw[:3]
    else:
        assert addr[1:] == raw[1:]


def test_the_address_for_each_association_as_wpa_supplicant_chooses_it():
    choice = AddressChoice(PERMANENT, counter_bytes())

    def take(network: int, style: int, now: float, lifetime: int = 60) -> bytes | None:
        request = AddressRequest(network, style, lifetime)
        address = choice.address_for(request, now)
        if address is not None:
            choice.took(address, style, now)
        choice.associating(request)
        return address

    assert take(0, 0, 0) is None  # the permanent address, already there
    first = take(1, 1, 1)
    assert first is not None and first != PERMANENT and choice.changed
    assert take(1, 1, 2) is None  # the same network again: its address stays
    assert take(2, 1, 30) is None  # another network within rand_addr_lifetime: the same random address
    second = take(3, 1, 62)  # past the lifetime: a new one
    assert second not in (None, first)
    third = take(4, 2, 63)  # another style: a new one at once, with the permanent OUI
    assert third is not None and third[1:3] == PERMANENT[1:3]
    assert take(5, 0, 64) == PERMANENT and not choice.changed  # mac_addr=0: the permanent address again
    assert take(6, -1, 65) is None  # a negative style asks nothing (wpa_supplicant reads > 0 and == 0 only)
    # the permanent address back does not end the last random one's lifetime: another network of that style
    # within it keeps the permanent address, as wpa_supplicant does; past it, a new random one
    assert take(8, 2, 66) is None and not choice.changed
    assert take(9, 2, 124) is not None and choice.changed
    for now in (125, 126):  # no such policy: wpa_supplicant does not associate, however often it tries
        with pytest.raises(ValueError):
            take(7, 3, now)


def test_scans_while_not_associated_take_the_preassoc_style():
    choice = AddressChoice(PERMANENT, counter_bytes())
    assert choice.for_scan(0, 60, 0) is None  # preassoc_mac_addr=0: the address there
    first = choice.for_scan(1, 60, 1)
    assert first is not None
    choice.took(first, 1, 1)
    assert choice.for_scan(1, 60, 30) is None  # within the lifetime: kept
    # an association for a network of the same style within the lifetime keeps the scans' address
    assert choice.address_for(AddressRequest(0, 1, 60), 31) is None
    with pytest.raises(ValueError):
        choice.for_scan(-1, 60, 32)  # wpa_supplicant: "Failed to assign random MAC address for a scan"


def test_the_networks_mac_addr_else_the_global_one():
    config = parse('mac_addr=2\nrand_addr_lifetime=7\nnetwork={\n\tssid="a"\n\tkey_mgmt=NONE\n}\n'
                   'network={\n\tssid="b"\n\tkey_mgmt=NONE\n\tmac_addr=0\n}\n')
    assert [address_request(config, n) for n in config.networks] == [AddressRequest(0, 2, 7), AddressRequest(1, 0, 7)]
    assert address_request(parse('network={\n\tssid="a"\n}\n'), parse('network={\n\tssid="a"\n}\n').networks[0]) == (
        AddressRequest(0, 0, 60))


STORED = f'network={{\n\tssid="{SSID.decode()}"\n\tpsk="{PASSPHRASE.decode()}"\n\tmac_addr=1\n}}\n'


def test_a_network_with_mac_addr_is_joined_from_a_random_address():
    """The association and the 4-way handshake's PTK (the fake AP checks message 2's MIC with the station's
    address on the link) take the random address; STATUS shows it; the WPS UUID stays the permanent one's."""
    async def main():
        driver = FakeRadioDriver(FakeAp())
        async with Rig(driver, STORED) as rig:
            uuid_before = dict(line.split("=", 1) for line in (await rig.cmd("STATUS")).splitlines())["uuid"]
            await rig.wait_event("^CTRL-EVENT-CONNECTED ")
            status = dict(line.split("=", 1) for line in (await rig.cmd("STATUS")).splitlines())
            assert driver.addr != STA and driver.addr[0] & 0x03 == 0x02
            assert status["address"] == driver.addr.hex(":") and status["wpa_state"] == "COMPLETED"
            assert status["uuid"] == uuid_before
            assert driver.log.index(f"address {driver.addr.hex(':')}") < next(
                i for i, line in enumerate(driver.log) if line.startswith("associate"))

    run(main())


def test_a_wps_run_under_the_global_mac_addr_sends_its_random_address_in_m1():
    """wpas_wps_update_mac_addr: M1's MAC Address is the address the run's association took."""
    async def main():
        ap = FakeAp()
        driver = FakeRadioDriver(ap)
        async with Rig(driver, "mac_addr=1\nupdate_config=1\n") as rig:
            assert await rig.cmd(f"WPS_PIN any {PIN}") == PIN
            await rig.wait_event("^WPS-SUCCESS")
            assert driver.addr != STA
            m1 = next(attrs for attrs in map(wsc_attrs, ap.wsc.received)
                      if attrs and attrs.get(AttrType.MSG_TYPE) == bytes([MsgType.M1]))
            assert m1.get(AttrType.MAC_ADDR) == driver.addr

    run(main())


def wsc_attrs(pdu: bytes):
    """The WSC attributes of an EAPOL-carried EAP-WSC message (unfragmented), else None."""
    eap = parse_eap(parse_eapol(pdu).body) if len(pdu) > 4 and pdu[1] == 0 else None
    if eap is None or eap.type != 254:
        return None
    frame = parse_wsc(eap.data)
    return parse_attrs(frame.data) if frame.data else None


def test_scans_while_not_associated_come_from_preassoc_mac_addrs_address():
    """preassoc_mac_addr=1: a random address before the scan (not during it); a network of mac_addr 0 (the
    global's default) is then joined from the permanent address again."""
    async def main():
        driver = FakeRadioDriver(FakeAp())
        async with Rig(driver, "preassoc_mac_addr=1\nupdate_config=1\n") as rig:
            assert await rig.cmd("SCAN") == "OK\n"
            await rig.wait_event("^CTRL-EVENT-SCAN-RESULTS ")
            scan_address = driver.addr
            assert scan_address != STA and driver.log[-2:] == [f"address {scan_address.hex(':')}", "scan"]
            assert await rig.cmd("ADD_NETWORK") == "0\n"
            for field, value in (("ssid", f'"{SSID.decode()}"'), ("psk", f'"{PASSPHRASE.decode()}"')):
                assert await rig.cmd(f"SET_NETWORK 0 {field} {value}") == "OK\n"
            assert await rig.cmd("SELECT_NETWORK 0") == "OK\n"
            await rig.wait_event("^CTRL-EVENT-CONNECTED ")
            assert driver.addr == STA and f"address {STA.hex(':')}" in driver.log
            assert await rig.cmd("DISCONNECT") == "OK\n"
            assert await rig.cmd("SET rand_addr_lifetime 0") == "OK\n"
            await asyncio.sleep(0.01)
            after = len(rig.events)
            assert await rig.cmd("SCAN") == "OK\n"  # past the lifetime: a new random address
            await rig.wait_event("^CTRL-EVENT-SCAN-RESULTS ", after=after)
            assert driver.addr not in (STA, scan_address)
            assert await rig.cmd("FLUSH") == "OK\n"  # the global mac_addr is 0: the permanent address again
            assert driver.addr == STA

    run(main())
