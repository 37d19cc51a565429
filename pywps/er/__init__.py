"""The UPnP External Registrar (wpa_supplicant's `wps_er_*`): find WPS APs on the LAN, learn or change their
settings with the AP PIN, and register new stations through them, without touching the radio.

`service.ErService` keeps the AP and enrollee tables and runs the core's Registrar; `upnp` is the thin layer
over async-upnp-client, imported only when WPS_ER_START is given (never on the daemon's start path).
"""

from .service import ErService, make_er_service

__all__ = ["ErService", "make_er_service"]
