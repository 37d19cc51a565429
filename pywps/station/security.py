"""What a stored network and a BSS agree on (protocol, ciphers, our RSN/WPA element, the PMK): the data the
connection policy works with once it has a BSS to join (the back-off after wrong keys is `backoff.py`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ..config import Network, decode_string
from ..driver.base import LinkCrypto
from ..wpa.errors import KeyFrameError
from ..wpa.keys import pmk_from_passphrase, pmk_from_psk
from ..wpa.rsn import CAP_MFPR, Akm, Cipher, build_rsn_ie, build_wpa_ie, key_mgmt_name, parse_rsn_ie, parse_wpa_ie
from .bss import Bss

log = logging.getLogger(__name__)

PMF_OPTIONAL, PMF_REQUIRED, PMF_DEFAULT = 1, 2, 3  # ieee80211w; 3: unset, the global pmf's


@dataclass(frozen=True)
class Security:
    """What we negotiate with one BSS for one network: WPA or WPA2 with PSK, or nothing (an open network:
    no ciphers, no element, no handshake)."""

    wpa2: bool
    pairwise: Cipher | None
    group: Cipher | None
    own_ie: bytes

    @property
    def is_open(self) -> bool:
        return self.pairwise is None

    @property
    def key_mgmt(self) -> str:
        return "NONE" if self.is_open else key_mgmt_name(Akm.PSK, rsn=self.wpa2)

    def link_crypto(self) -> LinkCrypto | None:
        if self.pairwise is None or self.group is None:
            return None
        return LinkCrypto(2 if self.wpa2 else 1, self.pairwise.suite, self.group.suite, Akm.PSK.suite)


OPEN = Security(False, None, None, b"")


def _network_allows(network: Network, key: str, value: str, default: str) -> bool:
    return value in (network.value(key) or default).split()


def negotiate(network: Network, bss: Bss, global_pmf: int = 0) -> Security | None:
    """The protocol and ciphers we use with this BSS for this network, or None when they cannot agree. An open
    network (key_mgmt=NONE without WEP keys) takes a BSS without the Privacy bit and WPA/RSN elements alone, as
    wpa_supplicant_ssid_bss_match does.

    pywps has no management frame protection (no IGTK, no BIP): as wpa_supplicant without it, an AP that
    requires it (MFPR) is not joined; a network that requires it (ieee80211w=2, or unset under the global
    pmf=2) joins no AP, where wpa_supplicant joins one that offers it; optional (1), pywps joins without it."""
    key_mgmt = (network.value("key_mgmt") or "").split()
    if "WPA-PSK" not in key_mgmt:
        if key_mgmt == ["NONE"] and not _has_wep_key(network) and not bss.privacy and not bss.has_wpa:
            return OPEN
        return None
    if pmf_setting(network, global_pmf) == PMF_REQUIRED:
        log.debug("network %d requires management frame protection, which pywps does not do", network.id)
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
        if info.capabilities & CAP_MFPR:
            continue
        for cipher in (Cipher.CCMP, Cipher.TKIP):
            if cipher in info.pairwise and _network_allows(network, "pairwise", cipher.name, "CCMP TKIP"):
                ie = build_rsn_ie(info.group, cipher, Akm.PSK) if wpa2 else build_wpa_ie(info.group, cipher, Akm.PSK)
                return Security(wpa2, cipher, info.group, ie)
    return None


def pmf_setting(network: Network, global_pmf: int) -> int:
    """wpas_get_ssid_pmf for a radio without BIP: the network's ieee80211w, or when unset (3) the global pmf,
    except that pmf=1 then means none and a network without WPA key management takes none."""
    own = int(network.value("ieee80211w") or PMF_DEFAULT)
    if own != PMF_DEFAULT:
        return own
    key_mgmt = set((network.value("key_mgmt") or "").split())
    if global_pmf == PMF_OPTIONAL or not key_mgmt - {"NONE", "WPS", "IEEE8021X"}:
        return 0
    return global_pmf


def _has_wep_key(network: Network) -> bool:
    return any(network.fields.get(f"wep_key{i}") for i in range(4))


def network_pmk(network: Network) -> bytes:
    psk = network.fields.get("psk", "")
    if psk.startswith('"'):
        return pmk_from_passphrase(decode_string(psk), network.ssid)
    return pmk_from_psk(psk)


def element(eid: int, body: bytes | None) -> bytes | None:
    return None if body is None else bytes([eid, len(body)]) + body
