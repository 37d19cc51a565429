"""PIN rules: the checksum digit, generation, normalization (checked against the spec's algorithm, re-typed)."""

from __future__ import annotations

import pytest

from pywps.wps.pin import PinError, checksum_digit, generate_pin, has_valid_checksum, is_pbc, normalize_pin


def ref_checksum_ok(pin: str) -> bool:
    """WSC 2.0 section 6.4.1: weights 3,1,3,1,3,1,3,1 over the eight digits; valid when the sum % 10 == 0."""
    return sum(int(d) * w for d, w in zip(pin, (3, 1, 3, 1, 3, 1, 3, 1))) % 10 == 0


@pytest.mark.parametrize("pin,valid", [
    ("12345670", True), ("12345678", False), ("00000000", True), ("11111111", False),
    ("48370838", ref_checksum_ok("48370838")), ("99999995", ref_checksum_ok("99999995")),
])
def test_known_checksums(pin, valid):
    assert ref_checksum_ok(pin) == valid  # the table itself agrees with the reference
    assert has_valid_checksum(pin) is valid


def test_checksum_digit_matches_reference_for_many_prefixes():
    for first7 in list(range(0, 10_000, 7)) + [9_999_999, 1_234_567, 7_654_321]:
        expected = next(d for d in range(10) if ref_checksum_ok(f"{first7:07d}{d}"))
        assert checksum_digit(first7) == expected


def test_exactly_one_checksum_digit_is_valid():
    for first7 in (0, 1234567, 5555555):
        valid = [d for d in range(10) if has_valid_checksum(f"{first7:07d}{d}")]
        assert valid == [checksum_digit(first7)]


def test_generated_pins_are_valid_and_vary():
    pins = [generate_pin() for _ in range(500)]
    assert all(len(p) == 8 and p.isdigit() and ref_checksum_ok(p) for p in pins)
    assert len(set(pins)) > 450  # drawn from a CSPRNG: collisions among 500 of 10^7 are rare


def test_generate_pin_uses_the_injected_source():
    assert generate_pin(lambda n: 1234567) == "12345670"
    assert generate_pin(lambda n: 0) == "00000000"


@pytest.mark.parametrize("typed,expected", [
    ("1234-5670", "12345670"), ("1234 5670", "12345670"), (" 12-34 56-70 ", "12345670"), ("1234", "1234"),
    ("12 34", "1234"),
])
def test_normalize_accepts_what_wpa_cli_users_type(typed, expected):
    assert normalize_pin(typed) == expected


def test_four_digit_pins_have_no_checksum():
    for pin in ("0000", "1234", "9999", "1235"):
        assert normalize_pin(pin) == pin


def test_checksum_can_be_waived_for_8_digits():
    with pytest.raises(PinError):
        normalize_pin("12345678")
    assert normalize_pin("12345678", require_checksum=False) == "12345678"


@pytest.mark.parametrize("bad", ["", "123", "12345", "123456", "1234567", "123456789", "1234567a", "abcd",
                                 "１２３４５６７０", "1234_5670", "12345670\n"])
def test_normalize_rejects(bad):
    # 7 digits included: wpa_supplicant's wps_pin_str_valid takes only 4 or 8 (and WPS_CHECK_PIN the same).
    with pytest.raises(PinError):
        normalize_pin(bad)


@pytest.mark.parametrize("text", ["1234567²", "١٢٣٤٥٦٧٠", "1234567", "123456700", "", "abcdefgh"])
def test_has_valid_checksum_is_a_predicate(text):
    # Non-ASCII digits pass str.isdigit() but are not PIN digits: the answer is False, never an exception.
    assert has_valid_checksum(text) is False


def test_pbc_password():
    assert is_pbc(b"00000000")
    assert not is_pbc(b"12345670")
