# SPDX-License-Identifier: Apache-2.0
"""Records through pindeck.Client: create, get, update, delete, pages, search, lineage, and the
errors each real failure raises."""

from __future__ import annotations

from pathlib import Path

import pytest

import pindeck


def test_create_get_update_and_delete(client: pindeck.Client) -> None:
    created = client.create(title="Harbour", description="dusk", tags=["night"])
    assert created["title"] == "Harbour"
    assert client.get(created["id"]) == created

    updated = client.update(created["id"], title="Harbour at dusk", description=None, likes=3)
    assert updated["title"] == "Harbour at dusk"
    assert "description" not in updated
    assert client.get(created["id"])["likes"] == 3
    assert client.increment(created["id"], "views", 5) == 5

    client.delete(created["id"])
    with pytest.raises(pindeck.NotFoundError, match=created["id"]):
        client.get(created["id"])


def test_pages_and_the_iterator_over_all_pages(client: pindeck.Client) -> None:
    titles = {f"Frame {n}" for n in range(5)}
    for title in titles:
        client.create(title=title, tags=["paged"], category="Film")
    client.create(title="Elsewhere", tags=["other"])

    first = client.list(tag="paged", limit=2)
    assert len(first.records) == 2
    assert first.next_cursor is not None
    second = client.list(tag="paged", limit=2, cursor=first.next_cursor)
    assert {r["id"] for r in first.records}.isdisjoint(r["id"] for r in second.records)

    assert {r["title"] for r in client.list_all(tag="paged", limit=2)} == titles
    last = client.list(tag="paged", limit=5)
    assert last.next_cursor is None

    found = client.search("frame", limit=3)
    assert len(found.records) == 3 and found.next_cursor is not None
    assert {r["title"] for r in client.search_all("frame", limit=2)} == titles
    assert client.stats(tag="paged")["total"] == 5


def test_lineage_and_project_order(client: pindeck.Client) -> None:
    parent = client.create(title="Original", projectName="Reel")
    child = client.create(title="Variation", parentImageId=parent["id"], projectName="Reel")
    assert client.parent(child["id"])["id"] == parent["id"]
    assert client.parent(parent["id"]) is None
    assert client.root(child["id"])["id"] == parent["id"]
    assert [r["id"] for r in client.children(parent["id"]).records] == [child["id"]]
    assert client.family(child["id"])["rootId"] == parent["id"]
    assert client.set_project_order("Reel", [child["id"], parent["id"]]) >= 1
    assert [r["id"] for r in client.list(projectName="Reel", order="project").records] == [
        child["id"],
        parent["id"],
    ]

    with pytest.raises(pindeck.ConflictError):
        client.delete(parent["id"])
    report = client.delete_many([parent["id"]], family=True, dry_run=True)
    assert report["dryRun"] is True and len(report["deleted"]) == 2
    assert client.get(parent["id"])
    assert len(client.delete_many(where={"projectName": "Reel"})["deleted"]) == 2
    assert client.list(projectName="Reel").records == []


def test_invalid_fields_raise_invalid_error_naming_them(client: pindeck.Client) -> None:
    with pytest.raises(pindeck.InvalidError, match="colour") as raised:
        client.create(title="x", colour="red")
    assert raised.value.pd_status == -1 and raised.value.status_name == "invalid"
    assert isinstance(raised.value, ValueError)
    with pytest.raises(pindeck.InvalidError, match="bogus"):
        client.list(bogus=1)
    assert client.list().records == []


def test_a_parent_that_does_not_exist_is_a_conflict(client: pindeck.Client) -> None:
    with pytest.raises(pindeck.ConflictError, match="nope"):
        client.create(title="orphan", parentImageId="nope")


def test_a_file_for_a_data_folder_raises_io_error(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    with pytest.raises(pindeck.PindeckIOError) as raised:
        pindeck.Client(not_a_folder)
    assert raised.value.status_name == "io"


def test_a_corrupt_catalog_raises_database_error(tmp_path: Path) -> None:
    garbage = b"this is not a database" * 100
    (tmp_path / "catalog.sqlite").write_bytes(garbage)
    with pytest.raises(pindeck.DatabaseError):
        pindeck.Client(tmp_path)
    assert (tmp_path / "catalog.sqlite").read_bytes() == garbage


def test_a_closed_client_raises_misuse_error(tmp_path: Path) -> None:
    client = pindeck.Client(tmp_path)
    record = client.create(title="kept")
    client.close()
    client.close()
    assert client.closed
    with pytest.raises(pindeck.MisuseError):
        client.get(record["id"])
    with pindeck.Client(tmp_path) as reopened:
        assert reopened.get(record["id"])["title"] == "kept"
