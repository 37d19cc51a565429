"""One `network={...}` block of the configuration file: its fields, its id, and wpa_supplicant's rules for
reading (GET_NETWORK), changing (SET_NETWORK) and writing (SAVE_CONFIG) it. The field codecs are in
pywps/netfields.py."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from . import netfields as nf
from .configline import reads_back

SCAN_FREQS_MAX = 100  # wpa_supplicant_scan stops adding networks' scan_freq past this many channels


@dataclass
class Network:
    """One `network={...}` block: its fields in file order, its original lines while unchanged, and its id.

    Field values are wpa_supplicant's text (`ssid="home"`, `psk=...`); fields pywps changes are stored in
    wpa_supplicant's canonical form (pywps/netfields.py), fields read from the file as written.
    """

    fields: dict[str, str] = field(default_factory=dict)
    lines: list[str] | None = None  # original text, None once edited
    id: int = -1  # wpa_supplicant's network id, given by the Config that holds it

    def __repr__(self) -> str:  # not the fields: they hold the key
        return f"Network(id={self.id}, ssid={self.fields.get('ssid')})"

    @property
    def ssid(self) -> bytes:
        return nf.parse_string(self.fields["ssid"]) if "ssid" in self.fields else b""

    def ssid_text(self) -> str:
        """LIST_NETWORKS's SSID column: wpa_ssid_txt (printf_encode) of the bytes."""
        return nf.printf_encode(self.ssid)

    def bssid_text(self) -> str:
        return self.value("bssid") or "any"

    @property
    def hidden(self) -> bool:
        """scan_ssid=1: its AP hides its SSID, so scans probe for it by name."""
        return self.value("scan_ssid") == "1"

    @property
    def infrastructure(self) -> bool:
        """mode=0, a station in a BSS: the only mode pywps joins on a radio (wpa_supplicant would start an IBSS,
        an AP, a P2P group or a mesh for the others; on a wire both join a network of any mode)."""
        return self.value("mode") == "0"

    @property
    def disabled(self) -> int:
        return int(self.value("disabled") or 0)

    def flags_text(self, current: bool = False, temp_disabled: bool = False) -> str:
        """LIST_NETWORKS's flags, in wpa_supplicant's order: any non-zero `disabled` (even -1) is [DISABLED]."""
        return ("[CURRENT]" if current else "") + ("[DISABLED]" if self.disabled else "") + \
            ("[TEMP-DISABLED]" if temp_disabled else "") + ("[P2P-PERSISTENT]" if self.disabled == 2 else "")

    def admits(self, bssid: bytes, freq: int) -> bool:
        """Whether the network's own limits let it join this BSS: `bssid` (one address, all of it),
        `bssid_ignore`, `bssid_accept` (addresses under masks) and `freq_list` (MHz), as wpa_scan_res_ok checks
        them. `bssid_hint` is no limit: wpa_supplicant only passes it to drivers that choose the BSS themselves
        (cfg80211's connect); pywps, like wpa_supplicant on a mac80211 radio, chooses the BSS itself."""
        if (locked := self.value("bssid")) and not nf.address_listed(bssid, locked):
            return False
        if (ignored := self.value("bssid_ignore")) and nf.address_listed(bssid, ignored):
            return False
        if (accepted := self.value("bssid_accept")) and not nf.address_listed(bssid, accepted):
            return False
        allowed = nf.freq_values(self.value("freq_list"))
        return not allowed or freq in allowed

    # -- GET_NETWORK / SET_NETWORK ------------------------------------------------------------------------

    def value(self, name: str) -> str | None:
        """The field's canonical text, its default when unset, or None (then GET_NETWORK answers FAIL).
        KeyError for a field pywps does not know."""
        name = nf.field_name(name)
        spec = nf.FIELDS[name]
        if name in self.fields:
            try:
                text = spec.parse(self.fields[name])
            except ValueError:  # as written in a file, in a form newer or older than ours: show it as is
                return self.fields[name]
            if text or not spec.empty_unsets:  # `bssid=` in a file is no BSSID
                return text
        return spec.default

    def get(self, name: str) -> str:
        """GET_NETWORK's answer: keys as `*`. KeyError when wpa_supplicant answers FAIL."""
        text = self.value(name)
        if text is None:
            raise KeyError(name)
        return "*" if nf.FIELDS[nf.field_name(name)].secret else text

    def set(self, name: str, value: str) -> None:
        """SET_NETWORK: KeyError for an unknown field, ValueError for a value wpa_supplicant refuses; a refused
        value leaves the network as it was."""
        name = nf.field_name(name)
        spec = nf.FIELDS[name]
        if spec.nullable and value == nf.NULL:
            self.fields.pop(name, None)
            self.lines = None
            return
        try:
            text = spec.parse(value)
        except ValueError:
            if spec.integer and nf.holds_number(self.value(name), value):
                return
            raise
        if name == "psk" and not reads_back(text):
            # a `#` after a `"` in the passphrase: wpa_supplicant takes it, writes it quoted, and its reader cuts
            # the line there (a shorter passphrase, or a file it refuses); a passphrase has no other form
            raise ValueError("a passphrase the config file cannot hold")
        if (spec.empty_unsets and text == "") or (name.startswith("wep_key") and text == '""'):
            self.fields.pop(name, None)  # `bssid any`, an empty list; an empty WEP key
        else:
            self.fields[name] = text
        self.lines = None

    def set_field(self, key: str, value: str | None) -> None:
        """Change one field (None removes it); the block is then written from its fields."""
        if value is None:
            if key not in self.fields:
                return
            del self.fields[key]
            self.lines = None
        elif nf.field_name(key) in nf.FIELDS:
            self.set(key, value)
        else:
            self.fields[key] = value
            self.lines = None

    # -- the file --------------------------------------------------------------------------------------------

    def saved(self) -> bool:
        """Whether SAVE_CONFIG writes this block. wpa_supplicant leaves out a network whose key_mgmt needs a PSK
        it does not have (a fresh ADD_NETWORK), an SAE one without a passphrase, and the WPS-only one (also when read
        from the file); any other block read from the file and never edited is written back as it was."""
        key_mgmt = set((self.value("key_mgmt") or "").split())
        if key_mgmt == {"WPS"}:
            return False  # even one read from the file (wpa_config_write skips key_mgmt=WPS; observed)
        if self.lines is not None:
            return True
        psk = self.fields.get("psk", "")
        if key_mgmt & set(nf.PSK_KEY_MGMT) and not psk:
            return False
        # SAE needs the passphrase itself or an sae_password: a 64-hex PSK does not do (observed: such a block is
        # dropped)
        return not (key_mgmt & {"SAE", "FT-SAE"}) or psk.startswith('"') or "sae_password" in self.fields

    def render(self) -> list[str]:
        if self.lines is not None:
            return self.lines
        known = sorted((k for k in self.fields if k in nf.FIELDS), key=nf.FIELD_ORDER.__getitem__)
        out = ["network={"]
        for key in known:
            text = self.value(key)
            if text is not None and text not in nf.FIELDS[key].omit:
                out.append(f"\t{key}={nf.file_text(key, text)}")
        out += [f"\t{k}={v}" for k, v in self.fields.items() if k not in nf.FIELDS]
        return [*out, "}"]


def scan_freqs(networks: Iterable[Network]) -> tuple[int, ...]:
    """The channels (MHz) a scan for the enabled networks covers: when each of them has a `scan_freq`, their
    union, as wpa_supplicant_scan gathers it (at most ~100); else () for every channel."""
    gathered: list[int] = []
    for network in networks:
        if network.disabled:
            continue
        own = nf.freq_values(network.value("scan_freq"))
        if not own or len(gathered) >= SCAN_FREQS_MAX:  # counted before duplicates go, as wpa_supplicant does
            return ()
        gathered.extend(own)
    return tuple(sorted(set(gathered)))


def network_block_text(network: Network) -> str:
    return "\n".join(network.render()) + "\n"
