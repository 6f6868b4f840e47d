"""The words Zadig's API pages use, one table per reading.

The pages of one doc set were written by different people over several releases: the
same section, column or flag is spelled many ways. Every spelling the converter reads
is listed here, so that the next variation is one line in a table, not a new branch in
the parser. Keys are compared after `normal()`: lower case, no blanks, no emphasis,
no trailing colon.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# "1. 请求", "一、请求", "(1) 请求": the number is not part of the name.
ENUMERATOR = re.compile(
    r"^(?:\d+(?:\.\d+)*[.、)]?|[一二三四五六七八九十]+[、.]|[(（]\d+[)）])\s*(?=[^\d.\s])"
)


def normal(text: str) -> str:
    """A heading, column title or cell as the tables below spell it."""
    text = re.sub(r"[`*]", "", text).strip().rstrip(":：").strip()
    text = ENUMERATOR.sub("", text)
    return re.sub(r"\s+", "", text).lower()


# --- Sections of an operation -------------------------------------------------------
# Kinds: notes, request, path_params, query_params, body_params, params (placed by the
# request line), headers, body_example, success, error, error_codes, response_fields.
SECTIONS: dict[str, str] = {
    "注意事项": "notes",
    "注意": "notes",
    "说明事项": "notes",
    "权限": "notes",
    "请求": "request",
    "request": "request",
    "请求地址": "request",
    "请求路径": "request",
    "请求方式": "request",
    "请求url": "request",
    "url": "request",
    "接口地址": "request",
    "路径参数": "path_params",
    "pathparameters": "path_params",
    "queryparameters": "query_params",
    "bodyparameters": "body_params",
    "requestparameters": "params",
    "请求方法": "request",
    "请求格式": "request",
    "路径参数说明": "path_params",
    "path": "path_params",
    "path参数": "path_params",
    "path参数说明": "path_params",
    "路径变量": "path_params",
    "query": "query_params",
    "query参数": "query_params",
    "query参数说明": "query_params",
    "查询参数": "query_params",
    "查询参数说明": "query_params",
    "params": "query_params",
    "body参数": "body_params",
    "body参数说明": "body_params",
    "body": "body_params",
    "请求体": "body_params",
    "请求体参数": "body_params",
    "请求体参数说明": "body_params",
    "请求体说明": "body_params",
    "body参数列表": "body_params",
    "requestbody": "body_params",
    "请求参数": "params",
    "请求参数说明": "params",
    "参数": "params",
    "参数说明": "params",
    "参数列表": "params",
    "parameters": "params",
    "body参数样例": "body_example",
    "body参数示例": "body_example",
    "body样例": "body_example",
    "body示例": "body_example",
    "请求体示例": "body_example",
    "请求体样例": "body_example",
    "请求示例": "body_example",
    "请求样例": "body_example",
    "请求参数样例": "body_example",
    "请求参数示例": "body_example",
    "请求body参数示例": "body_example",
    "请求body示例": "body_example",
    "正常返回": "success",
    "成功返回": "success",
    "返回": "success",
    "返回示例": "success",
    "返回样例": "success",
    "正常返回示例": "success",
    "成功返回示例": "success",
    "响应": "success",
    "响应示例": "success",
    "返回结果": "success",
    "返回值": "success",
    "response": "success",
    "正常响应": "success",
    "成功响应": "success",
    "异常返回": "error",
    "错误返回": "error",
    "失败返回": "error",
    "异常返回示例": "error",
    "错误返回示例": "error",
    "错误示例": "error",
    "异常响应": "error",
    "错误响应": "error",
    "错误码": "error_codes",
    "错误码说明": "error_codes",
    "错误码列表": "error_codes",
    "返回码": "error_codes",
    "错误代码": "error_codes",
    "header": "headers",
    "headers": "headers",
    "header参数": "headers",
    "header参数说明": "headers",
    "请求头": "headers",
    "请求头参数": "headers",
    "返回说明": "response_fields",
    "成功返回说明": "response_fields",
    "返回数据说明": "response_fields",
    "返回字段": "response_fields",
    "返回参数": "response_fields",
    "返回参数说明": "response_fields",
    "返回字段说明": "response_fields",
    "响应参数": "response_fields",
    "响应参数说明": "response_fields",
    "output": "response_fields",
}
# A line of text inside an answer section that says which answer follows ("错误时返回"):
# the code blocks after it belong to that section.
ANSWER_LABELS: dict[str, str] = {
    "正确时返回": "success",
    "成功时返回": "success",
    "正常时返回": "success",
    "错误时返回": "error",
    "失败时返回": "error",
    "异常时返回": "error",
}
# Headings not in SECTIONS: the first of these words found in the heading decides, with
# a warning naming the line (it is a guess).
SECTION_WORDS: tuple[tuple[str, str], ...] = (
    ("注意", "notes"),
    ("错误码", "error_codes"),
    ("异常", "error"),
    ("错误", "error"),
    ("路径参数", "path_params"),
    ("path", "path_params"),
    ("query", "query_params"),
    ("查询参数", "query_params"),
    ("body参数样例", "body_example"),
    ("body样例", "body_example"),
    ("body示例", "body_example"),
    ("请求体示例", "body_example"),
    ("body", "body_params"),
    ("请求体", "body_params"),
    ("正常返回", "success"),
    ("成功返回", "success"),
    ("请求参数", "params"),
    ("请求", "request"),
    ("返回", "success"),
    ("响应", "success"),
)
# The summary of an operation whose heading alone names several (测试服务 under both
# 获取服务列表 and 获取服务详情): the group heading above it, then its own.
GROUPED_SUMMARY = "{group} / {name}"
# "<TypeName> 参数说明", "ServiceInfo 结构体", or the bare name (`Container`, `workflow`):
# the table under it describes a type named in a 类型 cell.
TYPE_HEADING = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_.]*)"
    r"(?:参数说明|参数列表|参数|字段说明|字段列表|字段|说明|结构体说明|结构说明|结构体|结构|定义|类型|对象)?$"
)
# A heading written as HTML (`<h5 id="target_args">TargetArgs 参数说明</h5>`): a heading,
# its id an anchor that a type link (`[][TargetArgs](#target_args)`) points at.
HTML_HEADING = re.compile(
    r"^\s*<h(?P<level>[1-6])(?P<attrs>[^>]*)>(?P<text>.*?)</h(?P=level)>[ \t]*", re.I | re.S
)
HTML_ID = re.compile(r"""\b(?:id|name)\s*=\s*["']?(?P<id>[^"'\s>]+)""", re.I)
# A line of HTML that only sets an anchor (`<a id="repo"></a>`): the anchor of the heading
# under it.
HTML_ANCHOR = re.compile(r"^\s*<(?P<tag>a|span)\b(?P<attrs>[^>]*)>\s*</(?P=tag)>\s*$", re.I)
# A body section that only points at another operation's parameters:
# "参考[创建工作流参数](/cn/api/workflow/#创建工作流)". The anchor names the operation,
# else the link text without the words of SECTIONS' parameter headings.
BODY_REFERENCE = re.compile(
    r"^(?:参考|参见|详见|见|同)\s*\[(?P<text>[^\]]+)\]\((?P<target>[^)\s]*)\)\s*[。.]?$"
)
# VuePress containers (`::: tip` ... `:::`): what their text is to the operation they
# stand in. A note container's paragraphs are the operation's notes; `details` only folds
# what it holds (an example, a table), which is read as if it stood outside.
CONTAINERS: dict[str, str] = {
    "tip": "notes",
    "warning": "notes",
    "danger": "notes",
    "caution": "notes",
    "note": "notes",
    "info": "notes",
    "details": "",
}
# A sentence saying that some parts of an operation are those of another one:
# "路径参数、Query 参数、Body 参数和返回参数与测试服务接口一致". `parts` is split by
# SAME_AS_SPLIT into the words of SAME_AS_PARTS; `name` names the operation (its heading,
# or its group and heading together), SAME_AS_SUFFIX cut off.
SAME_AS = re.compile(
    r"^(?P<parts>[^，。,]*?(?:参数|返回|响应|请求体))\s*(?:与|同|跟)\s*(?P<name>[^，。,]+?)"
    r"\s*(?:一致|相同|保持一致)\s*[。.]?$"
)
SAME_AS_SPLIT = re.compile(r"\s*(?:、|，|,|和|及|以及|与)\s*")
SAME_AS_SUFFIX = r"(?:的)?(?:接口|api)$"
SAME_AS_PARTS: dict[str, tuple[str, ...]] = {
    "路径参数": ("path",),
    "path参数": ("path",),
    "query参数": ("query",),
    "查询参数": ("query",),
    "body参数": ("body",),
    "请求体": ("body",),
    "请求体参数": ("body",),
    "header参数": ("headers",),
    "请求参数": ("path", "query", "body", "headers"),
    "参数": ("path", "query", "body", "headers"),
    "返回参数": ("answer",),
    "返回": ("answer",),
    "返回值": ("answer",),
    "响应": ("answer",),
    "响应参数": ("answer",),
    "返回示例": ("answer",),
}
# "<variant>的 <field> 参数说明" (`**chartRepo 的 createFrom 参数说明**`): the table under it
# is one variant of the object field `field`.
VARIANT_HEADING = re.compile(
    r"^(?P<variant>.+?)\s*的\s*`?(?P<field>[A-Za-z_][\w.]*)`?\s*"
    r"(?:参数说明|参数列表|参数|字段说明|字段|说明)$"
)
# A paragraph that is a section label in bold (`**请求**`) is read as a heading.
BOLD_LABEL = re.compile(r"^\*\*(?P<text>[^*]+)\*\*\s*[:：]?$")
# A sentence announcing the table under it as the fields of a field described above.
NESTED: tuple[re.Pattern[str], ...] = (
    re.compile(r"其中\s*`?([A-Za-z0-9_.\-]+)`?\s*(?:中|里)?的?\s*(?:参数|字段)"),
    re.compile(r"^`?([A-Za-z0-9_.\-]+)`?\s*(?:中|里)?的?\s*(?:参数|字段)(?:说明|如下)"),
)


# --- Table columns ------------------------------------------------------------------
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": (
        "参数名",
        "参数",
        "参数名称",
        "字段名称",
        "属性",
        "属性名",
        "名称",
        "字段",
        "字段名",
        "name",
        "field",
        "parameter",
        "key",
    ),
    "type": ("类型", "参数类型", "数据类型", "字段类型", "type"),
    "description": ("描述", "说明", "备注", "含义", "参数说明", "字段说明", "注释", "description"),
    "default": ("默认值", "默认", "default"),
    "required": (
        "是否必须",
        "是否必填",
        "必须",
        "必填",
        "必选",
        "是否必选",
        "是否必传",
        "必传",
        "required",
    ),
}
MANDATORY_COLUMNS = ("name", "type")
ERROR_CODE_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("错误码", "返回码", "code", "错误代码", "errorcode"),
    "message": ("描述", "说明", "错误信息", "信息", "message", "含义", "description", "原因"),
    # When a table says the HTTP status of each code, it wins over the rule below.
    "status": ("http状态码", "状态码", "httpstatus", "status", "http状态", "httpcode", "http码"),
}


