# SPDX-License-Identifier: Apache-2.0
"""pindeck.Client: a data directory's catalog, uploads, persistence, sources and events."""

from __future__ import annotations

import functools
import json
import os
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from ctypes import byref, c_int, c_int64, c_size_t, c_uint64, c_void_p
from dataclasses import dataclass
from typing import Any

from . import _async
from ._native import (
    EVENT_FN,
    call_bytes,
    call_json,
    check,
    encode,
    encode_fields,
    encode_json,
    encode_path,
    lib,
)

Record = dict[str, Any]
"""A record: Pindeck's camelCase field names, as DESIGN §2 lists them."""

Source = str | os.PathLike[str] | bytes | bytearray | memoryview
"""An image: a file name, or its bytes."""

Results = list[dict[str, Any]]
"""What a source gives for several images: {"imageUrl", "created", "record"} for each image
stored, {"imageUrl", "error": {"status", "message"}} for each that failed."""

Records = list[Record]

_INCLUDE_PERMANENT = 1  # PD_BACKFILL_INCLUDE_PERMANENT
_COUNTERS = {"likes": 0, "views": 1}  # pd_counter


@dataclass(frozen=True)
class Page:
    """One page of records; next_cursor (None on the last page) asks for the next one."""

    records: Records
    next_cursor: str | None


class Subscription:
    """A subscription to a client's events; close() (or leaving a with block) ends it."""

    def __init__(self, client: Client, subscription_id: int) -> None:
        self._client = client
        self.id = subscription_id

    def close(self) -> None:
        self._client._unsubscribe(self.id)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _timeout_ms(timeout: float) -> int:
    return max(0, round(timeout * 1000))


