"""The configuration file, in wpa_supplicant.conf syntax: parse, validate, edit, save atomically.

The file is kept as its lines: comments, blank lines and keys pywps does not know are written back exactly
as read, so `parse(text).serialize() == text` for any file that parses. Only what changes is regenerated, in
wpa_supplicant's own form (pywps/netfields.py). A file that does not parse is never overwritten: `load()` raises
`ConfigError` with the line.

Network ids are wpa_supplicant's: the file's blocks are numbered 0..n-1 in file order when the file is read;
a new network gets the highest id + 1 (0 when there is none); removing one leaves the others' ids alone. A
reload (`load()` again, as SIGHUP and RECONFIGURE do) numbers the file's blocks afresh, exactly like
wpa_supplicant's RECONFIGURE: whoever holds an id across a reload must drop it.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field

from . import netfields as nf
from .globalfields import GLOBALS, check_global, parse_device_type, parse_uuid
from .netevents import NetworkAdded, NetworkEvent, NetworkRemoved
from .wps.credential import Credential
from .wps.defs import AuthType, ConfigMethods, EncrType
from .wps.device import DEFAULT_CONFIG_METHODS, DEFAULT_DEVICE_TYPE
from .wps.errors import WpsError

__all__ = [
    "Config",
    "ConfigError",
    "CredentialIgnored",
    "CredentialRejected",
    "Network",
    "StoredCredentials",
    "WepProhibited",
    "decode_string",
    "encode_string",
    "load",
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


class ConfigError(Exception):
    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


class CredentialRejected(ValueError):
    """A received credential that cannot be stored safely in the file."""


class WepProhibited(CredentialRejected):
    """A WEP credential: WSC 2.0 forbids it. wpa_supplicant skips it and, when no credential is left, reports
    `WPS-FAIL msg=12 config_error=0 reason=2 (WEP Prohibited)` (observed)."""


class CredentialIgnored(CredentialRejected):
    """An authentication type wpa_supplicant ignores (neither open, WPA-PSK nor WPA2-PSK): nothing is stored,
    and the run still ends in WPS-SUCCESS (wpa_supplicant_wps_cred returns 0)."""


def uuid_from_mac(mac: bytes) -> bytes:
    """The UUID wpa_supplicant derives when none is configured: a name-based (SHA-1) UUID of the MAC."""
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


# -- network blocks ---------------------------------------------------------------------------------------


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
    def disabled(self) -> int:
        return int(self.value("disabled") or 0)

    def flags_text(self, current: bool = False, temp_disabled: bool = False) -> str:
        """LIST_NETWORKS's flags, in wpa_supplicant's order: any non-zero `disabled` (even -1) is [DISABLED]."""
        return ("[CURRENT]" if current else "") + ("[DISABLED]" if self.disabled else "") + \
            ("[TEMP-DISABLED]" if temp_disabled else "") + ("[P2P-PERSISTENT]" if self.disabled == 2 else "")

    # -- GET_NETWORK / SET_NETWORK ------------------------------------------------------------------------

    def value(self, name: str) -> str | None:
        """The field's canonical text, its default when unset, or None (then GET_NETWORK answers FAIL).
        KeyError for a field pywps does not know."""
        spec = nf.FIELDS[name]
        if name in self.fields:
            try:
                return spec.parse(self.fields[name])
            except ValueError:  # as written in a file, in a form newer or older than ours: show it as is
                return self.fields[name]
        return spec.default

    def get(self, name: str) -> str:
        """GET_NETWORK's answer: keys as `*`. KeyError when wpa_supplicant answers FAIL."""
        text = self.value(name)
        if text is None:
            raise KeyError(name)
        return "*" if nf.FIELDS[name].secret else text

    def set(self, name: str, value: str) -> None:
        """SET_NETWORK: KeyError for an unknown field, ValueError for a value wpa_supplicant refuses; a refused
        value leaves the network as it was."""
        spec = nf.FIELDS[name]
        text = spec.parse(value)
        if (name == "bssid" and text == "") or (name.startswith("wep_key") and text == '""'):
            self.fields.pop(name, None)  # `bssid any` clears it; so does an empty WEP key
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
        elif key in nf.FIELDS:
            self.set(key, value)
        else:
            self.fields[key] = value
            self.lines = None

    # -- the file --------------------------------------------------------------------------------------------

    def saved(self) -> bool:
        """Whether SAVE_CONFIG writes this block. wpa_supplicant leaves out a network whose key_mgmt needs a PSK
        it does not have (a fresh ADD_NETWORK) and the WPS-only one; a block read from the file and never
        edited is always written back as it was."""
        if self.lines is not None:
            return True
        key_mgmt = (self.value("key_mgmt") or "").split()
        if key_mgmt == ["WPS"]:
            return False
        return not (set(key_mgmt) & set(nf.PSK_KEY_MGMT)) or "psk" in self.fields

    def render(self) -> list[str]:
        if self.lines is not None:
            return self.lines
        known = sorted((k for k in self.fields if k in nf.FIELDS), key=nf.FIELD_ORDER.__getitem__)
        out = ["network={"]
        for key in known:
            text = self.value(key)
            if text is not None and text not in nf.FIELDS[key].omit:
                out.append(f"\t{key}={text}")
        out += [f"\t{k}={v}" for k, v in self.fields.items() if k not in nf.FIELDS]
        return [*out, "}"]


