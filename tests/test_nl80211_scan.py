"""The nl80211 scan request as the kernel reads it: NL80211_ATTR_SCAN_FREQUENCIES a nest of u32 (MHz), the
attribute types inside it mere indexes (nl80211.c reads them with nla_for_each_nested). The kernel's own
reading, and `iw event`'s report of the channels scanned, are in tests/vm/guest/test_hwsim_wps.py."""

from __future__ import annotations

import struct

from pywps.driver.nl80211_msg import request, scan_frequencies

NL80211_ATTR_SCAN_FREQUENCIES = 44  # include/uapi/linux/nl80211.h


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
