# SPDX-License-Identifier: Apache-2.0
"""pindeck.Error and its subclasses, one per pd_status, built from pd_last_error_details()."""

from __future__ import annotations

import json
from typing import Any

INVALID = -1
NOT_FOUND = -2
CONFLICT = -3
IO = -4
DATABASE = -5
MEDIA = -6
NETWORK = -7
S3 = -8
NOMEM = -9
INTERNAL = -10
CLOSED = -11
MISUSE = -12


class Error(Exception):
    """A call into libpindeck failed.

    pd_status: the C status code (negative, such as -2); status_name: its stable name (such as
    "not_found"); message: what was wrong; details: pd_last_error_details() as a dict.
    """

    def __init__(self, pd_status: int, message: str, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.pd_status = pd_status
        self.message = message
        self.details: dict[str, Any] = details or {}
        self.status_name: str = self.details.get("status", "")


class InvalidError(Error, ValueError):
    """An argument or record field is invalid; the message names it."""


class NotFoundError(Error, LookupError):
    """No such record, object or file."""


class ConflictError(Error):
    """A uniqueness or lineage rule refuses the change."""


class PindeckIOError(Error):
    """The file system refused: missing, read-only, a file for a folder."""


class DatabaseError(Error):
    """The catalog is corrupt, locked for too long or unwritable."""


class MediaError(Error):
    """Not an image, undecodable, or over the pixel limit."""


class NetworkError(Error):
    """A connection failed, timed out or was reset."""


class S3Error(Error):
    """The object store answered with an error.

    status: its HTTP status (such as 403); code: the S3 error code (such as "AccessDenied");
    request_id: the request id the store gave. Each is None when the store did not say.
    """

    def __init__(self, pd_status: int, message: str, details: dict[str, Any] | None = None):
        super().__init__(pd_status, message, details)
        self.status: int | None = self.details.get("httpStatus")
        self.code: str | None = self.details.get("s3Code")
        self.request_id: str | None = self.details.get("requestId")


class NoMemoryError(Error, MemoryError):
    """Out of memory."""


class InternalError(Error):
    """A bug in libpindeck: please report it with the message."""


class ClosedError(Error):
    """The client was closed while the operation was in flight."""


class MisuseError(Error):
    """The library was called wrongly, such as a client used after close()."""


_BY_STATUS: dict[int, type[Error]] = {
    INVALID: InvalidError,
    NOT_FOUND: NotFoundError,
    CONFLICT: ConflictError,
    IO: PindeckIOError,
    DATABASE: DatabaseError,
    MEDIA: MediaError,
    NETWORK: NetworkError,
    S3: S3Error,
    NOMEM: NoMemoryError,
    INTERNAL: InternalError,
    CLOSED: ClosedError,
    MISUSE: MisuseError,
}


def error_for(pd_status: int, message: str, details_json: str | None) -> Error:
    """The Error subclass for `pd_status` carrying `message` and the parsed details."""
    details = json.loads(details_json) if details_json else {}
    return _BY_STATUS.get(pd_status, Error)(pd_status, message, details)
