"""What changed in the stored networks: the typed events the network commands and credential storage report.

The shell turns them into wpa_ctrl text (CTRL-EVENT-NETWORK-ADDED <id> / CTRL-EVENT-NETWORK-REMOVED <id>, as
wpa_supplicant 2.10 sends them at level 3) and into connector actions. Ids are wpa_supplicant's stable network
ids (pywps.config.Network.id).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class NetworkAdded:
    """ADD_NETWORK, or a credential stored as a new network. wpa_supplicant: `CTRL-EVENT-NETWORK-ADDED <id>`."""

    id: int


@dataclass
class NetworkRemoved:
    """REMOVE_NETWORK (one event per network for `all`), or a duplicate replaced by a credential.
    wpa_supplicant: `CTRL-EVENT-NETWORK-REMOVED <id>`; if it was the current network it also disconnects."""

    id: int


@dataclass
class NetworkChanged:
    """SET_NETWORK or DUP_NETWORK changed one field (wpa_supplicant sends no event for it)."""

    id: int
    field: str


@dataclass
class NetworkEnabled:
    """ENABLE_NETWORK <id>|all: the ids the command applied to (now all enabled). `connect` False for
    `ENABLE_NETWORK <id> no-connect`: enabled, but the station does not choose again."""

    ids: tuple[int, ...]
    connect: bool = True
    # those of them that were disabled: their temporary disabling ends too (wpa_supplicant_enable_one_network
    # clears it only for a network it enables; ENABLE_NETWORK of an enabled one leaves its back-off running)
    were_disabled: tuple[int, ...] = ()


@dataclass
class NetworkDisabled:
    """DISABLE_NETWORK <id>|all: the ids the command applied to (now all disabled); `every` for `all`."""

    ids: tuple[int, ...]
    every: bool = False


@dataclass
class NetworkSelected:
    """SELECT_NETWORK <id>: that network enabled and every other one disabled (disabled=1, saved so), as
    wpa_supplicant does; SELECT_NETWORK any (id None): every network enabled. `freq_ranges`: its `freq=`, the
    channels of the next scan for the networks (wpa_supplicant's select_network_scan_freqs)."""

    id: int | None
    freq_ranges: str | None = None


NetworkEvent = NetworkAdded | NetworkRemoved | NetworkChanged | NetworkEnabled | NetworkDisabled | NetworkSelected


# Interworking credentials (cred={...} blocks): wpa_supplicant's CRED-ADDED / CRED-MODIFIED / CRED-REMOVED.


@dataclass
class CredAdded:
    """ADD_CRED made a credential block (CRED-ADDED)."""

    id: int


@dataclass
class CredModified:
    """SET_CRED changed one of its fields (CRED-MODIFIED)."""

    id: int
    field: str


@dataclass
class CredRemoved:
    """REMOVE_CRED removed it (CRED-REMOVED)."""

    id: int


CredEvent = CredAdded | CredModified | CredRemoved
