# SPDX-License-Identifier: Apache-2.0
"""Loading libpindeck and calling it: the prototypes of the C ABI and the ownership rules.

Every function of include/pindeck/*.h that this package uses is declared here with its argtypes
and restype, so ctypes converts and checks arguments instead of guessing int for everything.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
from ctypes import (
    CFUNCTYPE,
    POINTER,
    c_char_p,
    c_int,
    c_int64,
    c_size_t,
    c_ubyte,
    c_uint,
    c_uint64,
    c_void_p,
)
from pathlib import Path
from typing import Any

from .errors import INTERNAL, Error, InternalError, error_for

# Callback types, as pindeck.h, s3.h and events.h declare them. Arguments declared c_char_p
# reach Python as bytes copied during the call, so nothing outlives the library's strings.
JSON_CALLBACK = CFUNCTYPE(None, c_void_p, c_int, c_char_p, c_char_p)
RECORD_CALLBACK = JSON_CALLBACK  # pd_record_callback has the same shape
BYTES_CALLBACK = CFUNCTYPE(None, c_void_p, c_int, POINTER(c_ubyte), c_size_t, c_char_p)
EVENT_FN = CFUNCTYPE(None, c_void_p, c_char_p)

_OUT = POINTER(c_void_p)  # char** and unsigned char** results, freed by us

# name: (restype, argtypes) of every function this package calls.
_PROTOTYPES: dict[str, tuple[Any, list[Any]]] = {
    "pd_version": (c_int, []),
    "pd_version_string": (c_char_p, []),
    "pd_status_name": (c_char_p, [c_int]),
    "pd_last_error": (c_char_p, []),
    "pd_last_error_details": (c_char_p, []),
    "pd_string_free": (None, [c_void_p]),
    "pd_bytes_free": (None, [c_void_p]),
    # Client and records
    "pd_client_open": (c_int, [c_char_p, POINTER(c_void_p)]),
    "pd_client_close": (None, [c_void_p]),
    "pd_record_create": (c_int, [c_void_p, c_char_p, _OUT]),
    "pd_record_create_batch": (c_int, [c_void_p, c_char_p, _OUT]),
    "pd_record_get": (c_int, [c_void_p, c_char_p, _OUT]),
    "pd_record_update": (c_int, [c_void_p, c_char_p, c_char_p, _OUT]),
    "pd_record_delete": (c_int, [c_void_p, c_char_p]),
    "pd_records_delete": (c_int, [c_void_p, c_char_p, _OUT]),
    "pd_record_list": (c_int, [c_void_p, c_char_p, _OUT]),
    "pd_record_search": (c_int, [c_void_p, c_char_p, c_char_p, _OUT]),
    "pd_record_stats": (c_int, [c_void_p, c_char_p, _OUT]),
    "pd_record_increment": (c_int, [c_void_p, c_char_p, c_int, c_int64, POINTER(c_int64)]),
    # Lineage
    "pd_record_parent": (c_int, [c_void_p, c_char_p, _OUT]),
    "pd_record_children": (c_int, [c_void_p, c_char_p, c_char_p, _OUT]),
    "pd_record_root": (c_int, [c_void_p, c_char_p, _OUT]),
    "pd_record_family": (c_int, [c_void_p, c_char_p, _OUT]),
    "pd_project_set_order": (c_int, [c_void_p, c_char_p, c_char_p, POINTER(c_size_t)]),
    # Media
    "pd_palette_from_image": (c_int, [c_char_p, c_size_t, _OUT]),
    # Sources
    "pd_fetch_settings_set": (c_int, [c_void_p, c_char_p]),
    "pd_ingest_url": (c_int, [c_void_p, c_char_p, c_char_p, _OUT]),
    "pd_ingest_discord_message": (c_int, [c_void_p, c_char_p, c_char_p, _OUT]),
    "pd_ingest_pinterest_pin": (c_int, [c_void_p, c_char_p, _OUT]),
    "pd_ingest_pinterest_feed": (c_int, [c_void_p, c_char_p, c_char_p, _OUT]),
    "pd_register_variation": (c_int, [c_void_p, c_char_p, c_char_p, c_char_p, _OUT]),
    "pd_approve": (c_int, [c_void_p, c_char_p, _OUT]),
    "pd_reject": (c_int, [c_void_p, c_char_p, _OUT]),
    # Persistence
    "pd_persistence_start": (c_int, [c_void_p, c_char_p]),
    "pd_upload_file": (c_int, [c_void_p, c_char_p, c_char_p, _OUT]),
    "pd_upload_bytes": (c_int, [c_void_p, c_char_p, c_size_t, c_char_p, c_char_p, _OUT]),
    "pd_backfill_ex": (c_int, [c_void_p, c_int, c_uint, POINTER(c_int)]),
    "pd_queue_counts": (c_int, [c_void_p, _OUT]),
    "pd_worker_counts": (c_int, [c_void_p, _OUT]),
    "pd_resample_palette": (c_int, [c_void_p, c_char_p, _OUT]),
    "pd_wait_persisted": (c_int, [c_void_p, c_char_p, c_int64, _OUT]),
    "pd_wait_persisted_async": (c_int, [c_void_p, c_char_p, c_int64, RECORD_CALLBACK, c_void_p]),
    "pd_object_read": (c_int, [c_void_p, c_char_p, _OUT, POINTER(c_size_t)]),
    # Events and asynchronous client calls (events.h)
    "pd_events_subscribe": (c_int, [c_void_p, EVENT_FN, c_void_p, POINTER(c_uint64)]),
    "pd_events_unsubscribe": (c_int, [c_void_p, c_uint64]),
    "pd_upload_file_async": (c_int, [c_void_p, c_char_p, c_char_p, JSON_CALLBACK, c_void_p]),
    "pd_upload_bytes_async": (
        c_int,
        [c_void_p, c_char_p, c_size_t, c_char_p, c_char_p, JSON_CALLBACK, c_void_p],
    ),
    "pd_ingest_url_async": (c_int, [c_void_p, c_char_p, c_char_p, JSON_CALLBACK, c_void_p]),
    "pd_ingest_discord_message_async": (
        c_int,
        [c_void_p, c_char_p, c_char_p, JSON_CALLBACK, c_void_p],
    ),
    # Probe and derivatives (derive.h)
    "pd_image_probe": (c_int, [c_char_p, c_size_t, _OUT]),
    "pd_image_probe_file": (c_int, [c_char_p, _OUT]),
    "pd_derive": (c_int, [c_char_p, c_size_t, c_char_p, POINTER(c_void_p)]),
    "pd_derive_file": (c_int, [c_char_p, c_char_p, POINTER(c_void_p)]),
    "pd_derivatives_count": (c_size_t, [c_void_p]),
    "pd_derivatives_output": (
        c_int,
        [c_void_p, c_size_t, POINTER(c_char_p), POINTER(POINTER(c_ubyte)), POINTER(c_size_t)],
    ),
    "pd_derivatives_json": (c_char_p, [c_void_p]),
    "pd_derivatives_free": (None, [c_void_p]),
    # The S3 client (s3.h)
    "pd_s3_open": (c_int, [c_char_p, POINTER(c_void_p)]),
    "pd_s3_close": (None, [c_void_p]),
    "pd_s3_put_file": (c_int, [c_void_p, c_char_p, c_char_p, c_char_p, _OUT]),
    "pd_s3_put_bytes": (c_int, [c_void_p, c_char_p, c_char_p, c_size_t, c_char_p, _OUT]),
    "pd_s3_get_file": (c_int, [c_void_p, c_char_p, c_char_p, _OUT]),
    "pd_s3_get_bytes": (c_int, [c_void_p, c_char_p, _OUT, POINTER(c_size_t)]),
    "pd_s3_head": (c_int, [c_void_p, c_char_p, _OUT]),
    "pd_s3_delete": (c_int, [c_void_p, c_char_p]),
    "pd_s3_delete_many": (c_int, [c_void_p, c_char_p, _OUT]),
    "pd_s3_list": (c_int, [c_void_p, c_char_p, _OUT]),
    "pd_s3_presign": (c_int, [c_void_p, c_char_p, c_char_p, c_int64, _OUT]),
    "pd_s3_put_file_async": (
        c_int,
        [c_void_p, c_char_p, c_char_p, c_char_p, JSON_CALLBACK, c_void_p],
    ),
    "pd_s3_put_bytes_async": (
        c_int,
        [c_void_p, c_char_p, c_char_p, c_size_t, c_char_p, JSON_CALLBACK, c_void_p],
    ),
    "pd_s3_get_bytes_async": (c_int, [c_void_p, c_char_p, BYTES_CALLBACK, c_void_p]),
    "pd_s3_head_async": (c_int, [c_void_p, c_char_p, JSON_CALLBACK, c_void_p]),
    "pd_s3_get_file_async": (c_int, [c_void_p, c_char_p, c_char_p, JSON_CALLBACK, c_void_p]),
    "pd_s3_delete_async": (c_int, [c_void_p, c_char_p, JSON_CALLBACK, c_void_p]),
    "pd_s3_delete_many_async": (c_int, [c_void_p, c_char_p, JSON_CALLBACK, c_void_p]),
    "pd_s3_list_async": (c_int, [c_void_p, c_char_p, JSON_CALLBACK, c_void_p]),
}


def _checkout_build_dir() -> Path | None:
    """<checkout>/build when this package runs from a checkout of libpindeck, else None."""
    checkout = Path(__file__).resolve().parents[3]
    if (checkout / "include" / "pindeck" / "pindeck.h").is_file():
        return checkout / "build"
    return None


def _library_path() -> str:
    explicit = os.environ.get("PINDECK_LIBRARY")
    if explicit:
        return explicit
    build_dir = os.environ.get("PINDECK_BUILD_DIR")
    if build_dir:
        # A build directory the user names must hold the library: falling back to another copy
        # would run code other than the one they built.
        return str(Path(build_dir) / "libpindeck.so")
    checkout_build = _checkout_build_dir()
    if checkout_build is not None and (checkout_build / "libpindeck.so").is_file():
        return str(checkout_build / "libpindeck.so")
    return ctypes.util.find_library("pindeck") or "libpindeck.so.0"


def _load() -> ctypes.CDLL:
    path = _library_path()
    try:
        library = ctypes.CDLL(path)
    except OSError as error:
        raise ImportError(
            f"pindeck: cannot load the library {path!r} ({error}); set PINDECK_LIBRARY to the path "
            "of libpindeck.so or PINDECK_BUILD_DIR to the build directory holding it"
        ) from error
    missing = [name for name in _PROTOTYPES if not hasattr(library, name)]
    if missing:
        raise ImportError(
            f"pindeck: the library {path!r} is older than this package; it lacks "
            + ", ".join(missing)
        )
    for name, (restype, argtypes) in _PROTOTYPES.items():
        function = getattr(library, name)
        function.restype = restype
        function.argtypes = argtypes
    return library


lib = _load()
library_path: str = lib._name


def last_error(status: int) -> Error:
    """The pindeck.Error describing this thread's last failure, which returned `status`."""
    message = (lib.pd_last_error() or b"").decode()
    return error_for(status, message, (lib.pd_last_error_details() or b"{}").decode())


