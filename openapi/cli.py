"""`zadig-spec`: convert API pages to OpenAPI, and check the committed spec is fresh."""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import (
    CUSTOM_OVERLAY_PATH,
    CUSTOM_SPEC_PATH,
    OVERLAY_PATH,
    SOURCE_PATH,
    SPEC_PATH,
    VersionAction,
    emitter,
    overlay,
    parser,
)
from .model import ConversionError, Loss, NoOperation, Page, PageErrors
from .paths import align_paths, operation_key
from .sources import page_files, print_warning

Warn = Callable[[str], None]
# The committed specs: (page, overlay, spec) each. Today's OpenAPI page is not kept here: its
# build and check take the page with --doc (see docs/spec.md).
APIS = {
    "workflow": (SOURCE_PATH, OVERLAY_PATH, SPEC_PATH),
    "custom-workflow": (None, CUSTOM_OVERLAY_PATH, CUSTOM_SPEC_PATH),
}


def convert(
    markdown: str, overlay_path: str | Path | None = None, warn: Warn = lambda message: None
) -> str:
    """YAML text of the spec for a page, with the overlay merged when one is given."""
    return convert_pages([("", markdown)], overlay_path, lambda _name, m: warn(m))


def convert_pages(
    sources: list[tuple[str, str]],
    overlay_path: str | Path | None = None,
    warn: Callable[[str, str], None] = lambda name, message: None,
    skip_empty: bool = False,
) -> str:
    """YAML text of one spec for several pages, given as (file name, Markdown text)."""
    return emitter.dump(convert_document(sources, overlay_path, warn, skip_empty))


def convert_document(
    sources: list[tuple[str, str]],
    overlay_path: str | Path | None = None,
    warn: Callable[[str, str], None] = lambda name, message: None,
    skip_empty: bool = False,
) -> dict[str, Any]:
    """One spec for several pages, given as (file name, Markdown text), as a document (what
    `convert_pages` writes as YAML; the commands that serve it take it without the text).

    Two pages defining the same operation stop the conversion, naming both. A page the
    converter cannot understand does not hide the next: every such page's error is raised
    together (PageErrors). With `skip_empty`, a page without any endpoint is skipped with
    a warning."""
    pages: list[Page] = []
    errors: list[ConversionError] = []
    try:
        for name, text in sources:
            try:
                page = parser.parse(text)
            except NoOperation as exc:
                if not skip_empty:
                    errors.append(ConversionError(exc.line, exc.message, name))
                else:
                    warn(name, "no operation on this page; skipped")
                continue
            except ConversionError as exc:
                errors.append(ConversionError(exc.line, exc.message, name))
                continue
            page.source = name
            pages.append(page)
        if len(errors) == 1:
            raise errors[0]
        if errors:
            raise PageErrors(errors)
        if not pages:
            raise ConversionError(1, "no page with an operation", sources[0][0])
        _refuse_duplicates(pages)
        align_paths(pages)
        document = emitter.emit_pages(pages)
    finally:
        for page in pages:
            for message in page.warnings:
                warn(page.source, message)
    if overlay_path:
        document = overlay.apply(document, overlay.load(overlay_path))
    return document


def _refuse_duplicates(pages: list[Page]) -> None:
    """Two pages defining one operation (same method, same path whatever its parameter
    names) would silently replace one another: stop, naming both."""
    owners: dict[tuple[str, str], tuple[str, int]] = {}
    for page in pages:
        for op in page.operations:
            key = operation_key(op)
            if key in owners:
                first, line = owners[key]
                raise ConversionError(
                    op.line,
                    f"{op.method.upper()} {op.path} is already defined in {first}:{line}",
                    page.source,
                )
            owners[key] = (page.source, op.line)


def _read(files: list[Path]) -> list[tuple[str, str]]:
    return [(str(f), f.read_text(encoding="utf-8")) for f in files]


