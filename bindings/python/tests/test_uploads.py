# SPDX-License-Identifier: Apache-2.0
"""Uploads through pindeck.Client on the local object store: blocking and asyncio forms, waiting,
events, and the errors of real failures."""

from __future__ import annotations

import asyncio
import hashlib
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLES, png

import pindeck



# Persistence to a port nothing listens on, retried only after an hour: the record stays pending
# for as long as a test lasts, however fast the machine.
NEVER_PERSISTS = {
    "s3": {"endpoint": "http://127.0.0.1:9", "accessKey": "test", "secretKey": "test"},
    "retryMinDelayMs": 3600000,
    "retryMaxDelayMs": 3600000,
}


def test_upload_a_file_and_bytes_then_wait(client: pindeck.Client, red_png: bytes) -> None:
    from_file = client.upload(SAMPLES / "truchet-l.webp", title="Truchet", tags=["tile"])
    assert from_file["storagePersistStatus"] == "pending"
    assert from_file["tags"] == ["tile"]
    from_bytes = client.upload(red_png, file_name="red.png", tags=["red"])
    assert from_bytes["title"]  # named after the file when no title is given

    done = client.wait_persisted(from_bytes["id"], timeout=60)
    assert done["storagePersistStatus"] == "succeeded"
    assert done["colors"] and done["colors"][0].startswith("#d")
    original = client.read_object(done["storagePath"])
    assert hashlib.sha256(original).hexdigest() == hashlib.sha256(red_png).hexdigest()
    assert client.wait_persisted(from_file["id"], timeout=60)["storagePersistStatus"] == "succeeded"


def test_upload_failures_raise_their_error_and_store_nothing(
    client: pindeck.Client, tmp_path: Path, red_png: bytes
) -> None:
    with pytest.raises(pindeck.NotFoundError):
        client.upload(tmp_path / "missing.jpg")
    text = tmp_path / "notes.jpg"
    text.write_text("not an image at all")
    with pytest.raises(pindeck.MediaError) as not_image:
        client.upload(text)
    assert not_image.value.status_name == "media"
    with pytest.raises(pindeck.MediaError):
        client.upload(b"")
    with pytest.raises(pindeck.InvalidError, match="title"):
        client.upload(red_png, title=12)
    with pytest.raises(pindeck.InvalidError, match="wibble"):
        client.upload(red_png, wibble="x")
    assert client.list().records == []


def test_wait_persisted_timeout_returns_the_pending_record(tmp_path: Path, red_png: bytes) -> None:
    with pindeck.Client(tmp_path) as client:
        client.start_persistence(NEVER_PERSISTS)
        record = client.upload(red_png)
        waited = client.wait_persisted(record["id"], timeout=0.05)
        assert waited["storagePersistStatus"] == "pending"


def _worker_counts_when_idle(client: pindeck.Client) -> dict[str, int]:
    """The client's worker counts once no job is in flight (a job ends for its worker just
    after its record settles)."""
    deadline = time.monotonic() + 10
    while (counts := client.worker_counts())["inFlight"] and time.monotonic() < deadline:
        time.sleep(0.01)
    return counts


def test_queue_and_worker_counts(client: pindeck.Client, tmp_path: Path, red_png: bytes) -> None:
    zero = {"claimed": 0, "succeeded": 0, "retried": 0, "failed": 0, "released": 0, "inFlight": 0}
    with pindeck.Client(tmp_path / "idle") as idle:
        assert idle.worker_counts() == zero  # persistence not running: nothing claimed
        assert idle.queue_counts() == {
            "queued": 0, "claimed": 0, "retryLater": 0, "failed": 0, "queuedBySite": {}
        }

    ids = [client.upload(red_png)["id"], client.upload(png(40, 30, (10, 200, 10)))["id"]]
    for record_id in ids:
        assert client.wait_persisted(record_id, timeout=60)["storagePersistStatus"] == "succeeded"
    assert _worker_counts_when_idle(client) == {**zero, "claimed": 2, "succeeded": 2}
    assert client.queue_counts()["queued"] == 0

    # A first attempt that fails leaves the job queued for its retry, an hour away.
    with pindeck.Client(tmp_path / "unreachable") as unreachable:
        unreachable.start_persistence(NEVER_PERSISTS)
        unreachable.upload(red_png)
        deadline = time.monotonic() + 20
        while unreachable.worker_counts()["retried"] == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert _worker_counts_when_idle(unreachable) == {**zero, "claimed": 1, "retried": 1}
        queue = unreachable.queue_counts()
        assert (queue["queued"], queue["retryLater"], queue["claimed"]) == (1, 1, 0)
        assert list(queue["queuedBySite"].values()) == [1]


