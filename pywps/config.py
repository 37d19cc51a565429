"""The configuration file, in wpa_supplicant.conf syntax: parse, validate, edit, save atomically.

The file is kept as its lines: comments, blank lines and keys pywps does not know are written back exactly
as read, so `parse(text).serialize() == text` for any file that parses. Only what changes is regenerated, in
wpa_supplicant's own form (pywps/netfields.py). A file that does not parse is never overwritten: `load()` raises
`ConfigFileError` with the line.

Network ids are wpa_supplicant's: the file's blocks are numbered 0..n-1 in file order when the file is read;
a new network gets the highest id + 1 (0 when there is none); removing one leaves the others' ids alone. A
reload (`load()` again, as SIGHUP and RECONFIGURE do) numbers the file's blocks afresh, exactly like
wpa_supplicant's RECONFIGURE: whoever holds an id across a reload must drop it.

Beside it: netblock.py (one network block), netfields.py (each field's wpa_supplicant codec), globalfields.py
(GET/SET keys), credstore.py (credentials stored as wpa_supplicant stores them), atomicfile.py (the save),
netevents.py (what changed, for the shell), credblock.py and credfields.py (Interworking `cred={...}` blocks,
numbered like networks but apart from them). Their public names are re-exported here.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import netfields as nf
from .atomicfile import remove_stale_temp_files, write_atomically
from .cnumbers import c_strtol_int
from .globalfields import GLOBALS, check_global, parse_device_type, parse_uuid
from .netblock import Network, network_block_text
from .wps.defs import DEFAULT_CONFIG_METHODS, DEFAULT_DEVICE_TYPE, ConfigMethods

if TYPE_CHECKING:
    from .credblock import Cred
    from .credstore import StoredCredentials
    from .wps.credential import Credential

# Re-exported, loaded on first use: storing a WPS credential (credstore, with the WSC codec) and Interworking
# cred blocks (their field table) are not needed to start the daemon or to answer its first requests.
_LAZY = {"Cred": "credblock", **dict.fromkeys(("CredentialIgnored", "CredentialRejected", "StoredCredentials",
                                              "WepProhibited", "network_from_credential"), "credstore")}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __package__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Config",
    "ConfigFileError",
    "Cred",
    "CredentialIgnored",
    "CredentialRejected",
    "Network",
    "StoredCredentials",
    "WepProhibited",
    "decode_string",
    "encode_string",
    "load",
    "network_block_text",
    "network_from_credential",
    "parse",
    "parse_device_type",
    "parse_uuid",
    "remove_stale_temp_files",
    "uuid_from_mac",
    "write_atomically",
]

# wpa_supplicant's names for config methods (wps_config_methods_str2bin).
CONFIG_METHOD_NAMES: dict[str, ConfigMethods] = {
    "usba": ConfigMethods.USBA, "ethernet": ConfigMethods.ETHERNET, "label": ConfigMethods.LABEL,
    "display": ConfigMethods.DISPLAY, "ext_nfc_token": ConfigMethods.EXT_NFC_TOKEN,
    "int_nfc_token": ConfigMethods.INT_NFC_TOKEN, "nfc_interface": ConfigMethods.NFC_INTERFACE,
    "push_button": ConfigMethods.PUSHBUTTON, "keypad": ConfigMethods.KEYPAD,
    "virtual_display": ConfigMethods.VIRT_DISPLAY, "physical_display": ConfigMethods.PHY_DISPLAY,
    "virtual_push_button": ConfigMethods.VIRT_PUSHBUTTON, "physical_push_button": ConfigMethods.PHY_PUSHBUTTON,
}
UUID_NAMESPACE = bytes.fromhex("526480f8c99b4be5a65558ed5f5d6084")  # hostap's uuid_gen_mac_addr namespace
STRING_KEYS = ("device_name", "manufacturer", "model_name", "model_number", "serial_number")
WPS_KEYS = (*STRING_KEYS, "uuid", "device_type", "os_version", "config_methods", "wps_cred_processing",
            "update_config")

# Keys whose values never reach a log or an error message.
SECRET_KEYS = frozenset({"psk", "wep_key0", "wep_key1", "wep_key2", "wep_key3", "password", "sae_password",
                         "wpa_passphrase", "passphrase"})

# String values in the wpa_supplicant syntax (kept under their old names for callers).
decode_string = nf.parse_string
encode_string = nf.write_string


class ConfigFileError(Exception):
    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


def uuid_from_mac(mac: bytes) -> bytes:
    """The UUID wpa_supplicant derives when none is configured: a name-based (SHA-1) UUID of the MAC."""
    import hashlib  # not for a start: the first WPS run needs it, and the warm-up loads it before then

    digest = bytearray(hashlib.sha1(UUID_NAMESPACE + mac).digest()[:16])
    digest[6] = 0x50 | (digest[6] & 0x0F)
    digest[8] = 0x80 | (digest[8] & 0x3F)
    return bytes(digest)


def parse_config_methods(text: str) -> ConfigMethods:
    """The methods named in `text`; unknown names are skipped, as wpa_supplicant skips them."""
    methods = ConfigMethods(0)
    for name in text.split():
        methods |= CONFIG_METHOD_NAMES.get(name, ConfigMethods(0))
    return methods


# -- the file -----------------------------------------------------------------------------------------------


@dataclass
class DeviceSettings:
    """The device's WPS identity from the file (device_name ... config_methods), as M1 and probe requests carry it."""

    device_name: bytes = b""
    manufacturer: bytes = b""
    model_name: bytes = b""
    model_number: bytes = b""
    serial_number: bytes = b""
    device_type: bytes = DEFAULT_DEVICE_TYPE
    os_version: int = 0x80000000
    config_methods: ConfigMethods = DEFAULT_CONFIG_METHODS


