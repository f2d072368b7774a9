# SPDX-License-Identifier: Apache-2.0
"""pindeck.palette, pindeck.probe and pindeck.derive on real images."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SAMPLES, png

import pindeck


def _near(colour: str, rgb: tuple[int, int, int]) -> bool:
    values = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return all(abs(a - b) <= 24 for a, b in zip(values, rgb))


def test_palette_of_bytes_and_of_a_file(tmp_path: Path) -> None:
    image = png(40, 30, (30, 60, 200))
    colours = pindeck.palette(image)
    assert _near(colours[0], (30, 60, 200))
    (tmp_path / "blue.png").write_bytes(image)
    assert pindeck.palette(tmp_path / "blue.png") == colours
    with pytest.raises(pindeck.MediaError):
        pindeck.palette(b"not an image")


def test_probe() -> None:
    probed = pindeck.probe(png(40, 30, (1, 2, 3)))
    assert probed.items() >= {
        "format": "png",
        "contentType": "image/png",
        "width": 40,
        "height": 30,
        "pages": 1,
    }.items()
    probed = pindeck.probe(SAMPLES / "flow-5120x2880.jpg")
    assert (probed["format"], probed["width"], probed["height"]) == ("jpeg", 5120, 2880)
    with pytest.raises(pindeck.NotFoundError):
        pindeck.probe(SAMPLES / "missing.jpg")
    with pytest.raises(pindeck.MediaError):
        pindeck.probe(b"GIF89a cut short")


def test_derive_makes_the_webp_set_and_the_palette() -> None:
    derived = pindeck.derive(SAMPLES / "truchet-l.webp")
    assert [o.role for o in derived.outputs] == ["preview", "small", "medium", "large"]
    assert derived.source["width"] == 4096
    assert derived.colors and all(c.startswith("#") and len(c) == 7 for c in derived.colors)
    for output, width in zip(derived.outputs[1:], (320, 768, 1280)):
        assert output.width == width and output.content_type == "image/webp"
        probed = pindeck.probe(output.data)
        assert probed["format"] == "webp"
        assert (probed["width"], probed["height"]) == (width, output.height)
    assert derived["small"] is derived.outputs[1]

    from_bytes = pindeck.derive(png(100, 50, (10, 200, 10)), palette=False)
    assert from_bytes.colors is None
    assert from_bytes["large"].width == 100  # never enlarged


def test_derive_refusals() -> None:
    with pytest.raises(pindeck.MediaError):
        pindeck.derive(b"\x89PNG\r\n\x1a\n truncated")
    with pytest.raises(pindeck.InvalidError, match="bogus"):
        pindeck.derive(png(8, 8, (0, 0, 0)), bogus=True)
    with pytest.raises(pindeck.NotFoundError):
        pindeck.derive(SAMPLES / "missing.png")
