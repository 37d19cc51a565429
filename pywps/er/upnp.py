"""The UPnP side of the External Registrar, on async-upnp-client: SSDP search and advertisements, the AP's
device description, the WFAWLANConfig SOAP actions and GENA event subscriptions.

Imported only when WPS_ER_START is given. Everything an AP sends is hostile until proven otherwise, so this
layer adds what the library leaves to its user:
- every HTTP exchange is capped (`MAX_BODY`) and bound to the AP's own address (no redirects, no URL in a
  description or an SSDP reply can point us at another host);
- the event callback URL is always our own address on the ER interface with a random path, never anything
  a peer said (the CallStranger class, CVE-2020-12695, from the subscriber's side); a NOTIFY is read only
  from an AP we subscribed to, for a SID it was given, within a size cap and a rate limit;
- XML is parsed by the library with defusedxml (entity expansion and external entities refused).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import ipaddress
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlparse

import aiohttp
import aiohttp.web
from async_upnp_client.advertisement import SsdpAdvertisementListener
from async_upnp_client.client import UpnpDevice, UpnpRequester, UpnpService
from async_upnp_client.client_factory import UpnpFactory
from async_upnp_client.const import HttpRequest, HttpResponse
from async_upnp_client.event_handler import UpnpEventHandler, UpnpNotifyServer
from async_upnp_client.exceptions import UpnpCommunicationError
from async_upnp_client.search import SsdpSearchListener
from multidict import CIMultiDict

from . import limits

log = logging.getLogger("pywps.er")

WFA_DEVICE = "urn:schemas-wifialliance-org:device:WFADevice:1"
WFA_SERVICE = "urn:schemas-wifialliance-org:service:WFAWLANConfig:1"
SSDP_GROUP = ("239.255.255.250", 1900)
WLAN_EVENT = "WLANEvent"
WLAN_EVENT_TYPE_EAP = 2


class UpnpFailure(Exception):
    """One exchange with an AP failed (unreachable, refused, too large, unreadable): the run or AP is dropped."""


# -- HTTP ----------------------------------------------------------------------------------------------------


class CappedRequester(UpnpRequester):
    """async-upnp-client's requester with the limits a hostile peer calls for: one host, no redirects, a
    body cap checked while reading (a 100 MB description costs us MAX_BODY bytes, not 100 MB)."""

    def __init__(self, session: aiohttp.ClientSession, host: str, timeout: float = limits.HTTP_TIMEOUT) -> None:
        self._session = session
        self.host = host
        self._timeout = timeout

    async def async_http_request(self, http_request: HttpRequest) -> HttpResponse:
        url = urlparse(http_request.url)
        if url.scheme != "http" or url.hostname != self.host:
            raise UpnpCommunicationError(f"refusing {http_request.method} to {http_request.url!r}: not the AP {self.host}")
        timeout = aiohttp.ClientTimeout(total=http_request.timeout or self._timeout)
        try:
            async with self._session.request(
                http_request.method, http_request.url, headers=dict(http_request.headers or {}),
                data=http_request.body, timeout=timeout, allow_redirects=False,
            ) as response:
                length = response.content_length
                if length is not None and length > limits.MAX_BODY:
                    raise UpnpCommunicationError(f"{http_request.url}: Content-Length {length} over {limits.MAX_BODY}")
                body = await response.content.read(limits.MAX_BODY + 1)
                if len(body) > limits.MAX_BODY:
                    raise UpnpCommunicationError(f"{http_request.url}: body over {limits.MAX_BODY} bytes")
                # a case-insensitive copy: the library looks headers up in lower case ("sid", "timeout")
                return HttpResponse(response.status, CIMultiDict(response.headers), body.decode("utf-8", "replace"))
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as e:
            raise UpnpCommunicationError(f"{http_request.method} {http_request.url}: {e!r}") from e


# -- GENA ----------------------------------------------------------------------------------------------------


class RateLimit:
    """A token bucket per peer: events beyond `rate` per second (burst `burst`) are refused."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self._buckets: dict[str, tuple[float, float]] = {}

    def allow(self, key: str, now: float) -> bool:
        tokens, last = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        if len(self._buckets) > limits.MAX_APS * 2:
            self._buckets.clear()  # bounded: only APs we subscribed to get this far
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            return False
        self._buckets[key] = (tokens - 1.0, now)
        return True


