# SPDX-License-Identifier: Apache-2.0
"""Fixtures of the Python binding's tests: clients on temporary folders, the test S3 server
(tests/s3-server, its settings in the file $PINDECK_TEST_S3_ENV names), small generated PNGs and
a local HTTP server for the sources."""

from __future__ import annotations

import binascii
import functools
import http.server
import os
import secrets
import shlex
import struct
import threading
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import pindeck

SAMPLES = Path(__file__).resolve().parents[3] / "tests" / "data" / "images"


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A PNG of one colour: the tests know what palette it has."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        checksum = struct.pack(">I", binascii.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + checksum

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def red_png() -> bytes:
    return png(64, 48, (220, 30, 30))


@pytest.fixture
def client(tmp_path: Path) -> Iterator[pindeck.Client]:
    """A client on a new data folder, persisting to its local store."""
    with pindeck.Client(tmp_path / "library") as opened:
        opened.start_persistence({"pollIntervalMs": 50})
        yield opened


@functools.cache
def _s3_env(path: str) -> dict[str, str]:
    settings = {}
    for line in Path(path).read_text().splitlines():
        words = shlex.split(line)
        if len(words) == 2 and words[0] == "export" and "$" not in words[1]:
            name, _, value = words[1].partition("=")
            settings[name] = value
    return settings


@pytest.fixture
def s3_settings() -> dict[str, str]:
    """The test S3 server: S3_ENDPOINT, S3_REGION, S3_ACCESS_KEY, S3_SECRET_KEY, S3_BUCKET."""
    path = os.environ.get("PINDECK_TEST_S3_ENV")
    if not path:
        pytest.skip("PINDECK_TEST_S3_ENV is not set: run through ctest, which starts the server")
    return _s3_env(path)


@pytest.fixture
def s3_config(s3_settings: dict[str, str]) -> dict[str, Any]:
    """pindeck.S3's settings for the test server."""
    return {
        "endpoint": s3_settings["S3_ENDPOINT"],
        "region": s3_settings["S3_REGION"],
        "accessKey": s3_settings["S3_ACCESS_KEY"],
        "secretKey": s3_settings["S3_SECRET_KEY"],
        "bucket": s3_settings["S3_BUCKET"],
    }


@pytest.fixture
def persistence_config(s3_settings: dict[str, str]) -> dict[str, Any]:
    """Persistence to the test server, under a key prefix of this test's own."""
    return {
        "bucket": s3_settings["S3_BUCKET"],
        "keyPrefix": f"python-tests/{secrets.token_hex(6)}",
        "pollIntervalMs": 50,
        "s3": {
            "endpoint": s3_settings["S3_ENDPOINT"],
            "region": s3_settings["S3_REGION"],
            "accessKey": s3_settings["S3_ACCESS_KEY"],
            "secretKey": s3_settings["S3_SECRET_KEY"],
        },
    }


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def http_folder(tmp_path: Path) -> Iterator[tuple[Path, Callable[[str], str]]]:
    """A folder served over HTTP on 127.0.0.1, and a function giving a file's URL."""
    folder = tmp_path / "served"
    folder.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    try:
        yield folder, lambda name: f"http://127.0.0.1:{port}/{name}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
