"""`--pcap FILE`: every EAPOL frame sent and received, as Ethernet frames Wireshark and scapy.rdpcap open.

scapy is imported only when a recorder is made, so the daemon's start path never pays for it.
"""

from __future__ import annotations

import struct

from .driver.base import ETH_P_PAE


class PcapRecorder:
    def __init__(self, path: str) -> None:
        from scapy.utils import PcapWriter  # lazily: scapy is test and debugging tooling

        self._writer = PcapWriter(path, linktype=1, sync=True)  # DLT_EN10MB; sync: flushed per frame

    def record(self, direction: str, src: bytes, dst: bytes, pdu: bytes) -> None:
        """`direction` ('rx'/'tx') is implied by the addresses; kept for log-friendly call sites."""
        frame = dst + src + struct.pack(">H", ETH_P_PAE) + pdu
        self._writer.write(frame)  # raw bytes: stamped with the current time, header written on first use

    def close(self) -> None:
        self._writer.close()