_LINE = re.compile(r"^\s*([A-Za-z0-9_]+)\s*=\s*(.*?)\s*$")


class Config:
    def __init__(self, path: str = "<string>") -> None:
        self.path = path
        self.items: list[str | Network | Cred] = []  # raw lines, network and cred blocks, in file order
        self.values: dict[str, str] = {}  # global key -> value as written
        self.runtime: dict[str, str] = {}  # keys SET takes that the file never holds (wps_fragment_size)
        self.final_newline = True

    # -- typed views of the global keys -----------------------------------------------------------

    @property
    def networks(self) -> list[Network]:
        """The networks in file order (ids ascend in this order)."""
        return [item for item in self.items if isinstance(item, Network)]

    @property
    def ctrl_dir(self) -> str | None:
        value = self.values.get("ctrl_interface")
        if not value:
            return None
        if value.startswith("DIR="):
            return value[4:].split()[0]
        return value

    @property
    def ctrl_group(self) -> str | None:
        value = self.values.get("ctrl_interface", "")
        m = re.search(r"\bGROUP=(\S+)", value)
        return m[1] if m else self.values.get("ctrl_interface_group")

    def int_value(self, key: str) -> int:
        """A numeric global key as wpa_supplicant reads it (its default when unset, 0 when unreadable)."""
        try:
            return c_strtol_int(self.values.get(key, GLOBALS[key].default or "0"))
        except ValueError:
            return 0

    @property
    def update_config(self) -> bool:
        return self.int_value("update_config") != 0

    @property
    def wps_cred_processing(self) -> int:
        # wpa_supplicant tests for 1 and 2 only: any other value it accepts (-1) means 0.
        value = self.int_value("wps_cred_processing")
        return value if value in (1, 2) else 0

    @property
    def auto_uuid(self) -> bool:
        return self.int_value("auto_uuid") == 1

    @property
    def uuid(self) -> bytes | None:
        value = self.values.get("uuid")
        return parse_uuid(value) if value else None

    @property
    def device(self) -> DeviceSettings:
        v = self.values
        d = DeviceSettings()
        for key in STRING_KEYS:
            if key in v:
                setattr(d, key, v[key].encode("utf-8", "surrogateescape"))  # a SET's raw bytes
        if "device_type" in v:
            d.device_type = parse_device_type(v["device_type"])
        if "os_version" in v:
            d.os_version = int(v["os_version"], 16)
        if "config_methods" in v:
            d.config_methods = parse_config_methods(v["config_methods"])
        return d

    # -- GET / SET ------------------------------------------------------------------------------------

    def get(self, key: str) -> str:
        """GET's answer: the value, or wpa_supplicant's default; KeyError where wpa_supplicant answers FAIL
        (an unknown key, an unset key without a default, and uuid/device_type/os_version always)."""
        spec = GLOBALS[key]
        if not spec.gettable:
            raise KeyError(key)
        if key in self.values:
            return self.values[key]
        if spec.default is None:
            raise KeyError(key)
        return spec.default

    def country(self) -> str | None:
        """The regulatory domain to ask the kernel for (`country`), if set."""
        return self.values.get("country")

    def freq_list(self) -> tuple[int, ...]:
        """The channels (MHz) of a scan that names none of its own (`freq_list`; every channel unless set)."""
        return tuple(int(f) for f in self.values.get("freq_list", "").split())

    def pmf(self) -> int:
        """Management frame protection for networks that leave `ieee80211w` unset (`pmf`, 0 unless set)."""
        return int(self.get("pmf"))

    def eapol_version(self) -> int:
        """The version field of the EAPOL frames we send (`eapol_version`; 1 unless set, as wpa_supplicant
        sends them, whatever version the authenticator uses)."""
        return int(self.get("eapol_version"))

    def set(self, key: str, value: str) -> None:
        """SET: KeyError for a key pywps does not take, ValueError for a value it refuses (nothing changes)."""
        value = check_global(key, value)
        if GLOBALS[key].runtime:
            self.runtime[key] = value
            return
        line = f"{key}={value}"
        if GLOBALS[key].empty_unsets and not value:
            self.unset(key)
            return
        if key in self.values:
            for i, item in enumerate(self.items):
                if _is_line_of(item, key):
                    self.items[i] = line
                    break
        else:
            # wpa_supplicant writes the globals before every block, cred={} blocks as network={} ones
            first_block = next((i for i, it in enumerate(self.items) if not isinstance(it, str)), len(self.items))
            while first_block > 0 and self.items[first_block - 1] == "":
                first_block -= 1  # before the blank line that sets the blocks apart
            self.items.insert(first_block, line)
        self.values[key] = value

    def unset(self, key: str) -> None:
        """The global key's line removed: its default again (wpa_supplicant's NULL)."""
        self.items = [item for item in self.items if not _is_line_of(item, key)]
        self.values.pop(key, None)

    # -- networks ---------------------------------------------------------------------------------------

    def network(self, network_id: int) -> Network:
        """The network with this id; KeyError if there is none."""
        for network in self.networks:
            if network.id == network_id:
                return network
        raise KeyError(network_id)

    def _next_id(self) -> int:
        return max((n.id for n in self.networks), default=-1) + 1

    def _append(self, network: Network) -> Network:
        network.id = self._next_id()
        if self.items and self.items[-1] != "":
            self.items.append("")  # wpa_supplicant writes a blank line before each block
        self.items.append(network)
        return network

    def add_network(self) -> Network:
        """ADD_NETWORK: a new network, disabled, with every field at its default (not written by SAVE_CONFIG
        until it has what its key_mgmt needs: by default a psk)."""
        return self._append(Network({"disabled": "1"}))

    def remove_network(self, network_id: int) -> None:
        """KeyError if there is no such network. The blank line wpa_supplicant style puts before it goes too."""
        network = self.network(network_id)
        i = next(i for i, item in enumerate(self.items) if item is network)
        del self.items[i]
        if i > 0 and self.items[i - 1] == "" and (i == len(self.items) or self.items[i] == ""):
            del self.items[i - 1]

    def add_credential(self, cred: Credential) -> Network:
        """Store one credential (see store_credentials); the network that now holds it."""
        return self.store_credentials([cred]).networks[0]

    def store_credentials(self, creds: Sequence[Credential], replace_id: int | None = None) -> StoredCredentials:
        """Store the credentials of one M8 as wpa_supplicant does (pywps/credstore.py); CredentialRejected
        (WepProhibited, CredentialIgnored) before anything changes."""
        from .credstore import store_credentials

        return store_credentials(self, creds, replace_id)

    def append_network(self, network: Network) -> Network:
        """Add a network at the end with the next id (highest + 1)."""
        return self._append(network)

    def replace_network(self, network_id: int, network: Network) -> None:
        """`network` takes the place and the id of network `network_id` (KeyError if there is none)."""
        old = self.network(network_id)
        i = next(i for i, item in enumerate(self.items) if item is old)
        self.items[i] = network
        network.id = network_id

    # -- credentials (cred={...} blocks) ------------------------------------------------------------------------

    @property
    def creds(self) -> list[Cred]:
        """The credentials in file order (ids ascend in this order)."""
        from .credblock import Cred

        return [item for item in self.items if isinstance(item, Cred)]

    def cred(self, cred_id: int) -> Cred:
        """The credential with this id; KeyError if there is none."""
        for cred in self.creds:
            if cred.id == cred_id:
                return cred
        raise KeyError(cred_id)

    def add_cred(self) -> Cred:
        """ADD_CRED: a new credential with the highest id + 1, placed where wpa_supplicant writes it: after
        the last credential, else before the first network, each after a blank line."""
        from .credblock import Cred

        cred = Cred(id=max((c.id for c in self.creds), default=-1) + 1)
        last = max((i for i, it in enumerate(self.items) if isinstance(it, Cred)), default=None)
        if last is not None:
            self.items[last + 1:last + 1] = ["", cred]
            return cred
        at = next((i for i, it in enumerate(self.items) if isinstance(it, Network)), None)
        if at is None:
            if self.items and self.items[-1] != "":
                self.items.append("")
            self.items.append(cred)
            return cred
        while at > 0 and self.items[at - 1] == "":
            at -= 1
        self.items[at:at] = ["", cred]
        return cred

    def remove_cred(self, cred_id: int) -> None:
        """KeyError if there is no such credential; the blank line before it goes too."""
        cred = self.cred(cred_id)
        i = next(i for i, item in enumerate(self.items) if item is cred)
        del self.items[i]
        if i > 0 and self.items[i - 1] == "" and (i == len(self.items) or self.items[i] == ""):
            del self.items[i - 1]

    # -- text -----------------------------------------------------------------------------------------------

    def serialize(self) -> str:
        out: list[str] = []
        for item in self.items:
            if not isinstance(item, str):  # a network or cred block
                if item.saved():
                    out.extend(item.render())
                elif out and out[-1] == "":
                    out.pop()  # the blank line that would have set it apart
            else:
                out.append(item)
        text = "".join(line + "\n" for line in out)
        return text if self.final_newline or not text else text[:-1]

    def save(self, path: str | None = None) -> None:
        write_atomically(path or self.path, self.serialize())