class NotifyServer(UpnpNotifyServer):
    """The GENA callback server, bound to our own address on the ER interface only."""

    def __init__(self, requester: UpnpRequester, ip: str, is_ap: Callable[[str], bool]) -> None:
        self._ip = ip
        self._port = 0
        self._path = f"/event/{secrets.token_hex(8)}"  # a peer that never got it cannot address us
        self._is_ap = is_ap
        self._rate = RateLimit(limits.EVENTS_PER_SECOND, limits.EVENT_BURST)
        self._dropped = 0
        self._server: asyncio.AbstractServer | None = None
        self._web: aiohttp.web.Server | None = None
        self.event_handler = UpnpEventHandler(self, requester)

    @property
    def callback_url(self) -> str:
        return f"http://{self._ip}:{self._port}{self._path}"

    async def async_start_server(self) -> None:
        self._web = aiohttp.web.Server(self._handle, access_log=None)  # bodies are capped in _handle
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._web, self._ip, 0)
        self._port = self._server.sockets[0].getsockname()[1]

    async def async_stop_server(self) -> None:
        if self._web is not None:
            await self._web.shutdown(1)
        if self._server is not None:
            self._server.close()
        self._server = self._web = None

    def _drop(self, peer: str, why: str, status: int) -> aiohttp.web.Response:
        self._dropped += 1
        if self._dropped <= 10 or self._dropped % 1000 == 0:  # endless junk must not flood the log either
            log.info("ER: event from %s dropped (%s; %d so far)", peer, why, self._dropped)
        return aiohttp.web.Response(status=status)

    async def _handle(self, request: aiohttp.web.BaseRequest) -> aiohttp.web.Response:
        peer = request.remote or "?"
        if request.method != "NOTIFY" or request.path != self._path:
            return self._drop(peer, f"{request.method} {request.path[:40]!r}", 404)
        if not self._is_ap(peer):
            return self._drop(peer, "not an AP we subscribed to", 403)
        if not self._rate.allow(peer, time.monotonic()):
            return self._drop(peer, "over the event rate limit", 503)
        sid = request.headers.get("SID", "")
        if self.event_handler.service_for_sid(sid) is None:
            # An AP may notify before its SUBSCRIBE answer reaches us (hostapd's first event is only its
            # state). The library would keep such events in an unbounded backlog; we answer OK and drop
            # them, as wpa_supplicant does, so the AP keeps the subscription.
            log.debug("ER: event from %s for a SID not (yet) ours dropped", peer)
            return aiohttp.web.Response(status=200)
        if (request.content_length or 0) > limits.MAX_EVENT_BODY:
            return self._drop(peer, f"{request.content_length} bytes", 413)
        try:
            body = await request.content.read(limits.MAX_EVENT_BODY + 1)
            if len(body) > limits.MAX_EVENT_BODY:
                return self._drop(peer, "body over the cap", 413)
            http_request = HttpRequest("NOTIFY", self.callback_url, request.headers, body.decode("utf-8", "replace"))
            status = await self.event_handler.handle_notify(http_request)
        except (ValueError, SyntaxError, UpnpCommunicationError, aiohttp.ClientError) as e:
            # defusedxml refuses entities with ValueError subclasses; ParseError is a SyntaxError
            return self._drop(peer, f"unreadable: {e!r}"[:200], 400)
        except Exception as e:  # the edge facing the LAN: one line, no traceback to aiohttp's log, go on
            log.error("ER: event from %s: %r", peer, e)
            log.debug("ER: event from %s", peer, exc_info=True)
            return aiohttp.web.Response(status=500)
        return aiohttp.web.Response(status=int(status))


# -- SSDP ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SsdpNotice:
    """An AP's SSDP answer or advertisement, reduced to what wpa_supplicant's ER reads from it."""

    source: str
    location: str
    uuid: bytes
    max_age: int
    byebye: bool


