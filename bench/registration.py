"""In-process WPS registration (Enrollee and Registrar, PIN, over the EAP layer as bytes) against the crypto
floor measured in the same run: 2 DH-1536 key generations + 2 exchanges with `cryptography`.

    python3 bench/registration.py [--runs N]

Prints the medians and their ratio (goal: <= 1.15x). Both sides of the run are pywps, so the ratio is what the
protocol code costs on top of the unavoidable modular exponentiations.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pywps.wps.credential import Credential  # noqa: E402
from pywps.wps.crypto import DH_G, DH_P  # noqa: E402
from pywps.wps.defs import AuthType, EncrType  # noqa: E402
from pywps.wps.device import DeviceInfo  # noqa: E402
from pywps.wps.eap import IDENTITY_ENROLLEE, EapAuthenticator, EapPeer  # noqa: E402
from pywps.wps.enrollee import Enrollee, EnrolleeConfig  # noqa: E402
from pywps.wps.events import Success  # noqa: E402
from pywps.wps.registrar import Registrar, RegistrarConfig  # noqa: E402

STA = DeviceInfo(uuid=bytes(range(16)), mac_address=bytes.fromhex("020000000200"), device_name=b"bench-sta")
AP = DeviceInfo(uuid=bytes(range(1, 17)), mac_address=bytes.fromhex("020000000100"), device_name=b"bench-ap")
CRED = Credential(b"bench", AuthType.WPA2PSK, EncrType.AES, b"12345678")


def registration() -> None:
    peer = EapPeer(Enrollee(EnrolleeConfig(STA, b"12345670")), IDENTITY_ENROLLEE)
    auth = EapAuthenticator(
        registrar_factory=lambda: Registrar(RegistrarConfig(AP, b"12345670", enrollee_is_ap=False, credentials=(CRED,)))
    )
    peer.start()
    while not auth.finished:
        for frame in peer.frames_to_send():
            auth.receive(frame)
        for frame in auth.frames_to_send():
            peer.receive(frame)
    events = []
    while (event := peer.next_event()) is not None:
        events.append(event)
    if not any(isinstance(e, Success) for e in events):
        raise SystemExit(f"registration failed: {events}")


def crypto_floor() -> None:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Diffie-Hellman over finite fields")
        from cryptography.hazmat.primitives.asymmetric import dh

        params = dh.DHParameterNumbers(DH_P, DH_G).parameters()
        a = params.generate_private_key()
        b = params.generate_private_key()
        a.exchange(b.public_key())
        b.exchange(a.public_key())


def median_ms(fn, runs: int) -> float:
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    registration(), crypto_floor()  # warm-up: imports, parameter objects
    reg, floor = [], []
    for _ in range(5):  # interleave so load on the machine hits both alike
        reg.append(median_ms(registration, args.runs // 5))
        floor.append(median_ms(crypto_floor, args.runs // 5))
    r, f = statistics.median(reg), statistics.median(floor)
    print(f"{'in-process registration (pywps both roles)':<48} {r:8.3f} ms")
    print(f"{'crypto floor (2 DH keygens + 2 exchanges)':<48} {f:8.3f} ms")
    print(f"{'ratio':<48} {r / f:8.2f}x   (goal <= 1.15x)")


if __name__ == "__main__":
    main()
