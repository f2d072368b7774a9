# SPDX-License-Identifier: Apache-2.0
"""libpindeck for Python: a thin ctypes layer over the library's C ABI.

    import pindeck
    with pindeck.Client("my-library") as client:
        record = client.upload("shot.jpg", title="Harbour at dusk", tags=["night"])
        client.wait_persisted(record["id"])
        for r in client.list_all(color="#1e3cc8"):
            print(r["title"], r["colors"])

The library is loaded from $PINDECK_LIBRARY, else $PINDECK_BUILD_DIR/libpindeck.so (by default
the build/ folder of the checkout this package sits in), else the system's library path.
"""

from ._native import lib as _lib
from ._native import library_path
from .client import Client, Page, Record, Subscription
from .errors import (
    ClosedError,
    ConflictError,
    DatabaseError,
    Error,
    InternalError,
    InvalidError,
    MediaError,
    MisuseError,
    NetworkError,
    NoMemoryError,
    NotFoundError,
    PindeckIOError,
    S3Error,
)
from .media import Derivatives, Output, derive, palette, probe
from .s3 import S3, ObjectPage

__version__: str = _lib.pd_version_string().decode()
"""The version of the libpindeck actually loaded."""

__all__ = [
    "S3",
    "Client",
    "ClosedError",
    "ConflictError",
    "DatabaseError",
    "Derivatives",
    "Error",
    "InternalError",
    "InvalidError",
    "MediaError",
    "MisuseError",
    "NetworkError",
    "NoMemoryError",
    "NotFoundError",
    "ObjectPage",
    "Output",
    "Page",
    "PindeckIOError",
    "Record",
    "S3Error",
    "Subscription",
    "derive",
    "library_path",
    "palette",
    "probe",
]