def parse_uuid(text: str) -> bytes | None:
    """'uuid:12345678-9abc-...' (or bare) as 16 bytes; None when it is not one."""
    text = text.strip()
    if text.lower().startswith("uuid:"):
        text = text[5:]
    text = text.split("::", 1)[0].strip()
    hexdigits = text.replace("-", "")
    if len(text) != 36 or len(hexdigits) != 32:
        return None
    try:
        return bytes.fromhex(hexdigits)
    except ValueError:
        return None


def read_ssdp(headers, byebye: bool) -> SsdpNotice | None:
    """The notice in SSDP headers (async-upnp-client's CaseInsensitiveDict), or None if it is not a WPS AP's."""
    kind = f"{headers.get('st', '')} {headers.get('nt', '')}"
    if "schemas-wifialliance-org:device:WFADevice:1" not in kind and "schemas-wifialliance-org:service:WFAWLANConfig:1" not in kind:
        return None
    remote = headers.get("_remote_addr") or ("", 0)
    uuid = parse_uuid(str(headers.get("usn", ""))) or bytes(16)
    if byebye:
        return SsdpNotice(str(remote[0]), "", uuid, 0, True)
    location = str(headers.get("location", "")).strip()
    max_age = -1
    for part in str(headers.get("cache-control", "")).split(","):
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "max-age":
            try:
                max_age = int(value.strip())
            except ValueError:
                return None
    if not location or max_age < 1 or len(location) > 512:
        return None  # as wpa_supplicant: no LOCATION or no max-age, no AP
    return SsdpNotice(str(remote[0]), location, uuid, min(max_age, limits.MAX_AGE_CAP), False)


# -- one AP --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApDescription:
    udn_uuid: bytes | None
    friendly_name: str
    manufacturer: str
    manufacturer_url: str
    model_description: str
    model_name: str
    model_number: str
    model_url: str
    serial_number: str


def _b64(text: object, what: str) -> bytes:
    if not isinstance(text, str) or len(text) > limits.MAX_MESSAGE * 4 // 3 + 16:
        raise UpnpFailure(f"{what}: missing or over {limits.MAX_MESSAGE} bytes")
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError) as e:
        raise UpnpFailure(f"{what}: not base64 ({e})") from None


