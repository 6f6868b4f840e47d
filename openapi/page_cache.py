"""Converted pages kept between starts: `zadig-mock --page` (and the gate's and the proxy's
`--page`) convert the same pages at every start; the completed document and the warnings the
conversion printed are kept in a user cache directory and reused while nothing they depend on
has changed.

An entry is named by a hash of everything the conversion reads: each page's name (the warnings
name it) and bytes, whether a folder was given, the converter's own source and overlays, the
libraries it reads Markdown, YAML and JSON schemas with (their files' size and time) and the
Python version. So an edited page, an edited converter or an upgraded library is a different
entry: an entry is never stale. An entry is written whole to a temporary file and renamed, and
carries a checksum of its content: one that does not match (a torn or edited file) is
converted again, with a warning, and rewritten.

`ZADIG_PAGE_CACHE=off` turns the cache off; `XDG_CACHE_HOME` moves it (default `~/.cache`)."""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import RULE_OVERLAYS

SWITCH = "ZADIG_PAGE_CACHE"
OFF = frozenset({"off", "0", "no", "false"})
DIRECTORY = Path("zadig-mock") / "pages"
FORMAT = b"zadig page cache 1"
# The converter's own source: a change to any of it (or to the overlays that complete a spec)
# names other entries.
SOURCE_DIR = Path(__file__).parent
OVERLAYS = RULE_OVERLAYS
# What the conversion reads pages with: an upgrade of one changes its files.
LIBRARIES = ("markdown_it", "mdit_py_plugins", "yaml", "jsonschema")
KEEP = 16  # entries kept; the least recently used beyond this are removed

Warn = Callable[[str, str], None]
Convert = Callable[[list[tuple[str, str]], Warn], dict[str, Any]]


def cache_dir() -> Path | None:
    """Where entries are kept; None when `ZADIG_PAGE_CACHE` turns the cache off."""
    if os.environ.get(SWITCH, "").strip().lower() in OFF:
        return None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / DIRECTORY


def converted(files: list[Path], folder: bool, warn: Warn, convert: Convert) -> dict[str, Any]:
    """The document `convert` makes of the pages `files` (given as (name, text) with the text
    read as `Path.read_text` reads it), taken from the cache when an entry has it; the warnings
    of the conversion given to `warn` either way, once each."""
    contents = [f.read_bytes() for f in files]
    directory = cache_dir()
    if directory is None:
        return convert(_sources(files, contents), warn)
    entry = directory / f"{_key(files, folder, contents)}.json"
    found = _read(entry, warn)
    if found is not None:
        document, warnings = found
        for name, message in warnings:
            warn(name, message)
        return document
    said: list[tuple[str, str]] = []

    def record(name: str, message: str) -> None:
        said.append((name, str(message)))
        warn(name, message)

    document = convert(_sources(files, contents), record)
    _write(entry, document, said, warn)
    return document


def fingerprint() -> bytes:
    """A hash of what the conversion depends on besides the pages: the converter's source and
    overlays, the libraries it uses, the Python version."""
    digest = hashlib.sha256(FORMAT)
    digest.update(sys.version.encode())
    for path in [*sorted(SOURCE_DIR.glob("*.py")), *OVERLAYS]:
        digest.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    for name in LIBRARIES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        stat = os.stat(origin) if origin else None
        digest.update(f"{name}\0{origin}\0{stat and (stat.st_size, stat.st_mtime_ns)}\0".encode())
    return digest.digest()


def _key(files: list[Path], folder: bool, contents: list[bytes]) -> str:
    digest = hashlib.sha256(fingerprint())
    digest.update(b"folder" if folder else b"pages")
    for path, data in zip(files, contents, strict=True):
        name = str(path).encode("utf-8", "surrogateescape")
        digest.update(b"\0" + name + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def _sources(files: list[Path], contents: list[bytes]) -> list[tuple[str, str]]:
    """(name, text) of each page, decoded from the bytes the key was made of, as
    `Path.read_text(encoding="utf-8")` decodes them (universal newlines)."""
    return [
        (str(path), io.TextIOWrapper(io.BytesIO(data), encoding="utf-8").read())
        for path, data in zip(files, contents, strict=True)
    ]


def _read(entry: Path, warn: Warn) -> tuple[dict[str, Any], list[tuple[str, str]]] | None:
    """The document and warnings kept in `entry`; None when there is none or it is corrupt
    (warned)."""
    try:
        raw = entry.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        warn(str(entry), f"page cache entry unreadable ({exc}): the pages are converted again")
        return None
    checksum, _, payload = raw.partition(b"\n")
    try:
        if checksum.decode("ascii") != hashlib.sha256(payload).hexdigest():
            raise ValueError("its checksum does not match its content")
        data = json.loads(payload)
        document = data["document"]
        warnings = [(str(name), str(message)) for name, message in data["warnings"]]
        if not isinstance(document, dict):
            raise ValueError("no document in it")
    except (ValueError, KeyError, TypeError) as exc:
        warn(str(entry), f"corrupt page cache entry ({exc}): the pages are converted again")
        return None
    try:
        os.utime(entry)  # recently used: kept when older entries are removed
    except OSError:
        pass
    return document, warnings


def _write(
    entry: Path, document: dict[str, Any], warnings: list[tuple[str, str]], warn: Warn
) -> None:
    """`entry` written whole or not at all (a temporary file renamed); a document that JSON
    would not give back as it is (not plain JSON data) is not kept."""
    payload = json.dumps(
        {"document": document, "warnings": warnings}, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")
    if json.loads(payload)["document"] != document:
        return
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(hashlib.sha256(payload).hexdigest().encode("ascii") + b"\n")
                out.write(payload)
            os.replace(temporary, entry)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _prune(entry.parent)
    except OSError as exc:
        warn(str(entry.parent), f"page cache not written ({exc}); set {SWITCH}=off to skip it")


def _prune(directory: Path) -> None:
    """Only the KEEP most recently used entries kept."""
    entries = sorted(directory.glob("*.json"), key=_used, reverse=True)
    for old in entries[KEEP:]:
        old.unlink(missing_ok=True)


def _used(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
