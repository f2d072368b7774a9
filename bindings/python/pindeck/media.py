# SPDX-License-Identifier: Apache-2.0
"""Palette, probe and derivatives of an image without a client (derive.h, pindeck.h Media)."""

from __future__ import annotations

import ctypes
import json
import os
from ctypes import POINTER, byref, c_char_p, c_size_t, c_ubyte, c_void_p
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._native import call_json, check, encode_json, encode_path, lib

Source = str | os.PathLike[str] | bytes | bytearray | memoryview
"""An image: a file name, or its bytes."""


def palette(source: Source) -> list[str]:
    """Up to five "#rrggbb" colours of an image, most dominant first, as Pindeck samples them."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    else:
        data = Path(source).read_bytes()
    return call_json("pd_palette_from_image", data, len(data))


def probe(source: Source) -> dict[str, Any]:
    """What the image is without decoding it all: {"format", "contentType", "width", "height",
    ...}."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        return call_json("pd_image_probe", data, len(data))
    return call_json("pd_image_probe_file", encode_path(source))


@dataclass(frozen=True)
class Output:
    """One derivative: role "preview", "small" (320), "medium" (768) or "large" (1280)."""

    role: str
    data: bytes = field(repr=False)
    width: int
    height: int
    content_type: str


@dataclass(frozen=True)
class Derivatives:
    """The derivatives and palette of one image (pd_derive)."""

    source: dict[str, Any]
    colors: list[str] | None
    outputs: list[Output]

    def __getitem__(self, role: str) -> Output:
        for output in self.outputs:
            if output.role == role:
                return output
        raise KeyError(role)


def derive(source: Source, /, **options: Any) -> Derivatives:
    """The preview, the 320/768/1280 WebP set and the palette of an image, in memory.

    CPU-bound: it holds no lock of Python's while it works (ctypes releases the GIL), so a
    concurrent.futures thread pool runs several at once."""
    handle = c_void_p()
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        status = lib.pd_derive(data, len(data), encode_json(options), byref(handle))
    else:
        path = encode_path(source)
        status = lib.pd_derive_file(path, encode_json(options), byref(handle))
    check(status)
    try:
        return _copy(handle)
    finally:
        lib.pd_derivatives_free(handle)


def _copy(handle: c_void_p) -> Derivatives:
    described = json.loads(lib.pd_derivatives_json(handle))
    shapes = {output["role"]: output for output in described["outputs"]}
    outputs = []
    for index in range(lib.pd_derivatives_count(handle)):
        role = c_char_p()
        data = POINTER(c_ubyte)()
        size = c_size_t()
        output = lib.pd_derivatives_output
        check(output(handle, index, byref(role), byref(data), byref(size)))
        name = (role.value or b"").decode()
        shape = shapes[name]
        outputs.append(
            Output(
                role=name,
                data=ctypes.string_at(data, size.value),
                width=shape["width"],
                height=shape["height"],
                content_type=shape["contentType"],
            )
        )
    return Derivatives(source=described["source"], colors=described["colors"], outputs=outputs)