# --- 是否必须 -------------------------------------------------------------------------
REQUIRED: dict[str, bool] = {
    "是": True,
    "否": False,
    "必须": True,
    "可选": False,
    "必填": True,
    "选填": False,
    "非必须": False,
    "非必填": False,
    "必选": True,
    "非必选": False,
    "must": True,
    "optional": False,
    "option": False,
    "required": True,
    "true": True,
    "false": False,
    "y": True,
    "n": False,
    "yes": True,
    "no": False,
    "必需": True,
    "必传": True,
    "非必传": False,
    "选传": False,
    "非必需": False,
    "不必须": False,
    "不必填": False,
    "√": True,
    "✓": True,
    "×": False,
}
# A word of the table above followed by a note ("否（默认 false）", "是, 见下文"): the word
# decides, the note goes to the description, with a warning.
REQUIRED_NOTE = re.compile(
    r"^(?P<word>[^，,（(：:;；\s]+)\s*[，,（(：:;；]\s*(?P<note>.+?)[)）]?$", re.S
)
# A cell such as "使用 PR 构建时必填" is required only sometimes: read as optional, with a
# warning, when it holds one of these words.
CONDITIONAL = ("时", "if", "when", "仅", "若", "如果", "only")
# A description stating when a field applies ("当类型为 string 时使用该字段"): a field the
# table marks required but a body example leaves out is required only then (optional).
CONDITION_IN_TEXT = re.compile(r"(?:仅当|当|若|如果|只有|仅在).+时|\b(?:if|when|only)\b", re.I)