def network_block_text(network: Network) -> str:
    return "\n".join(network.render()) + "\n"


# -- credentials -----------------------------------------------------------------------------------------


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


# -- the file -----------------------------------------------------------------------------------------------


@dataclass
class DeviceSettings:
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
        self.items: list[str | Network] = []  # raw lines and network blocks, in file order
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

    def _int(self, key: str) -> int:
        try:
            return nf.c_strtol_int(self.values.get(key, GLOBALS[key].default or "0"))
        except ValueError:
            return 0

    @property
    def update_config(self) -> bool:
        return self._int("update_config") != 0

    @property
    def wps_cred_processing(self) -> int:
        # wpa_supplicant tests for 1 and 2 only: any other value it accepts (-1) means 0.
        value = self._int("wps_cred_processing")
        return value if value in (1, 2) else 0

    @property
    def auto_uuid(self) -> bool:
        return self._int("auto_uuid") == 1

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
                setattr(d, key, v[key].encode("utf-8"))
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

    def set(self, key: str, value: str) -> None:
        """SET: KeyError for a key pywps does not take, ValueError for a value it refuses (nothing changes)."""
        value = check_global(key, value)
        if GLOBALS[key].runtime:
            self.runtime[key] = value
            return
        line = f"{key}={value}"
        if key in self.values:
            for i, item in enumerate(self.items):
                if isinstance(item, str) and (m := _LINE.match(item)) and m[1] == key:
                    self.items[i] = line
                    break
        else:
            first_network = next((i for i, it in enumerate(self.items) if isinstance(it, Network)), len(self.items))
            while first_network > 0 and self.items[first_network - 1] == "":
                first_network -= 1  # before the blank line that sets the networks apart
            self.items.insert(first_network, line)
        self.values[key] = value

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

    def _replace(self, network_id: int, network: Network) -> None:
        """`network` takes the place and the id of network `network_id` (KeyError if there is none)."""
        old = self.network(network_id)
        i = next(i for i, item in enumerate(self.items) if item is old)
        self.items[i] = network
        network.id = network_id

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
        """Store the credentials of one M8 as wpa_supplicant does: each becomes a new network (highest id + 1);
        an older network for the same SSID with the same auth_alg, key_mgmt, proto and pairwise is removed;
        two PSK credentials of one SSID and one key in the same M8 (a mixed WPA/WPA2 AP) are merged into the
        later one, with both protos and ciphers (i.e. the defaults: no proto/pairwise lines). Raises
        CredentialRejected (WepProhibited, CredentialIgnored) before changing anything; every credential is
        checked first. `replace_id`: the WPS run's own network, which the first credential replaces in place
        (its id and position, no NetworkAdded), as wpa_supplicant reuses it; the others get new ids."""
        priority = self._int("wps_priority")
        add_sae = self._int("wps_cred_add_sae") == 1
        new = [network_from_credential(cred, priority, add_sae) for cred in creds]
        stored: list[Network] = []
        events: list[NetworkEvent] = []
        this_m8: list[Network] = []
        for i, network in enumerate(new):
            if i == 0 and replace_id is not None and any(n.id == replace_id for n in self.networks):
                self._replace(replace_id, network)
            else:
                self._append(network)
                events.append(NetworkAdded(network.id))
            for old in list(self.networks):
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
                self.remove_network(old.id)
                events.append(NetworkRemoved(old.id))
                if old in stored:
                    stored.remove(old)
            this_m8.append(network)
            stored.append(network)
        return StoredCredentials(stored, events)

    # -- text -----------------------------------------------------------------------------------------------

    def serialize(self) -> str:
        out: list[str] = []
        for item in self.items:
            if isinstance(item, Network):
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


