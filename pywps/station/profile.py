"""A configured eap=WSC network as the WPS run it asks for when the station selects it: wpa_supplicant starts
EAPOL on association, and the WSC method then runs as it runs for its own WPS_PIN / WPS_PBC / WPS_REG networks
(which are such blocks: key_mgmt=WPS eap=WSC identity=... phase1=...). Pure: the method's rules are
pywps.wps.wscprofile's; this maps a network block onto a RunRequest."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..config import Network
from ..netfields import parse_string

if TYPE_CHECKING:
    from .types import RunRequest

EAP_KEY_MGMT = frozenset({"WPS", "IEEE8021X"})  # the key_mgmt values whose association starts EAPOL


def is_eap_wsc(network: Network) -> bool:
    """Whether selecting this network runs EAP-WSC: eap=WSC with key_mgmt WPS or IEEE8021X."""
    eap = network.fields.get("eap", "").split()
    key_mgmt = set((network.value("key_mgmt") or "").split())
    return "WSC" in eap and bool(key_mgmt & EAP_KEY_MGMT)


def _string(network: Network, name: str) -> bytes | None:
    text = network.fields.get(name)
    if text is None:
        return None
    try:
        return parse_string(text)
    except ValueError:
        return None


def profile_request(network: Network) -> RunRequest | None:
    """The run this network asks for, or None when it is no eap=WSC network. A network whose settings the WSC
    method refuses still gets a run: its identity goes out, and the proposal of WSC is answered with a Nak."""
    if not is_eap_wsc(network):
        return None
    # the method's rules (and the EAP core under them) load with the first eap=WSC network, not at start (nor
    # the run's types: a wired port's module needs is_eap_wsc at start)
    from ..wps.wscprofile import MethodRefused, WscRole, is_pbc_enrollee, is_pin_enrollee, method_config, role_of
    from .types import RunKind, RunRequest

    identity = _string(network, "identity")
    raw_phase1 = _string(network, "phase1")
    phase1 = raw_phase1.split(b"\0")[0].decode("utf-8", "surrogateescape") if raw_phase1 is not None else None
    key_mgmt_wps = "WPS" in (network.value("key_mgmt") or "").split()
    common = dict(network_id=network.id, identity=identity, key_mgmt_wps=key_mgmt_wps,
                  pin_enrollee=is_pin_enrollee(identity, phase1),
                  multi_ap="multi_ap=1" in (phase1 or ""),  # eap_wsc's strstr
                  backhaul_sta=network.value("multi_ap_backhaul_sta") == "1")
    try:
        config = method_config(identity, phase1)
    except MethodRefused as e:
        if role_of(identity) is WscRole.REGISTRAR:
            kind = RunKind.REG
        else:
            kind = RunKind.PBC if is_pbc_enrollee(identity, phase1) else RunKind.PIN
        return RunRequest(kind, refusal=str(e), **common)
    if config.role is WscRole.REGISTRAR:
        return RunRequest(RunKind.REG, pin=config.pin, new_settings=config.new_settings, **common)
    if config.pin is None:
        return RunRequest(RunKind.PBC, **common)
    return RunRequest(RunKind.PIN, pin=config.pin, dev_password_id=config.dev_password_id, **common)
