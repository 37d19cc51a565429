"""The SA Query procedure after an unprotected disconnect on a protected link, as wpa_supplicant's sme.c runs it:
the numbers (pywps/station/saquery.py), the connection policy's requests, timer and deauthentication, and the
daemon on the fake radio. Over the air against hostapd: tests/vm/guest/test_hwsim_mfp.py."""

from __future__ import annotations

import pytest

from pywps.config import parse
from pywps.events import SaQueryNotSent
from pywps.station import connection as conn
from pywps.station.bss import BssTable
from pywps.station.saquery import MAX_TIMEOUT_TU, RETRY_INTERVAL, TU, SaQuery
from pywps.wpa.rsn import Cipher
from shellfakes import AP, STA, FakeAp, FakeRadioDriver, beacon
from test_policies import STORED, drain, handshake_to_completion

REQUEST, RESPONSE = b"\x08\x00", b"\x08\x01"


def numbered() -> SaQuery:
    ids = iter(bytes([0, i]) for i in range(1, 100))
    return SaQuery(random=lambda n: next(ids))


def test_only_the_reasons_that_say_the_ap_does_not_know_us_start_it_and_at_most_once_in_ten_seconds():
    query = numbered()
    assert not query.triggered(3, 0.0) and not query.triggered(1, 0.0)
    assert query.triggered(7, 0.0)
    assert not query.triggered(6, 5.0)  # within 10 s of the last
    assert query.triggered(6, 10.5)


def test_requests_every_201_tu_until_1000_tu_have_passed():
    query = numbered()
    times, now = [], 0.0
    while (body := query.next_request(now)) is not None:
        assert body == REQUEST + bytes([0, len(times) + 1])
        times.append(now)
        now += RETRY_INTERVAL
    assert len(times) == 5 and (now - times[0]) / TU > MAX_TIMEOUT_TU  # sme_sa_query_timer's count
    assert not query.active


def test_a_response_to_any_of_its_requests_ends_it_and_others_do_not():
    query = numbered()
    query.next_request(0.0)
    query.next_request(0.2)
    assert not query.answered(RESPONSE + b"\x00\x09")  # an identifier never sent
    assert not query.answered(REQUEST + b"\x00\x01")  # a request, not a response
    assert not query.answered(RESPONSE + b"\x00")  # too short
    assert query.answered(RESPONSE + b"\x00\x01") and not query.active


PROTECTED = STORED.replace("}", "\tieee80211w=1\n}")


def protected_link(conf: str = PROTECTED, mgmt_group: Cipher | None = Cipher.BIP_CMAC_128) -> conn.ConnectionPolicy:
    ap = FakeAp(mgmt_group=mgmt_group)
    table = BssTable()
    table.update([beacon(rsn=ap.rsn)], 0.0)
    config = parse(conf)
    policy = conn.ConnectionPolicy(lambda: config, table, STA, bip=lambda: True)
    policy._sa_query = numbered()
    handshake_to_completion(policy, ap)
    policy.port_authorized(1.0)
    drain(policy)
    assert policy.state is conn.LinkState.COMPLETED
    return policy


def query(body: bytes) -> conn.SendAction:
    """The step that sends an SA Query Request; the monitors hear of it only when it cannot be sent."""
    return conn.SendAction(AP, body, "SA Query Request", SaQueryNotSent())


def test_an_unanswered_query_leaves_the_ap_with_reason_2_and_joins_again():
    policy = protected_link()
    policy.unprotected_disconnect(AP, 7, 10.0)
    assert drain(policy)[0] == [query(REQUEST + b"\x00\x01")]
    now = 10.0
    for i in range(2, 6):
        now = policy.get_timer()
        policy.handle_timer(now)
        assert drain(policy)[0] == [query(REQUEST + bytes([0, i]))]
    policy.handle_timer(policy.get_timer())
    assert drain(policy)[0] == [conn.Leave(2), conn.SetOperState(False)]
    assert policy.state is conn.LinkState.DISCONNECTED and policy.get_timer() == pytest.approx(
        now + RETRY_INTERVAL + conn.LOST_LINK_RESCAN)


