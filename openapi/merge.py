"""Several OpenAPI specs made one (`--spec A.yaml --spec B.yaml` of the mock, the gate and the
proxy), whatever order they are named in.

- The same method and path in two specs is an error naming both.
- A name two specs define under `components` (a shared type, a parameter, ...) identically is
  kept once, silently. Defined differently, the name goes to none of them: each definition is
  renamed `NAME_<its spec's file stem>` (`NAME_<8 hex digits of its content's SHA-256>` where
  stems clash or the name is taken), every `$ref` to it rewritten, with a warning naming both
  specs.
- An operationId two specs use is replaced, in each, by the one the converter derives from the
  operation's method and path (`get_openapi_quotas_by_id`), with a warning.
- An error catalogue code two specs define differently keeps the entry of the spec whose file
  name sorts first, its reasons joined, with a warning.

The specs are read in the order of their file names, so that the result never depends on the
order they were named in."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import vocabulary as vocab
from .emitter import operation_id_for
from .overlay import METHODS

Warn = Callable[[str], None]
PARAMETER = re.compile(r"\{[^}/]+\}")


class MergeError(ValueError):
    """The specs cannot be one (the same operation in two of them)."""


def merge_specs(specs: list[tuple[str, dict[str, Any]]], warn: Warn = lambda m: None) -> dict:
    """One spec of `specs`, (source name, document) each."""
    specs = sorted(specs, key=lambda spec: spec[0])
    if len(specs) == 1:
        return specs[0][1]
    documents = [copy.deepcopy(document) for _, document in specs]
    names = [name for name, _ in specs]
    _refuse_shared_operations(names, documents)
    _rename_components(names, documents, warn)
    _rename_operation_ids(names, documents, warn)
    _move_security(documents)
    merged: dict[str, Any] = {
        "openapi": documents[0].get("openapi", "3.0.3"),
        "info": {
            "title": "Zadig API",
            "version": str(documents[0].get("info", {}).get("version", "0.0.0")),
            "description": "Merged from "
            + ", ".join(f"`{Path(name).name}` ({_title(doc)})" for name, doc in specs)
            + ".",
        },
    }
    tags: dict[str, Any] = {}
    for document in documents:
        for tag in document.get("tags", []):
            tags.setdefault(tag.get("name"), tag)
    if tags:
        merged["tags"] = list(tags.values())
    merged["paths"] = {}
    for document in documents:
        for path, item in (document.get("paths") or {}).items():
            merged["paths"].setdefault(path, {}).update(item)
    components: dict[str, Any] = {}
    for document in documents:
        for section, entries in (document.get("components") or {}).items():
            if section == vocab.CATALOGUE or not isinstance(entries, dict):
                continue
            components.setdefault(section, {}).update(entries)
    catalogue = _merged_catalogue(names, documents, warn)
    if catalogue:
        components[vocab.CATALOGUE] = catalogue
    if components:
        merged["components"] = components
    securities = [d["security"] for d in documents if "security" in d]
    if securities:
        merged["security"] = securities[0]
    return merged


def _title(document: dict[str, Any]) -> str:
    return str((document.get("info") or {}).get("title", "untitled"))


def _operations(document: dict[str, Any]):
    for path, item in (document.get("paths") or {}).items():
        for method, operation in (item or {}).items():
            if method in METHODS and isinstance(operation, dict):
                yield path, method, operation


def _refuse_shared_operations(names: list[str], documents: list[dict[str, Any]]) -> None:
    owners: dict[tuple[str, str], str] = {}
    for name, document in zip(names, documents, strict=True):
        for path, method, _ in _operations(document):
            key = (method, PARAMETER.sub("{}", path))
            if key in owners:
                raise MergeError(
                    f"{method.upper()} {path} is in both {owners[key]} and {name}: "
                    "an operation may be defined once"
                )
            owners[key] = name


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _meaning(document: dict[str, Any], node: Any, within: tuple[str, ...] = ()) -> Any:
    """`node` with its local `$ref`s inlined (a cycle left as its `$ref`): two definitions
    that read alike but refer to types that differ are not the same."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            if ref in within:
                return {"$ref": ref}
            target: Any = document
            for part in ref[2:].split("/"):
                target = target.get(part) if isinstance(target, dict) else None
            return _meaning(document, target, (*within, ref))
        return {key: _meaning(document, value, within) for key, value in node.items()}
    if isinstance(node, list):
        return [_meaning(document, value, within) for value in node]
    return node