def check(status: int) -> None:
    """Raises the pindeck.Error of this thread's last failure when `status` is not PD_OK."""
    if status != 0:
        raise last_error(status)


def encode(text: str | None) -> bytes | None:
    """UTF-8 for a `const char*` argument; None stays NULL."""
    return None if text is None else text.encode()


def encode_path(path: str | os.PathLike[str]) -> bytes:
    """A file name as the operating system spells it."""
    return os.fsencode(path)


# One encoder for every call: json.dumps with options builds a new one each time.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def encode_json(value: Any) -> bytes | None:
    """JSON text for a JSON argument; None stays NULL (the library's default)."""
    if value is None:
        return None
    if isinstance(value, (str, bytes)):
        return value.encode() if isinstance(value, str) else value
    return _ENCODER.encode(value).encode()


def encode_fields(fields: dict[str, Any]) -> bytes | None:
    """Record fields passed as keyword arguments; none at all is NULL, which the library reads
    as no fields without parsing anything."""
    return encode_json(fields) if fields else None


def take_string(pointer: c_void_p) -> str:
    """The text of a `char**` result, freed with pd_string_free."""
    if not pointer.value:
        raise InternalError(INTERNAL, "the library returned success without its result", {})
    try:
        return ctypes.string_at(pointer).decode()
    finally:
        lib.pd_string_free(pointer)


def take_bytes(pointer: c_void_p, size: int) -> bytes:
    """The bytes of an `unsigned char**` result, freed with pd_bytes_free."""
    try:
        return ctypes.string_at(pointer, size) if size else b""
    finally:
        lib.pd_bytes_free(pointer)


def call_json(name: str, *arguments: Any) -> Any:
    """Calls a function whose last parameter is `char** out_json` and returns the parsed JSON."""
    out = c_void_p()
    check(getattr(lib, name)(*arguments, ctypes.byref(out)))
    return json.loads(take_string(out))


def call_string(name: str, *arguments: Any) -> str:
    """Calls a function whose last parameter is a `char**` text result and returns it."""
    out = c_void_p()
    check(getattr(lib, name)(*arguments, ctypes.byref(out)))
    return take_string(out)


def call_bytes(name: str, *arguments: Any) -> bytes:
    """Calls a function ending in `unsigned char** out_data, size_t* out_size`."""
    out = c_void_p()
    size = c_size_t()
    check(getattr(lib, name)(*arguments, ctypes.byref(out), ctypes.byref(size)))
    return take_bytes(out, size.value)
