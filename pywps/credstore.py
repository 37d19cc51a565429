"""WPS credentials stored as Debian wpa_supplicant 2.10 stores them (wps_supplicant.c, wpa_supplicant_wps_cred
and wpas_wps_remove_dup_network), every rule observed in tests/test_diff_config_creds.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import netfields as nf
from .netblock import Network
from .netevents import NetworkAdded, NetworkEvent, NetworkRemoved
from .wps.credential import Credential
from .wps.defs import AuthType, EncrType
from .wps.errors import WpsError

if TYPE_CHECKING:
    from .config import Config


class CredentialRejected(ValueError):
    """A received credential that cannot be stored safely in the file."""


class WepProhibited(CredentialRejected):
    """A WEP credential: WSC 2.0 forbids it. wpa_supplicant skips it and, when no credential is left, reports
    `WPS-FAIL msg=12 config_error=0 reason=2 (WEP Prohibited)` (observed)."""


class CredentialIgnored(CredentialRejected):
    """An authentication type wpa_supplicant ignores (neither open, WPA-PSK nor WPA2-PSK): nothing is stored,
    and the run still ends in WPS-SUCCESS (wpa_supplicant_wps_cred returns 0)."""


def network_from_credential(cred: Credential, priority: int = 0, add_sae: bool = False) -> Network:
    """The block Debian wpa_supplicant 2.10 stores for a WPS credential, field for field as observed
    (tests/test_diff_config_creds.py: a registration against hostapd for each type):

    | Auth / Encr type             | proto     | pairwise  |
    | WPA2PSK / AES                | RSN       | CCMP      |
    | WPA2PSK / TKIP or TKIP+AES   | RSN       | (default) |
    | WPA+WPA2PSK / any            | RSN       | as above  |
    | WPAPSK / TKIP or TKIP+AES    | (default) | (default) |
    | WPAPSK / AES                 | (default) | CCMP      |
    | Open / None                  | -         | -         |

    "(default)" means no line, i.e. WPA RSN and CCMP TKIP: the network works with either. key_mgmt is WPA-PSK
    (NONE when open), auth_alg=OPEN always; a 64-hex key is written in lower case, a passphrase quoted as is.
    `add_sae` (wps_cred_add_sae=1) and a WPA2 passphrase: `key_mgmt=WPA-PSK SAE`, no auth_alg, and
    `ieee80211w=1` (PMF optional) last, as wpa_supplicant writes it (tests/test_scenarios_wps.py).
    """
    try:
        cred.validate()
    except WpsError as e:
        raise CredentialRejected(str(e)) from None
    if cred.encr_type & EncrType.WEP:
        raise WepProhibited("WEP credential (WSC 2.0 prohibits WEP)")
    auth = cred.auth_type
    if auth not in (AuthType.OPEN, AuthType.WPAPSK, AuthType.WPA2PSK, AuthType.WPAPSK | AuthType.WPA2PSK):
        raise CredentialIgnored(f"unsupported authentication type {int(auth):#x}")
    fields = {"ssid": nf.write_string(cred.ssid)}
    if auth == AuthType.OPEN:
        fields["key_mgmt"] = "NONE"
    else:
        key = cred.network_key
        if len(key) == 64:
            fields["psk"] = key.decode("ascii").lower()
        else:
            if any(b < 0x20 or b == 0x7F for b in key):  # validate() already refuses these; never let one through
                raise CredentialRejected("passphrase with control characters")
            fields["psk"] = '"' + key.decode("latin-1") + '"'
        if auth & AuthType.WPA2PSK:
            fields["proto"] = "RSN"
        fields["key_mgmt"] = "WPA-PSK"
        if cred.encr_type == EncrType.AES:
            fields["pairwise"] = "CCMP"
    sae = add_sae and bool(auth & AuthType.WPA2PSK) and len(cred.network_key) != 64
    if sae:
        fields["key_mgmt"] = "WPA-PSK SAE"
    else:
        fields["auth_alg"] = "OPEN"
    if priority:
        fields["priority"] = str(priority)
    if sae:
        fields["ieee80211w"] = "1"
    return Network(fields)


def _union(a: str, b: str, order: tuple[str, ...]) -> str:
    tokens = set(a.split()) | set(b.split())
    return " ".join(name for name in order if name in tokens)


def _same_network(old: Network, new: Network) -> bool:
    """wpas_wps_remove_dup_network's test before the key: same BSSID setting, SSID, auth_alg, key_mgmt and a
    compatible group cipher."""
    if old.value("bssid") != new.value("bssid"):
        return False
    if "ssid" not in old.fields or not old.ssid or old.ssid != new.ssid:
        return False
    if old.value("auth_alg") != new.value("auth_alg") or old.value("key_mgmt") != new.value("key_mgmt"):
        return False
    og, ng = (old.value("group") or "").split(), (new.value("group") or "").split()
    return og == ng or ("CCMP" in og and "CCMP" in ng)


@dataclass
class StoredCredentials:
    """What storing one M8's credentials did: the networks now holding them, and the network events
    (NetworkAdded / NetworkRemoved) in wpa_supplicant's order."""

    networks: list[Network]
    events: list[NetworkEvent]


def store_credentials(config: Config, creds: Sequence[Credential], replace_id: int | None = None) -> StoredCredentials:
    """Store the credentials of one M8 as wpa_supplicant does: each becomes a new network (highest id + 1);
    an older network for the same SSID with the same auth_alg, key_mgmt, proto and pairwise is removed;
    two PSK credentials of one SSID and one key in the same M8 (a mixed WPA/WPA2 AP) are merged into the
    later one, with both protos and ciphers (i.e. the defaults: no proto/pairwise lines). Raises
    CredentialRejected (WepProhibited, CredentialIgnored) before changing anything; every credential is
    checked first. `replace_id`: the WPS run's own network, which the first credential replaces in place (its
    id and position, no NetworkAdded, and multi_ap_backhaul_sta, which the credential does not set), as
    wpa_supplicant reuses it; the others get new ids."""
    priority = config.int_value("wps_priority")
    add_sae = config.int_value("wps_cred_add_sae") == 1
    new = [network_from_credential(cred, priority, add_sae) for cred in creds]
    stored: list[Network] = []
    events: list[NetworkEvent] = []
    this_m8: list[Network] = []
    for i, network in enumerate(new):
        if i == 0 and replace_id is not None and any(n.id == replace_id for n in config.networks):
            backhaul = config.network(replace_id).value("multi_ap_backhaul_sta")
            config.replace_network(replace_id, network)
            if backhaul == "1":  # a backhaul station's run stores a backhaul station's network
                network.set("multi_ap_backhaul_sta", backhaul)
        else:
            config.append_network(network)
            events.append(NetworkAdded(network.id))
        for old in list(config.networks):
            if old is network or not _same_network(old, network):
                continue
            if old in this_m8 and "WPA-PSK" in (old.value("key_mgmt") or "").split():
                if old.fields.get("psk") != network.fields.get("psk"):
                    continue  # two different keys: two networks
                network.fields["proto"] = _union(old.value("proto") or "", network.value("proto") or "",
                                                 ("WPA", "RSN", "OSEN"))
                network.fields["pairwise"] = _union(old.value("pairwise") or "", network.value("pairwise") or "",
                                                    nf.CIPHER_NAMES)
            elif old.value("proto") != network.value("proto") or old.value("pairwise") != network.value("pairwise"):
                continue
            config.remove_network(old.id)
            events.append(NetworkRemoved(old.id))
            if old in stored:
                stored.remove(old)
        this_m8.append(network)
        stored.append(network)
    return StoredCredentials(stored, events)
