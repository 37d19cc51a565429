"""The nl80211 driver's connect() against the order its events can come in, with the netlink request replaced
(no radio needed): a DISCONNECT read while the connect is under way is the previous link's and does not spoil
the new one; a DISCONNECT read after the connect result but before connect() resumes means the link is gone."""

from __future__ import annotations

import asyncio
import struct

import pytest

from pywps.driver.base import AssociationRejected, AuthenticationRejected, DriverError, LinkDisconnected
from pywps.driver.nl80211 import Nl80211Driver
from pywps.driver.nl80211_msg import CMD, Nl80211Msg

OLD = NEW = bytes.fromhex("020000000000")  # after WPS the station joins the same AP again


def event(cmd: str, **attrs: object) -> Nl80211Msg:
    msg = Nl80211Msg()
    msg["cmd"] = CMD[cmd]
    msg["attrs"] = [("NL80211_ATTR_IFINDEX", 7), *((f"NL80211_ATTR_{k.upper()}", v) for k, v in attrs.items())]
    return msg


def connect_with(events_then: list[Nl80211Msg]) -> tuple[Nl80211Driver, list[object], asyncio.Future]:
    driver = Nl80211Driver("wlan-test")
    driver.ifindex = 7
    seen: list[object] = []
    driver.on_event = seen.append

    async def request(cmd: str, *attrs: tuple[str, object], dump: bool = False) -> list:
        assert cmd == "CONNECT"
        # the kernel's events, read in this order by the event socket before connect() runs again
        for msg in events_then:
            driver._on_event(msg)
        return []

    driver._request = request  # type: ignore[method-assign]
    return driver, seen, asyncio.ensure_future(driver.associate(NEW, b"ssid", 2412))


def test_a_disconnect_of_the_previous_link_read_during_connect_leaves_the_new_link_up():
    async def main():
        stale = event("DISCONNECT", mac=OLD, reason_code=23, disconnected_by_ap=True)
        driver, seen, connecting = connect_with([stale, event("CONNECT", mac=NEW, status_code=0)])
        await connecting
        assert driver.bssid == NEW
        assert isinstance(seen[0], LinkDisconnected) and seen[0].reason == 23  # still reported, as the kernel said

    asyncio.run(main())


def test_a_disconnect_after_the_connect_result_fails_the_association():
    async def main():
        lost = event("DISCONNECT", mac=NEW, reason_code=2, disconnected_by_ap=True)
        driver, _, connecting = connect_with([event("CONNECT", mac=NEW, status_code=0), lost])
        with pytest.raises(DriverError, match="lost at once"):
            await connecting
        assert driver.bssid is None

    asyncio.run(main())


@pytest.mark.parametrize("mfp,optional_ok,sent", [(2, False, 1), (1, True, 2), (1, False, None), (0, True, None)])
def test_management_frame_protection_is_asked_of_the_kernel_as_wpa_supplicants_driver_asks(mfp, optional_ok, sent):
    """NL80211_ATTR_USE_MFP: NL80211_MFP_REQUIRED (1) when the link must be protected, NL80211_MFP_OPTIONAL (2)
    only to a driver whose wiphy says it takes that (NL80211_EXT_FEATURE_MFP_OPTIONAL), nothing otherwise."""
    from pywps.driver.base import LinkCrypto
    from pywps.driver.nl80211_msg import request as build

    async def main():
        driver = Nl80211Driver("wlan-test")
        driver.ifindex, driver._mfp_optional = 7, optional_ok
        asked: list[tuple[str, object]] = []

        async def request(cmd: str, *attrs: tuple[str, object], dump: bool = False) -> list:
            asked.extend(attrs)
            build(cmd, *attrs).encode()  # the attribute types encode as the kernel reads them
            driver._on_event(event("CONNECT", mac=NEW, status_code=0))
            return []

        driver._request = request  # type: ignore[method-assign]
        await driver.associate(NEW, b"ssid", 2412, crypto=LinkCrypto(2, 0x000FAC04, 0x000FAC04, 0x000FAC06, mfp))
        assert dict(asked).get("NL80211_ATTR_USE_MFP") == sent

    asyncio.run(main())


def auth_frame(status: int, transaction: int = 2, ies: bytes = b"") -> bytes:
    """The AP's Authentication frame (open system), as NL80211_CMD_AUTHENTICATE hands it on."""
    header = bytes([0xB0, 0, 0, 0]) + bytes(6) + NEW + NEW + bytes(2)
    return header + struct.pack("<HHH", 0, transaction, status) + ies


def test_the_aps_answers_to_authentication_and_association_are_told_apart():
    """cfg80211's CONNECT result carries the AP's status either way; the Authentication frame the kernel hands on
    (NL80211_CMD_AUTHENTICATE, as it comes) says which request the AP refused, and when the AP accepted the
    authentication, the caller is told at once (wpa_supplicant's "Trying to associate with" comes then)."""
    async def main():
        told: list[str] = []

        async def attempt(*events: Nl80211Msg):
            driver = Nl80211Driver("wlan-test")
            driver.ifindex = 7
            driver.on_event = lambda event: None

            async def request(cmd: str, *attrs: tuple[str, object], dump: bool = False) -> list:
                for msg in events:
                    driver._on_event(msg)
                return []

            driver._request = request  # type: ignore[method-assign]
            await driver.associate(NEW, b"ssid", 2412, on_authenticated=lambda: told.append("authenticated"))

        with pytest.raises(AuthenticationRejected) as refused:
            await attempt(event("AUTHENTICATE", frame=auth_frame(1, ies=b"\xdd\x01\x00")),
                          event("CONNECT", mac=NEW, status_code=1))
        assert (refused.value.status, refused.value.transaction, refused.value.ies, told) == (1, 2, b"\xdd\x01\x00", [])
        with pytest.raises(AssociationRejected) as refused:
            await attempt(event("AUTHENTICATE", frame=auth_frame(0)), event("CONNECT", mac=NEW, status_code=17))
        assert refused.value.status == 17 and told == ["authenticated"]
        with pytest.raises(DriverError) as failed:  # a timeout is neither: no AP said anything
            await attempt(event("CONNECT", mac=NEW, status_code=1, timed_out=True))
        assert not isinstance(failed.value, (AuthenticationRejected, AssociationRejected))
        await attempt(event("AUTHENTICATE", frame=auth_frame(0)), event("CONNECT", mac=NEW, status_code=0))
        assert told == ["authenticated"] * 2

    asyncio.run(main())
