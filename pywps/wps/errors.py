"""One error hierarchy for the core: bytes we cannot read, and readable bytes at the wrong time."""

from __future__ import annotations

from .defs import AttrType, ConfigError, ErrorIndication


class WpsError(Exception):
    """Base of every error the core raises on peer input."""


class ParseError(WpsError):
    """Bytes that are not a well-formed attribute, message or frame."""

    def __init__(self, message: str, attr: int | None = None, offset: int | None = None) -> None:
        where = []
        if attr is not None:
            try:
                where.append(AttrType(attr).name)
            except ValueError:
                where.append(f"attribute 0x{attr:04x}")
        if offset is not None:
            where.append(f"offset {offset}")
        super().__init__(f"{message} ({', '.join(where)})" if where else message)
        self.attr = attr
        self.offset = offset


class ProtocolError(WpsError):
    """A well-formed message that breaks the protocol: wrong state, bad proof, missing attribute.

    Carries what a WSC_NACK and a WPS-FAIL event need.
    """

    def __init__(
        self,
        message: str,
        config_error: ConfigError = ConfigError.NO_ERROR,
        reason: ErrorIndication = ErrorIndication.NONE,
    ) -> None:
        super().__init__(message)
        self.config_error = config_error
        self.reason = reason
