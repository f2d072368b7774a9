# SPDX-License-Identifier: Apache-2.0
"""pindeck.S3: the library's own S3 client on its own (s3.h)."""

from __future__ import annotations

import os
import weakref
from collections.abc import Iterable, Iterator, Mapping
from ctypes import byref, c_void_p
from dataclasses import dataclass
from typing import Any

from . import _async
from ._native import (
    call_bytes,
    call_json,
    call_string,
    check,
    encode,
    encode_json,
    encode_path,
    lib,
)

Source = str | os.PathLike[str] | bytes | bytearray | memoryview
"""Object content: a file name, or the bytes."""


@dataclass(frozen=True)
class ObjectPage:
    """One page of a listing: objects ({"key", "size", "etag", "lastModified"}) and the token
    of the next page (None on the last)."""

    objects: list[dict[str, Any]]
    next_continuation_token: str | None


class S3:
    """A connection to an S3 bucket, as pd_s3_open opens it. It may be used from many threads.

    `config` has the keys "endpoint", "region", "accessKey", "secretKey", "sessionToken",
    "bucket", "caFile", "multipartThresholdBytes", "partSizeBytes"; None reads them from the
    environment as persistence does. Use it as a context manager, or call close().
    """

    def __init__(self, config: Mapping[str, Any] | None = None) -> None:
        handle = c_void_p()
        check(lib.pd_s3_open(encode_json(config), byref(handle)))
        self._handle = handle
        self._close = weakref.finalize(self, lib.pd_s3_close, handle)

    def close(self) -> None:
        """Waits for the calls in flight, then closes the connections. Harmless twice."""
        self._close()

    def __enter__(self) -> S3:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def put(self, key: str, source: Source, /, **options: Any) -> dict[str, Any]:
        """Stores a file or bytes under `key` (multipart above the threshold); options such as
        contentType. Returns {"etag", "size"}."""
        if isinstance(source, (bytes, bytearray, memoryview)):
            data = bytes(source)
            return call_json(
                "pd_s3_put_bytes", self._handle, encode(key), data, len(data), encode_json(options)
            )
        return call_json(
            "pd_s3_put_file", self._handle, encode(key), encode_path(source), encode_json(options)
        )

    def get(self, key: str) -> bytes:
        return call_bytes("pd_s3_get_bytes", self._handle, encode(key))

    def get_to_file(self, key: str, path: str | os.PathLike[str]) -> dict[str, Any]:
        """Writes the object to `path`; returns its head."""
        return call_json("pd_s3_get_file", self._handle, encode(key), encode_path(path))

    def head(self, key: str) -> dict[str, Any]:
        """{"key", "size", "etag", "contentType", "lastModified"}."""
        return call_json("pd_s3_head", self._handle, encode(key))

    def delete(self, key: str) -> None:
        check(lib.pd_s3_delete(self._handle, encode(key)))

    def delete_many(self, keys: Iterable[str]) -> dict[str, Any]:
        """{"deleted": [keys], "errors": [{"key", "code", "message"}]}."""
        return call_json("pd_s3_delete_many", self._handle, encode_json(list(keys)))

    def list(self, **options: Any) -> ObjectPage:
        """One page of objects; options "prefix", "maxKeys", "continuationToken"."""
        answer = call_json("pd_s3_list", self._handle, encode_json(options))
        return ObjectPage(answer["objects"], answer.get("nextContinuationToken"))

    def list_all(self, **options: Any) -> Iterator[dict[str, Any]]:
        """Every object, page after page."""
        token = options.pop("continuationToken", None)
        while True:
            page = self.list(**options, continuationToken=token) if token else self.list(**options)
            yield from page.objects
            if page.next_continuation_token is None:
                return
            token = page.next_continuation_token

    def presign(self, method: str, key: str, expires: int = 3600) -> str:
        """A URL that lets anyone GET or PUT `key` with plain HTTP for `expires` seconds."""
        return call_string("pd_s3_presign", self._handle, encode(method), encode(key), expires)

    async def put_async(self, key: str, source: Source, /, **options: Any) -> dict[str, Any]:
        if isinstance(source, (bytes, bytearray, memoryview)):
            data = bytes(source)
            return await _async.call_json(
                "pd_s3_put_bytes_async",
                self._handle,
                encode(key),
                data,
                len(data),
                encode_json(options),
            )
        return await _async.call_json(
            "pd_s3_put_file_async",
            self._handle,
            encode(key),
            encode_path(source),
            encode_json(options),
        )

    async def get_async(self, key: str) -> bytes:
        return await _async.call_bytes("pd_s3_get_bytes_async", self._handle, encode(key))

    async def get_to_file_async(self, key: str, path: str | os.PathLike[str]) -> dict[str, Any]:
        return await _async.call_json(
            "pd_s3_get_file_async", self._handle, encode(key), encode_path(path)
        )

    async def head_async(self, key: str) -> dict[str, Any]:
        return await _async.call_json("pd_s3_head_async", self._handle, encode(key))

    async def delete_async(self, key: str) -> None:
        await _async.call_json("pd_s3_delete_async", self._handle, encode(key))

    async def delete_many_async(self, keys: Iterable[str]) -> dict[str, Any]:
        return await _async.call_json(
            "pd_s3_delete_many_async", self._handle, encode_json(list(keys))
        )

    async def list_async(self, **options: Any) -> ObjectPage:
        answer = await _async.call_json("pd_s3_list_async", self._handle, encode_json(options))
        return ObjectPage(answer["objects"], answer.get("nextContinuationToken"))
