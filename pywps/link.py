"""The link as the services see it: the driver with a tap on its EAPOL frames, counting them for MIB's 802.1X
supplicant counters and, with `--pcap`, recording them (both directions in this one place)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .driver.base import Driver, EapolHandler, mac_str

if TYPE_CHECKING:
    from .pcap import PcapRecorder

EAPOL_EAP_PACKET, EAPOL_START, EAPOL_LOGOFF = 0, 1, 2
EAP_REQUEST, EAP_RESPONSE, EAP_TYPE_IDENTITY = 1, 2, 1


@dataclass
class EapolCounters:
    """dot1xSupp* counters of IEEE 802.1X-2004's supplicant MIB, as wpa_supplicant's MIB command prints them."""

    rx: int = 0
    tx: int = 0
    start_tx: int = 0
    logoff_tx: int = 0
    resp_tx: int = 0
    req_id_rx: int = 0
    req_rx: int = 0
    invalid_rx: int = 0
    length_error_rx: int = 0
    last_version: int = 0
    last_source: bytes = bytes(6)

    def received(self, src: bytes, pdu: bytes) -> None:
        if len(pdu) < 4:
            self.invalid_rx += 1
            return
        self.rx += 1
        self.last_version, self.last_source = pdu[0], src
        if pdu[1] == EAPOL_EAP_PACKET and len(pdu) >= 8:
            if pdu[4] == EAP_REQUEST:
                if len(pdu) >= 9 and pdu[8] == EAP_TYPE_IDENTITY:
                    self.req_id_rx += 1
                else:
                    self.req_rx += 1
            if int.from_bytes(pdu[2:4], "big") > len(pdu) - 4:
                self.length_error_rx += 1

    def sent(self, pdu: bytes) -> None:
        self.tx += 1
        if len(pdu) >= 2 and pdu[1] == EAPOL_START:
            self.start_tx += 1
        elif len(pdu) >= 2 and pdu[1] == EAPOL_LOGOFF:
            self.logoff_tx += 1
        elif len(pdu) >= 5 and pdu[1] == EAPOL_EAP_PACKET and pdu[4] == EAP_RESPONSE:
            self.resp_tx += 1

    def mib(self) -> dict[str, str]:
        return {
            "dot1xSuppEapolFramesRx": str(self.rx), "dot1xSuppEapolFramesTx": str(self.tx),
            "dot1xSuppEapolStartFramesTx": str(self.start_tx), "dot1xSuppEapolLogoffFramesTx": str(self.logoff_tx),
            "dot1xSuppEapolRespFramesTx": str(self.resp_tx), "dot1xSuppEapolReqIdFramesRx": str(self.req_id_rx),
            "dot1xSuppEapolReqFramesRx": str(self.req_rx), "dot1xSuppInvalidEapolFramesRx": str(self.invalid_rx),
            "dot1xSuppEapLengthErrorFramesRx": str(self.length_error_rx),
            "dot1xSuppLastEapolFrameVersion": str(self.last_version),
            "dot1xSuppLastEapolFrameSource": mac_str(self.last_source),
        }


class LinkTap:
    """The driver's interface, with every EAPOL frame counted (and recorded when a recorder is given)."""

    def __init__(self, driver: Driver, recorder: PcapRecorder | None = None) -> None:
        self._driver = driver
        self.recorder = recorder
        self.counters = EapolCounters()
        self._on_eapol: EapolHandler | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._driver, name)

    @property
    def on_eapol(self) -> EapolHandler | None:
        return self._on_eapol

    @on_eapol.setter
    def on_eapol(self, handler: EapolHandler | None) -> None:
        self._on_eapol = handler
        self._driver.on_eapol = self._received if handler is not None else None

    @property
    def on_event(self) -> Any:
        return self._driver.on_event

    @on_event.setter
    def on_event(self, handler: Any) -> None:
        self._driver.on_event = handler

    def _received(self, src: bytes, pdu: bytes) -> None:
        self.counters.received(src, pdu)
        if self.recorder is not None:
            self.recorder.record(src, self._driver.own_addr, pdu)
        if self._on_eapol is not None:
            self._on_eapol(src, pdu)

    async def send_eapol(self, dst: bytes, pdu: bytes) -> None:
        self.counters.sent(pdu)
        if self.recorder is not None:
            self.recorder.record(self._driver.own_addr, dst, pdu)
        await self._driver.send_eapol(dst, pdu)
