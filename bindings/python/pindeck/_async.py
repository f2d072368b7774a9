# SPDX-License-Identifier: Apache-2.0
"""asyncio futures completed from the library's callbacks.

One C callback per shape serves every call: the `void* user` the library hands back is a number
naming the pending call, whose loop and future are kept here until the callback comes. The
callback runs on a library thread and hands the outcome to the loop captured when the call was
made, with loop.call_soon_threadsafe; no thread waits or polls.
"""

from __future__ import annotations

import asyncio
import ctypes
import itertools
import json
import threading
from collections.abc import Callable
from typing import Any

from ._native import BYTES_CALLBACK, JSON_CALLBACK, check, lib
from .errors import error_for

_Convert = Callable[[bytes | None], Any]

_lock = threading.Lock()
_next_id = itertools.count(1)
_pending: dict[int, tuple[asyncio.AbstractEventLoop, asyncio.Future[Any], _Convert]] = {}


def _settle(future: asyncio.Future[Any], outcome: Any, failed: bool) -> None:
    if future.cancelled():
        return
    if failed:
        future.set_exception(outcome)
    else:
        future.set_result(outcome)


def _complete(user: int | None, status: int, result: bytes | None, error: bytes | None) -> None:
    with _lock:
        loop, future, convert = _pending.pop(user or 0)
    failed = status != 0
    if failed:
        # pd_last_error_details() describes this failure during the callback, on this thread.
        details = (lib.pd_last_error_details() or b"{}").decode()
        outcome: Any = error_for(status, (error or b"").decode(), details)
    else:
        try:
            outcome = convert(result)
        except Exception as conversion_error:  # a malformed answer fails the call, not the thread
            outcome, failed = conversion_error, True
    # Raises RuntimeError when the loop is closed: nobody awaits the call any more, and ctypes
    # reports it through sys.unraisablehook without harm to the library's thread.
    loop.call_soon_threadsafe(_settle, future, outcome, failed)


@JSON_CALLBACK
def _on_json(user: int | None, status: int, json_text: bytes | None, error: bytes | None) -> None:
    _complete(user, status, json_text, error)


@BYTES_CALLBACK
def _on_bytes(
    user: int | None, status: int, data: Any, size: int, error: bytes | None
) -> None:
    # The data is valid only during this call: copy it now.
    _complete(user, status, ctypes.string_at(data, size) if status == 0 and size else b"", error)


def parse_json(text: bytes | None) -> Any:
    return None if text is None else json.loads(text)


def _start(
    start: Callable[[Any, int], int], callback: Any, convert: _Convert
) -> asyncio.Future[Any]:
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()
    call_id = next(_next_id)
    with _lock:
        _pending[call_id] = (loop, future, convert)
    status = start(callback, call_id)
    if status != 0:
        # Refused before it started: no callback will come.
        with _lock:
            _pending.pop(call_id, None)
        check(status)
    return future


def call_json(name: str, *arguments: Any, convert: _Convert = parse_json) -> asyncio.Future[Any]:
    """Starts the asynchronous C function `name` (its last two parameters a pd_json_callback and
    its user pointer) and returns the future its callback completes."""
    c_function = getattr(lib, name)
    return _start(lambda callback, user: c_function(*arguments, callback, user), _on_json, convert)


def call_bytes(name: str, *arguments: Any) -> asyncio.Future[bytes]:
    """The same for a function completing through a pd_bytes_callback."""
    c_function = getattr(lib, name)
    return _start(
        lambda callback, user: c_function(*arguments, callback, user), _on_bytes, lambda b: b
    )