def _rename_components(names: list[str], documents: list[dict[str, Any]], warn: Warn) -> None:
    """Names defined differently by several specs renamed in each, their `$ref`s rewritten."""
    defined: dict[tuple[str, str], list[int]] = {}  # (section, name) -> the specs defining it
    for index, document in enumerate(documents):
        for section, entries in (document.get("components") or {}).items():
            if section == vocab.CATALOGUE or not isinstance(entries, dict):
                continue
            for entry in entries:
                defined.setdefault((section, entry), []).append(index)
    taken = {key for key in defined}
    shared = sorted((key, owners) for key, owners in defined.items() if len(owners) > 1)
    # Read before anything is renamed: what each definition means, its references followed.
    meanings = {
        (key, i): _digest(_meaning(documents[i], documents[i]["components"][key[0]][key[1]]))
        for key, owners in shared
        for i in owners
    }
    renames: list[dict[str, str]] = [{} for _ in documents]  # per spec: old $ref -> new
    for (section, entry), owners in shared:
        digests = {i: meanings[((section, entry), i)] for i in owners}
        if len(set(digests.values())) == 1:
            continue  # the same definition: kept once
        stems = {i: re.sub(r"\W", "_", Path(names[i]).stem) for i in owners}
        groups: dict[str, list[int]] = {}
        for i in owners:
            groups.setdefault(digests[i], []).append(i)
        plain = len({stems[group[0]] for group in groups.values()}) == len(groups)
        new_names = []
        for digest, group in groups.items():
            new = f"{entry}_{stems[group[0]]}" if plain else f"{entry}_{digest[:8]}"
            if (section, new) in taken:
                new = f"{entry}_{digest[:8]}"
            taken.add((section, new))
            new_names.append(f"{new} ({', '.join(names[i] for i in group)})")
            for i in group:
                entries = documents[i]["components"][section]
                entries[new] = entries.pop(entry)
                renames[i][f"#/components/{section}/{entry}"] = f"#/components/{section}/{new}"
                if section == "securitySchemes":
                    _rename_scheme(documents[i], entry, new)
        warn(
            f"components/{section}/{entry} is defined differently in "
            f"{' and '.join(names[i] for i in owners)}: renamed {', '.join(new_names)}"
        )
    for document, rename in zip(documents, renames, strict=True):
        if rename:
            _rewrite_refs(document, rename)


def _rewrite_refs(node: Any, rename: dict[str, str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref in rename:
            node["$ref"] = rename[ref]
        for value in node.values():
            _rewrite_refs(value, rename)
    elif isinstance(node, list):
        for value in node:
            _rewrite_refs(value, rename)


def _rename_scheme(document: dict[str, Any], old: str, new: str) -> None:
    """A security scheme is named by its requirements, not by `$ref`."""
    requirements = [document.get("security")] + [
        operation.get("security") for _, _, operation in _operations(document)
    ]
    for listed in requirements:
        for requirement in listed or []:
            if old in requirement:
                requirement[new] = requirement.pop(old)


def _rename_operation_ids(names: list[str], documents: list[dict[str, Any]], warn: Warn) -> None:
    users: dict[str, list[tuple[int, str, str, dict[str, Any]]]] = {}
    for index, document in enumerate(documents):
        for path, method, operation in _operations(document):
            if "operationId" in operation:
                users.setdefault(operation["operationId"], []).append(
                    (index, path, method, operation)
                )
    for operation_id, found in sorted(users.items()):
        if len({index for index, *_ in found}) < 2:
            continue
        renamed = []
        for index, path, method, operation in found:
            operation["operationId"] = operation_id_for(method, path)
            renamed.append(f"{method.upper()} {path} ({names[index]}) {operation['operationId']}")
        warn(f"operationId {operation_id} is used by several specs: renamed {'; '.join(renamed)}")


def _move_security(documents: list[dict[str, Any]]) -> None:
    """Specs that ask for other credentials: each one's own put on its operations."""
    wanted = [_digest(d.get("security")) for d in documents]
    if len(set(wanted)) == 1:
        return
    for document in documents:
        if "security" not in document:
            continue
        security = document.pop("security")
        for _, _, operation in _operations(document):
            operation.setdefault("security", copy.deepcopy(security))


def _merged_catalogue(names: list[str], documents: list[dict[str, Any]], warn: Warn) -> dict:
    merged: dict[str, Any] = {}
    source: dict[str, str] = {}
    for name, document in zip(names, documents, strict=True):
        catalogue = (document.get("components") or {}).get(vocab.CATALOGUE) or {}
        for code, entry in catalogue.items():
            code = str(code)
            if code not in merged:
                merged[code], source[code] = copy.deepcopy(entry), name
                continue
            kept = merged[code]
            if {k: v for k, v in kept.items() if k != "reasons"} != {
                k: v for k, v in entry.items() if k != "reasons"
            }:
                warn(
                    f"error code {code} is defined differently in {source[code]} and {name}: "
                    f"the entry of {source[code]} is kept"
                )
            reasons = entry.get("reasons") or {}
            if reasons:
                kept.setdefault("reasons", {})
                for reason, text in reasons.items():
                    kept["reasons"].setdefault(reason, text)
    return merged