# --- 默认值 ---------------------------------------------------------------------------
NO_DEFAULT = {"", "无", "-", "—", "n/a", "none", "null", "nil", "空", "/", "不填", "默认为空"}
# A string default must look like a value (an identifier-like word, or be quoted); any
# other text ("默认为空，查询所有项目") is prose and goes to the description.
STRING_VALUE = re.compile(r"^[A-Za-z0-9_.\-/:@+]+$")
QUOTED = re.compile(r"^(?:`([^`]*)`|\"([^\"]*)\"|'([^']*)')$")


# --- 类型 ------------------------------------------------------------------------------
SCALARS: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "str": {"type": "string"},
    "字符串": {"type": "string"},
    "text": {"type": "string"},
    "varchar": {"type": "string"},
    "char": {"type": "string"},
    "uuid": {"type": "string", "format": "uuid"},
    "url": {"type": "string", "format": "uri"},
    "uri": {"type": "string", "format": "uri"},
    "email": {"type": "string", "format": "email"},
    "int": {"type": "integer"},
    "integer": {"type": "integer"},
    "uint": {"type": "integer"},
    "整数": {"type": "integer"},
    "整型": {"type": "integer"},
    "int32": {"type": "integer", "format": "int32"},
    "int64": {"type": "integer", "format": "int64"},
    "uint64": {"type": "integer", "format": "int64"},
    "long": {"type": "integer", "format": "int64"},
    "float": {"type": "number", "format": "float"},
    "float32": {"type": "number", "format": "float"},
    "float64": {"type": "number", "format": "double"},
    "double": {"type": "number", "format": "double"},
    "number": {"type": "number"},
    "bool": {"type": "boolean"},
    "boolean": {"type": "boolean"},
    "布尔": {"type": "boolean"},
    "布尔值": {"type": "boolean"},
    "数字": {"type": "number"},
    "浮点数": {"type": "number"},
    "长整型": {"type": "integer", "format": "int64"},
    "时间戳": {"type": "integer", "format": "int64"},
    "枚举": {"type": "string"},
    "object": {"type": "object"},
    "map": {"type": "object"},
    "struct": {"type": "object"},
    "json": {"type": "object"},
    "对象": {"type": "object"},
    "结构体": {"type": "object"},
    "空结构体": {"type": "object"},
    "interface{}": {},
    "any": {},
    "time": {"type": "string", "format": "date-time"},
    "datetime": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
    "timestamp": {"type": "integer", "format": "int64"},
    "int8": {"type": "integer"},
    "int16": {"type": "integer"},
    "uint8": {"type": "integer"},
    "uint16": {"type": "integer"},
    "uint32": {"type": "integer", "format": "int32"},
    "enum": {"type": "string"},
    "file": {"type": "string", "format": "binary"},
}
# Array spellings; `item` is the element type (absent: elements of any type).
ARRAYS: tuple[re.Pattern[str], ...] = (
    re.compile(r"^(?P<item>.+?)\s*(?:array|list|数组)$", re.I),  # string Array, Object Array
    re.compile(r"^\[\]\s*(?P<item>.+)$"),  # []string, []TargetArgs
    re.compile(r"^(?P<item>.+?)\s*\[\]$"),  # string[]
    re.compile(r"^(?:array|list|数组)\s*[<\[(](?P<item>.+)[>\])]$", re.I),  # Array<string>
    re.compile(r"^(?:array|list|数组)$", re.I),
)
# A type written as a link to the table that describes it: `[][TargetArgs](#target_args)`,
# `[[]BuildServiceInfo](#build_service_info)`, `UserInfo(#userinfo-1)`. The type is read
# from the text; the anchor (group `target`, `#x`) finds the table when the text names none.
TYPE_LINKS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\[(?P<text>(?:[^\[\]]|\[\])*)\]\((?P<target>[^)\s]*)\)"),
    re.compile(r"(?P<text>[A-Za-z_]\w*)\((?P<target>#[^)\s]*)\)"),
)
# A type cell that goes on as prose ("空结构体，该值为 null 代表…"): the type, then the note.
TYPE_NOTE = re.compile(r"^(?P<type>[^，,（(：:;；\s]+)\s*[，,（(：:;；]\s*(?P<note>.+)$", re.S)
# A lower-case word (`[]workflow`) is a type only when the page describes it.
TYPE_WORD = re.compile(r"^[A-Za-z_]\w*$")
MAP = re.compile(r"^map\[\w+\]\s*(?P<value>.+)$", re.I)  # map[string]string
# A type named like a Go struct (TargetArgs): its fields come from a "<Name> 参数说明"
# table; without one it is read as an object, with a warning.
NAMED_TYPE = re.compile(r"^[A-Z]\w*$")