def test_twenty_concurrent_async_uploads_all_settle(client: pindeck.Client) -> None:
    images: list[bytes] = [png(32, 32, (i * 12, 100, 255 - i * 12)) for i in range(18)]
    images[5] = b"not an image"
    images[11] = b"GIF89a"

    async def main() -> tuple[list[Any], list[dict[str, Any]]]:
        uploads = [
            client.upload_async(image, file_name=f"n{i}.png", tags=["burst"])
            for i, image in enumerate(images)
        ]
        uploads.append(client.upload_async(SAMPLES / "flow-5120x2880.jpg", tags=["burst"]))
        uploads.append(client.upload_async(SAMPLES / "missing.jpg"))
        settled = await asyncio.gather(*uploads, return_exceptions=True)
        stored = [r for r in settled if isinstance(r, dict)]
        persisted = await asyncio.gather(
            *(client.wait_persisted_async(r["id"], timeout=120) for r in stored)
        )
        return settled, persisted

    settled, persisted = asyncio.run(main())
    assert len(settled) == 20
    assert [type(r) for r in settled if not isinstance(r, dict)] == [
        pindeck.MediaError,
        pindeck.MediaError,
        pindeck.NotFoundError,
    ]
    assert len({r["id"] for r in persisted}) == 17
    assert {r["storagePersistStatus"] for r in persisted} == {"succeeded"}
    assert sum(1 for _ in client.list_all(tag="burst")) == 17


def test_closing_the_client_ends_a_pending_wait_with_closed_error(
    tmp_path: Path, red_png: bytes
) -> None:
    client = pindeck.Client(tmp_path)
    client.start_persistence(NEVER_PERSISTS)
    record = client.upload(red_png)

    async def main() -> None:
        waiting = asyncio.ensure_future(client.wait_persisted_async(record["id"], timeout=600))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        client.close()
        with pytest.raises(pindeck.ClosedError):
            await waiting

    asyncio.run(main())


def test_events_report_persistence_status(client: pindeck.Client, red_png: bytes) -> None:
    events: list[dict[str, Any]] = []
    succeeded = threading.Event()

    def on_event(event: dict[str, Any]) -> None:
        events.append(event)
        if event["type"] == "persistStatus" and event["status"] == "succeeded":
            succeeded.set()

    with client.subscribe(on_event):
        record = client.upload(red_png, title="Watched")
        assert succeeded.wait(60)
    statuses = [e for e in events if e["type"] == "persistStatus" and e["id"] == record["id"]]
    assert statuses[-1]["status"] == "succeeded"
    assert statuses[-1]["record"]["storagePersistStatus"] == "succeeded"

    after = len(events)
    client.wait_persisted(client.upload(red_png)["id"], timeout=60)
    assert len(events) == after  # closed: not called again


def test_a_callback_that_raises_does_not_crash_the_process(
    client: pindeck.Client, red_png: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    reported: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", reported.append)
    delivered = threading.Event()

    def broken(event: dict[str, Any]) -> None:
        raise RuntimeError(f"host bug on {event['type']}")

    def working(event: dict[str, Any]) -> None:
        if event["type"] == "persistStatus" and event["status"] == "succeeded":
            delivered.set()

    with client.subscribe(broken), client.subscribe(working):
        record = client.upload(red_png)
        waited = client.wait_persisted(record["id"], timeout=60)
        assert waited["storagePersistStatus"] == "succeeded"
        assert delivered.wait(60)
    assert reported
    assert all(isinstance(r.exc_value, RuntimeError) for r in reported)
    assert "host bug on" in str(reported[0].exc_value)
    assert client.get(record["id"])["id"] == record["id"]  # the library still serves calls
