"""The rule the docs' pictures are written by (pictures.py): rewritten when what they show
changed, left as they are otherwise. A stand-in for the browser gives the window's contents."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

from pictures import PNG, chunks, kept_fingerprint, save_picture


def tiny_png(shade: int) -> bytes:
    """A valid 1x1 grey PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(bytes([0, shade]))
    return PNG + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def checksums_hold(png: bytes) -> bool:
    at = len(PNG)
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        body = png[at + 4 : at + 8 + length]
        (crc,) = struct.unpack(">I", png[at + 8 + length : at + 12 + length])
        if zlib.crc32(body) & 0xFFFFFFFF != crc:
            return False
        at += 12 + length
    return True


class Window:
    """What a browser window shows, and its picture."""

    def __init__(self, text: str, styles: str = "body { color: black; }", shade: int = 0):
        self.text, self.styles, self.shade = text, styles, shade

    def execute_script(self, script: str) -> Any:
        return [1280, 800, self.text, self.styles] if "innerText" in script else None

    def get_screenshot_as_png(self) -> bytes:
        return tiny_png(self.shade)


def test_a_picture_is_rewritten_only_when_what_it_shows_changed(tmp_path: Path) -> None:
    path = tmp_path / "console.png"
    assert save_picture(Window("task 12 on port 50123 created"), path)
    first = path.read_bytes()
    assert kept_fingerprint(path) is not None
    assert [kind for kind, _ in chunks(first)] == [b"IHDR", b"tEXt", b"IDAT", b"IEND"]
    assert checksums_hold(first)  # a valid PNG still
    # Another run: other ids, ports and pixels (anti-aliasing, a clock), the same meaning.
    assert not save_picture(Window("task 13 on port 41999 created", shade=9), path)
    assert path.read_bytes() == first
    # Another word, or other styles: rewritten.
    assert save_picture(Window("task 13 on port 41999 passed"), path)
    changed = path.read_bytes()
    assert changed != first
    assert save_picture(Window("task 13 on port 41999 passed", "body { color: red; }"), path)
    assert path.read_bytes() != changed


def test_the_gate_reports_run_marks_are_not_a_change(tmp_path: Path) -> None:
    path = tmp_path / "gate-report.png"
    save_picture(Window("marker=aghwswql /pipelines/zadig-contract-absent-x-aghwswql"), path)
    again = Window("marker=surkqggv /pipelines/zadig-contract-absent-x-surkqggv")
    assert not save_picture(again, path)