# A cell naming several types a value may have ("string、number 或 bool", "string | int").
UNION = re.compile(r"\s*(?:、|，|,|\||/|或者|或|\bor\b)\s*", re.I)


@dataclass
class TypeReading:
    """What a 类型 cell says: a base schema, nested `depth` arrays deep, or a named type
    (`anchor`: the link to its table, if the cell gives one; `word`: a lower-case name,
    a type only if the page describes it)."""

    schema: dict[str, Any] = field(default_factory=dict)
    depth: int = 0
    named: str = ""
    anchor: str = ""
    word: bool = False


def read_type(text: str) -> TypeReading | None:
    """The reading of a 类型 cell, or None when no table knows it."""
    kind = text.strip().strip("`").strip().lstrip("*")
    anchor, linked = "", False
    for pattern in TYPE_LINKS:
        link = pattern.search(kind)
        if link:
            # Only an anchor on this page (`#x`) finds a table; a link elsewhere gives a name.
            target = link.group("target")
            anchor, linked = (target[1:] if target.startswith("#") else ""), True
            kind = (kind[: link.start()] + link.group("text") + kind[link.end() :]).strip()
            kind = kind.replace("`", "")
            break
    reading = _read_kind(kind, linked)
    if reading is None and not linked:
        reading = _union(kind)
    if reading is None and anchor:
        # `[工作流](#workflow)`: the text is no type name, the anchor finds the table.
        reading = TypeReading({"type": "object"}, named=kind)
    if reading is not None and anchor and reading.named:
        reading.anchor, reading.word = anchor, False
    return reading