class Client:
    """A Pindeck library in `data_dir` (created on first use), as pd_client_open opens it.

    Use it as a context manager, or call close(). One client may be used from many threads.
    Records are dicts with Pindeck's camelCase keys; filters and metadata are passed as keyword
    arguments with those same names (client.list(category="Film", color="#c83232")).
    """

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        handle = c_void_p()
        check(lib.pd_client_open(encode_path(data_dir), byref(handle)))
        self._handle = handle
        self._data_dir = os.fspath(data_dir)
        # Event functions handed to the library, kept alive until it stops calling them.
        self._subscriptions: dict[int, Any] = {}
        self._subscriptions_lock = threading.Lock()
        # Closes the client when it is garbage collected or at interpreter exit, before the
        # event functions above are freed and while the library may still call back.
        self._close = weakref.finalize(self, lib.pd_client_close, handle)

    def close(self) -> None:
        """Closes the client: its workers stop and pending waits end with ClosedError. Closing
        twice is harmless; any other call on a closed client raises MisuseError."""
        self._close()
        with self._subscriptions_lock:
            self._subscriptions.clear()

    @property
    def closed(self) -> bool:
        return not self._close.alive

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"pindeck.Client({self._data_dir!r}{', closed' if self.closed else ''})"

    # ---- Records ------------------------------------------------------------------------------

    def create(self, **record: Any) -> Record:
        """Stores a record without an image (pd_record_create)."""
        return call_json("pd_record_create", self._handle, encode_json(record))

    def get(self, record_id: str, /) -> Record:
        return call_json("pd_record_get", self._handle, encode(record_id))

    def update(self, record_id: str, /, **patch: Any) -> Record:
        """Changes the fields given; None unsets an optional one. Returns the record as stored."""
        return call_json("pd_record_update", self._handle, encode(record_id), encode_json(patch))

    def delete(self, record_id: str, /) -> None:
        """Deletes the record and its objects (pd_record_delete)."""
        check(lib.pd_record_delete(self._handle, encode(record_id)))

    def delete_many(
        self,
        ids: Iterable[str] | None = None,
        *,
        where: Mapping[str, Any] | None = None,
        family: bool = False,
        dry_run: bool = False,
    ) -> dict[str, Any]:
        """Deletes the records named by `ids`, or matching the filters `where`, all or none
        (pd_records_delete). Returns {"dryRun", "deleted": [...], "cleanupPending"}."""
        request: dict[str, Any] = {}
        if ids is not None:
            request["ids"] = list(ids)
        if where is not None:
            request["where"] = dict(where)
        if family:
            request["family"] = True
        if dry_run:
            request["dryRun"] = True
        return call_json("pd_records_delete", self._handle, encode_json(request))

    def list(self, **filters: Any) -> Page:
        """One page of records matching the filters of pd_record_list, with "order", "limit"
        and "cursor"."""
        return self._page(call_json("pd_record_list", self._handle, encode_json(filters)))

    def list_all(self, **filters: Any) -> Iterator[Record]:
        """Every record matching the filters, fetching page after page."""
        return self._all(lambda cursor: self.list(**filters, cursor=cursor), filters)

    def search(self, text: str, /, **filters: Any) -> Page:
        """One page of the records whose text matches every word of `text`, best first."""
        query = encode_json(filters)
        return self._page(call_json("pd_record_search", self._handle, encode(text), query))

    def search_all(self, text: str, /, **filters: Any) -> Iterator[Record]:
        return self._all(lambda cursor: self.search(text, **filters, cursor=cursor), filters)

    def stats(self, **filters: Any) -> dict[str, Any]:
        """Counts of the matching records by field (pd_record_stats)."""
        return call_json("pd_record_stats", self._handle, encode_json(filters))

    def increment(self, record_id: str, /, counter: str, delta: int = 1) -> int:
        """Adds `delta` to "likes" or "views" and returns the new value."""
        value = c_int64()
        check(
            lib.pd_record_increment(
                self._handle, encode(record_id), _COUNTERS[counter], delta, byref(value)
            )
        )
        return value.value

    @staticmethod
    def _page(answer: dict[str, Any]) -> Page:
        return Page(records=answer["records"], next_cursor=answer.get("nextCursor"))

    @staticmethod
    def _all(
        fetch: Callable[[str | None], Page], filters: Mapping[str, Any]
    ) -> Iterator[Record]:
        cursor = filters.get("cursor")
        while True:
            page = fetch(cursor)
            yield from page.records
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    # ---- Lineage ------------------------------------------------------------------------------

    def parent(self, record_id: str, /) -> Record | None:
        return call_json("pd_record_parent", self._handle, encode(record_id))

    def children(self, record_id: str, /, **filters: Any) -> Page:
        query = encode_json(filters)
        return self._page(call_json("pd_record_children", self._handle, encode(record_id), query))

    def root(self, record_id: str, /) -> Record:
        return call_json("pd_record_root", self._handle, encode(record_id))

    def family(self, record_id: str, /) -> dict[str, Any]:
        """{"rootId", "records": [root, children, ...], "complete"}."""
        return call_json("pd_record_family", self._handle, encode(record_id))

    def set_project_order(self, project_name: str, ids: Iterable[str]) -> int:
        """Orders a project row; returns how many records moved."""
        changed = c_size_t()
        check(
            lib.pd_project_set_order(
                self._handle, encode(project_name), encode_json(list(ids)), byref(changed)
            )
        )
        return changed.value

    # ---- Uploads and persistence --------------------------------------------------------------

    def start_persistence(self, config: Mapping[str, Any] | None = None) -> None:
        """Starts the persistence workers with the settings of pd_persistence_start (None: from
        the environment). Without it the first upload starts them from the environment."""
        check(lib.pd_persistence_start(self._handle, encode_json(config)))

    def upload(self, source: Source, /, *, file_name: str | None = None, **metadata: Any) -> Record:
        """Uploads an image from a file or bytes with the record fields given; returns the record
        stored at once, storagePersistStatus "pending". `file_name` names bytes without title."""
        if isinstance(source, (bytes, bytearray, memoryview)):
            data = bytes(source)
            return call_json(
                "pd_upload_bytes",
                self._handle,
                data,
                len(data),
                encode(file_name),
                encode_fields(metadata),
            )
        path = encode_path(source)
        return call_json("pd_upload_file", self._handle, path, encode_fields(metadata))

    async def upload_async(
        self, source: Source, /, *, file_name: str | None = None, **metadata: Any
    ) -> Record:
        """upload() without blocking the event loop: completes from the library's callback."""
        if isinstance(source, (bytes, bytearray, memoryview)):
            data = bytes(source)
            future = _async.call_json(
                "pd_upload_bytes_async",
                self._handle,
                data,
                len(data),
                encode(file_name),
                encode_fields(metadata),
            )
        else:
            future = _async.call_json(
                "pd_upload_file_async",
                self._handle,
                encode_path(source),
                encode_fields(metadata),
            )
        return await future

    def wait_persisted(self, record_id: str, /, timeout: float = 60.0) -> Record:
        """Blocks until the record's persistence succeeded or failed, or `timeout` seconds
        passed (then it is returned still "pending")."""
        return call_json(
            "pd_wait_persisted", self._handle, encode(record_id), _timeout_ms(timeout)
        )

    async def wait_persisted_async(self, record_id: str, /, timeout: float = 60.0) -> Record:
        """wait_persisted() without holding a thread: completes from the library's callback."""
        return await _async.call_json(
            "pd_wait_persisted_async", self._handle, encode(record_id), _timeout_ms(timeout)
        )

    def backfill(self, limit: int = 50, *, include_permanent: bool = False) -> int:
        """Reschedules persistence of up to `limit` records still only staged; returns how
        many."""
        count = c_int()
        flags = _INCLUDE_PERMANENT if include_permanent else 0
        check(lib.pd_backfill_ex(self._handle, limit, flags, byref(count)))
        return count.value

    def queue_counts(self) -> dict[str, Any]:
        """The persistence queue as the catalog holds it, every host's jobs when hosts share a
        catalog: {"queued", "claimed", "retryLater", "failed", "queuedBySite"} (pd_queue_counts).
        """
        return call_json("pd_queue_counts", self._handle)

    def worker_counts(self) -> dict[str, int]:
        """What this client's own workers did since persistence started: {"claimed",
        "succeeded", "retried", "failed", "released", "inFlight"}, where claimed is the sum of
        the others (pd_worker_counts). All zero while persistence does not run."""
        return call_json("pd_worker_counts", self._handle)

    def resample_palette(self, record_id: str, /) -> Record:
        return call_json("pd_resample_palette", self._handle, encode(record_id))

    def read_object(self, key: str) -> bytes:
        """The bytes of an object a record names (storagePath, previewStoragePath, ...)."""
        return call_bytes("pd_object_read", self._handle, encode(key))

    # ---- Sources ------------------------------------------------------------------------------

    def set_fetch_settings(self, **settings: Any) -> None:
        """Sets how the sources fetch (pd_fetch_settings_set): allowPrivateNetwork, maxBytes,
        connectTimeoutMs, totalTimeoutMs."""
        check(lib.pd_fetch_settings_set(self._handle, encode_json(settings)))

    def ingest_url(self, url: str, /, **metadata: Any) -> dict[str, Any]:
        """Fetches an image and stores it; returns {"created", "record"}."""
        return call_json("pd_ingest_url", self._handle, encode(url), encode_fields(metadata))

    async def ingest_url_async(self, url: str, /, **metadata: Any) -> dict[str, Any]:
        return await _async.call_json(
            "pd_ingest_url_async", self._handle, encode(url), encode_fields(metadata)
        )

    def ingest_discord_message(
        self, message: Mapping[str, Any] | str, /, **options: Any
    ) -> Results:
        """Imports a Discord message's images; one result per image."""
        return call_json(
            "pd_ingest_discord_message", self._handle, encode_json(message), encode_json(options)
        )

    async def ingest_discord_message_async(
        self, message: Mapping[str, Any] | str, /, **options: Any
    ) -> Results:
        return await _async.call_json(
            "pd_ingest_discord_message_async",
            self._handle,
            encode_json(message),
            encode_json(options),
        )

    def ingest_pinterest_pin(self, pin: Mapping[str, Any], /) -> dict[str, Any]:
        return call_json("pd_ingest_pinterest_pin", self._handle, encode_json(pin))

    def ingest_pinterest_feed(self, feed: str, /, board: str | None = None) -> Results:
        """Imports a board's RSS feed, given as its text or its URL."""
        return call_json("pd_ingest_pinterest_feed", self._handle, encode(feed), encode(board))

    def register_variation(
        self, parent_id: str, image: str | os.PathLike[str], /, **metadata: Any
    ) -> dict[str, Any]:
        """Registers a generated image (a file, or an http(s) URL) as a variation."""
        return call_json(
            "pd_register_variation",
            self._handle,
            encode(parent_id),
            encode_path(image),
            encode_fields(metadata),
        )

    def approve(self, ids: Iterable[str]) -> Records:
        """Approves records waiting for moderation; returns them as stored."""
        return call_json("pd_approve", self._handle, encode_json(list(ids)))

    def reject(self, ids: Iterable[str]) -> dict[str, Any]:
        return call_json("pd_reject", self._handle, encode_json(list(ids)))

    # ---- Events -------------------------------------------------------------------------------

    def subscribe(self, callback: Callable[[dict[str, Any]], None]) -> Subscription:
        """Calls `callback(event)` for each event ({"type": "persistStatus" | "uploadProgress",
        ...}) until the subscription is closed. It runs on a library thread and should return
        quickly; an exception it raises goes to sys.unraisablehook and the subscription goes on.
        """

        @functools.wraps(callback)  # so a report of its exception names the host's function
        def deliver(_user: int | None, event_json: bytes) -> None:
            callback(json.loads(event_json))

        trampoline = EVENT_FN(deliver)
        subscription_id = c_uint64()
        subscribe = lib.pd_events_subscribe
        check(subscribe(self._handle, trampoline, None, byref(subscription_id)))
        with self._subscriptions_lock:
            self._subscriptions[subscription_id.value] = trampoline
        return Subscription(self, subscription_id.value)

    def _unsubscribe(self, subscription_id: int) -> None:
        with self._subscriptions_lock:
            if subscription_id not in self._subscriptions:
                return
        if not self.closed:
            check(lib.pd_events_unsubscribe(self._handle, subscription_id))
        # Only now is the library done with the function.
        with self._subscriptions_lock:
            self._subscriptions.pop(subscription_id, None)
