"""`--pcap FILE`: every EAPOL frame sent and received, as Ethernet frames Wireshark and scapy.rdpcap open.

`PcapTap` wraps the driver, so both directions are recorded in one place. The file is written by one worker
thread (in order, flushed per frame) so the event loop never waits on the disk. scapy is imported only when a
recorder is made, so the daemon's start path never pays for it.
"""

from __future__ import annotations

import struct
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .driver.base import ETH_P_PAE, Driver, EapolHandler


class PcapRecorder:
    def __init__(self, path: str) -> None:
        from scapy.utils import PcapWriter  # lazily: scapy is test and debugging tooling

        self._writer = PcapWriter(path, linktype=1, sync=True)  # DLT_EN10MB; sync: flushed per frame
        self._disk = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pcap")  # one thread keeps the order

    def record(self, src: bytes, dst: bytes, pdu: bytes) -> None:
        frame = dst + src + struct.pack(">H", ETH_P_PAE) + pdu
        self._disk.submit(self._writer.write, frame)  # raw bytes: stamped when written, header on first use

    def close(self) -> None:
        """Blocks until every frame is on disk: call it off the event loop."""
        self._disk.shutdown(wait=True)
        self._writer.close()


class PcapTap:
    """The driver as the daemon sees it when recording: the same interface, every EAPOL frame recorded."""

    def __init__(self, driver: Driver, recorder: PcapRecorder) -> None:
        self._driver = driver
        self.recorder = recorder
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
        self.recorder.record(src, self._driver.own_addr, pdu)
        if self._on_eapol is not None:
            self._on_eapol(src, pdu)

    async def send_eapol(self, dst: bytes, pdu: bytes) -> None:
        self.recorder.record(self._driver.own_addr, dst, pdu)
        await self._driver.send_eapol(dst, pdu)
