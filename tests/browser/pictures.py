"""The pictures in docs/ are taken by the browser tests. A picture is rewritten only when what
it shows changed: its window size, its visible text (digits masked: ports, ids and times differ
on every run) or its styles. That fingerprint is kept in the PNG itself (a tEXt chunk), so that
a run that changes nothing leaves the worktree clean."""

from __future__ import annotations

import hashlib
import re
import struct
import zlib
from pathlib import Path
from typing import Any

KEYWORD = b"zadig-picture"
PNG = b"\x89PNG\r\n\x1a\n"
# What changes on every run without changing the picture's meaning: numbers (ports, ids,
# times), the gate's run marks (`marker=abcdefgh`, `...-absent-NAME-abcdefgh`) and
# schemathesis' case ids.
VOLATILE = re.compile(r"\d+|(?<=[-=])[a-z]{8}\b|(?<=TestCaseId: )\w+")
SHOWN = """
const styles = [...document.styleSheets].map((sheet) => {
  try { return [...sheet.cssRules].map((rule) => rule.cssText).join('\\n'); }
  catch (error) { return sheet.href || ''; }
});
return [innerWidth, innerHeight, document.body.innerText, styles.join('\\n')];
"""


def fingerprint(browser: Any) -> str:
    """What the window shows, as a digest: size, visible text with volatile parts masked,
    styles."""
    width, height, text, styles = browser.execute_script(SHOWN)
    shown = f"{width}x{height}\n{VOLATILE.sub('0', text)}\n{styles}"
    return hashlib.sha256(shown.encode("utf-8")).hexdigest()


def chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """A PNG's chunks, (type, data) each."""
    assert data[:8] == PNG, "not a PNG"
    found, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        found.append((kind, data[at + 8 : at + 8 + length]))
        at += 12 + length
    return found


def kept_fingerprint(path: Path) -> str | None:
    """The fingerprint stored in the picture at `path`, if any."""
    if not path.exists():
        return None
    for kind, data in chunks(path.read_bytes()):
        keyword, _, value = data.partition(b"\x00")
        if kind == b"tEXt" and keyword == KEYWORD:
            return value.decode("latin-1")
    return None


def with_fingerprint(png: bytes, value: str) -> bytes:
    """`png` with a tEXt chunk holding `value`, right after its header chunk."""
    data = KEYWORD + b"\x00" + value.encode("latin-1")
    chunk = struct.pack(">I", len(data)) + b"tEXt" + data
    chunk += struct.pack(">I", zlib.crc32(b"tEXt" + data) & 0xFFFFFFFF)
    (header_length,) = struct.unpack(">I", png[8:12])
    end_of_header = 8 + 12 + header_length
    return png[:end_of_header] + chunk + png[end_of_header:]


def save_picture(browser: Any, path: Path) -> bool:
    """Write the browser window's picture to `path` unless the picture there shows the same;
    whether it was written."""
    browser.execute_script("window.scrollTo(0, 0)")
    shown = fingerprint(browser)
    if kept_fingerprint(path) == shown:
        return False
    path.write_bytes(with_fingerprint(browser.get_screenshot_as_png(), shown))
    return True