def _is_line_of(item: object, key: str) -> bool:
    """Whether a file item is the `key=value` line of a global."""
    return isinstance(item, str) and (m := _LINE.match(item)) is not None and m[1] == key


def _check_file_global(key: str, value: str) -> None:
    """Keys pywps knows are checked as SET checks them; others are kept as written."""
    if key in GLOBALS:
        check_global(key, value)


def _check_file_field(key: str, value: str) -> None:
    """Fields pywps knows are checked as SET_NETWORK checks them; token lists may name values pywps does not
    know (a newer wpa_supplicant's key_mgmt), which it keeps as written."""
    if nf.field_name(key) not in nf.FIELDS:
        return
    try:
        nf.canonical(key, value)
    except ValueError:
        if key in ("key_mgmt", "proto", "pairwise", "group", "auth_alg") and value.strip():
            return
        raise


def _key_value(path: str, number: int, line: str, check, where: str = "") -> tuple[str, str]:
    """One `key=value` line, checked by `check(key, value)`; ConfigFileError names the line, never its value
    (it may be a key)."""
    m = _LINE.match(line)
    if not m:
        raise ConfigFileError(path, number, f"cannot read this line{where}")
    try:
        check(m[1], m[2])
    except ValueError as e:
        reason = str(e)
        if m[1] in SECRET_KEYS and m[2] and m[2].strip('"') in reason:
            reason = "invalid value (not shown: it is a secret)"
        raise ConfigFileError(path, number, f"{m[1]}: {reason}") from None
    return m[1], m[2]