def test_an_answered_query_keeps_the_link():
    policy = protected_link()
    policy.unprotected_disconnect(AP, 6, 10.0)
    policy.handle_timer(policy.get_timer())
    drain(policy)
    policy.sa_query_response(bytes(6), RESPONSE + b"\x00\x02", 10.3)  # from another address: not the AP's answer
    assert policy.get_timer() is not None
    policy.sa_query_response(AP, RESPONSE + b"\x00\x02", 10.3)
    assert policy.get_timer() is None and policy.state is conn.LinkState.COMPLETED
    policy.unprotected_disconnect(AP, 7, 12.0)  # the AP again within 10 s: no second procedure
    assert drain(policy) == ([], [])


@pytest.mark.parametrize("conf,sa,reason", [
    (STORED, AP, 7),  # a network without protection (pywps's ieee80211w unset: 0)
    (PROTECTED, bytes.fromhex("020000000009"), 7),  # not from our AP
    (PROTECTED, AP, 3),  # a reason that does not say the AP lost us
])
def test_other_unprotected_disconnects_start_nothing(conf, sa, reason):
    policy = protected_link(conf, mgmt_group=None if conf == STORED else Cipher.BIP_CMAC_128)
    policy.unprotected_disconnect(sa, reason, 10.0)
    assert drain(policy) == ([], []) and policy.get_timer() is None


def test_the_query_stops_with_the_link():
    policy = protected_link()
    policy.unprotected_disconnect(AP, 7, 10.0)
    drain(policy)
    policy.link_lost(3, False, 10.1)
    assert policy.get_timer() == pytest.approx(10.1 + conn.LOST_LINK_RESCAN)  # the rejoin, no query step


def test_the_daemon_sends_the_query_through_the_driver_and_leaves_when_unanswered():
    from pywps.driver.base import UnprotectedDisconnect
    from shellrig import Rig, run

    class SilentAp(FakeRadioDriver):
        async def send_action(self, bssid: bytes, body: bytes) -> None:
            self.log.append(f"action {body[:2].hex()} to {bssid.hex(':')}")

    async def main():
        driver = SilentAp(FakeAp(mgmt_group=Cipher.BIP_CMAC_128))
        async with Rig(driver, PROTECTED) as rig:
            await rig.wait_event("^CTRL-EVENT-CONNECTED")
            before = len(rig.events)
            driver._emit(UnprotectedDisconnect(AP, 7))
            await rig.wait_event("^CTRL-EVENT-DISCONNECTED", after=before)
            assert driver.log.count(f"action 0800 to {AP.hex(':')}") == 5
            assert "disconnect 2" in driver.log
            await rig.wait_event("^CTRL-EVENT-CONNECTED", after=before)

    run(main())


def test_a_query_the_driver_cannot_send_is_said_and_retried():
    """sme_sa_query_timer: "SME: Failed to send SA Query Request" reaches the monitors (MSG_INFO) for each request
    the driver refuses; the retry timer goes on, and the procedure ends the link as an unanswered one does."""
    from pywps.driver.base import DriverError, UnprotectedDisconnect
    from shellrig import Rig, run

    class RefusingRadio(FakeRadioDriver):
        async def send_action(self, bssid: bytes, body: bytes) -> None:
            self.log.append("action refused")
            raise DriverError("send_action: No such device")

    async def main():
        driver = RefusingRadio(FakeAp(mgmt_group=Cipher.BIP_CMAC_128))
        async with Rig(driver, PROTECTED) as rig:
            await rig.wait_event("^CTRL-EVENT-CONNECTED")
            before = len(rig.events)
            driver._emit(UnprotectedDisconnect(AP, 7))
            await rig.wait_event("^CTRL-EVENT-DISCONNECTED", after=before)
            said = [event for event in rig.events[before:] if "SA Query" in event[1]]
            assert said == [(3, "SME: Failed to send SA Query Request")] * 5
            assert driver.log.count("action refused") == 5 and "disconnect 2" in driver.log

    run(main())
