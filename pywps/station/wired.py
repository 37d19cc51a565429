"""The port of a wired link as wpa_supplicant -Dwired presents it: with ap_scan=0 there is no scan and no real
association, but a selected network is "associated" with the PAE group address at once (STATUS: ASSOCIATED,
bssid=01:80:c2:00:00:03, freq=0), and left with a locally generated disconnect. An open network (key_mgmt=NONE)
has nothing to negotiate: it is connected at once (CTRL-EVENT-CONNECTED, COMPLETED). pywps says the same, so
clients that wait for "Associated with", CTRL-EVENT-CONNECTED or read STATUS see what they see with
wpa_supplicant (tests/test_diff_wired.py)."""

from __future__ import annotations

from collections.abc import Callable

from ..config import Network
from ..driver.base import PAE_GROUP_ADDR, LinkDisconnected
from ..netfields import PSK_KEY_MGMT
from .profile import is_eap_wsc

REASON_DEAUTH_LEAVING = 3


def is_open(network: Network) -> bool:
    return (network.value("key_mgmt") or "").split() == ["NONE"]


def joinable(network: Network) -> bool:
    """Whether the port may join this network: wpa_supplicant's wpas_network_disabled with the wired driver's
    capabilities. The driver has no WEP cipher, so a network with a WEP key is never joined, and a PSK network
    needs its key; beyond that, an SSID (or an eap=WSC network, which needs none: wpa_supplicant_get_ssid takes
    any enabled network on a wire)."""
    if network.disabled:
        return False
    if is_eap_wsc(network):
        return True
    key_mgmt = (network.value("key_mgmt") or "").split()
    if "ssid" not in network.fields or key_mgmt == ["WPS"]:
        return False
    if any(network.value(f"wep_key{i}") for i in range(4)):
        return False
    return not (set(key_mgmt) & set(PSK_KEY_MGMT) and network.value("psk") is None)


class WiredPort:
    def __init__(self, publish: Callable[[object], None]) -> None:
        self.publish = publish
        self.network_id: int | None = None  # the network the port is "associated" with
        self.connected = False  # ... and it is open: nothing to negotiate (STATUS: COMPLETED)
        self.inactive = False  # asked to connect with nothing it may join (STATUS: INACTIVE, as wpa_supplicant's)
        self.user_off = False  # DISCONNECT: stay off until RECONNECT / SELECT_NETWORK
        # told after every join (the network) and leave (None): EAPOL starts on association in wpa_supplicant,
        # so the WPS service starts the run of a configured eap=WSC network here
        self.on_change: Callable[[Network | None], None] | None = None

    def join(self, network: Network) -> None:
        # the shell's events load after the first PONG (the warm-up), not with this module at start
        from ..events import Associated, Connected, SubnetStatusUpdate

        self.leave()
        self.network_id = network.id
        self.connected = is_open(network)
        self.publish(Associated(PAE_GROUP_ADDR))
        if self.connected:
            self.publish(Connected(PAE_GROUP_ADDR, network.id, (network.value("id_str") or "").strip('"')))
        self.publish(SubnetStatusUpdate(0))
        if self.on_change is not None:
            self.on_change(network)

    def leave(self) -> None:
        self.inactive = False
        if self.network_id is not None:
            self.network_id = None
            self.connected = False
            self.publish(LinkDisconnected(PAE_GROUP_ADDR, REASON_DEAUTH_LEAVING, locally_generated=True))
            if self.on_change is not None:
                self.on_change(None)

    def rejoin(self, networks: list[Network], asked: bool = False) -> None:
        """Keep the network joined while it may still be joined, else join the first joinable one in the
        configuration's order, as wpa_supplicant with ap_scan=0 does (wpa_supplicant_get_ssid: priority plays no
        part without scan results), unless DISCONNECT said not to; leave when there is none. `asked`: the
        command looked for a network to join (ENABLE_NETWORK, SELECT_NETWORK, RECONNECT, or the current network
        removed or disabled with `all`); finding none then is INACTIVE."""
        usable = [n for n in networks if joinable(n)]
        if self.user_off or not usable:
            self.leave()
            self.inactive = asked and not self.user_off
            return
        if all(n.id != self.network_id for n in usable):
            self.join(usable[0])
