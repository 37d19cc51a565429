"""wpa_supplicant's temporary disabling of an SSID after authentication failures: the connection policy's
memory of wrong keys, kept apart from `security.py` so the policy is made without the WPA code (a radio's start
makes it before its first PONG)."""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass


def backoff_seconds(failures: int) -> int:
    """wpa_supplicant 2.10's temporary-disable durations after consecutive authentication failures
    (wpas_auth_failed): 10 s, 20, 30, then 60 from the 4th, 90 from the 6th, 120 from the 11th, 300 after 50."""
    for limit, seconds in ((50, 300), (10, 120), (5, 90), (3, 60), (2, 30), (1, 20)):
        if failures > limit:
            return seconds
    return 10


@dataclass
class _Record:
    """One SSID's failures in a row and until when it stays disabled."""

    failures: int = 0
    until: float = 0.0
    network_id: int = -1


class Backoffs:
    """wpa_supplicant's temporary disabling of an SSID after authentication failures, by SSID. `randbelow(n)`: a
    number in [0, n), for the spread of a network that may use 802.1X."""

    def __init__(self, randbelow: Callable[[int], int] = secrets.randbelow) -> None:
        self._by_ssid: dict[bytes, _Record] = {}
        self._randbelow = randbelow

    def disabled(self, ssid: bytes, now: float) -> bool:
        record = self._by_ssid.get(ssid)
        return record is not None and record.until > now

    def temporarily(self, ssid: bytes, now: float) -> bool:
        """Disabled until a time to come (wpa_supplicant's disabled_until), not for good."""
        record = self._by_ssid.get(ssid)
        return record is not None and now < record.until < math.inf

    def failed(self, ssid: bytes, network_id: int, now: float, spread: bool = False) -> tuple[int, int] | None:
        """Count a failure; (failures so far, seconds disabled), or None when the SSID is disabled for longer
        already (wpas_auth_failed says nothing then). `spread`: the network's key_mgmt has an 802.1X AKM, and from
        the second failure on wpa_supplicant adds up to 10 s a failure at random."""
        record = self._by_ssid.setdefault(ssid, _Record())
        record.failures += 1
        record.network_id = network_id
        seconds = backoff_seconds(record.failures)
        if spread and record.failures > 1:
            seconds += self._randbelow(record.failures * 10)
        if now + seconds <= record.until:
            return None
        record.until = now + seconds
        return record.failures, seconds

    def disable_for_good(self, ssid: bytes, network_id: int) -> None:
        """A network we can never join as configured (an unusable psk): no timer, no retries."""
        self._by_ssid[ssid] = _Record(until=math.inf, network_id=network_id)

    def clear(self, ssid: bytes) -> bool:
        """SELECT_NETWORK of the SSID's network: its back-off ends and its failures are forgotten (not a
        disable_for_good). True when it was backing off (wpa_supplicant then says CTRL-EVENT-SSID-REENABLED)."""
        record = self._by_ssid.get(ssid)
        if record is None or record.until == math.inf:
            return False
        del self._by_ssid[ssid]
        return record.until > 0

    def succeeded(self, ssid: bytes) -> None:
        self._by_ssid.pop(ssid, None)

    def next_expiry(self) -> float | None:
        times = [r.until for r in self._by_ssid.values() if 0 < r.until < math.inf]
        return min(times) if times else None

    def expire(self, now: float) -> list[tuple[int, bytes]]:
        """The (network id, SSID) pairs whose back-off ended by `now`."""
        done = []
        for ssid, record in self._by_ssid.items():
            if 0 < record.until <= now:
                record.until = 0.0
                done.append((record.network_id, ssid))
        return done

    def forget_ids(self) -> None:
        for record in self._by_ssid.values():
            record.network_id = -1
