"""`zadig-spec`: convert an API page to OpenAPI, and check the committed spec is fresh."""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from . import OVERLAY_PATH, SOURCE_PATH, SPEC_PATH, emitter, overlay, parser
from .model import ConversionError


def convert(markdown: str, overlay_path: str | Path | None = None,
            warn=lambda message: None) -> str:
    """YAML text of the spec for a page, with the overlay merged when one is given."""
    page = parser.parse(markdown)
    for message in page.warnings:
        warn(message)
    document = emitter.emit(page)
    if overlay_path:
        document = overlay.apply(document, overlay.load(overlay_path))
    return emitter.dump(document)


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def _convert(args: argparse.Namespace) -> int:
    text = convert(Path(args.doc).read_text(encoding="utf-8"), args.overlay, _warn)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _check(args: argparse.Namespace) -> int:
    fresh = convert(Path(args.doc).read_text(encoding="utf-8"), args.overlay)
    committed = Path(args.spec).read_text(encoding="utf-8")
    if fresh == committed:
        print(f"{args.spec} is up to date with {args.doc}")
        return 0
    sys.stdout.writelines(difflib.unified_diff(
        committed.splitlines(keepends=True), fresh.splitlines(keepends=True),
        fromfile=f"{args.spec} (committed)", tofile="fresh conversion"))
    print(f"\n{args.spec} differs from a fresh conversion; run `zadig-spec build`",
          file=sys.stderr)
    return 1


def _build(args: argparse.Namespace) -> int:
    Path(args.spec).write_text(convert(Path(args.doc).read_text(encoding="utf-8"),
                                       args.overlay, _warn), encoding="utf-8")
    print(f"wrote {args.spec}")
    return 0


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(prog="zadig-spec", description=__doc__)
    commands = cli.add_subparsers(dest="command", required=True)
    conv = commands.add_parser("convert", help="convert a page to OpenAPI YAML")
    conv.add_argument("doc", help="the Markdown page")
    conv.add_argument("-o", "--output", help="write here instead of stdout")
    conv.add_argument("--overlay", help="overlay YAML to merge (none by default)")
    conv.set_defaults(run=_convert)
    for name, run, text in (("check", _check, "exit 1 when the committed spec is stale"),
                            ("build", _build, "regenerate the committed spec")):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--doc", default=str(SOURCE_PATH))
        sub.add_argument("--overlay", default=str(OVERLAY_PATH))
        sub.add_argument("--spec", default=str(SPEC_PATH))
        sub.set_defaults(run=run)
    args = cli.parse_args(argv)
    try:
        return args.run(args)
    except ConversionError as exc:
        print(f"error: {getattr(args, 'doc', '')}:{exc.line}: {exc.message}", file=sys.stderr)
    except UnicodeDecodeError as exc:
        print(f"error: a file is not UTF-8 text: {exc.reason} at byte {exc.start}",
              file=sys.stderr)
    except (overlay.OverlayError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
    return 2
