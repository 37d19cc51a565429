"""A UPnP WPS "AP" for the External Registrar's tests: well-behaved by default (an in-process pywps Enrollee in
the AP role answers GetDeviceInfo/PutMessage), and hostile on request: bad or huge XML, an XML bomb, a wrong
UUID, foreign URLs, a redirect, garbage M-messages, endless events.

It answers SSDP M-SEARCH on 239.255.255.250:1900 (run it in tests/er/nsloop's namespace) and serves HTTP on
127.0.0.1 with aiohttp.
"""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import struct
import uuid as uuidlib
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

from pywps.wps.credential import Credential
from pywps.wps.defs import AuthType, EncrType, MsgType, WscOpCode
from pywps.wps.device import DeviceInfo
from pywps.wps.enrollee import Enrollee, EnrolleeConfig
from pywps.wps.session import opcode_for
from pywps.wps.attributes import parse_attrs
from pywps.wps.defs import AttrType

SERVICE = "urn:schemas-wifialliance-org:service:WFAWLANConfig:1"
DEVICE = "urn:schemas-wifialliance-org:device:WFADevice:1"
AP_PIN = "12345670"
AP_SETTINGS = Credential(b"rogue-net", AuthType.WPA2PSK, EncrType.AES, b"roguepass")

SCPD = """<?xml version="1.0"?>
<scpd xmlns="urn:schemas-upnp-org:service-1-0">
<specVersion><major>1</major><minor>0</minor></specVersion>
<actionList>
<action><name>GetDeviceInfo</name><argumentList>
 <argument><name>NewDeviceInfo</name><direction>out</direction><relatedStateVariable>DeviceInfo</relatedStateVariable></argument>
</argumentList></action>
<action><name>PutMessage</name><argumentList>
 <argument><name>NewInMessage</name><direction>in</direction><relatedStateVariable>InMessage</relatedStateVariable></argument>
 <argument><name>NewOutMessage</name><direction>out</direction><relatedStateVariable>OutMessage</relatedStateVariable></argument>
</argumentList></action>
<action><name>PutWLANResponse</name><argumentList>
 <argument><name>NewMessage</name><direction>in</direction><relatedStateVariable>Message</relatedStateVariable></argument>
 <argument><name>NewWLANEventType</name><direction>in</direction><relatedStateVariable>WLANEventType</relatedStateVariable></argument>
 <argument><name>NewWLANEventMAC</name><direction>in</direction><relatedStateVariable>WLANEventMAC</relatedStateVariable></argument>
</argumentList></action>
<action><name>SetSelectedRegistrar</name><argumentList>
 <argument><name>NewMessage</name><direction>in</direction><relatedStateVariable>Message</relatedStateVariable></argument>
</argumentList></action>
</actionList>
<serviceStateTable>
<stateVariable sendEvents="no"><name>Message</name><dataType>bin.base64</dataType></stateVariable>
<stateVariable sendEvents="no"><name>InMessage</name><dataType>bin.base64</dataType></stateVariable>
<stateVariable sendEvents="no"><name>OutMessage</name><dataType>bin.base64</dataType></stateVariable>
<stateVariable sendEvents="no"><name>DeviceInfo</name><dataType>bin.base64</dataType></stateVariable>
<stateVariable sendEvents="yes"><name>APStatus</name><dataType>ui1</dataType></stateVariable>
<stateVariable sendEvents="yes"><name>STAStatus</name><dataType>ui1</dataType></stateVariable>
<stateVariable sendEvents="yes"><name>WLANEvent</name><dataType>bin.base64</dataType></stateVariable>
<stateVariable sendEvents="no"><name>WLANEventType</name><dataType>ui1</dataType></stateVariable>
<stateVariable sendEvents="no"><name>WLANEventMAC</name><dataType>string</dataType></stateVariable>
</serviceStateTable>
</scpd>
"""

BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lollollollollollollollollollol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<root xmlns="urn:schemas-upnp-org:device-1-0"><device><friendlyName>&lol9;</friendlyName></device></root>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE root [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<root xmlns="urn:schemas-upnp-org:device-1-0"><device><friendlyName>&xxe;</friendlyName></device></root>
"""


def uuid_text(u: bytes) -> str:
    return str(uuidlib.UUID(bytes=u))


def soap(action: str, args: dict[str, str]) -> str:
    inner = "".join(f"<{k}>{v}</{k}>" for k, v in args.items())
    return ('<?xml version="1.0"?>\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
            's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>'
            f'<u:{action}Response xmlns:u="{SERVICE}">{inner}</u:{action}Response></s:Body></s:Envelope>\n')


def event_body(wlan_event: bytes | str) -> str:
    value = wlan_event if isinstance(wlan_event, str) else base64.b64encode(wlan_event).decode()
    return ('<?xml version="1.0" encoding="utf-8"?>\n<e:propertyset xmlns:e="urn:schemas-upnp-org:event-1-0">'
            f'<e:property><WLANEvent>{value}</WLANEvent></e:property></e:propertyset>\n')


def wlan_event(kind: int, mac: bytes, body: bytes) -> bytes:
    return bytes([kind]) + ":".join(f"{b:02x}" for b in mac).encode() + body


@dataclass
class RogueAp:
    uuid: bytes = field(default_factory=lambda: os.urandom(16))
    description: str = "good"     # good | bad_xml | bomb | xxe | huge | huge_declared | redirect | foreign_urls | no_service
    udn_uuid: bytes | None = None  # None: the same as the SSDP uuid
    location_host: str | None = None
    m1: str = "good"              # good | garbage | wrong_uuid | huge | not_base64 | http500
    put_message: str = "good"     # good | garbage | bad_authenticator | not_base64 | empty | slow
    pin: str = AP_PIN
    settings: Credential = AP_SETTINGS
    port: int = 0
    subscriptions: list = field(default_factory=list)  # (callback URL, SID)
    requests: list = field(default_factory=list)       # (method, path)
    description_bytes_sent: int = 0
    received: list = field(default_factory=list)        # (action, decoded message)

    def __post_init__(self) -> None:
        self.mac = bytes.fromhex("02aa00") + self.uuid[:3]
        self.device = DeviceInfo(uuid=self.uuid, mac_address=self.mac, device_name=b"RogueAP", manufacturer=b"Rogue",
                                 model_name=b"rogue", primary_device_type=bytes.fromhex("00060050f2040001"))
        self._enrollee: Enrollee | None = None
        self._runner: web.AppRunner | None = None
        self._ssdp: asyncio.DatagramTransport | None = None
        self._session: aiohttp.ClientSession | None = None

    # -- lifecycle -------------------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=1 << 20)
        app.router.add_route("*", "/{tail:.*}", self._http)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(("", 1900))
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                        struct.pack("4s4s", socket.inet_aton("239.255.255.250"), socket.inet_aton("127.0.0.1")))
        loop = asyncio.get_running_loop()
        self._ssdp, _ = await loop.create_datagram_endpoint(lambda: _SsdpResponder(self), sock=sock)
        self._session = aiohttp.ClientSession()

    async def stop(self) -> None:
        if self._ssdp is not None:
            self._ssdp.close()
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def location(self) -> str:
        return f"http://{self.location_host or '127.0.0.1'}:{self.port}/desc.xml"

    def ssdp_reply(self) -> bytes:
        return (f"HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\nLOCATION: {self.location}\r\n"
                f"SERVER: rogue, UPnP/1.0, rogue\r\nST: {DEVICE}\r\nUSN: uuid:{uuid_text(self.uuid)}::{DEVICE}\r\n\r\n").encode()

    # -- HTTP --------------------------------------------------------------------------------------------------

    async def _http(self, request: web.Request) -> web.StreamResponse:
        self.requests.append((request.method, request.path))
        if request.method == "GET" and request.path == "/desc.xml":
            return await self._description(request)
        if request.method == "GET" and request.path == "/scpd.xml":
            return web.Response(text=SCPD, content_type="text/xml")
        if request.method == "SUBSCRIBE":
            sid = f"uuid:{uuid_text(os.urandom(16))}"
            self.subscriptions.append((request.headers.get("CALLBACK", "").strip("<>"), sid))
            return web.Response(headers={"SID": sid, "TIMEOUT": "Second-1800"})
        if request.method == "UNSUBSCRIBE":
            return web.Response()
        if request.method == "POST" and request.path == "/control":
            return await self._soap(request)
        return web.Response(status=404)

    async def _description(self, request: web.Request) -> web.StreamResponse:
        if self.description == "redirect":
            raise web.HTTPFound("http://192.0.2.200/desc.xml")
        if self.description in ("huge", "huge_declared"):
            response = web.StreamResponse(headers={"Content-Type": "text/xml"})
            if self.description == "huge_declared":
                response.content_length = 100 * 1024 * 1024
            await response.prepare(request)
            chunk = b"<!--" + b"x" * (1024 * 1024 - 7) + b"-->"
            try:
                for _ in range(100):
                    await response.write(chunk)
                    self.description_bytes_sent += len(chunk)
            except (ConnectionResetError, RuntimeError, ConnectionError):
                pass
            return response
        text = {"bad_xml": "<root><device><friendlyName>unclosed", "bomb": BOMB, "xxe": EXTERNAL_ENTITY}.get(self.description)
        if text is None:
            text = self.description_xml()
        self.description_bytes_sent += len(text)
        return web.Response(text=text, content_type="text/xml")

    def description_xml(self) -> str:
        base = "http://192.0.2.200:80" if self.description == "foreign_urls" else ""
        service = "" if self.description == "no_service" else (
            f"<serviceList><service><serviceType>{SERVICE}</serviceType>"
            "<serviceId>urn:wifialliance-org:serviceId:WFAWLANConfig1</serviceId>"
            f"<SCPDURL>scpd.xml</SCPDURL><controlURL>{base}/control</controlURL>"
            f"<eventSubURL>{base}/event</eventSubURL></service></serviceList>")
        udn = uuid_text(self.udn_uuid if self.udn_uuid is not None else self.uuid)
        return ('<?xml version="1.0"?>\n<root xmlns="urn:schemas-upnp-org:device-1-0">'
                "<specVersion><major>1</major><minor>0</minor></specVersion><device>"
                f"<deviceType>{DEVICE}</deviceType><friendlyName>Rogue|AP&#10;x</friendlyName>"
                "<manufacturer>Rogue</manufacturer><manufacturerURL>http://rogue.example/</manufacturerURL>"
                "<modelDescription>hostile</modelDescription><modelName>rogue</modelName>"
                f"<modelNumber>1</modelNumber><serialNumber>2</serialNumber><UDN>uuid:{udn}</UDN>"
                f"{service}</device></root>\n")

    async def _soap(self, request: web.Request) -> web.Response:
        action = request.headers.get("SOAPACTION", "").strip('"').rpartition("#")[2]
        body = await request.text()
        arg = _between(body, ("NewInMessage", "NewMessage"))
        self.received.append((action, base64.b64decode(arg) if arg else b""))
        if action == "GetDeviceInfo":
            return self._get_device_info()
        if action == "PutMessage":
            return await self._put_message(self.received[-1][1])
        if action == "PutWLANResponse":
            self._to_station(self.received[-1][1])
            return web.Response(text=soap(action, {}), content_type="text/xml")
        if action == "SetSelectedRegistrar":
            return web.Response(text=soap(action, {}), content_type="text/xml")
        return web.Response(status=500)

    def _get_device_info(self) -> web.Response:
        if self.m1 == "http500":
            return web.Response(status=500)
        if self.m1 == "garbage":
            return web.Response(text=soap("GetDeviceInfo", {"NewDeviceInfo": base64.b64encode(os.urandom(300)).decode()}),
                                content_type="text/xml")
        if self.m1 == "not_base64":
            return web.Response(text=soap("GetDeviceInfo", {"NewDeviceInfo": "@@not base64@@"}), content_type="text/xml")
        if self.m1 == "huge":
            return web.Response(text=soap("GetDeviceInfo", {"NewDeviceInfo": "QUFB" * 15000}), content_type="text/xml")
        device = self.device
        if self.m1 == "wrong_uuid":
            device = DeviceInfo(uuid=os.urandom(16), mac_address=self.mac, device_name=b"RogueAP")
        self._enrollee = Enrollee(EnrolleeConfig(device, self.pin.encode(), ap_settings=self.settings))
        m1 = self._enrollee.start().body
        return web.Response(text=soap("GetDeviceInfo", {"NewDeviceInfo": base64.b64encode(m1).decode()}),
                            content_type="text/xml")

    async def _put_message(self, message: bytes) -> web.Response:
        if self._enrollee is None:
            return web.Response(status=500)
        kind = self.put_message
        if kind == "slow":
            await asyncio.sleep(3600)
        if kind == "garbage":
            out = os.urandom(200)
        elif kind == "not_base64":
            return web.Response(text=soap("PutMessage", {"NewOutMessage": "%%%%"}), content_type="text/xml")
        elif kind == "empty":
            return web.Response(text=soap("PutMessage", {"NewOutMessage": ""}), content_type="text/xml")
        else:
            op = _op(message)
            reply = self._enrollee.receive(op, message)
            if reply is None:
                return web.Response(status=500)
            out = reply.body
            if kind == "bad_authenticator" and reply.msg_type is MsgType.M3:
                out = out[:-1] + bytes([out[-1] ^ 1])
        return web.Response(text=soap("PutMessage", {"NewOutMessage": base64.b64encode(out).decode()}),
                            content_type="text/xml")

    # -- a station enrolling through this AP (the AP proxies its EAP messages as WLANEvents) ----------------

    async def station_enroll(self, pin: str | None, mac: bytes = bytes.fromhex("02bb00000001")) -> None:
        """Start a station enrollee's run (pin None: push button): its M1 goes to the ER as a WLANEvent; see
        _to_station for the rest."""
        device = DeviceInfo(uuid=bytes.fromhex("11112222333344445555666677778888"), mac_address=mac,
                            device_name=b"station", manufacturer=b"Sta", model_name=b"sta1")
        config = EnrolleeConfig.pbc(device) if pin is None else EnrolleeConfig(device, pin.encode())
        self.station = Enrollee(config)
        self.station_mac = mac
        await self.notify(event_body(wlan_event(2, mac, self.station.start().body)))

    def _to_station(self, message: bytes) -> None:
        station = getattr(self, "station", None)
        if station is None:
            return
        reply = station.receive(_op(message), message)
        if reply is not None:
            asyncio.get_running_loop().create_task(
                self.notify(event_body(wlan_event(2, self.station_mac, reply.body))))

    # -- events ------------------------------------------------------------------------------------------------

    async def notify(self, body: str, sid: str | None = None, callback: str | None = None) -> int:
        """One GENA NOTIFY to the (last) subscriber; returns the HTTP status (0 if the connection failed)."""
        assert self._session is not None
        if callback is None or sid is None:
            cb, s = self.subscriptions[-1]
            callback, sid = callback or cb, sid or s
        headers = {"NT": "upnp:event", "NTS": "upnp:propchange", "SID": sid, "SEQ": "0",
                   "Content-Type": 'text/xml; charset="utf-8"'}
        try:
            async with self._session.request("NOTIFY", callback, data=body.encode(), headers=headers,
                                             timeout=aiohttp.ClientTimeout(total=5)) as r:
                return r.status
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return 0


def _between(body: str, names: tuple[str, ...]) -> str:
    for name in names:
        start = body.find(f"<{name}>")
        if start >= 0:
            end = body.find(f"</{name}>", start)
            return body[start + len(name) + 2 : end]
    return ""


def _op(message: bytes) -> WscOpCode:
    raw = parse_attrs(message).get(AttrType.MSG_TYPE)
    return opcode_for(MsgType(raw[0]))


class _SsdpResponder(asyncio.DatagramProtocol):
    def __init__(self, ap: RogueAp) -> None:
        self.ap = ap

    def connection_made(self, transport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr) -> None:
        if data.startswith(b"M-SEARCH") and b"WFADevice" in data:
            self.transport.sendto(self.ap.ssdp_reply(), addr)