def _temp_prefix(path: str) -> str:
    return f".{os.path.basename(path)}.pywps-"


def write_atomically(path: str, text: str) -> None:
    """Temp file beside the target, fsync, rename, fsync the directory: a reader sees the old file or the new,
    never half of one. Blocking: the daemon calls it off its event loop."""
    directory = os.path.dirname(os.path.abspath(path))
    try:
        mode = os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        mode = 0o600
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path), dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape") as f:
            os.fchmod(f.fileno(), mode)
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    dfd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


def remove_stale_temp_files(path: str) -> list[str]:
    """Temp files that a save killed half-way (SIGKILL, power loss) left beside `path`: only this file's own
    (named after it), so another daemon's save in the same directory is never touched. Call before saving."""
    directory = os.path.dirname(os.path.abspath(path))
    prefix = _temp_prefix(path)
    removed = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        if name.startswith(prefix):
            try:
                os.unlink(os.path.join(directory, name))
                removed.append(name)
            except OSError:
                pass
    return removed


def _check_file_global(key: str, value: str) -> None:
    """Keys pywps knows are checked as SET checks them; others are kept as written."""
    if key in GLOBALS:
        check_global(key, value)


def _check_file_field(key: str, value: str) -> None:
    """Fields pywps knows are checked as SET_NETWORK checks them; token lists may name values pywps does not
    know (a newer wpa_supplicant's key_mgmt), which it keeps as written."""
    if key not in nf.FIELDS:
        return
    try:
        nf.canonical(key, value)
    except ValueError:
        if key in ("key_mgmt", "proto", "pairwise", "group", "auth_alg") and value.strip():
            return
        raise


def _key_value(path: str, number: int, line: str, check, where: str = "") -> tuple[str, str]:
    """One `key=value` line, checked by `check(key, value)`; ConfigError names the line, never its value
    (it may be a key)."""
    m = _LINE.match(line)
    if not m:
        raise ConfigError(path, number, f"cannot read this line{where}")
    try:
        check(m[1], m[2])
    except ValueError as e:
        reason = str(e)
        if m[1] in SECRET_KEYS and m[2] and m[2].strip('"') in reason:
            reason = "invalid value (not shown: it is a secret)"
        raise ConfigError(path, number, f"{m[1]}: {reason}") from None
    return m[1], m[2]


def parse(text: str, path: str = "<string>") -> Config:
    config = Config(path)
    config.final_newline = text.endswith("\n") or not text
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final newline
    block: Network | None = None
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if block is not None:
            block.lines.append(line)
            if stripped == "}":
                block.id = len(config.networks)
                config.items.append(block)
                block = None
            elif stripped and not stripped.startswith("#"):
                key, value = _key_value(path, number, line, _check_file_field, " in a network block")
                block.fields[key] = value
            continue
        if not stripped or stripped.startswith("#"):
            config.items.append(line)
            continue
        if re.fullmatch(r"network\s*=\s*\{", stripped):
            block = Network(lines=[line])
            continue
        key, value = _key_value(path, number, line, _check_file_global)
        config.values[key] = value
        config.items.append(line)
    if block is not None:
        raise ConfigError(path, len(lines), "network block not closed with '}'")
    return config


def load(path: str) -> Config:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise ConfigError(path, 0, "no such file") from None
    except UnicodeDecodeError:
        raise ConfigError(path, 0, "not UTF-8 text") from None
    except OSError as e:
        raise ConfigError(path, 0, e.strerror or str(e)) from None
    return parse(text, path)
