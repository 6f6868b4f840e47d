"""The page cache (`openapi/page_cache.py`): `--page` pages converted once and reused at the
next start, with the same document and the same warnings, printed once each; never a stale
entry (an edited page or an edited converter is converted again), never a corrupt one (it is
converted again, with a warning), written whole or not at all, and a way to turn it off."""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

import pytest
from converter_helpers import PAGES

from openapi import completion, page_cache
from openapi.completion import SpecError

# Two pages of the doc set whose conversion warns (each warning names its page).
PAGE_NAMES = ("quota-api.md", "project-api.md")


@pytest.fixture
def pages(tmp_path: Path) -> list[str]:
    folder = tmp_path / "pages"
    folder.mkdir()
    for name in PAGE_NAMES:
        shutil.copy(PAGES / name, folder / name)
    return [str(folder / name) for name in PAGE_NAMES]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The cache in a fresh XDG_CACHE_HOME; its entries' folder."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv(page_cache.SWITCH, raising=False)
    return tmp_path / "xdg" / "zadig-mock" / "pages"


@pytest.fixture
def conversions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the conversions actually run (one item per run)."""
    runs: list[int] = []
    real = completion.convert

    def counting(*args, **kwargs):
        runs.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(completion, "convert", counting)
    return runs


def uncached(pages: list[str], capsys: pytest.CaptureFixture, monkeypatch) -> tuple[dict, str]:
    """The document and the warnings of a conversion with the cache off."""
    with monkeypatch.context() as off:
        off.setenv(page_cache.SWITCH, "off")
        document = completion.document_for(None, pages)
    return document, capsys.readouterr().err


def entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("*.json")) if cache.exists() else []


def test_second_start_is_served_from_the_cache_with_the_same_document_and_warnings(
    pages, cache, conversions, capsys, monkeypatch
) -> None:
    expected, expected_err = uncached(pages, capsys, monkeypatch)
    assert expected_err.count("warning: ") >= 2  # the pages do warn
    assert all(name in expected_err for name in pages)
    conversions.clear()

    first = completion.document_for(None, pages)
    first_err = capsys.readouterr().err
    second = completion.document_for(None, pages)
    second_err = capsys.readouterr().err

    assert len(conversions) == 1  # the second start converted nothing
    assert len(entries(cache)) == 1
    assert first == expected and second == expected
    # Every warning printed once at each start, cached or not.
    assert first_err == expected_err and second_err == expected_err


def test_warnings_are_not_printed_when_not_asked_for(pages, cache, capsys) -> None:
    completion.document_for(None, pages, warn=False)
    completion.document_for(None, pages, warn=False)
    assert capsys.readouterr().err == ""


def test_an_edited_page_is_converted_again(pages, cache, conversions) -> None:
    before = completion.document_for(None, pages)
    page = Path(pages[0])
    text = page.read_text(encoding="utf-8")
    assert "列出配额" in text  # quota-api.md's operation summary, read off the page
    page.write_text(text.replace("列出配额", "配额一览"), encoding="utf-8")

    after = completion.document_for(None, pages)

    assert len(conversions) == 2
    summaries = {op.get("summary") for item in after["paths"].values() for op in item.values()}
    assert "配额一览" in summaries and after != before


def test_the_same_pages_under_another_name_are_another_entry(pages, cache, conversions) -> None:
    # The warnings name the page: a copy under another name must not replay the first's.
    completion.document_for(None, pages)
    renamed = Path(pages[0]).with_name("renamed.md")
    shutil.copy(pages[0], renamed)
    completion.document_for(None, [str(renamed), pages[1]])
    assert len(conversions) == 2 and len(entries(cache)) == 2


def test_an_edited_converter_is_a_new_entry(
    pages, cache, conversions, tmp_path, monkeypatch
) -> None:
    source = tmp_path / "converter"
    shutil.copytree(Path(page_cache.__file__).parent, source, ignore=shutil.ignore_patterns("*.md"))
    monkeypatch.setattr(page_cache, "SOURCE_DIR", source)
    completion.document_for(None, pages)
    completion.document_for(None, pages)
    assert len(conversions) == 1

    emitter = source / "emitter.py"
    emitter.write_text(emitter.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    completion.document_for(None, pages)

    assert len(conversions) == 2 and len(entries(cache)) == 2


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda raw: raw[: len(raw) // 2], id="torn"),
        pytest.param(lambda raw: b"", id="empty"),
        # Still JSON, one value changed: only the checksum tells.
        pytest.param(lambda raw: raw.replace(b'"3.0.3"', b'"3.0.2"', 1), id="edited"),
    ],
)
def test_a_corrupt_entry_is_converted_again_with_a_warning(
    damage, pages, cache, conversions, capsys, monkeypatch
) -> None:
    expected, expected_err = uncached(pages, capsys, monkeypatch)
    conversions.clear()
    completion.document_for(None, pages)
    capsys.readouterr()
    [entry] = entries(cache)
    raw = entry.read_bytes()
    assert damage(raw) != raw
    entry.write_bytes(damage(raw))

    again = completion.document_for(None, pages)
    err = capsys.readouterr().err

    assert again == expected
    assert f"warning: {entry}: corrupt page cache entry" in err
    assert err.replace(err.splitlines(keepends=True)[0], "", 1) == expected_err
    assert len(conversions) == 2
    # Rewritten: the next start is served from it, with no warning but the pages'.
    assert completion.document_for(None, pages) == expected
    assert capsys.readouterr().err == expected_err and len(conversions) == 2


def test_an_entry_is_written_whole_or_not_at_all(
    pages, cache, conversions, capsys, monkeypatch
) -> None:
    def interrupted(_source, _target):
        raise OSError("disk full")

    # The rename that publishes the entry fails: no entry, no temporary file left.
    monkeypatch.setattr(page_cache.os, "replace", interrupted)
    expected, _ = uncached(pages, capsys, monkeypatch)
    document = completion.document_for(None, pages)
    err = capsys.readouterr().err

    assert document == expected  # the start goes on
    assert "page cache not written (disk full)" in err
    assert list(cache.iterdir()) == []


def test_the_cache_can_be_turned_off(pages, cache, conversions, monkeypatch) -> None:
    monkeypatch.setenv(page_cache.SWITCH, "off")
    completion.document_for(None, pages)
    completion.document_for(None, pages)
    assert len(conversions) == 2 and not cache.exists()


def test_an_unwritable_cache_warns_and_serves(pages, tmp_path, capsys, monkeypatch) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    monkeypatch.delenv(page_cache.SWITCH, raising=False)
    expected, expected_err = uncached(pages, capsys, monkeypatch)
    assert completion.document_for(None, pages) == expected
    err = capsys.readouterr().err
    assert "page cache not written" in err and f"{page_cache.SWITCH}=off" in err


def test_only_the_latest_entries_are_kept(pages, cache, conversions, monkeypatch) -> None:
    monkeypatch.setattr(page_cache, "KEEP", 2)
    page = Path(pages[0])
    text = page.read_text(encoding="utf-8")
    for n in range(4):
        page.write_text(text + f"\n<!-- edit {n} -->\n", encoding="utf-8")
        completion.document_for(None, pages, warn=False)
    assert len(entries(cache)) == 2
    completion.document_for(None, pages, warn=False)  # the last edit: still kept
    assert len(conversions) == 4


def test_an_edited_overlay_is_a_new_entry(pages, cache, conversions, tmp_path, monkeypatch) -> None:
    copies = []
    for overlay in page_cache.OVERLAYS:
        copy = tmp_path / overlay.name
        shutil.copy(overlay, copy)
        copies.append(copy)
    monkeypatch.setattr(page_cache, "OVERLAYS", tuple(copies))
    completion.document_for(None, pages, warn=False)
    completion.document_for(None, pages, warn=False)
    assert len(conversions) == 1

    copies[0].write_text(copies[0].read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    completion.document_for(None, pages, warn=False)

    assert len(conversions) == 2


def test_a_folder_and_its_pages_named_one_by_one_are_different_entries(pages, cache) -> None:
    # A folder skips its pages without an operation; naming such a page is an error (the
    # converter's rule for `convert`), whatever a folder start kept before.
    empty = Path(pages[0]).with_name("overview.md")
    empty.write_text("# Overview\n\nNo endpoint on this page.\n", encoding="utf-8")
    folder = str(Path(pages[0]).parent)

    served = completion.document_for(None, [folder], warn=False)
    assert served["paths"]  # the folder's page with operations is served

    with pytest.raises(SpecError, match="overview.md"):
        completion.document_for(None, sorted([*pages, str(empty)]), warn=False)


def test_an_upgraded_library_is_a_new_entry(
    pages, cache, conversions, tmp_path, monkeypatch
) -> None:
    library = tmp_path / "lib"
    library.mkdir()
    module = library / "page_reading_library.py"
    module.write_text("VERSION = 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(library))
    monkeypatch.setattr(page_cache, "LIBRARIES", (*page_cache.LIBRARIES, module.stem))
    completion.document_for(None, pages, warn=False)
    completion.document_for(None, pages, warn=False)
    assert len(conversions) == 1

    module.write_text("VERSION = 2  # upgraded\n", encoding="utf-8")
    sys.modules.pop(module.stem, None)
    completion.document_for(None, pages, warn=False)

    assert len(conversions) == 2


def test_an_entry_read_is_kept_before_one_written_later_but_unused(
    pages, cache, conversions, monkeypatch
) -> None:
    # The least recently used go, not the oldest written.
    monkeypatch.setattr(page_cache, "KEEP", 2)
    page = Path(pages[0])
    text = page.read_text(encoding="utf-8")
    edits = [text + f"\n<!-- edit {n} -->\n" for n in range(3)]
    for n in (0, 1):
        page.write_text(edits[n], encoding="utf-8")
        completion.document_for(None, pages, warn=False)
    first, second = sorted(entries(cache), key=lambda entry: entry.stat().st_mtime_ns)
    now = time.time()
    os.utime(first, (now - 100, now - 100))
    os.utime(second, (now - 50, now - 50))
    page.write_text(edits[0], encoding="utf-8")
    completion.document_for(None, pages, warn=False)  # the first entry, used again
    page.write_text(edits[2], encoding="utf-8")
    completion.document_for(None, pages, warn=False)
    assert len(conversions) == 3

    page.write_text(edits[0], encoding="utf-8")
    completion.document_for(None, pages, warn=False)

    assert len(conversions) == 3  # still kept: served without converting
