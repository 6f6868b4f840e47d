"""The pages a command names (a folder standing for its pages) and how their warnings are
printed: what `zadig-spec` and the `--page` option of the mock, the gate and the proxy share,
kept apart from the converter so that a start served from the page cache imports none of it."""

from __future__ import annotations

import re
import sys
from pathlib import Path


def page_files(paths: list[str]) -> tuple[list[Path], bool]:
    """The Markdown files named, a folder standing for its *.md files (sorted, recursive);
    and whether a folder was given (its pages without endpoints are then skipped)."""
    files: list[Path] = []
    folder = False
    for given in paths:
        path = Path(given)
        if path.is_dir():
            folder = True
            found = sorted(p for p in path.rglob("*.md") if p.is_file())
            if not found:
                raise OSError(f"{path}: no .md page in this folder")
            files += found
        else:
            files.append(path)
    return files, folder


def print_warning(name: str, message: str) -> None:
    """`warning: FILE:LINE: what`, like errors, so that editors jump to the line."""
    line = re.match(r"line (\d+): ", message)
    where = f"{name}:{line.group(1)}" if line else name
    text = message[line.end() :] if line else message
    print(f"warning: {where}: {text}" if where else f"warning: {text}", file=sys.stderr)