def parse(text: str, path: str = "<string>") -> Config:
    config = Config(path)
    config.final_newline = text.endswith("\n") or not text
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final newline
    block: Network | None = None
    cred: tuple[list[str], list[tuple[str, str]]] | None = None  # a cred block's lines and fields so far
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if cred is not None:
            cred[0].append(line)
            if stripped == "}":
                from .credblock import cred_from_lines

                item = cred_from_lines(*cred)
                item.id = len(config.creds)
                config.items.append(item)
                cred = None
            elif stripped and not stripped.startswith("#"):
                from .credblock import check_cred_field

                cred[1].append(_key_value(path, number, line, check_cred_field, " in a cred block"))
            continue
        if block is not None:
            block.lines.append(line)
            if stripped == "}":
                block.id = len(config.networks)
                config.items.append(block)
                block = None
            elif stripped and not stripped.startswith("#"):
                key, value = _key_value(path, number, line, _check_file_field, " in a network block")
                block.fields[nf.field_name(key)] = value  # an older name is kept by the line, not the field
            continue
        if not stripped or stripped.startswith("#"):
            config.items.append(line)
            continue
        if re.fullmatch(r"network\s*=\s*\{", stripped):
            block = Network(lines=[line])
            continue
        if re.fullmatch(r"cred\s*=\s*\{", stripped):
            cred = ([line], [])
            continue
        key, value = _key_value(path, number, line, _check_file_global)
        config.values[key] = value
        config.items.append(line)
    if block is not None:
        raise ConfigFileError(path, len(lines), "network block not closed with '}'")
    if cred is not None:
        raise ConfigFileError(path, len(lines), "cred block not closed with '}'")
    return config


def load(path: str) -> Config:
    try:
        # bytes that are not UTF-8 are read as wpa_supplicant reads them, as bytes (surrogates here, written back
        # unchanged): SAVE_CONFIG writes a control request's raw bytes, and the next start must read them
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            text = f.read()
    except FileNotFoundError:
        raise ConfigFileError(path, 0, "no such file") from None
    except OSError as e:
        raise ConfigFileError(path, 0, e.strerror or str(e)) from None
    return parse(text, path)
