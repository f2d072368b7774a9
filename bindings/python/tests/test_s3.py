# SPDX-License-Identifier: Apache-2.0
"""Against the real test S3 server (radosgw, verifying SigV4): the issue's proof scenario,
pindeck.S3 on its own, S3 errors with their HTTP status, code and request id, and backfill once
the credentials are fixed."""

from __future__ import annotations

import asyncio
import secrets
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLES, png

import pindeck

PROOF_IMAGES = ["flow-5120x2880.jpg", "canopee-3840x2160.png", "truchet-l.webp"]


def test_proof_scenario(
    tmp_path: Path, persistence_config: dict[str, Any], s3_config: dict[str, Any]
) -> None:
    with pindeck.Client(tmp_path) as client, pindeck.S3(s3_config) as s3:
        client.start_persistence(persistence_config)
        uploaded = [
            client.upload(SAMPLES / name, title=name.split("-")[0], tags=["proof"])
            for name in PROOF_IMAGES
        ]
        persisted = [client.wait_persisted(r["id"], timeout=300) for r in uploaded]
        for record in persisted:
            assert record["storagePersistStatus"] == "succeeded", record.get("storagePersistError")
            assert record["storageBucket"] == s3_config["bucket"]
            assert record["storagePath"].startswith(persistence_config["keyPrefix"] + "/")

        assert {r["id"] for r in client.list_all(tag="proof")} == {r["id"] for r in uploaded}
        truchet = persisted[2]
        by_colour = client.list(tag="proof", color=truchet["colors"][0], colorDistance=0)
        assert truchet["id"] in [r["id"] for r in by_colour.records]
        assert client.list(tag="proof", color="#ff00ff", colorDistance=0).records == []

        flow = persisted[0]
        url = s3.presign("GET", flow["storagePath"], 300)
        assert s3_config["secretKey"] not in url
        with urllib.request.urlopen(url, timeout=60) as answer:
            assert answer.read() == (SAMPLES / PROOF_IMAGES[0]).read_bytes()

        client.delete(flow["id"])
        with pytest.raises(pindeck.NotFoundError):
            client.get(flow["id"])
        with pytest.raises(pindeck.NotFoundError):
            s3.head(flow["storagePath"])
        assert len(list(client.list_all(tag="proof"))) == 2


def test_a_wrong_secret_raises_s3_error_403(s3_config: dict[str, Any]) -> None:
    wrong = f"wrong-{secrets.token_hex(8)}"
    with pindeck.S3(s3_config | {"secretKey": wrong}) as s3:
        with pytest.raises(pindeck.S3Error) as raised:
            s3.list(prefix="python-tests/")
    error = raised.value
    assert error.status == 403
    assert error.code == "SignatureDoesNotMatch"
    assert error.request_id
    assert error.status_name == "s3"
    assert wrong not in str(error) and wrong not in repr(error.details)


def test_backfill_once_the_credentials_are_fixed(
    tmp_path: Path, persistence_config: dict[str, Any], red_png: bytes
) -> None:
    wrong = f"wrong-{secrets.token_hex(8)}"
    broken = persistence_config | {
        "maxAttempts": 1,
        "s3": persistence_config["s3"] | {"secretKey": wrong},
    }
    with pindeck.Client(tmp_path) as client:
        client.start_persistence(broken)
        record = client.upload(red_png, title="Retried")
        failed = client.wait_persisted(record["id"], timeout=120)
        assert failed["storagePersistStatus"] == "failed"
        assert wrong not in failed["storagePersistError"]
    with pindeck.Client(tmp_path) as client:
        client.start_persistence(persistence_config)
        with pytest.raises(pindeck.InvalidError, match="limit"):
            client.backfill(limit=0)
        assert client.backfill(limit=10) == 1
        healed = client.wait_persisted(record["id"], timeout=120)
        assert healed["storagePersistStatus"] == "succeeded"
        assert client.backfill() == 0


def test_s3_client_on_its_own(s3_config: dict[str, Any], tmp_path: Path) -> None:
    prefix = f"python-tests/{secrets.token_hex(6)}/"
    image = png(20, 20, (1, 2, 3))
    with pindeck.S3(s3_config) as s3:
        assert s3.put(prefix + "a.png", image, contentType="image/png")["size"] == len(image)
        source = tmp_path / "b.bin"
        source.write_bytes(b"b" * 1000)
        s3.put(prefix + "b.bin", source)
        s3.put(prefix + "c.bin", b"c")
        head = s3.head(prefix + "a.png")
        assert (head["size"], head["contentType"]) == (len(image), "image/png")
        assert s3.get(prefix + "a.png") == image
        assert s3.get_to_file(prefix + "b.bin", tmp_path / "copy")["size"] == 1000
        assert (tmp_path / "copy").read_bytes() == b"b" * 1000

        first = s3.list(prefix=prefix, maxKeys=2)
        assert [o["key"] for o in first.objects] == [prefix + "a.png", prefix + "b.bin"]
        assert first.next_continuation_token is not None
        assert [o["key"] for o in s3.list_all(prefix=prefix, maxKeys=2)] == [
            prefix + n for n in ("a.png", "b.bin", "c.bin")
        ]

        upload_url = s3.presign("PUT", prefix + "d.txt", 60)
        request = urllib.request.Request(upload_url, data=b"from urllib", method="PUT")
        with urllib.request.urlopen(request, timeout=60) as answer:
            assert answer.status == 200
        assert s3.get(prefix + "d.txt") == b"from urllib"

        s3.delete(prefix + "d.txt")
        with pytest.raises(pindeck.NotFoundError):
            s3.get(prefix + "d.txt")
        report = s3.delete_many([prefix + "b.bin", prefix + "c.bin"])
        assert sorted(report["deleted"]) == [prefix + "b.bin", prefix + "c.bin"]
        assert [o["key"] for o in s3.list_all(prefix=prefix)] == [prefix + "a.png"]

        async def main() -> None:
            await s3.put_async(prefix + "e.bin", b"async bytes")
            await s3.put_async(prefix + "f.bin", source)
            assert await s3.get_async(prefix + "e.bin") == b"async bytes"
            assert (await s3.head_async(prefix + "f.bin"))["size"] == 1000
            head = await s3.get_to_file_async(prefix + "e.bin", tmp_path / "e")
            assert head["size"] == len(b"async bytes") == (tmp_path / "e").stat().st_size
            assert len((await s3.list_async(prefix=prefix)).objects) == 3
            assert await s3.delete_async(prefix + "a.png") is None
            report = await s3.delete_many_async([prefix + "e.bin", prefix + "f.bin"])
            assert sorted(report["deleted"]) == [prefix + "e.bin", prefix + "f.bin"]
            with pytest.raises(pindeck.NotFoundError):
                await s3.get_async(prefix + "e.bin")
            with pytest.raises(pindeck.InvalidError):
                await s3.head_async("/leading-slash")

        asyncio.run(main())
        assert s3.list(prefix=prefix).objects == []