class ApLink:
    """The WFAWLANConfig service of one AP: its SOAP actions and its event subscription."""

    def __init__(self, device: UpnpDevice, service: UpnpService, events: UpnpEventHandler) -> None:
        self.device = device
        self.service = service
        self._events = events
        self._sid: str | None = None
        self._renew: asyncio.TimerHandle | None = None
        info = device.device_info
        self.description = ApDescription(
            parse_uuid(info.udn or ""), info.friendly_name or "", info.manufacturer or "", info.manufacturer_url or "",
            info.model_description or "", info.model_name or "", info.model_number or "", info.model_url or "",
            info.serial_number or "",
        )

    async def _call(self, name: str, **args) -> dict:
        try:
            action = self.service.action(name)
        except KeyError:
            raise UpnpFailure(f"the AP's service has no {name} action") from None
        try:
            return dict(await action.async_call(**args))
        except (ValueError, SyntaxError, LookupError, TypeError) as e:  # bad XML, bad types, vol.Invalid
            raise UpnpFailure(f"{name}: {e!r}"[:300]) from None
        except Exception as e:  # the library's UpnpError family and whatever a broken reply makes it raise
            raise UpnpFailure(f"{name}: {e!r}"[:300]) from None

    async def get_device_info(self) -> bytes:
        """The AP's M1 (GetDeviceInfo starts a registration on the AP's side)."""
        return _b64((await self._call("GetDeviceInfo")).get("NewDeviceInfo"), "NewDeviceInfo")

    async def put_message(self, message: bytes) -> bytes | None:
        """Send one WSC message to the AP as enrollee; its answer (None: the AP answered with an error)."""
        reply = await self._call("PutMessage", NewInMessage=base64.b64encode(message).decode())
        out = reply.get("NewOutMessage")
        return _b64(out, "NewOutMessage") if out else None

    async def put_wlan_response(self, mac: bytes, message: bytes) -> None:
        """Send one WSC message to a station enrollee behind the AP (its EAP proxy)."""
        await self._call("PutWLANResponse", NewMessage=base64.b64encode(message).decode(),
                         NewWLANEventType=WLAN_EVENT_TYPE_EAP, NewWLANEventMAC=":".join(f"{b:02x}" for b in mac))

    async def set_selected_registrar(self, message: bytes) -> None:
        await self._call("SetSelectedRegistrar", NewMessage=base64.b64encode(message).decode())

    async def subscribe(self, on_wlan_event: Callable[[bytes], None]) -> None:
        def on_event(service: UpnpService, variables) -> None:
            for var in variables:
                if var.name != WLAN_EVENT:
                    continue
                try:
                    on_wlan_event(_b64(var.value, WLAN_EVENT))
                except UpnpFailure as e:
                    log.info("ER: WLANEvent from %s dropped: %s", self.device.device_info.url, e)

        self.service.on_event = on_event
        try:
            self._sid, granted = await self._events.async_subscribe(self.service, timedelta(seconds=limits.SUBSCRIBE_SECONDS))
        except Exception as e:  # the library's errors, and ValueError from a hostile TIMEOUT header
            raise UpnpFailure(f"SUBSCRIBE: {e!r}"[:300]) from None
        # Renew at half the time granted (hostapd grants what we ask; a peer's tiny value is raised to 60 s).
        delay = max(60.0, granted.total_seconds() / 2)
        self._renew = asyncio.get_running_loop().call_later(delay, self._schedule_renew)

    def _schedule_renew(self) -> None:
        asyncio.get_running_loop().create_task(self._renew_now())

    async def _renew_now(self) -> None:
        if self._sid is None:
            return
        try:
            self._sid, granted = await self._events.async_resubscribe(self._sid, timedelta(seconds=limits.SUBSCRIBE_SECONDS))
        except Exception as e:  # a renewal failing only ends events from that AP; SSDP expiry removes it
            log.info("ER: renewing the event subscription at %s failed: %r", self.device.device_info.url, e)
            self._sid = None
            return
        delay = max(60.0, granted.total_seconds() / 2)
        self._renew = asyncio.get_running_loop().call_later(delay, self._schedule_renew)

    async def close(self) -> None:
        if self._renew is not None:
            self._renew.cancel()
        self.service.on_event = None
        if self._sid is not None:
            sid, self._sid = self._sid, None
            try:
                await self._events.async_unsubscribe(sid)
            except Exception as e:  # the AP may be gone already; nothing is left to undo on our side
                log.debug("ER: UNSUBSCRIBE at %s: %r", self.device.device_info.url, e)


def _find_service(device: UpnpDevice, depth: int = 0) -> UpnpService | None:
    if WFA_SERVICE in device.services:
        return device.services[WFA_SERVICE]
    if depth >= 3:
        return None
    for embedded in list(device.embedded_devices.values())[:8]:
        if (found := _find_service(embedded, depth + 1)) is not None:
            return found
    return None


# -- the whole UPnP side of one ER ---------------------------------------------------------------------------


