"""wpa_supplicant's BSSID ignore list (bssid_ignore.c): the APs a connection attempt failed with, and those
BSSID_IGNORE named, each with a count that grows with every failure and a time it counts for. Sans-IO: the
caller says what time it is."""

from __future__ import annotations

FORGOTTEN_AFTER = 3600  # seconds past its time that an entry leaves the list (wpa_bssid_ignore_update)
# wpas_connection_failed: seconds to the scan after the n-th failed connection attempt in a row, and after more
_FAILURE_RESCAN = {1: 0.1, 2: 0.5, 3: 1.0, 4: 5.0}
_FAILURE_RESCAN_LAST = 10.0


def ignore_seconds(count: int) -> int:
    """How long an entry counts after its count-th addition (wpa_bssid_ignore_add)."""
    for least, seconds in ((6, 1800), (5, 600), (4, 120), (3, 60)):
        if count >= least:
            return seconds
    return 10


def failure_rescan(failures: int) -> float:
    """Seconds from the `failures`-th failed connection attempt in a row to the next scan (wpas_connection_failed:
    the AP went into this list, and the scan looks for another)."""
    return _FAILURE_RESCAN.get(failures, _FAILURE_RESCAN_LAST)


class _Entry:
    __slots__ = ("count", "start", "seconds")  # a plain class: the daemon's start path makes the list

    def __init__(self, count: int, start: float, seconds: int) -> None:
        self.count, self.start, self.seconds = count, start, seconds


class IgnoreList:
    """BSSIDs with wpa_supplicant's counts. Listed newest first, as BSSID_IGNORE prints them."""

    def __init__(self) -> None:
        self._entries: dict[bytes, _Entry] = {}  # oldest first

    def add(self, bssid: bytes, now: float) -> int:
        """One more failure with `bssid` (or a BSSID_IGNORE of it): its count now."""
        self._forget(now)
        entry = self._entries.get(bssid)
        if entry is None:
            self._entries[bssid] = _Entry(1, now, ignore_seconds(1))
            return 1
        entry.count += 1
        entry.start, entry.seconds = now, ignore_seconds(entry.count)
        return entry.count

    def count(self, bssid: bytes, now: float) -> int:
        """wpa_bssid_ignore_is_listed: the entry's count while its time runs, else 0."""
        self._forget(now)
        entry = self._entries.get(bssid)
        return entry.count if entry is not None and now - entry.start <= entry.seconds else 0

    def counted(self, now: float, above: int = 0) -> set[bytes]:
        """The BSSIDs whose entries count now with a count over `above` (a WPS run skips them all; a network's
        choice those over its limit)."""
        self._forget(now)
        return {bssid for bssid, e in self._entries.items() if now - e.start <= e.seconds and e.count > above}

    def listed(self, now: float) -> list[bytes]:
        self._forget(now)
        return list(reversed(self._entries))

    def remove(self, bssid: bytes) -> None:
        self._entries.pop(bssid, None)

    def clear(self) -> None:
        self._entries.clear()

    def __bool__(self) -> bool:
        return bool(self._entries)

    def _forget(self, now: float) -> None:
        for bssid in [b for b, e in self._entries.items() if now - e.start > e.seconds + FORGOTTEN_AFTER]:
            del self._entries[bssid]
