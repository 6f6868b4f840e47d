"""What an operation takes from other parts of its page.

Two layouts say things once for several operations: a group heading whose own text and
tables hold for every operation under it (`## 更新环境服务 Values` with a body table, over
`### 测试环境` and `### 生产环境`), and a sentence naming a sibling whose parameters an
operation shares (`路径参数、Query 参数和返回参数与测试服务接口一致`). Both copy the parts
the operation does not state itself, before its parameters are placed.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from . import vocabulary as vocab
from .model import Field, Loss, Operation, TypeTable

BODY_METHODS = ("post", "put", "patch")


@dataclass
class Parts:
    """An operation's parts as its section reads them: its parameter tables before they
    are placed (`any`: rows the request line places), its type tables."""

    op: Operation
    path: list[Field] = field(default_factory=list)
    query: list[Field] = field(default_factory=list)
    any: list[Field] = field(default_factory=list)
    types: dict[str, TypeTable] = field(default_factory=dict)
    described: list[str] = field(default_factory=list)  # path placeholders written as words


@dataclass
class SameAs:
    """A sentence saying that some parts are those of a named operation."""

    kinds: list[str]  # path, query, body, answer
    name: str  # the operation it names, as written
    line: int
    text: str


def read_same_as(text: str, line: int, warnings: list[str]) -> SameAs | None:
    """The parts and the operation a "the same as" sentence names, or None."""
    match = vocab.SAME_AS.match(text.strip())
    if not match:
        return None
    kinds: list[str] = []
    for word in vocab.SAME_AS_SPLIT.split(match.group("parts")):
        found = vocab.SAME_AS_PARTS.get(vocab.normal(word))
        if found is None:
            warnings.append(
                Loss(f"line {line}: '{word}' in '{text.strip()}' names no part the converter knows")
            )
            continue
        kinds += [kind for kind in found if kind not in kinds]
    return SameAs(kinds, match.group("name").strip(), line, text.strip())


def inherit(parts: Parts, groups: list[Parts], warnings: list[str]) -> None:
    """Give an operation what the groups above it say (outermost first) and it does not."""
    notes: list[str] = []
    for group in groups:
        notes += group.op.notes
        for name, table in group.types.items():
            parts.types.setdefault(name, table)
        copied = _copy(parts, group, ["path", "query", "headers", "body", "answer", "errors"])
        if copied:
            warnings.append(
                f"line {parts.op.line}: '{parts.op.summary}' takes its "
                f"{', '.join(copied)} from the heading '{group.op.heading}' above it "
                f"(line {group.op.line})"
            )
    parts.op.notes[:0] = notes


def same_as(parts: Parts, sentence: SameAs, done: list[Operation], warnings: list[str]) -> None:
    """Copy the parts a "the same as" sentence names from the operation it names (one
    described above it on the page); a sentence that names none is a warning."""
    sibling = _sibling(sentence.name, parts.op, done)
    if sibling is None:
        warnings.append(
            Loss(
                f"line {sentence.line}: '{sentence.text}' names no operation described above "
                f"it: its parts are not copied"
            )
        )
        return
    source = Parts(sibling, sibling.path_params, sibling.query_params, [], sibling.types)
    copied = _copy(parts, source, sentence.kinds)
    warnings.append(
        f"line {sentence.line}: '{parts.op.summary}' takes its {', '.join(copied) or 'nothing'} "
        f"from '{sibling.summary}' (line {sibling.line}), as the page says"
    )


def _sibling(name: str, op: Operation, done: list[Operation]) -> Operation | None:
    """The operation a sentence names, described above it: a heading of its own group
    (测试服务), its summary, or a heading and its group written together (获取测试环境 Values
    来源: 测试环境 under 获取 Values 来源)."""
    key = re.sub(vocab.SAME_AS_SUFFIX, "", vocab.normal(name))
    for other in reversed(done):
        heading, group = vocab.normal(other.heading), vocab.normal(other.group)
        if key == heading and other.group == op.group:
            return other
        if key == vocab.normal(other.summary):
            return other
        if heading and heading in key and key.replace(heading, "", 1) == group:
            return other
    return None  # a heading of another group (测试环境 under another heading) is no guess


def _in_path(f: Field, in_path: set[str], described: list[str]) -> bool:
    """Whether a path row names one of the path's placeholders, or one written as words
    (`<环境标识>`, named after the row it describes once the rows are known)."""
    if f.name in in_path:
        return True
    text = vocab.normal(f.description)
    return any(
        (text and text.startswith(vocab.normal(words)))
        or vocab.PLACEHOLDER_NAMES.get(vocab.normal(words)) == f.name
        for words in described
    )


def _copy(parts: Parts, source: Parts, kinds: list[str]) -> list[str]:
    """Copy the `kinds` of parts that `source` states and `parts` does not; returns what
    was copied, for the warning. Parameter rows are copied by name; the body, the answer
    and the error examples whole."""
    op, other = parts.op, source.op
    documented = {f.name for f in parts.path + parts.query + parts.any}
    in_path = set(re.findall(r"{([^{}]+)}", op.path))
    copied: list[str] = []

    def take(rows: list[Field], table: list[Field], what: str) -> None:
        fresh = [f for f in rows if f.name not in documented]
        table += copy.deepcopy(fresh)
        documented.update(f.name for f in fresh)
        if fresh:
            copied.append(what)

    if "path" in kinds:
        named = [f for f in source.path + source.any if _in_path(f, in_path, parts.described)]
        take(named, parts.path, "path parameters")
    if "query" in kinds:
        take(source.query, parts.query, "query parameters")
        take(source.any, parts.any, "request parameters")  # placed by the request line
    if "headers" in kinds:
        headers = {f.name for f in op.header_params}
        fresh = [f for f in other.header_params if f.name not in headers]
        op.header_params += copy.deepcopy(fresh)
        if fresh:
            copied.append("headers")
    if "body" in kinds and op.method in BODY_METHODS:
        if not op.body_fields and other.body_fields:
            op.body_fields = copy.deepcopy(other.body_fields)
            copied.append("body parameters")
        if not op.body_examples and other.body_examples:
            op.body_examples = copy.deepcopy(other.body_examples)
            copied.append("body examples")
    if "answer" in kinds:
        if not (op.response_fields or op.response_type) and other.response_fields:
            op.response_fields = copy.deepcopy(other.response_fields)
            copied.append("answer fields")
        if not (op.response_fields or op.response_type) and other.response_type:
            op.response_type = copy.deepcopy(other.response_type)
            copied.append("answer type")
        if not op.success_examples and other.success_examples:
            op.success_examples = copy.deepcopy(other.success_examples)
            copied.append("answer examples")
    if "errors" in kinds or "answer" in kinds:
        codes = {c.code for c in op.error_codes}
        fresh_codes = [c for c in other.error_codes if c.code not in codes]
        op.error_codes += copy.deepcopy(fresh_codes)
        if fresh_codes:
            copied.append("error codes")
        if not op.error_examples and other.error_examples:
            op.error_examples = copy.deepcopy(other.error_examples)
            copied.append("error examples")
    return copied
