"""The port of a wired link as wpa_supplicant -Dwired presents it: with ap_scan=0 there is no scan and no real
association, but a selected network is "associated" with the PAE group address at once (STATUS: ASSOCIATED,
bssid=01:80:c2:00:00:03, freq=0), and left with a locally generated disconnect. pywps says the same, so clients
that wait for "Associated with" or read STATUS after a WPS run see what they see with wpa_supplicant."""

from __future__ import annotations

from collections.abc import Callable

from ..config import Network
from ..driver.base import PAE_GROUP_ADDR, LinkDisconnected
from .profile import is_eap_wsc

REASON_DEAUTH_LEAVING = 3


class WiredPort:
    def __init__(self, publish: Callable[[object], None]) -> None:
        self.publish = publish
        self.network_id: int | None = None  # the network the port is "associated" with
        self.user_off = False  # DISCONNECT: stay off until RECONNECT / SELECT_NETWORK
        # told after every join (the network) and leave (None): EAPOL starts on association in wpa_supplicant,
        # so the WPS service starts the run of a configured eap=WSC network here
        self.on_change: Callable[[Network | None], None] | None = None

    def join(self, network: Network) -> None:
        # the shell's events load after the first PONG (the warm-up), not with this module at start
        from ..events import Associated, SubnetStatusUpdate

        self.leave()
        self.network_id = network.id
        self.publish(Associated(PAE_GROUP_ADDR))
        self.publish(SubnetStatusUpdate(0))
        if self.on_change is not None:
            self.on_change(network)

    def leave(self) -> None:
        if self.network_id is not None:
            self.network_id = None
            self.publish(LinkDisconnected(PAE_GROUP_ADDR, REASON_DEAUTH_LEAVING, locally_generated=True))
            if self.on_change is not None:
                self.on_change(None)

    def rejoin(self, networks: list[Network]) -> None:
        """Join the first enabled network of the highest priority, as wpa_supplicant with ap_scan=0 does
        (unless DISCONNECT said not to); leave when there is none. A configured eap=WSC network needs no SSID
        (wpa_supplicant_get_ssid takes any enabled network on a wire)."""
        usable = [n for n in networks if not n.disabled and ("ssid" in n.fields and n.value("key_mgmt") != "WPS"
                                                              or is_eap_wsc(n))]
        if self.user_off or not usable:
            self.leave()
            return
        best = max(usable, key=lambda n: (int(n.value("priority") or 0), -n.id))
        if best.id != self.network_id:
            self.join(best)