def _read_kind(kind: str, linked: bool) -> TypeReading | None:
    kind = kind.strip().lstrip("*").strip()  # `*TargetArgs`, `[]*Repo`: Go pointers
    if kind.lower() in SCALARS:
        return TypeReading(dict(SCALARS[kind.lower()]))
    mapped = MAP.match(kind)
    if mapped:
        value = _read_kind(mapped.group("value"), linked)
        return (
            TypeReading({"type": "object", "additionalProperties": _schema_of(value)})
            if value
            else None
        )
    for pattern in ARRAYS:
        match = pattern.match(kind)
        if match:
            item = (match.groupdict().get("item") or "").strip()
            inner = _read_kind(item, linked) if item else TypeReading()
            if inner is None:
                return None
            return TypeReading(inner.schema, inner.depth + 1, inner.named, word=inner.word)
    if NAMED_TYPE.match(kind):
        return TypeReading({"type": "object"}, named=kind)
    if TYPE_WORD.match(kind):
        return TypeReading({"type": "object"}, named=kind, word=not linked)
    return None


def _union(kind: str) -> TypeReading | None:
    """A cell naming several scalar types: a value of any of them."""
    parts = [part for part in UNION.split(kind) if part]
    if len(parts) < 2 or any(part.lower() not in SCALARS for part in parts):
        return None
    schemas: list[dict[str, Any]] = []
    for part in parts:
        if SCALARS[part.lower()] not in schemas:
            schemas.append(dict(SCALARS[part.lower()]))
    return TypeReading({"anyOf": schemas} if len(schemas) > 1 else schemas[0])


