"""`--pcap FILE`: every EAPOL frame sent and received, as Ethernet frames Wireshark and scapy.rdpcap open.

`pywps.link.LinkTap` feeds it both directions from one place. The file is written by one worker
thread (in order, flushed per frame) so the event loop never waits on the disk. scapy is imported only when a
recorder is made, so the daemon's start path never pays for it.
"""

from __future__ import annotations

import struct
from concurrent.futures import ThreadPoolExecutor
from .driver.base import ETH_P_PAE


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
