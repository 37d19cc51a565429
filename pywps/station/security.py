"""What a stored network and a BSS agree on (protocol, ciphers, our RSN/WPA element, the PMK): the data the
connection policy works with once it has a BSS to join (the back-off after wrong keys is `backoff.py`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ..config import Network, decode_string
from ..driver.base import LinkCrypto
from ..wpa.errors import KeyFrameError
from ..wpa.keys import pmk_from_passphrase, pmk_from_psk
from ..wpa.rsn import (CAP_MFPC, CAP_MFPR, CIPHER_ORDER, MGMT_GROUP_CIPHERS, PAIRWISE_CIPHERS, Akm, Cipher,
                       build_rsn_ie, build_wpa_ie, key_mgmt_name, parse_rsn_ie, parse_wpa_ie)
from .bss import Bss

log = logging.getLogger(__name__)

PMF_OPTIONAL, PMF_REQUIRED, PMF_DEFAULT = 1, 2, 3  # ieee80211w; 3: unset, the global pmf's


@dataclass(frozen=True)
class Security:
    """What we negotiate with one BSS for one network: WPA or WPA2 with PSK (or PSK-SHA256), or nothing (an open
    network: no ciphers, no element, no handshake). `pmf` is the network's setting as wpa_supplicant's state
    machine holds it (0, 1, 2: our element's MFPC/MFPR bits), `mgmt_group` the management group cipher when
    management frames are protected (the AP is capable too), `ap_capabilities` the AP's RSN capabilities."""

    wpa2: bool
    pairwise: Cipher | None
    group: Cipher | None
    own_ie: bytes
    akm: Akm = Akm.PSK
    pmf: int = 0
    mgmt_group: Cipher | None = None
    ap_capabilities: int = 0

    @property
    def ap_mfpr(self) -> bool:
        return bool(self.ap_capabilities & CAP_MFPR)

    @property
    def connect_mfp(self) -> int:
        """What the kernel is asked for (NL80211_ATTR_USE_MFP): 2 required, 1 optional. wpas_start_assoc_cb: an
        AP capable of protection has the kernel require it."""
        return PMF_REQUIRED if self.pmf and self.ap_capabilities & (CAP_MFPC | CAP_MFPR) else self.pmf

    @property
    def is_open(self) -> bool:
        return self.pairwise is None

    @property
    def key_mgmt(self) -> str:
        return "NONE" if self.is_open else key_mgmt_name(self.akm, rsn=self.wpa2)

    def link_crypto(self) -> LinkCrypto | None:
        if self.pairwise is None or self.group is None:
            return None
        return LinkCrypto(2 if self.wpa2 else 1, self.pairwise.suite, self.group.suite, self.akm.suite,
                          mfp=self.connect_mfp)


OPEN = Security(False, None, None, b"")

# wpa_supplicant's key_mgmt names -> the AKMs pywps negotiates, in wpa_supplicant_set_suites' order of preference
_PSK_AKMS = (("WPA-PSK-SHA256", Akm.PSK_SHA256), ("WPA-PSK", Akm.PSK))


# The ciphers pywps keys with the names the network's pairwise=/group=/group_mgmt= use; wpa_supplicant's name
# order is also wpa_pick_pairwise_cipher's order of preference. The WPA element knows CCMP and TKIP alone; an RSN
# element without a management group suite means BIP-CMAC-128.
_CIPHERS = tuple((cipher, name) for cipher, name in CIPHER_ORDER if cipher in PAIRWISE_CIPHERS)
_WPA_CIPHERS = (Cipher.CCMP, Cipher.TKIP)
_MGMT_CIPHERS = {cipher: name for cipher, name in CIPHER_ORDER if cipher in MGMT_GROUP_CIPHERS}


def _network_allows(network: Network, key: str, value: str, default: str) -> bool:
    return value in (network.value(key) or default).split()


def _allowed(network: Network, key: str, wpa2: bool) -> list[Cipher]:
    """The ciphers the network's pairwise= or group= names (unset: CCMP TKIP; an empty group=, GTK_NOT_USED
    alone, names none pywps keys), strongest first, that the element's protocol can carry."""
    wanted = (network.value(key) or "").split()
    return [c for c, name in _CIPHERS if name in wanted and (wpa2 or c in _WPA_CIPHERS)]


def negotiate(network: Network, bss: Bss, global_pmf: int = 0, bip: bool = False) -> Security | None:
    """The protocol, AKM and ciphers we use with this BSS for this network, or None when they cannot agree
    (wpa_supplicant_ssid_bss_match, then wpa_supplicant_set_suites). An open network (key_mgmt=NONE without WEP
    keys) takes a BSS without the Privacy bit and WPA/RSN elements alone. `bip`: the radio can protect
    management frames (it takes BIP-CMAC-128 keys; the other BIP ciphers are taken on trust, as wpa_supplicant
    does). Ciphers: the network's pairwise= picks the strongest the AP offers, its group= must name the AP's
    group cipher, and its group_mgmt=, when set, the AP's management group cipher.

    Management frame protection as in wpa_supplicant: a network that requires it (ieee80211w=2, or unset under
    the global pmf=2) joins only an RSN AP capable of it (MFPC), an AP that requires it (MFPR) is joined only by
    a network that has it on; when both have it on, it is used (the kernel is told to require it)."""
    key_mgmt = (network.value("key_mgmt") or "").split()
    wanted = [akm for name, akm in _PSK_AKMS if name in key_mgmt]
    if not wanted:
        if key_mgmt == ["NONE"] and not _has_wep_key(network) and not bss.privacy and not bss.has_wpa:
            return OPEN
        return None
    pmf = pmf_setting(network, global_pmf)
    if not bip and pmf:
        # a radio that cannot protect management frames: the global pmf=1 counts as none, as in wpa_supplicant;
        # beyond it (it would try and fail to set the IGTK), so does the network's own ieee80211w=1, and a
        # network that requires protection joins nothing
        if pmf == PMF_REQUIRED:
            log.debug("network %d requires management frame protection, which this radio cannot give", network.id)
            return None
        pmf = 0
    for wpa2, proto in ((True, "RSN"), (False, "WPA")):
        if not _network_allows(network, "proto", proto, "WPA RSN"):
            continue
        if not wpa2 and pmf == PMF_REQUIRED:
            log.debug("network %d requires management frame protection, which WPA has not", network.id)
            return None
        body = bss.rsn_element if wpa2 else bss.wpa_element
        if body is None:
            continue
        try:
            info = parse_rsn_ie(body) if wpa2 else parse_wpa_ie(body)
        except KeyFrameError:  # a malformed element: not a network we can join
            continue
        akm = next((a for a in wanted if a in info.akms and (wpa2 or a == Akm.PSK)), None)
        pairwise = next((c for c in _allowed(network, "pairwise", wpa2) if c in info.pairwise), None)
        if akm is None or pairwise is None or info.group not in _allowed(network, "group", wpa2):
            continue
        if not wpa2:
            return Security(False, pairwise, info.group, build_wpa_ie(info.group, pairwise, akm), akm, pmf)
        ap_mgmt = info.group_mgmt if info.group_mgmt is not None else Cipher.BIP_CMAC_128
        if ap_mgmt not in _MGMT_CIPHERS and ap_mgmt != Cipher.GROUP_NOT_ALLOWED:
            continue  # hostap's parser refuses the element (wpa_cipher_valid_mgmt_group)
        mgmt_wanted = (network.value("group_mgmt") or "").split()
        if mgmt_wanted and _MGMT_CIPHERS.get(ap_mgmt) not in mgmt_wanted:
            continue
        mfpc, mfpr = bool(info.capabilities & CAP_MFPC), bool(info.capabilities & CAP_MFPR)
        if (not mfpc and pmf == PMF_REQUIRED) or (mfpr and not pmf):
            continue
        # "no group addressed management traffic" leaves the link protected without a BIP key, as in hostap
        mgmt_group = ap_mgmt if pmf and mfpc and ap_mgmt in _MGMT_CIPHERS else None
        capabilities = (CAP_MFPC if pmf else 0) | (CAP_MFPR if pmf == PMF_REQUIRED else 0)
        ie = build_rsn_ie(info.group, pairwise, akm, capabilities, mgmt_group)
        return Security(True, pairwise, info.group, ie, akm, pmf, mgmt_group, info.capabilities)
    return None


def pmf_setting(network: Network, global_pmf: int) -> int:
    """wpas_get_ssid_pmf: the network's ieee80211w, or when unset (3) the global pmf, except that a network
    without WPA key management takes none (its rule for a radio without BIP is negotiate()'s)."""
    own = int(network.value("ieee80211w") or PMF_DEFAULT)
    if own != PMF_DEFAULT:
        return own
    key_mgmt = set((network.value("key_mgmt") or "").split())
    if not key_mgmt - {"NONE", "WPS", "IEEE8021X"}:
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
