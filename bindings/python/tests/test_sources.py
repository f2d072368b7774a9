# SPDX-License-Identifier: Apache-2.0
"""The sources through pindeck.Client, fetching from an HTTP server on 127.0.0.1: URL ingest,
Discord messages, Pinterest pins and feeds, variations, moderation."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import png

import pindeck

Served = tuple[Path, Callable[[str], str]]


def test_ingest_url(client: pindeck.Client, http_folder: Served) -> None:
    folder, url = http_folder
    (folder / "dusk.png").write_bytes(png(48, 32, (200, 120, 40)))
    with pytest.raises(pindeck.InvalidError, match="127.0.0.1|loopback|private"):
        client.ingest_url(url("dusk.png"))

    client.set_fetch_settings(allowPrivateNetwork=True, totalTimeoutMs=60000)
    first = client.ingest_url(url("dusk.png"), title="Dusk", tags=["web"])
    assert first["created"] is True
    record = first["record"]
    assert (record["title"], record["sourceUrl"]) == ("Dusk", url("dusk.png"))
    assert set(record["tags"]) == {"web", "original"}
    assert client.ingest_url(f" {url('dusk.png')}).")["created"] is False

    with pytest.raises(pindeck.NotFoundError):
        client.ingest_url(url("gone.png"))
    (folder / "notes.png").write_text("plain text")
    with pytest.raises(pindeck.MediaError):
        client.ingest_url(url("notes.png"))
    with pytest.raises(pindeck.InvalidError, match="maxBytes"):
        client.set_fetch_settings(maxBytes=-1)
    assert client.wait_persisted(record["id"])["storagePersistStatus"] == "succeeded"


def test_a_refused_connection_raises_network_error(client: pindeck.Client) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    client.set_fetch_settings(allowPrivateNetwork=True, connectTimeoutMs=2000)
    with pytest.raises(pindeck.NetworkError):
        client.ingest_url(f"http://127.0.0.1:{port}/image.png")


def test_ingest_url_async(client: pindeck.Client, http_folder: Served) -> None:
    folder, url = http_folder
    (folder / "a.png").write_bytes(png(16, 16, (0, 0, 200)))
    client.set_fetch_settings(allowPrivateNetwork=True)

    async def main() -> None:
        created = await client.ingest_url_async(url("a.png"), title="Async")
        assert created["created"] and created["record"]["title"] == "Async"
        with pytest.raises(pindeck.NotFoundError):
            await client.ingest_url_async(url("none.png"))

    asyncio.run(main())


def test_discord_message_then_moderation(client: pindeck.Client, http_folder: Served) -> None:
    folder, url = http_folder
    (folder / "market.png").write_bytes(png(40, 40, (10, 200, 90)))
    (folder / "alley.png").write_bytes(png(40, 40, (90, 10, 200)))
    client.set_fetch_settings(allowPrivateNetwork=True)
    message = {
        "id": "1180000000000000001",
        "channel_id": "1180000000000000002",
        "guild_id": "1180000000000000003",
        "content": "Night market sref 4242",
        "author": {"id": "99", "username": "gaffer"},
        "attachments": [
            {"id": "1", "filename": n, "content_type": "image/png", "url": url(n)}
            for n in ("market.png", "alley.png")
        ],
    }
    results = client.ingest_discord_message(message, owner="user-7", maxImages=2)
    assert [r["created"] for r in results] == [True, True]
    records = [r["record"] for r in results]
    assert {r["sourceType"] for r in records} == {"discord"}
    assert {r["status"] for r in records} == {"pending"}
    assert all(r["externalId"].startswith("discord:url:user-7:") for r in records)
    again = client.ingest_discord_message(message, owner="user-7", maxImages=2)
    assert [r["created"] for r in again] == [False, False]
    with pytest.raises(pindeck.InvalidError, match="id"):
        client.ingest_discord_message({"channel_id": "1", "attachments": []})
    in_dm = {key: value for key, value in message.items() if key != "guild_id"}
    from_dm = asyncio.run(client.ingest_discord_message_async(in_dm, maxImages=1))
    assert [r["created"] for r in from_dm] == [True]
    assert ":dm:" in from_dm[0]["record"]["externalId"]

    approved = client.approve([records[0]["id"]])
    assert approved[0]["status"] == "draft"
    report = client.reject([records[1]["id"]])
    assert [d["id"] for d in report["deleted"]] == [records[1]["id"]]
    with pytest.raises(pindeck.NotFoundError):
        client.get(records[1]["id"])


def test_pinterest_and_variations(
    client: pindeck.Client, http_folder: Served, tmp_path: Path
) -> None:
    folder, url = http_folder
    (folder / "pin.png").write_bytes(png(30, 30, (250, 250, 0)))
    client.set_fetch_settings(allowPrivateNetwork=True)
    pin = client.ingest_pinterest_pin(
        {
            "pageUrl": "https://www.pinterest.com/pin/777/",
            "imageUrl": url("pin.png"),
            "board": "Neon",
        }
    )
    assert pin["record"]["externalId"] == "pinterest:neon:777"
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Neon</title>'
        "<link>https://www.pinterest.com/maker/neon-nights/</link><description>d</description>"
        "<item><title>Pin</title><link>https://www.pinterest.com/pin/901/</link>"
        f'<description>&lt;img src="{url("pin.png")}"&gt;</description></item>'
        "</channel></rss>"
    )
    results = client.ingest_pinterest_feed(feed)
    assert [r["record"]["externalId"] for r in results] == ["pinterest:neon-nights:901"]

    generated = tmp_path / "generated.png"
    generated.write_bytes(png(30, 30, (0, 250, 250)))
    variation = client.register_variation(
        pin["record"]["id"], generated, generationArtifactKey="run-1/0", variationType="style"
    )
    assert variation["created"] is True
    assert variation["record"]["parentImageId"] == pin["record"]["id"]
    again = client.register_variation(
        pin["record"]["id"], generated, generationArtifactKey="run-1/0"
    )
    assert again["created"] is False
    with pytest.raises(pindeck.NotFoundError):
        client.register_variation("nope", generated)
