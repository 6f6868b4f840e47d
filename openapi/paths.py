"""One operation per method and path template, within a page and across several.

OpenAPI takes `/env/{name}` and `/env/{envName}` for the same path and refuses both: an
operation is known by its method and its path with the placeholders' names left out.
"""

from __future__ import annotations

import re

from .model import ConversionError, Operation, Page


def operation_key(op: Operation) -> tuple[str, str]:
    """Two operations are the same when method and path match, whatever the names of
    their path parameters."""
    return op.method, re.sub(r"{[^{}]+}", "{}", op.path)


def check_unique(operations: list[Operation]) -> None:
    """Refuse a page that describes one operation twice, naming the first line."""
    seen: dict[tuple[str, str], int] = {}
    for op in operations:
        key = operation_key(op)
        if key in seen:
            raise ConversionError(
                op.line, f"{op.method.upper()} {op.path} is already described at line {seen[key]}"
            )
        seen[key] = op.line


def align_paths(pages: list[Page]) -> None:
    """Spell each path template one way: `/env/{name}` and `/env/{envName}` are the same
    path to OpenAPI, which refuses both. Later spellings take the first one's names."""
    first: dict[str, tuple[str, Page, int]] = {}
    for page in pages:
        for op in page.operations:
            key = operation_key(op)[1]
            if key not in first:
                first[key] = (op.path, page, op.line)
                continue
            path, owner, line = first[key]
            if path == op.path:
                continue
            renames = dict(
                zip(
                    re.findall(r"{([^{}]+)}", op.path), re.findall(r"{([^{}]+)}", path), strict=True
                )
            )
            for f in op.path_params:
                f.name = renames.get(f.name, f.name)
            where = f"line {line}" if owner is page else f"{owner.source}:{line}"
            page.warnings.append(
                f"line {op.line}: path {op.path} is spelled {path} at "
                f"{where}: parameters renamed to match"
            )
            op.path = path
