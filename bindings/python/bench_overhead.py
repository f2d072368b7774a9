#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The Python binding's cost per call, to compare with the same loop written in C.

Times 10,000 client.get() of one record, the same calls made with bare ctypes (what the C ABI
costs from Python before this package's marshalling), and 100 uploads of a small image (the
blocking upload, persistence on the local store) alternating with as many bare pd_upload_bytes
calls. Prints microseconds per call: the mean of the gets, the medians of the uploads and of the
paired differences.

    PINDECK_LIBRARY=build/libpindeck.so python3 bindings/python/bench_overhead.py [--image FILE]
"""

from __future__ import annotations

import argparse
import ctypes
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pindeck  # noqa: E402
from pindeck._native import check, lib  # noqa: E402

DEFAULT_IMAGE = Path(__file__).resolve().parents[2] / "tests" / "data" / "images" / "truchet-l.webp"


def per_call_us(seconds: float, calls: int) -> float:
    return seconds * 1e6 / calls


def median_us(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gets", type=int, default=10_000)
    parser.add_argument("--uploads", type=int, default=100)
    parser.add_argument(
        "--image", type=Path, help="image to upload (default: truchet-l.webp's 320 px derivative)"
    )
    args = parser.parse_args()
    image = args.image.read_bytes() if args.image else pindeck.derive(DEFAULT_IMAGE)["small"].data

    with tempfile.TemporaryDirectory() as data_dir, pindeck.Client(data_dir) as client:
        client.start_persistence({"cpuThreads": 1, "maxInFlight": 1})
        # The record as an upload leaves it once persisted, as the C and Node programs get it.
        record_id = client.wait_persisted(client.upload(image, file_name="bench.webp")["id"])["id"]

        start = time.perf_counter()
        for _ in range(args.gets):
            client.get(record_id)
        binding = time.perf_counter() - start

        handle, key, out = client._handle, record_id.encode(), ctypes.c_void_p()
        start = time.perf_counter()
        for _ in range(args.gets):
            lib.pd_record_get(handle, key, ctypes.byref(out))
            lib.pd_string_free(out)
        bare = time.perf_counter() - start

        # Each binding upload alternates with the same upload through bare ctypes, so both meet
        # the same moment's fsyncs and persistence work; the median of the paired differences is
        # what the binding adds.
        binding_uploads, bare_uploads = [], []
        name = b"small.webp"
        for _ in range(args.uploads):
            start = time.perf_counter()
            client.upload(image, file_name="small.webp")
            binding_uploads.append(time.perf_counter() - start)
            start = time.perf_counter()
            check(lib.pd_upload_bytes(handle, image, len(image), name, None, ctypes.byref(out)))
            bare_uploads.append(time.perf_counter() - start)
            lib.pd_string_free(out)

    differences = [a - b for a, b in zip(binding_uploads, bare_uploads)]
    print(f"libpindeck {pindeck.__version__} from {pindeck.library_path}")
    rows = [
        (f"get, pindeck.Client.get ({args.gets} calls)", per_call_us(binding, args.gets)),
        (f"get, bare ctypes without JSON ({args.gets} calls)", per_call_us(bare, args.gets)),
        (f"upload median, pindeck.Client.upload ({len(image)} bytes)", median_us(binding_uploads)),
        (f"upload median, bare ctypes ({args.uploads} each)", median_us(bare_uploads)),
        ("upload difference, median of the pairs", median_us(differences)),
    ]
    for label, microseconds in rows:
        print(f"{label:<48} {microseconds:10.2f} us/call")


if __name__ == "__main__":
    main()
