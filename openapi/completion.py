"""Any converted spec made ready to serve and check (`--spec FILE` or `--page PAGE.md` of the
mock, the gate and the proxy).

The pages are converted into one spec. Where it has every operation of a committed API (by
method and path), that API's overlay is merged in, so that a freshly converted v1.7.1 page is the
committed spec. What the pages leave unsaid for the other operations is what every Zadig API
shares, taken from the committed overlay: the gateway's bearer auth (401, 403) and aslan's own
answers (400 Bad Request, 404, 405, 500); the error catalogue gets each code the pages' error
examples show, with the example's HTTP status, message and description."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from . import OVERLAY_PATH, RULE_OVERLAYS, overlay, page_cache
from .sources import page_files, print_warning

CATALOGUE = "x-zadig-error-catalogue"
METHODS = overlay.METHODS
AUTH_SCHEME = "bearerAuth"
# Codes below this are aslan's and the gateway's own (400, 401, 403, 404, 405, 500): shared by
# every API, not one page's.
SHARED_BELOW = 1000
UNAUTHORIZED = {"description": "No token or an invalid one (answered by the gateway)."}
FORBIDDEN = {"description": "The token lacks the permission the operation needs (the gateway)."}
PARAMETER = re.compile(r"\{[^}/]+\}")

Warn = Callable[[str], None]


class SpecError(ValueError):
    """The spec or the pages named cannot be served or checked (the reasons, one per line)."""


def document_for(
    spec: str | list[str] | None, pages: list[str], warn: bool = True
) -> dict[str, Any]:
    """The document `--spec FILE ...` or `--page PAGE.md ...` names (the mock's, the gate's and
    the proxy's option; several specs are made one by `merge`), completed (the pages' and the
    merge's warnings printed when `warn`); SpecError naming what stops it. Converted pages are
    kept in the page cache (`page_cache`)."""
    quiet: Callable[[str, str], None] = lambda _name, _message: None  # noqa: E731
    say = print_warning if warn else quiet
    specs = [spec] if isinstance(spec, str) else list(spec or [])
    try:
        if specs:
            from .merge import MergeError, merge_specs

            try:
                documents = [(name, complete(read_spec(name))) for name in specs]
                return merge_specs(documents, lambda message: say("", message))
            except MergeError as exc:
                raise SpecError(str(exc)) from None
        files, folder = page_files(pages)
        return page_cache.converted(files, folder, say, partial(convert, folder=folder))
    except UnicodeDecodeError as exc:
        raise SpecError(f"a page is not UTF-8 text: {exc.reason} at byte {exc.start}") from None
    except (OSError, overlay.OverlayError) as exc:
        raise SpecError(str(exc)) from None


def read_spec(spec: str) -> dict[str, Any]:
    """The OpenAPI document in the file `spec`; SpecError when it is none."""
    try:
        document = yaml.load(Path(spec).read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    except yaml.YAMLError as exc:
        raise SpecError(f"{spec} is not YAML: {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
        raise SpecError(f"{spec} is not an OpenAPI spec (no `paths`)")
    return document


def convert(
    sources: list[tuple[str, str]], warn: Callable[[str, str], None], folder: bool = False
) -> dict[str, Any]:
    """The spec of the pages `sources` ((name, Markdown text) each; a folder's pages without
    operations skipped), completed; SpecError naming what stops it."""
    # The converter is imported here only: a start served from the page cache never needs it.
    from .cli import convert_document  # the converter's command owns reading several pages
    from .model import ConversionError, PageErrors

    try:
        document = convert_document(sources, None, warn, skip_empty=folder)
    except ConversionError as exc:
        errors = exc.errors if isinstance(exc, PageErrors) else [exc]
        raise SpecError("\n".join(f"{e.file}:{e.line}: {e.message}" for e in errors)) from None
    return complete(document, lambda message: warn("", message))


def complete(document: dict[str, Any], warn: Warn = lambda message: None) -> dict[str, Any]:
    """`document` with the rule sets' overlays it has all operations of, then what the pages
    leave unsaid (`document` itself may be changed: callers pass one they own). A spec whose
    catalogue has aslan's own answers already is returned as it is."""
    catalogue = (document.get("components") or {}).get(CATALOGUE) or {}
    # A committed spec has aslan's own answers; a page's own catalogue (its error section)
    # is completed like the rest.
    if {"400", "500"} <= {str(code) for code in catalogue}:
        return document
    for path in RULE_OVERLAYS:
        document = _with_rule_overlay(document, overlay.load(path), path.name, warn)
    return _shared(document)


def _shape(path: str) -> str:
    return PARAMETER.sub("{}", path)


def _with_rule_overlay(
    document: dict[str, Any], extra: dict[str, Any], name: str, warn: Warn
) -> dict[str, Any]:
    paths = document.get("paths", {})
    by_shape = {(method, _shape(path)): path for path, item in paths.items() for method in item}
    # The API's operations: those its overlay selects, else those it names.
    selection = [item.partition(" ") for item in extra.get(overlay.SELECTION, [])]
    wanted = [(method.lower(), path) for method, _, path in selection] or [
        (method, path)
        for path, item in (extra.get("paths") or {}).items()
        for method in item
        if method in METHODS
    ]
    if not wanted or not all((method, _shape(path)) in by_shape for method, path in wanted):
        return document
    respelt = [path for method, path in wanted if by_shape[(method, _shape(path))] != path]
    if respelt:
        warn(
            f"the operations of {name} are here with other path parameter names "
            f"({', '.join(sorted(set(respelt)))}): answered from the page only"
        )
        return document
    others = sum(1 for path, item in paths.items() for method in item if method in METHODS) - len(
        wanted
    )
    # The API's own title and description fit a spec of its operations only.
    drop = {overlay.SELECTION, "info"} if others else {overlay.SELECTION}
    return overlay.apply(document, {k: v for k, v in extra.items() if k not in drop})


def _shared(document: dict[str, Any]) -> dict[str, Any]:
    base = overlay.load(OVERLAY_PATH)["components"]
    components = document.setdefault("components", {})
    schemes = components.setdefault("securitySchemes", {})
    schemes.setdefault(AUTH_SCHEME, base["securitySchemes"][AUTH_SCHEME])
    document.setdefault("security", [{AUTH_SCHEME: []}])
    shared = {code: entry for code, entry in base[CATALOGUE].items() if int(code) < SHARED_BELOW}
    # A rule set's overlay brings its own catalogue: its entries stay as they are.
    catalogue = {**shared, **components.get(CATALOGUE, {})}
    known = set(catalogue)
    for item in document.get("paths", {}).values():
        for method, operation in item.items():
            if method not in METHODS or not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            responses.setdefault("401", copy.deepcopy(UNAUTHORIZED))
            responses.setdefault("403", copy.deepcopy(FORBIDDEN))
            _catalogue_codes(catalogue, known, responses)
    components[CATALOGUE] = catalogue
    return document


def _catalogue_codes(catalogue: dict[str, Any], known: set[str], responses: dict[str, Any]) -> None:
    """Each code of an error example of `responses` into `catalogue` (the first page's message
    for a code; each example's description a reason, by the example's name)."""
    for status, response in responses.items():
        if not str(status).isdigit() or int(status) < 400 or not isinstance(response, dict):
            continue
        content = (response.get("content") or {}).get("application/json", {})
        for name, example in (content.get("examples") or {}).items():
            value = example.get("value") if isinstance(example, dict) else None
            code = value.get("code") if isinstance(value, dict) else None
            if not isinstance(code, int) or isinstance(code, bool) or code < SHARED_BELOW:
                continue
            if str(code) in known:
                continue
            entry = catalogue.setdefault(
                str(code), {"status": int(status), "message": str(value.get("message", ""))}
            )
            reasons = entry.setdefault("reasons", {})
            # A description is a template to the catalogue: its braces are text here.
            text = str(value.get("description", "")).replace("{", "{{").replace("}", "}}")
            reasons.setdefault(name, text)
