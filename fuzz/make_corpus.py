"""Seed the fuzz corpus from pcaps that `pywps --pcap` recorded against Debian hostapd.

    python3 fuzz/make_corpus.py run1.pcap [run2.pcap ...]

Writes each reassembled WSC message body to fuzz/corpus/wsc/, and the authenticator's side of each run as one
file of length-prefixed EAPOL PDUs (what the `eap` target feeds to an EapPeer) to fuzz/corpus/eap/.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from scapy.all import rdpcap

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pywps.wps.eap import Reassembler, parse_eap, parse_eapol, parse_wsc  # noqa: E402
from pywps.wps.errors import ParseError  # noqa: E402

CORPUS = Path(__file__).parent / "corpus"


def save(kind: str, data: bytes) -> None:
    folder = CORPUS / kind
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)


def main() -> None:
    for name in sys.argv[1:]:
        reassembler = Reassembler()
        frames = [bytes(p) for p in rdpcap(name)]
        station = frames[0][6:12]  # the first frame is the station's EAPOL-Start
        session = b""
        for frame in frames:
            pdu = frame[14:]
            if frame[6:12] != station:
                session += len(pdu).to_bytes(2, "big") + pdu
            try:
                eap = parse_eap(parse_eapol(pdu).body)
                if eap.type == 254:
                    message = reassembler.add(parse_wsc(eap.data))
                    if message:
                        save("wsc", message)
            except ParseError:
                continue
        save("eap", session)


if __name__ == "__main__":
    main()