def _schema_of(reading: TypeReading) -> dict[str, Any]:
    schema = dict(reading.schema)
    for _ in range(reading.depth):
        schema = {"type": "array", "items": schema}
    return schema


def known_types() -> str:
    """For messages: the type names the tables know."""
    return ", ".join(sorted(SCALARS)) + ", '<type> Array', '[]<type>', a '<Name> 参数说明' type"


# --- Request line -------------------------------------------------------------------
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
REQUEST_LINE = re.compile(
    r"^`?(?P<method>[A-Za-z]+)\s+(?:https?://[^/\s]+)?(?P<target>/\S*?)`?"
    r"(?:\s+HTTP/[\d.]+)?$"
)
# How a page writes a parameter in the path or the query string: /id/:id, /id/<id>,
# /id/{id}. Each pattern has one group, the name.
PLACEHOLDERS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\{\{\s*([A-Za-z_][\w\-]*)\s*\}\}", re.ASCII),
    re.compile(r"\{([A-Za-z_][\w\-]*)\}", re.ASCII),
    re.compile(r"<([A-Za-z_][\w\-]*)>", re.ASCII),
    re.compile(r":([A-Za-z_]\w*)", re.ASCII),
)
# A placeholder that describes its parameter in words instead of naming it
# (`/yaml/<服务名称>`, `/‹工作流标识>`): group 1 is the description. Its name comes from
# the table row it describes, else from PLACEHOLDER_NAMES, else from the ASCII letters in
# it (`<tails行数>`: tails), else `param1`, `param2`..., with a warning.
DESCRIBED_PLACEHOLDERS: tuple[re.Pattern[str], ...] = (
    re.compile(r"<([^<>/{}?&=\s]+)>"),
    re.compile(r"\u2039([^\u2039\u203a<>/{}?&=\s]+)[>\u203a]"),
)
# The names the doc set gives elsewhere to the parameters it describes in words.
PLACEHOLDER_NAMES: dict[str, str] = {
    "项目标识": "projectKey",
    "项目名称": "projectName",
    "服务名称": "serviceName",
    "工作流标识": "workflowKey",
    "工作流名称": "workflowName",
    "工作流任务id": "taskId",
    "任务id": "taskId",
    "环境名称": "envName",
    "环境标识": "envName",
    "构建名称": "buildName",
}
# A value in the request line's query that is no placeholder (`?source=template`): the
# parameter must be sent with exactly that value.
QUERY_LITERAL = re.compile(r"^[A-Za-z0-9_.\-]+$")


# --- Answers ------------------------------------------------------------------------
# Code block languages that say "this is JSON": such a block must parse (leniently).
JSON_FENCES = ("json", "json5", "jsonc", "javascript", "js")
# The keys an error envelope keeps its code under (the first one present counts).
ERROR_CODE_KEYS = ("code", "resultCode", "errorCode")


def error_code(value: Any) -> Any:
    """The code an error envelope carries, under whichever key the page uses (else None)."""
    if not isinstance(value, dict):
        return None
    return next((value[key] for key in ERROR_CODE_KEYS if key in value), None)


# Lines of an answer block that are comments on the answer below them.
COMMENT_LINES = ("#", "//")
SUCCESS_STATUS = "200"
# An error example's code that is an HTTP status is answered with it; every other code
# (Zadig's 6xxx) with 400.
HTTP_ERROR_CODES = range(400, 600)
# Where the spec keeps its error catalogue (code -> HTTP status, message), which a page-wide
# error section fills.
CATALOGUE = "x-zadig-error-catalogue"
DEFAULT_ERROR_STATUS = 400
