"""What a stored network and a BSS agree on (protocol, ciphers, our RSN/WPA element, the PMK), and the back-off
after wrong keys: the data the connection policy works with, apart from its transitions."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..config import Network, decode_string
from ..driver.base import LinkCrypto
from ..wpa.errors import KeyFrameError
from ..wpa.keys import pmk_from_passphrase, pmk_from_psk
from ..wpa.rsn import Akm, Cipher, build_rsn_ie, build_wpa_ie, key_mgmt_name, parse_rsn_ie, parse_wpa_ie
from .bss import Bss


def backoff_seconds(failures: int) -> int:
    """wpa_supplicant's temporary-disable durations after consecutive authentication failures."""
    for limit, seconds in ((50, 300), (20, 120), (10, 60), (5, 30), (3, 20)):
        if failures > limit:
            return seconds
    return 10



@dataclass
class Security:
    """What we negotiate with one BSS for one network."""

    wpa2: bool
    pairwise: Cipher
    group: Cipher
    own_ie: bytes

    @property
    def key_mgmt(self) -> str:
        return key_mgmt_name(Akm.PSK, rsn=self.wpa2)

    def link_crypto(self) -> LinkCrypto:
        return LinkCrypto(2 if self.wpa2 else 1, self.pairwise.suite, self.group.suite, Akm.PSK.suite)


def _network_allows(network: Network, key: str, value: str, default: str) -> bool:
    return value in (network.value(key) or default).split()


def negotiate(network: Network, bss: Bss) -> Security | None:
    """The protocol and ciphers we use with this BSS for this network, or None when they cannot agree."""
    if "WPA-PSK" not in (network.value("key_mgmt") or "").split():
        return None
    for wpa2, proto in ((True, "RSN"), (False, "WPA")):
        if not _network_allows(network, "proto", proto, "WPA RSN"):
            continue
        body = bss.rsn_element if wpa2 else bss.wpa_element
        if body is None:
            continue
        try:
            info = parse_rsn_ie(body) if wpa2 else parse_wpa_ie(body)
        except KeyFrameError:  # a malformed element: not a network we can join
            continue
        if Akm.PSK not in info.akms or info.group not in (Cipher.CCMP, Cipher.TKIP):
            continue
        for cipher in (Cipher.CCMP, Cipher.TKIP):
            if cipher in info.pairwise and _network_allows(network, "pairwise", cipher.name, "CCMP TKIP"):
                ie = build_rsn_ie(info.group, cipher, Akm.PSK) if wpa2 else build_wpa_ie(info.group, cipher, Akm.PSK)
                return Security(wpa2, cipher, info.group, ie)
    return None


def network_pmk(network: Network) -> bytes:
    psk = network.fields.get("psk", "")
    if psk.startswith('"'):
        return pmk_from_passphrase(decode_string(psk), network.ssid)
    return pmk_from_psk(psk)


def element(eid: int, body: bytes | None) -> bytes | None:
    return None if body is None else bytes([eid, len(body)]) + body


@dataclass
class _Record:
    """One SSID's failures in a row and until when it stays disabled."""

    failures: int = 0
    until: float = 0.0
    network_id: int = -1


class Backoffs:
    """wpa_supplicant's temporary disabling of an SSID after authentication failures, by SSID."""

    def __init__(self) -> None:
        self._by_ssid: dict[bytes, _Record] = {}

    def disabled(self, ssid: bytes, now: float) -> bool:
        record = self._by_ssid.get(ssid)
        return record is not None and record.until > now

    def failed(self, ssid: bytes, network_id: int, now: float) -> tuple[int, int]:
        """Count a failure; (failures so far, seconds disabled)."""
        record = self._by_ssid.setdefault(ssid, _Record())
        record.failures += 1
        record.network_id = network_id
        seconds = backoff_seconds(record.failures)
        record.until = now + seconds
        return record.failures, seconds

    def disable_for_good(self, ssid: bytes, network_id: int) -> None:
        """A network we can never join as configured (an unusable psk): no timer, no retries."""
        self._by_ssid[ssid] = _Record(until=math.inf, network_id=network_id)

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
