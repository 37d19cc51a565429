"""The UPnP External Registrar (wpa_supplicant's `wps_er_*`): find WPS APs on the LAN, learn or change their
settings with the AP PIN, and register new stations through them, without touching the radio.

`service.ErService` keeps the AP and enrollee tables and runs the core's Registrar; `upnp` is the thin layer
over async-upnp-client, imported only when WPS_ER_START is given (never on the daemon's start path). Importing
this package loads nothing else: `errors` is all the command handlers need before the first WPS_ER_* command.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .service import ErService


def make_er_service(*args: Any, **kwargs: Any) -> ErService:
    from .service import make_er_service as make

    return make(*args, **kwargs)
