"""The nl80211 scan request as the kernel reads it: NL80211_ATTR_SCAN_FREQUENCIES a nest of u32 (MHz), the
attribute types inside it mere indexes (nl80211.c reads them with nla_for_each_nested). The kernel's own
reading, and `iw event`'s report of the channels scanned, are in tests/vm/guest/test_hwsim_wps.py; what the other
scan arguments do on a radio, beside wpa_supplicant, in tests/vm/guest/test_hwsim_events_diff.py."""

from __future__ import annotations

import asyncio
import struct

from pywps.driver.base import OthersScanEnded, ScanParams, ScanResults
from pywps.driver.nl80211 import Nl80211Driver
from pywps.driver.nl80211_msg import Nl80211Msg, request, scan_frequencies

# include/uapi/linux/nl80211.h
NL80211_ATTR_MAC = 6
NL80211_ATTR_SCAN_FREQUENCIES = 44
NL80211_ATTR_SCAN_SSIDS = 45
NL80211_ATTR_SCAN_FLAGS = 158
NL80211_ATTR_BSSID = 245


def attributes(data: bytes) -> list[tuple[int, bytes]]:
    found, offset = [], 0
    while offset + 4 <= len(data):
        length, kind = struct.unpack_from("=HH", data, offset)
        found.append((kind & 0x3FFF, data[offset + 4:offset + length]))
        offset += (length + 3) & ~3
    return found


def test_trigger_scan_carries_the_frequencies_as_a_nest_of_u32():
    msg = request("TRIGGER_SCAN", ("NL80211_ATTR_IFINDEX", 7),
                  ("NL80211_ATTR_SCAN_FREQUENCIES", scan_frequencies([2412, 2437, 5180])))
    msg.encode()
    body = bytes(msg.data)[16 + 4:]  # after nlmsghdr and genlmsghdr
    nest = dict(attributes(body))[NL80211_ATTR_SCAN_FREQUENCIES]
    assert [(kind, struct.unpack("=I", value)[0]) for kind, value in attributes(nest)] == [
        (1, 2412), (2, 2437), (3, 5180)]


def _sent_trigger(params: ScanParams) -> dict[int, bytes]:
    """The attributes Nl80211Driver.scan puts into its TRIGGER_SCAN, as the kernel would read them."""
    driver = Nl80211Driver("wlan-test")
    driver.ifindex = 7
    sent = []

    async def take(cmd, *attrs, dump=False):
        sent.append(request(cmd, *attrs))
        driver._on_event(_event("NEW_SCAN_RESULTS"))  # the scan ends at once
        return []

    driver._request = take
    driver.scan_results = lambda: asyncio.sleep(0, [])
    results = asyncio.run(driver.scan(params))
    assert results == ScanResults([], aborted=False)
    (msg,) = sent
    msg.encode()
    return dict(attributes(bytes(msg.data)[16 + 4:]))


def _event(cmd: str, *attrs: tuple[str, object]) -> Nl80211Msg:
    """A kernel event as the driver's reader gets it: encoded, then decoded."""
    msg = request(cmd, ("NL80211_ATTR_IFINDEX", 7), *attrs)
    msg.encode()
    decoded = Nl80211Msg(bytes(msg.data))
    decoded.decode()
    return decoded


def test_a_plain_scan_probes_for_the_wildcard_ssid_and_nothing_else():
    attrs = _sent_trigger(ScanParams())
    assert attributes(attrs[NL80211_ATTR_SCAN_SSIDS]) == [(1, b"")]
    assert NL80211_ATTR_SCAN_FLAGS not in attrs and NL80211_ATTR_BSSID not in attrs and NL80211_ATTR_MAC not in attrs


def test_scan_arguments_reach_the_kernel_as_wpa_supplicant_puts_them():
    """passive=1: no SSID nest at all; ssid <hex>: one nested SSID each; only_new=1 / after BSS_FLUSH: the FLUSH
    flag; bssid=: NL80211_ATTR_BSSID and, for older kernels, NL80211_ATTR_MAC (driver_nl80211_scan.c)."""
    assert NL80211_ATTR_SCAN_SSIDS not in _sent_trigger(ScanParams(ssids=()))
    attrs = _sent_trigger(ScanParams(ssids=(b"hidden", b""), flush=True, bssid=bytes.fromhex("020000000100")))
    assert attributes(attrs[NL80211_ATTR_SCAN_SSIDS]) == [(1, b"hidden"), (2, b"")]
    assert struct.unpack("=I", attrs[NL80211_ATTR_SCAN_FLAGS]) == (2,)  # NL80211_SCAN_FLAG_FLUSH
    assert attrs[NL80211_ATTR_BSSID] == attrs[NL80211_ATTR_MAC] == bytes.fromhex("020000000100")


def test_another_programs_scan_is_reported_with_what_it_covered():
    """A NEW_SCAN_RESULTS or SCAN_ABORTED while no scan of ours runs is another program's (`iw scan`): the driver
    reports the channels and SSIDs it covered, from the event, as wpa_supplicant's send_scan_event reads them."""
    driver = Nl80211Driver("wlan-test")
    driver.ifindex = 7
    events = []
    driver.on_event = events.append
    driver._on_event(_event("NEW_SCAN_RESULTS", ("NL80211_ATTR_SCAN_FREQUENCIES", scan_frequencies([2412, 2437])),
                            ("NL80211_ATTR_SCAN_SSIDS", {"attrs": [("SSID1", b"net"), ("SSID2", b"")]})))
    driver._on_event(_event("SCAN_ABORTED", ("NL80211_ATTR_SCAN_FREQUENCIES", scan_frequencies([5180]))))
    assert events == [OthersScanEnded((2412, 2437), (b"net", b""), aborted=False),
                      OthersScanEnded((5180,), (), aborted=True)]
