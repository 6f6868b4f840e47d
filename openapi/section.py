"""One operation's part of a page: the blocks under its heading, collected into an Operation.

The parser (parser.py) finds the operations' headings and hands each block under one to
its `Section`, which reads the block as the current sub-heading says: the request line,
parameter and type tables (tables.py), body and answer examples (examples.py). The
parameters are placed once the request line is known (placement.py).
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from . import vocabulary as vocab
from .blocks import Block
from .examples import (
    answer,
    codes_from_list,
    codes_from_table,
    codes_from_text,
    error_examples,
    example_of,
    read_json,
)
from .model import ConversionError, Example, Field, Loss, Operation, TypeTable
from .placement import place_parameters
from .request_line import (
    RequestLine,
    curl_command,
    is_request_line,
    read_request_line,
    request_in_block,
)
from .sharing import Parts, SameAs, inherit, read_same_as, same_as
from .tables import answer_type, find_field, read_fields

ENDPOINT_PARTS = (
    "request",
    "path_params",
    "query_params",
    "body_params",
    "params",
    "headers",
    "body_example",
    "type_def",
    "variant",
)
# No section yet, or one that holds no parameters: a table there is misplaced, and a
# request line in a code block is the request (with a warning).
UNNAMED = ("", "notes", "unknown")


def holds_request_line(block: Block, in_request: bool) -> bool:
    """Whether a block states a request: `METHOD /path` as its first line (a paragraph)
    or on one of its lines (a code block). In a '请求' section a curl command, or a block
    of several lines, is one too; elsewhere they are prose (`listed_requests`)."""
    if block.kind == "paragraph":
        first = block.text.strip().splitlines()[0] if block.text.strip() else ""
        return is_request_line(first)
    if block.kind == "fence":
        rows = [row.strip() for row in block.text.splitlines() if row.strip()]
        if in_request:
            return bool(rows) and (rows[0].startswith("curl ") or any(map(is_request_line, rows)))
        return not listed_requests(block) and any(map(is_request_line, rows))
    return False


def listed_requests(block: Block) -> list[tuple[int, str]]:
    """The request lines of a code block that names requests without being one: a curl
    example, or a list of several `METHOD /path` lines; (line, `METHOD /path`) each."""
    if block.kind != "fence":
        return []
    rows = [(n, row.strip()) for n, row in enumerate(block.text.splitlines(), 1) if row.strip()]
    if rows and rows[0][1].startswith("curl "):
        command = curl_command(block.text)
        return [(block.line + 1, command[0])] if command else []
    found = [(block.line + n, row) for n, row in rows if is_request_line(row)]
    return found if len(found) > 1 else []


def markdown(block: Block) -> str:
    """A block written back as Markdown (prose kept as the page's description)."""
    if block.kind == "table" and block.rows:
        rows = [block.rows[0], ["---"] * len(block.rows[0]), *block.rows[1:]]
        return "\n".join("| " + " | ".join(row) + " |" for row in rows)
    if block.kind == "list":
        return "\n".join(f"- {item}" for item in block.items or [])
    if block.kind == "fence":
        return f"```\n{block.text.rstrip()}\n```"
    return block.text


def exact_section(text: str) -> tuple[str, str] | None:
    """(kind, type or field name) for a heading the vocabulary names exactly."""
    key = vocab.normal(text)
    if key in vocab.SECTIONS:
        return vocab.SECTIONS[key], ""
    variant = vocab.VARIANT_HEADING.match(re.sub(r"[`*]", "", text).strip().rstrip(":："))
    if variant:
        return "variant", variant.group("field")
    match = vocab.TYPE_HEADING.match(re.sub(r"[`*]|\s+", "", text.strip()).rstrip(":："))
    return ("type_def", match.group("name")) if match else None


def guessed_section(text: str) -> str:
    key = vocab.normal(text)
    return next((kind for word, kind in vocab.SECTION_WORDS if word in key), "")


def _described_name(words: str, rows: list[Field], used: set[str]) -> tuple[str, str]:
    """A name for a placeholder written as words, and where it comes from."""
    key = vocab.normal(words)
    for f in rows:
        described = vocab.normal(f.description)
        if f.name not in used and described and described.startswith(key):
            return f.name, "the table row it describes"
    known = vocab.PLACEHOLDER_NAMES.get(key)
    if known and known not in used:
        return known, "the doc set's name for it"
    ascii_words = re.findall(r"[A-Za-z][A-Za-z0-9]*", words)
    if ascii_words:
        name = ascii_words[0][0].lower() + ascii_words[0][1:] + "".join(ascii_words[1:])
        if name not in used:
            return name, "the letters in it"
    number = 1
    while f"param{number}" in used:
        number += 1
    return f"param{number}", "a number"


def _reference_words(match: re.Match[str]) -> str:
    """The heading a body reference links to: its anchor, else its text without the
    words naming a parameter section (创建工作流参数: 创建工作流)."""
    anchor = unquote(match.group("target").partition("#")[2])
    if anchor:
        return vocab.normal(anchor)
    text = vocab.normal(match.group("text"))
    for word in sorted(vocab.SECTIONS, key=len, reverse=True):
        if vocab.SECTIONS[word] in ("params", "body_params") and text.endswith(word):
            return text[: -len(word)]
    return text


def _body_example(block: Block, warnings: list[str], title: str) -> Example:
    """A body example; one that is not JSON even leniently read is kept as the page's
    text (x-page-example), with a warning."""
    try:
        return example_of(block, warnings, title)
    except ConversionError as exc:
        warnings.append(
            Loss(
                f"line {exc.line}: body example is not JSON ({exc.message}): kept as x-page-example"
            )
        )
        return Example(block.text, block.line, "text/plain", title)


class Section:
    """Collects the blocks under one operation heading into an Operation."""

    def __init__(
        self,
        op: Operation,
        level: int = 0,
        owns: bool = False,
        inherited: list[Section] | None = None,
        done: list[Operation] | None = None,
    ) -> None:
        self.op = op
        self.level = level
        self.owns = owns  # its heading owns a request line: it must be an operation
        self.group = False  # an operation stands under its heading: it says things of it
        self.inherited = inherited or []  # the groups above it, outermost first
        self.done = done if done is not None else []  # the page's operations above it
        self.same_as: list[SameAs] = []
        self.variant = ""  # the label of a variant table (`chartRepo 的 createFrom 参数说明`)
        self.sub = ""
        self.type_name = ""
        self.sub_line = op.line
        self.started = False  # a section the vocabulary knows was seen
        self.endpoint_part = False  # a part only an endpoint has (type tables are not)
        self.has_text = False
        self.request = RequestLine("", "", [], op.line)  # until the request line is read
        self.path_table: list[Field] = []
        self.query_table: list[Field] = []
        self.any_table: list[Field] = []  # 请求参数: placed by the request line
        self.types: dict[str, TypeTable] = {}
        self.type_anchor = ""
        self.type_bare = False  # a heading that is only a name (`Container`, `workflow`)
        self.in_answer = False  # type tables after the answer's fields describe the answer
        self.nested_into: tuple[str, int] | None = None
        self.pending: list[ConversionError] = []  # raised only if this is an operation
        self.request_fence = False  # the block just read is a request line outside '请求'
        self.listed: list[tuple[int, str]] = []  # requests named in prose (line, text)
        self.text: list[str] = []  # every block as Markdown: a section of prose keeps it
        self.container = ""  # the kind of the VuePress container open (`notes`), if any
        self.label = ""  # the text right above the next example: what it shows

    def heading(self, block: Block, kind: tuple[str, str] | None, warnings: list[str]) -> None:
        self.nested_into = None
        self.request_fence = False
        self._keep_label()
        if kind is None:
            guess = guessed_section(block.text)
            if guess:
                warnings.append(
                    f"line {block.line}: heading '{block.text}' read as a '{guess}' section"
                )
                kind = (guess, "")
        if kind is None:
            if block.bold:
                self.add(Block("paragraph", block.line, block.text), warnings)
                return
            self.sub, self.type_name = "unknown", ""
            warnings.append(
                Loss(
                    f"line {block.line}: subsection '{block.text}' is not one "
                    "the converter knows; its text is ignored"
                )
            )
            return
        self.sub, self.type_name = kind
        self.sub_line = block.line
        if self.sub == "variant":
            match = vocab.VARIANT_HEADING.match(re.sub(r"[`*]", "", block.text).strip())
            self.variant = match.group("variant") if match else block.text
        if self.sub == "type_def":
            self.type_anchor = block.anchor
            self.type_bare = vocab.normal(block.text) == vocab.normal(self.type_name)
        else:
            self.in_answer = self.sub in ("response_fields", "success", "error", "error_codes")
        # Parts only an endpoint has: without a request line they are an error. Notes,
        # answers and error codes alone may be a page's general text.
        self.started = self.started or self.sub in ENDPOINT_PARTS
        self.endpoint_part = self.endpoint_part or (
            self.sub in ENDPOINT_PARTS and self.sub != "type_def"
        )
        if self.sub == "type_def" and self.type_name in self.types:
            self.pending.append(
                ConversionError(block.line, f"type '{self.type_name}' is described twice")
            )

    def add(self, block: Block, warnings: list[str]) -> None:
        if block.kind == "container":
            self.container = vocab.CONTAINERS.get(block.text, "")
            if self.container == "notes":
                self._keep_label()  # the text above a note container comes before it
            return
        if block.kind == "container_end":
            self.container = ""
            return
        self.has_text = True
        self.text.append(markdown(block))
        after_request, self.request_fence = self.request_fence, False
        if block.kind == "table" and after_request and not self.nested_into:
            # A table right under a request line with no heading of its own: the request's
            # parameters, placed as a '请求参数' table is.
            warnings.append(
                f"line {block.line}: table right under the request line, without a heading: "
                "read as the request parameters"
            )
            self.any_table += read_fields(block, warnings)
            return
        if block.kind == "list":
            self._list(block, warnings)
        elif block.kind == "paragraph":
            self._paragraph(block, warnings)
        elif block.kind == "fence":
            self._fence(block, warnings)
        elif block.kind == "table":
            self._table(block, warnings)

    def _list(self, block: Block, warnings: list[str]) -> None:
        if self.sub == "notes":
            self.op.notes.extend(block.items or [])
        elif self.sub == "error_codes":
            self.op.error_codes += codes_from_list(block, warnings)

    def _paragraph(self, block: Block, warnings: list[str]) -> None:
        if self.container == "notes":
            self.op.notes.append(block.text)
            return
        label = vocab.ANSWER_LABELS.get(vocab.normal(block.text))
        if label and self.sub in ("success", "error", "response_fields"):
            self.sub = label
            return
        sentence = read_same_as(block.text, block.line, warnings)
        if sentence:
            self.same_as.append(sentence)
            return
        reference = vocab.BODY_REFERENCE.match(block.text.strip())
        if reference and self.sub in ("body_params", "body_example", "params"):
            page_path = unquote(reference.group("target").partition("#")[0])
            self.op.body_reference = (_reference_words(reference), block.line, page_path)
            return
        for pattern in vocab.NESTED:
            match = pattern.search(block.text)
            if match:
                self.nested_into = (match.group(1), block.line)
                return
        if holds_request_line(block, self.sub == "request"):
            self._request_paragraph(block, warnings)
        elif self.sub == "notes":
            self.op.notes.append(block.text)
        elif self.sub == "error_codes":
            self.op.error_codes += codes_from_text(block, warnings)
        else:  # a label of the example below it ("从 Chart 仓库新建：", `**构建任务**`)
            self._keep_label()
            self.label = block.text.strip()

    def _keep_label(self) -> None:
        """Text that labelled no example is a note of the operation ("同一个 `key` 不能重复")."""
        if self.label:
            self.op.notes.append(self.label)
        self.label = ""

    def _request_paragraph(self, block: Block, warnings: list[str]) -> None:
        """`METHOD /path` as a paragraph: the request, under '请求' or before any section."""
        if self.op.method:
            raise ConversionError(
                block.line,
                "a second request line in one operation: give each endpoint its own heading",
            )
        if self.sub not in ("request", *UNNAMED):
            raise ConversionError(
                block.line, f"request line in a '{self.sub}' section: put it under '请求'"
            )
        if self.sub != "request":
            warnings.append(
                f"line {block.line}: request line outside a '请求' section; read as the request"
            )
        self._set_request(read_request_line(block.text.strip().splitlines()[0], block.line))

    def _fence(self, block: Block, warnings: list[str]) -> None:
        sub = self._fence_section(block, warnings)
        listed = listed_requests(block) if sub != "request" else []
        if listed:
            self._listed(block, listed, warnings)
            return
        if sub != "request" and holds_request_line(block, False) and self.op.method:
            # Every request line ends up in an operation or stops the conversion.
            request_in_block(block, warnings, taken=True)
        title, self.label = self.label.rstrip(":：").strip(), ""
        if sub == "request":
            self._request_block(block, warnings)
            self.request_fence = self.sub in UNNAMED
        elif sub in ("body_example", "body_params", "params"):
            self.op.body_examples.append(_body_example(block, warnings, title))
        elif sub in ("success", "response_fields"):
            # JSON under 返回说明 is the answer when no table describes it.
            self.op.success_examples += answer(block, warnings, title)
        elif sub in ("error", "error_codes"):
            self.op.error_examples += error_examples(block, warnings, title)
        elif sub == "type_def":
            self._type_example(block, warnings, title)

    def _type_example(self, block: Block, warnings: list[str], title: str) -> None:
        """JSON under a type's heading: an example of the type (a variant of it, under a
        label of its own); without a table, the examples are the type's schema."""
        examples = [e for e in answer(block, warnings, title) if e.media == "application/json"]
        if not examples:
            warnings.append(
                Loss(
                    f"line {block.line + 1}: code block under type '{self.type_name}' is not "
                    "JSON: ignored"
                )
            )
            return
        table = self.types.setdefault(
            self.type_name,
            TypeTable(self.type_name, self.type_anchor, [], self.sub_line, bare=self.type_bare),
        )
        table.examples += examples

    def _listed(self, block: Block, listed: list[tuple[int, str]], warnings: list[str]) -> None:
        """Requests named in prose: each is checked against the page's operations once the
        page is read; a curl example is kept as a note, its `-d` body as a body example."""
        self.listed += listed
        command = curl_command(block.text)
        if command is None:
            return
        title, self.label = self.label, ""
        self.op.notes.append((f"{title}\n" if title else "") + f"```\n{block.text.strip()}\n```")
        if command[1] is not None:
            try:
                value = read_json(Block("fence", block.line, command[1]), warnings)
            except ConversionError as exc:
                warnings.append(
                    Loss(
                        f"line {block.line + 1}: the curl example's body is not JSON "
                        f"({exc.message}): left out"
                    )
                )
                return
            self.op.body_examples.append(Example(value, block.line, title="curl"))

    def _fence_section(self, block: Block, warnings: list[str]) -> str:
        """The section a code block belongs to: a request line before any '请求' heading
        is the request; JSON under '请求' is the body example."""
        first = next((row.strip() for row in block.text.splitlines() if row.strip()), "")
        if (
            self.sub in UNNAMED
            and not self.op.method
            and vocab.REQUEST_LINE.match(first)
            and holds_request_line(block, False)
        ):
            warnings.append(
                f"line {block.line + 1}: request line outside a '请求' section; read as the request"
            )
            return "request"
        if (
            self.sub == "request"
            and first.startswith(("{", "["))
            and not vocab.REQUEST_LINE.match(first)
        ):
            return "body_example"
        return self.sub

    def _request_block(self, block: Block, warnings: list[str]) -> None:
        request, body = request_in_block(block, warnings, taken=bool(self.op.method))
        self._set_request(request)
        if body and not self.op.body_examples:
            self.op.body_examples.append(
                Example(read_json(Block("fence", block.line, body), warnings), block.line)
            )

    def _set_request(self, request: RequestLine) -> None:
        self.request = request
        self.op.method, self.op.path = request.method, request.path
        self.started = True

    def _table(self, block: Block, warnings: list[str]) -> None:
        if self.nested_into:
            self._nested_table(block, warnings)
        elif self.sub == "variant":
            self._variant_table(block, warnings)
        elif self.sub in ("error", "error_codes"):
            self.op.error_codes += codes_from_table(block, warnings)
        elif self.sub in ("response_fields", "success"):
            if self.sub == "success":
                warnings.append(
                    f"line {block.line}: table under a success heading: read as the fields "
                    "of the answer"
                )
            whole = answer_type(block, warnings)
            if whole is not None:
                self.op.response_type = whole
            else:
                self.op.response_fields += read_fields(block, warnings, answer=True)
        elif self.sub in UNNAMED:
            self.pending.append(
                ConversionError(
                    block.line,
                    "a parameter table must stand under a '路径参数说明', "
                    "'Query 参数说明' or 'body 参数说明' heading",
                )
            )
        else:
            answer = self.sub == "type_def" and self.in_answer
            self._parameter_table(read_fields(block, warnings, answer=answer))

    def _nested_table(self, block: Block, warnings: list[str]) -> None:
        """The table of a field's own fields, announced by text above it."""
        fields = read_fields(block, warnings, answer=self.sub in ("response_fields", "success"))
        name, line = self.nested_into or ("", 0)
        parent = find_field(self._all_fields(), name)
        if parent is None:
            raise ConversionError(
                line,
                f"nested table for '{name}', but no field of that name was described above",
            )
        parent.children = fields
        self.nested_into = None

    def _variant_table(self, block: Block, warnings: list[str]) -> None:
        """One variant of an object field (`chartRepo 的 createFrom 参数说明`): the field
        holds each variant apart (never merged into its parent); the text above the
        table says when it applies."""
        fields = read_fields(block, warnings)
        parent = find_field(self._all_fields(), self.type_name)
        if parent is None:
            raise ConversionError(
                block.line,
                f"variant table for '{self.type_name}', but no field of that name was "
                "described above",
            )
        note, self.label = self.label, ""
        parent.options.append(TypeTable(self.variant, "", fields, block.line, note=note))

    def _parameter_table(self, fields: list[Field]) -> None:
        if self.sub == "type_def":
            if self.type_name in self.types:
                self.types[self.type_name].fields.extend(fields)
            else:
                self.types[self.type_name] = TypeTable(
                    self.type_name, self.type_anchor, fields, self.sub_line, bare=self.type_bare
                )
        elif self.sub == "path_params":
            self.path_table += fields
        elif self.sub == "query_params":
            self.query_table += fields
        elif self.sub == "headers":
            self.op.header_params += fields
        elif self.sub in ("body_params", "body_example"):
            self.op.body_fields += fields
        else:  # request, params: where the request line puts each name
            self.any_table += fields

    def _all_fields(self) -> list[Field]:
        fields = (
            self.op.body_fields
            + self.query_table
            + self.path_table
            + self.any_table
            + self.op.response_fields
        )
        for table in self.types.values():
            fields = fields + table.fields
        return fields

    def finish(self, warnings: list[str]) -> Operation:
        """The operation, its parameters placed (called only when it has a request line);
        its named types are resolved once the whole page is read."""
        if self.pending:
            raise self.pending[0]
        self._keep_label()
        op = self.op
        parts = self.parts()
        for sentence in self.same_as:
            same_as(parts, sentence, self.done, warnings)
        inherit(parts, [group.parts() for group in self.inherited], warnings)
        op.types = self.types
        self._name_described(warnings)
        documented = (
            [(f, "path") for f in self.path_table]
            + [(f, "query") for f in self.query_table]
            + [(f, "any") for f in self.any_table]
        )
        place_parameters(op, documented, self.request, warnings)
        return op

    def parts(self) -> Parts:
        """What this section says, for the operations that take it (see sharing.py)."""
        described = [words for _, words in self.request.described]
        return Parts(
            self.op, self.path_table, self.query_table, self.any_table, self.types, described
        )

    def close_group(self, warnings: list[str]) -> None:
        """A group's section ends: its last text is a note too."""
        self._keep_label()
        for sentence in self.same_as:
            warnings.append(
                Loss(f"line {sentence.line}: '{sentence.text}' stands under no operation")
            )

    def _name_described(self, warnings: list[str]) -> None:
        """Name each path placeholder the request line gives as a description (`<服务名称>`)."""
        temporary = {temp for temp, _ in self.request.described}
        used = set(re.findall(r"{([^{}]+)}", self.op.path)) - temporary
        rows = self.path_table + self.any_table + self.query_table
        for temp, words in self.request.described:
            name, source = _described_name(words, rows, used)
            used.add(name)
            self.op.path = self.op.path.replace("{" + temp + "}", "{" + name + "}")
            if not any(f.name == name for f in rows):
                # The page's words describe the parameter: a required string.
                self.path_table.append(Field(name, "string", words, None, True, self.request.line))
            warnings.append(
                f"line {self.request.line}: path placeholder '{words}' is a description, "
                f"not a name: named '{name}' ({source})"
            )
        self.request.path = self.op.path
