from pywps.pinguard import PinAttemptGuard

PEER = bytes.fromhex("020000000100")
OTHER = bytes.fromhex("020000000101")


def test_no_backoff_below_threshold():
    guard = PinAttemptGuard(threshold=3, base_delay=60)
    assert guard.record_failure(PEER, 0.0) == 0.0
    assert guard.record_failure(PEER, 1.0) == 0.0
    assert guard.blocked_for(PEER, 2.0) == 0.0


def test_backoff_doubles_and_is_per_peer():
    guard = PinAttemptGuard(threshold=3, base_delay=60, max_delay=200)
    for t in range(2):
        guard.record_failure(PEER, float(t))
    assert guard.record_failure(PEER, 10.0) == 60.0
    assert guard.blocked_for(PEER, 40.0) == 30.0
    assert guard.blocked_for(OTHER, 40.0) == 0.0
    assert guard.record_failure(PEER, 100.0) == 120.0
    assert guard.record_failure(PEER, 300.0) == 200.0  # capped
    assert guard.failures(PEER) == 5


def test_success_clears_the_record():
    guard = PinAttemptGuard(threshold=1, base_delay=60)
    assert guard.record_failure(PEER, 0.0) == 60.0
    guard.record_success(PEER)
    assert guard.blocked_for(PEER, 1.0) == 0.0
    assert guard.failures(PEER) == 0