class UpnpLink:
    """SSDP listeners, the HTTP session and the GENA server of one running ER, all bound to `ip`."""

    def __init__(self, ip: str, on_ssdp: Callable[[SsdpNotice], None], is_ap: Callable[[str], bool]) -> None:
        self.ip = ip
        self._on_ssdp = on_ssdp
        self._is_ap = is_ap
        self._session: aiohttp.ClientSession | None = None
        self._notify: NotifyServer | None = None
        self._search: SsdpSearchListener | None = None
        self._adverts: SsdpAdvertisementListener | None = None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        connector = aiohttp.TCPConnector(limit=limits.MAX_CONNECTIONS, local_addr=(self.ip, 0), force_close=True)
        self._session = aiohttp.ClientSession(connector=connector, auto_decompress=False)
        try:
            self._notify = NotifyServer(_AnyApRequester(self), self.ip, self._is_ap)
            await self._notify.async_start_server()
            # MX 1 (wpa_supplicant sends 3): an AP waits a random part of MX before it answers, and hostapd
            # 2.10 rounds that wait to whole seconds (0..MX-1), so MX 1 gets its answer at once.
            self._search = SsdpSearchListener(callback=self._on_search, loop=loop, source=(self.ip, 0),
                                              target=SSDP_GROUP, search_target=WFA_DEVICE, timeout=1)
            await self._search.async_start()
            self._adverts = SsdpAdvertisementListener(on_alive=self._on_alive, on_byebye=self._on_byebye,
                                                      on_update=self._on_alive, source=(self.ip, 0), target=SSDP_GROUP,
                                                      loop=loop)
            await self._adverts.async_start()
        except BaseException:
            await self.close()
            raise

    def search(self) -> None:
        if self._search is not None:
            self._search.async_search()

    def _deliver(self, headers, byebye: bool) -> None:
        try:
            notice = read_ssdp(headers, byebye)
        except (ValueError, TypeError, AttributeError) as e:
            log.debug("ER: unreadable SSDP packet dropped: %r", e)
            return
        if notice is not None:
            self._on_ssdp(notice)

    def _on_search(self, headers) -> None:
        self._deliver(headers, False)

    def _on_alive(self, headers) -> None:
        self._deliver(headers, False)

    def _on_byebye(self, headers) -> None:
        self._deliver(headers, True)

    async def open_ap(self, location: str, source: str) -> ApLink:
        """Read an AP's description (and its service description), find WFAWLANConfig, and bind to it.

        The description must come from the address the SSDP packet came from: a LOCATION elsewhere would
        make us an HTTP client of whatever host a LAN peer names."""
        assert self._session is not None and self._notify is not None
        url = urlparse(location)
        if url.scheme != "http" or url.hostname != source:
            raise UpnpFailure(f"LOCATION {location!r} is not on the sender {source}")
        requester = CappedRequester(self._session, source)
        try:
            device = await UpnpFactory(requester, non_strict=True).async_create_device(location)
        except Exception as e:  # hostile XML reaches the library's parser in many shapes; each ends here
            raise UpnpFailure(f"description {location}: {e!r}"[:300]) from None
        service = _find_service(device)
        if service is None:
            raise UpnpFailure(f"{location} has no {WFA_SERVICE}")
        for link in (service.control_url, service.event_sub_url):
            if urlparse(link or "").hostname != source:
                raise UpnpFailure(f"{location}: service URL {link!r} is not on {source}")
        return ApLink(device, service, self._notify.event_handler)

    async def close(self) -> None:
        if self._search is not None:
            self._search.async_stop()
        if self._adverts is not None:
            await self._adverts.async_stop()
        if self._notify is not None:
            await self._notify.async_stop_server()
        if self._session is not None:
            await self._session.close()
        self._search = self._adverts = self._notify = self._session = None


class _AnyApRequester(UpnpRequester):
    """For SUBSCRIBE/UNSUBSCRIBE: capped, and only towards an address the ER holds as an AP."""

    def __init__(self, link: UpnpLink) -> None:
        self._link = link

    async def async_http_request(self, http_request: HttpRequest) -> HttpResponse:
        host = urlparse(http_request.url).hostname or ""
        if self._link._session is None or not self._link._is_ap(host):
            raise UpnpCommunicationError(f"refusing {http_request.method} to {http_request.url!r}")
        return await CappedRequester(self._link._session, host).async_http_request(http_request)


def interface_ipv4(ifname: str) -> tuple[str, ipaddress.IPv4Network]:
    """The interface's IPv4 address and network (wpa_supplicant's ER also needs one: "Does it have IP address?")."""
    import fcntl
    import socket
    import struct

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        req = struct.pack("256s", ifname.encode()[:15])
        addr = socket.inet_ntoa(fcntl.ioctl(s.fileno(), 0x8915, req)[20:24])  # SIOCGIFADDR
        mask = socket.inet_ntoa(fcntl.ioctl(s.fileno(), 0x891B, req)[20:24])  # SIOCGIFNETMASK
    return addr, ipaddress.IPv4Network(f"{addr}/{mask}", strict=False)