def _convert(args: argparse.Namespace) -> int:
    files, folder = page_files(args.doc)
    losses: list[tuple[str, str]] = []

    def warn(name: str, message: str) -> None:
        print_warning(name, message)
        if isinstance(message, Loss):
            losses.append((name, message))

    text = convert_pages(_read(files), args.overlay, warn, skip_empty=folder)
    if args.strict and losses:
        # Something the page says would not be in the spec: nothing is written.
        for name, message in losses:
            line = re.match(r"line (\d+): ", message)
            where = f"{name}:{line.group(1)}" if line else name
            print(
                f"error: {where}: strict: {message[line.end() :] if line else message}",
                file=sys.stderr,
            )
        return 2
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _defaults(args: argparse.Namespace) -> None:
    """--doc, --overlay and --spec default to the committed ones of --api."""
    doc, overlay_path, spec = APIS[args.api]
    args.doc = args.doc or ([str(doc)] if doc else None)
    args.overlay = args.overlay or str(overlay_path)
    args.spec = args.spec or str(spec)
    if args.doc is None:
        raise OSError(f"--api {args.api}: its page is not kept here; name it with --doc PAGE")


def _check(args: argparse.Namespace) -> int:
    _defaults(args)
    files, folder = page_files(args.doc)
    fresh = convert_pages(_read(files), args.overlay, skip_empty=folder)
    committed = Path(args.spec).read_text(encoding="utf-8")
    if fresh == committed:
        print(f"{args.spec} is up to date with {', '.join(args.doc)}")
        return 0
    sys.stdout.writelines(
        difflib.unified_diff(
            committed.splitlines(keepends=True),
            fresh.splitlines(keepends=True),
            fromfile=f"{args.spec} (committed)",
            tofile="fresh conversion",
        )
    )
    print(f"\n{args.spec} differs from a fresh conversion; run `zadig-spec build`", file=sys.stderr)
    return 1


def _build(args: argparse.Namespace) -> int:
    _defaults(args)
    files, folder = page_files(args.doc)
    Path(args.spec).write_text(
        convert_pages(_read(files), args.overlay, print_warning, skip_empty=folder),
        encoding="utf-8",
    )
    print(f"wrote {args.spec}")
    return 0


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(prog="zadig-spec", description=__doc__)
    cli.add_argument("--version", action=VersionAction)
    commands = cli.add_subparsers(dest="command", required=True)
    conv = commands.add_parser("convert", help="convert pages to one OpenAPI YAML")
    conv.add_argument("doc", nargs="+", help="Markdown pages, or folders of them")
    conv.add_argument("-o", "--output", help="write here instead of stdout")
    conv.add_argument("--overlay", help="overlay YAML to merge (none by default)")
    conv.add_argument(
        "--strict",
        action="store_true",
        help="fail (exit 2, nothing written) when anything the page says is left out of the "
        "spec: an example that does not fit it, ignored text, an unresolved reference",
    )
    conv.set_defaults(run=_convert)
    for name, run, text in (
        ("check", _check, "exit 1 when the committed spec is stale"),
        ("build", _build, "regenerate the committed spec"),
    ):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--api", choices=sorted(APIS), default="workflow", help="which spec")
        sub.add_argument(
            "--doc",
            action="append",
            help="an API page, or a folder of them; repeatable: one spec of several pages "
            "(default: the committed page of --api)",
        )
        sub.add_argument("--overlay", help="default: the overlay of --api")
        sub.add_argument("--spec", help="default: the committed spec of --api")
        sub.set_defaults(run=run)
    args = cli.parse_args(argv)
    try:
        return args.run(args)
    except ConversionError as exc:
        for error in exc.errors if isinstance(exc, PageErrors) else [exc]:
            print(f"error: {error.file}:{error.line}: {error.message}", file=sys.stderr)
    except UnicodeDecodeError as exc:
        print(f"error: a file is not UTF-8 text: {exc.reason} at byte {exc.start}", file=sys.stderr)
    except (overlay.OverlayError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
    return 2
