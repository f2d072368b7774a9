#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Imports the images of a folder into a Pindeck library with a progress bar, waits until each
is persisted, then lists the records whose palette has a colour near the one asked for.

    python3 import_folder.py tests/data/images --data my-library --color "#2a4f8c"

Without --color the listing uses the dominant colour of the first image imported.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

import pindeck

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif", ".heic", ".tif", ".tiff"}


def progress(done: int, total: int, label: str, width: int = 30) -> None:
    """One line of progress: redrawn in place on a terminal, one line per step in a pipe."""
    filled = width * done // total if total else width
    line = f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {label}"
    if sys.stdout.isatty():
        print(f"\r{line[:100]:<100}", end="" if done < total else "\n", flush=True)
    else:
        print(line, flush=True)


async def import_folder(client: pindeck.Client, folder: Path) -> list[dict[str, Any]]:
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    # Every upload and wait is in flight at once; each completes from the library's callback.
    uploads = await asyncio.gather(
        *(client.upload_async(path, title=path.stem, tags=["imported"]) for path in files),
        return_exceptions=True,
    )
    pending = []
    for path, outcome in zip(files, uploads):
        if isinstance(outcome, pindeck.Error):
            print(f"skipped {path.name}: {outcome}", file=sys.stderr)
        else:
            pending.append(client.wait_persisted_async(outcome["id"], timeout=600))
    persisted: list[dict[str, Any]] = []
    progress(0, len(pending), "persisted")
    for finished in asyncio.as_completed(pending):
        record = await finished
        persisted.append(record)
        progress(len(persisted), len(pending), f"persisted {record['title']}")
    return persisted


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="folder of images to import")
    parser.add_argument("--data", type=Path, default=Path("pindeck-data"), help="library folder")
    parser.add_argument("--color", help="list records with a palette colour near this (#rrggbb)")
    parser.add_argument("--distance", type=float, default=78, help="colour distance, 0-765")
    args = parser.parse_args()

    with pindeck.Client(args.data) as client:
        records = asyncio.run(import_folder(client, args.folder))
        failed = [r for r in records if r["storagePersistStatus"] != "succeeded"]
        for record in failed:
            print(f"not persisted: {record['title']}: {record.get('storagePersistError')}")
        print(f"imported {len(records) - len(failed)} of {len(records)} images")
        colour = args.color or next((r["colors"][0] for r in records if r.get("colors")), None)
        if colour is None:
            return 1 if failed else 0
        near = {"color": colour, "colorDistance": args.distance, "order": "closeness"}
        matches = list(client.list_all(**near))
        print(f"{len(matches)} records near {colour}:")
        for record in matches:
            size = f"{record.get('width', '?')}x{record.get('height', '?')}"
            print(f"  {record['title']:<24} {size:>11}  {' '.join(record['colors'])}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
