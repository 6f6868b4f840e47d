"""The docs stay honest: links resolve, the options they name exist, the README's curl examples
answer as shown.

Everything is read at test time (the docs, the commands pyproject.toml declares, their --help),
so a new guide, command or option is checked without touching this file.
"""

from __future__ import annotations

import ast
import json
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from helpers import MockProcess
from markdown_it import MarkdownIt
from markdown_it.token import Token

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pytest depends on tomli there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTED_ORIGIN = "http://127.0.0.1:8080"  # where the README's examples expect the mock
MARKDOWN = MarkdownIt("commonmark").enable("table")
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
SHELL_BLOCKS = {"", "sh", "shell", "bash", "console"}


def doc_files() -> list[Path]:
    docs = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]
    return [path for path in docs if path.exists()]


def doc_id(path: Path) -> str:
    return str(path.relative_to(ROOT))


def tokens(path: Path) -> list[Token]:
    return MARKDOWN.parse(path.read_text(encoding="utf-8"))


# --- links -----------------------------------------------------------------------------------


def heading_text(inline: Token) -> str:
    return "".join(child.content for child in inline.children or [])


def slug(text: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


@cache
def anchors(path: Path) -> frozenset[str]:
    found: list[str] = []
    parsed = tokens(path)
    for opening, inline in zip(parsed, parsed[1:], strict=False):
        if opening.type == "heading_open":
            base = slug(heading_text(inline))
            count = sum(1 for name in found if name == base or name.startswith(f"{base}-"))
            found.append(base if base not in found else f"{base}-{count}")
    return frozenset(found)


def links(path: Path) -> Iterator[tuple[int, str]]:
    """(line, target) of every link and image in the file."""
    for token in tokens(path):
        for child in token.children or []:
            target = child.attrs.get("href") if child.type == "link_open" else None
            if child.type == "image":
                target = child.attrs.get("src")
            if target:
                yield (token.map[0] + 1 if token.map else 0), str(target)


def broken_links(path: Path) -> list[str]:
    broken = []
    for line, target in links(path):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:: not ours to check
            continue
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        where = f"{doc_id(path)}:{line}: {target}"
        if not linked.exists():
            broken.append(f"{where}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{where}: no heading #{anchor} in {linked.name}")
    return broken


@pytest.mark.parametrize("path", doc_files(), ids=doc_id)
def test_relative_links_resolve(path: Path) -> None:
    assert broken_links(path) == []


def test_the_readme_links_every_guide() -> None:
    readme = ROOT / "README.md"
    linked = {(ROOT / target.partition("#")[0]).resolve() for _, target in links(readme)}
    guides = [p for p in doc_files() if p != readme]
    assert [doc_id(p) for p in guides if p.resolve() not in linked] == []


def test_every_guide_says_what_it_is_for() -> None:
    """A guide opens with its title, then a paragraph saying whom it is for."""
    for path in sorted((ROOT / "docs").glob("*.md")):
        parsed = tokens(path)
        kinds = [token.type for token in parsed[:5]]
        assert kinds[:4] == ["heading_open", "inline", "heading_close", "paragraph_open"], path
        assert parsed[1].map and parsed[0].tag == "h1", path
        opening = parsed[4].content.lower()
        assert "this page is for" in opening, f"{doc_id(path)} does not open with its purpose"


# --- the map of the code --------------------------------------------------------------------


def architecture_sections() -> dict[str, str]:
    """docs/architecture.md's `##` sections by heading."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    parts = re.split(r"^## (.*)$", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def packages() -> list[str]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return pyproject["tool"]["setuptools"]["packages"]


@pytest.mark.parametrize("package", packages())
def test_the_map_names_every_module(package: str) -> None:
    """docs/architecture.md has a section per package, naming each of its modules."""
    sections = [
        body for heading, body in architecture_sections().items() if f"`{package}/`" in heading
    ]
    assert sections, f"docs/architecture.md has no section headed `{package}/`"
    modules = sorted(
        p.name
        for p in (ROOT / package).glob("*.py")
        if p.name not in ("__init__.py", "__main__.py")
    )
    assert [m for m in modules if f"`{m}`" not in sections[0]] == []


def imported_modules(package: str, path: Path) -> set[str]:
    """The modules of `package` that the file imports (anywhere in it, deferred imports too)."""
    own = {p.stem for p in (ROOT / package).glob("*.py")}
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 0 and not module.startswith(package):
                continue
            parts = module.split(".")[1:] if node.level == 0 else module.split(".")[:1]
            if parts and parts[0]:
                found.add(parts[0])
            else:  # from package import a, b
                found.update(alias.name for alias in node.names if alias.name in own)
        elif isinstance(node, ast.Import):
            found.update(
                a.name.split(".")[1]
                for a in node.names
                if a.name.startswith(f"{package}.") and a.name.count(".") >= 1
            )
    return found & own - {path.stem}


def allowed_imports(package: str) -> dict[str, set[str] | None]:
    """Per module, what the map's `may import` column allows of its own package (None: not
    restricted, as in "the modules above")."""
    section = next(
        body for heading, body in architecture_sections().items() if f"`{package}/`" in heading
    )
    allowed: dict[str, set[str] | None] = {}
    for row in re.findall(r"^\|(.*)\|\s*$", section, flags=re.MULTILINE):
        cells = [cell.strip() for cell in row.split("|")]
        modules = re.findall(r"`(\w+)\.py`", cells[0])
        names = None if "above" in cells[-1] else set(re.findall(r"`(\w+)`", cells[-1]))
        allowed.update({module: names for module in modules})
    return allowed


@pytest.mark.parametrize("package", packages())
def test_modules_import_what_the_map_allows(package: str) -> None:
    allowed = allowed_imports(package)
    beyond = []
    for path in sorted((ROOT / package).glob("*.py")):
        names = allowed.get(path.stem)
        if names is not None:
            extra = imported_modules(package, path) - names
            beyond += [f"{package}/{path.name} imports {name}" for name in sorted(extra)]
    assert beyond == [], "imports that docs/architecture.md's `may import` column does not list"


def top_level_imports(path: Path) -> set[str]:
    """The top-level names of the modules the file imports absolutely (deferred ones too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            found.add((node.module or "").split(".")[0])
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
    return found - {"__future__"}


def import_rules() -> dict[str, dict[str, set[str] | None]]:
    """The map's import rules: package -> name -> the files that may import it (None: any)."""
    section = architecture_sections()["Import rules"]
    rules: dict[str, dict[str, set[str] | None]] = {}
    for row in re.findall(r"^\| `(\w+)` \|(.*)\|\s*$", section, flags=re.MULTILINE):
        package, cell = row
        rules[package] = {
            name: set(re.findall(r"`([\w.]+\.py)`", only)) if only else None
            for name, only in re.findall(r"`(\w+)`(?: \(in ([^)]*) only\))?", cell)
        }
    return rules


def test_the_import_rules_name_every_package() -> None:
    assert sorted(import_rules()) == sorted(packages())


@pytest.mark.parametrize("package", packages())
def test_packages_import_what_the_rules_allow(package: str) -> None:
    """Each file imports the stdlib, its own package and what the package's row lists (where
    the row says so, only in the files it names); every name listed is imported somewhere."""
    allowed = import_rules()[package]
    beyond, used = [], set()
    for path in sorted((ROOT / package).glob("*.py")):
        for name in sorted(top_level_imports(path)):
            if name in sys.stdlib_module_names or name == package:
                continue
            used.add(name)
            if name not in allowed:
                beyond.append(f"{package}/{path.name} imports {name}, which its row does not list")
            elif allowed[name] is not None and path.name not in allowed[name]:
                beyond.append(f"{package}/{path.name} imports {name}, listed for other files only")
    assert beyond == []
    assert sorted(set(allowed) - used) == [], "listed in the import rules, imported nowhere"


def circle(graph: dict[str, set[str]]) -> list[str]:
    """One import circle of `graph` (node -> the nodes it imports), or []."""
    done: set[str] = set()

    def visit(node: str, trail: list[str]) -> list[str]:
        if node in trail:
            return [*trail[trail.index(node) :], node]
        if node in done:
            return []
        for other in sorted(graph.get(node, ())):
            found = visit(other, [*trail, node])
            if found:
                return found
        done.add(node)
        return []

    for node in sorted(graph):
        found = visit(node, [])
        if found:
            return found
    return []


def test_no_package_imports_another_in_a_circle() -> None:
    first_party = set(packages())
    graph = {
        package: {name for name in allowed if name in first_party}
        for package, allowed in import_rules().items()
    }
    assert circle(graph) == []
    # The proxy stands on the contract core, not on the gate; nothing imports the mock.
    assert "contract_tests" not in graph["contract_proxy"]
    assert all("mock_server" not in names for names in graph.values())


@pytest.mark.parametrize("package", packages())
def test_no_module_imports_another_in_a_circle(package: str) -> None:
    graph = {path.stem: imported_modules(package, path) for path in (ROOT / package).glob("*.py")}
    assert circle(graph) == []


# The keys under which the spec keeps its error catalogue and its missing-field rules.
SPEC_KEYS = {"x-zadig-error-catalogue", "x-zadig-missing-fields"}


def spec_readings(path: Path) -> list[str]:
    """Where the file walks a spec's `paths` or names the catalogue's or the missing-field
    rules' key."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and node.value in SPEC_KEYS:
            found.append(f"line {node.lineno}: {node.value}")
        walked = node.iter if isinstance(node, (ast.For, ast.comprehension)) else None
        if isinstance(walked, ast.Call) and isinstance(walked.func, ast.Attribute):
            walked = walked.func.value  # paths.items(), .values(), .keys()
        if (
            isinstance(walked, ast.Subscript)
            and isinstance(walked.slice, ast.Constant)
            and walked.slice.value == "paths"
        ):
            found.append(f"line {walked.lineno}: a walk over paths")
    return found


@pytest.mark.parametrize("package", ["mock_server", "contract_tests", "contract_proxy"])
def test_only_the_contract_core_reads_the_spec(package: str) -> None:
    readers = [
        f"{package}/{path.name} {reading}"
        for path in sorted((ROOT / package).glob("*.py"))
        for reading in spec_readings(path)
    ]
    assert readers == []


# --- command-line options --------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    name: str  # as the docs spell it: zadig-mock, bench/run.py
    argv: tuple[str, ...]  # how to run it here
    alias: str | None = None  # another spelling, e.g. python -m mock_server

    def spelled(self) -> re.Pattern[str]:
        """The command or its alias, as a whole word."""
        names = "|".join(re.escape(name) for name in (self.name, self.alias) if name)
        return re.compile(rf"(?<![\w-])(?:{names})(?![\w-])")


def commands() -> list[Command]:
    """The commands pyproject.toml declares, and the benchmark scripts in bench/."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    found = []
    for name, target in pyproject["project"]["scripts"].items():
        module, _, function = target.partition(":")
        code = (
            f"import sys; sys.argv[0] = {name!r}; from {module} import {function}; "
            f"sys.exit({function}())"
        )
        package = module.split(".", 1)[0]
        found.append(Command(name, (sys.executable, "-c", code), f"python -m {package}"))
    for script in sorted((ROOT / "bench").glob("*.py")):
        if "__main__" in script.read_text(encoding="utf-8"):
            name = str(script.relative_to(ROOT))
            found.append(Command(name, (sys.executable, name)))
    return found


def run_help(command: Command, *words: str, flag: str = "--help") -> str:
    done = subprocess.run(
        [*command.argv, *words, flag], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"{command.name} {' '.join(words)} {flag}: {done.stderr}"
    return done.stdout


@cache
def known_options(command: Command) -> frozenset[str]:
    """Every long option the command's --help lists, and its subcommands' (`{a,b,c}`); for a
    command whose --help keeps the options it passes on behind `--help-pytest`, those too."""
    text = run_help(command)
    if "--help-pytest" in text:
        text += run_help(command, flag="--help-pytest")
    usage = text.split("\n\n", 1)[0]
    for group in re.findall(r"\{([\w,-]+)\}", usage):
        for sub in group.split(","):
            text += run_help(command, sub)
    return frozenset(OPTION.findall(text))


@dataclass(frozen=True)
class Named:
    """An option as a doc names it, and the command it is named for."""

    path: Path
    line: int
    option: str
    command: Command

    def __str__(self) -> str:
        return f"{doc_id(self.path)}:{self.line}: {self.option} for {self.command.name}"


def contexts(path: Path) -> Iterator[tuple[int, str, str]]:
    """(line, kind, text) in reading order; kind is `prose`, `span` (inline code), `heading`,
    `shell` (a line of an indented or shell code block) or `code` (a line of other code or
    output)."""
    parsed = tokens(path)
    for index, token in enumerate(parsed):
        first = token.map[0] + 1 if token.map else 0
        if token.type in ("fence", "code_block"):
            info = token.info.strip().split(" ")[0] if token.type == "fence" else "sh"
            kind = "shell" if info in SHELL_BLOCKS else "code"
            offset = 1 if token.type == "fence" else 0
            for number, text in enumerate(token.content.splitlines()):
                if kind == "shell":
                    text = re.split(r"(?:^|\s)#\s", text, maxsplit=1)[0]  # a comment
                yield first + offset + number, kind, text
        elif token.type == "inline":
            if index and parsed[index - 1].type == "heading_open":
                yield first, "heading", token.content
                continue
            for child in token.children or []:
                kind = "span" if child.type == "code_inline" else "prose"
                yield first, kind, child.content


def segments(kind: str, text: str) -> list[str]:
    """A command line split into its commands (`a && b`, `a | b`, `a &`)."""
    if kind in ("prose", "heading"):
        return [text]
    return re.split(r"\s*(?:&&|\|\||[;|&])(?:\s+|$)", text)


def named_options(path: Path) -> Iterator[Named]:
    """The options a doc names, each with the command it is named for.

    In a command line (a code line or span naming one of the commands) the options after the
    command are its own; a command line of another tool (curl, st, pytest, npm) names options
    of that tool, which are not checked. An option on its own (`--latency MS` in prose or a
    table, a continuation line) is the current command's: the one last named by a heading or
    a command line, or none after an inline span of another tool's command line (`npm ci
    --prefix bench`).
    """
    known = commands()
    current: Command | None = None
    for line, kind, text in contexts(path):
        for segment in segments(kind, text):
            hits = [(m.end(), c) for c in known for m in c.spelled().finditer(segment)]
            if hits:
                start, current = min(hits, key=lambda hit: hit[0])
                if kind != "heading":
                    yield from (
                        Named(path, line, o, current) for o in OPTION.findall(segment[start:])
                    )
                continue
            words = [w for w in segment.split() if not re.fullmatch(r"[A-Z_][A-Z0-9_]*=\S*", w)]
            lead = words[0].lstrip("[(") if words else ""
            if kind == "prose" or (kind != "heading" and lead.startswith("-")):
                if current:
                    yield from (Named(path, line, o, current) for o in OPTION.findall(segment))
            elif kind == "span" and re.search(r"(?<!\S)-", segment):
                current = None  # prose about another tool's options follows


@pytest.mark.parametrize("path", doc_files(), ids=doc_id)
def test_named_options_exist(path: Path) -> None:
    unknown = [str(n) for n in named_options(path) if n.option not in known_options(n.command)]
    assert unknown == [], (
        "options the docs name that the command's --help does not list (an option of another "
        "tool is named with the tool, as in `st run --checks all`)"
    )


def test_options_are_found_in_the_guides() -> None:
    """The attribution above finds the options the gate and mock guides are about."""
    named = {(n.command.name, n.option) for path in doc_files() for n in named_options(path)}
    assert {
        ("zadig-contract", "--base-url"),
        ("zadig-contract", "--project"),
        ("zadig-mock", "--latency"),
        ("zadig-spec", "--overlay"),
    } <= named


# --- the README's curl examples --------------------------------------------------------------


@dataclass
class Example:
    command: str
    shown: str  # the answer the README shows after it, as JSON

    def against(self, origin: str) -> str:
        return self.command.replace(DOCUMENTED_ORIGIN, origin)


def readme_examples() -> tuple[list[str], list[Example]]:
    """The mock's start line and the curl commands, each with the answer shown under it."""
    start: list[str] = []
    examples: list[Example] = []
    mock = next(c for c in commands() if c.alias == "python -m mock_server")
    for token in tokens(ROOT / "README.md"):
        if token.type != "fence" or "curl " not in token.content:
            continue
        pending = ""
        for line in token.content.splitlines():
            if pending or line.startswith("curl "):
                pending += line + "\n"
                if pending.rstrip().endswith("\\") or not shell_complete(pending):
                    continue
                examples.append(Example(pending.strip(), ""))
                pending = ""
            elif line.startswith("# ") and examples:
                examples[-1].shown += line[2:]
            elif line.startswith(mock.name):
                start = shlex.split(line.removesuffix("&"))[1:]
    return start, examples


def shell_complete(text: str) -> bool:
    try:
        shlex.split(text)
    except ValueError:  # an open quote: the command goes on on the next line
        return False
    return True


@pytest.fixture
def readme_mock() -> Iterator[str]:
    """The mock started as the README starts it, on a free port."""
    start, _ = readme_examples()
    with MockProcess(*start, "--quiet") as mock:
        yield mock.url


def test_readme_has_curl_examples_with_answers() -> None:
    start, examples = readme_examples()
    assert len(examples) >= 2
    for example in examples:
        assert DOCUMENTED_ORIGIN in example.command, example.command
        assert example.shown, f"no answer shown under: {example.command}"


def test_readme_curl_examples_answer_as_shown(readme_mock: str) -> None:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    _, examples = readme_examples()
    for example in examples:
        done = subprocess.run(
            ["bash", "-c", example.against(readme_mock)],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout) == json.loads(example.shown), example.command


# Where each command's code is, for running the docs' commands with this checkout's Python.
MODULES = {"zadig-mock": "mock_server", "zadig-spec": "openapi", "zadig-contract": "contract_tests"}


def section_commands(path: Path, title: str) -> list[Example]:
    """The commands of the code blocks under the heading `title` (continuation lines joined),
    each with the answer shown under it (`# ...` lines), if any."""
    found: list[Example] = []
    heading = None
    parsed = tokens(path)
    for index, token in enumerate(parsed):
        if token.type == "inline" and index and parsed[index - 1].type == "heading_open":
            heading = token.content
        if heading != title or token.type not in ("fence", "code_block"):
            continue
        pending = ""
        for line in token.content.splitlines():
            if not pending and line.startswith("# "):
                if found:
                    found[-1].shown += line[2:]
                continue
            pending += re.split(r"\s#\s", line, maxsplit=1)[0].rstrip() + "\n"
            if pending.rstrip().endswith("\\") or not shell_complete(pending):
                continue
            found.append(Example(pending.replace("\\\n", " ").strip(), ""))
            pending = ""
    return found


@pytest.mark.parametrize("doc", ["frontend.md", "gate.md"])
def test_your_own_pages_commands_run_as_written(doc: str, tmp_path: Path) -> None:
    """Each command of the "Your own pages" section, run from a folder laid out as a clone
    (`my-pages/`: two of the tests' pages): conversions succeed, each mock started answers,
    each curl answers what the doc shows, the gate run against that mock passes. A command for
    a deployment of your own (another URL) is left out."""
    examples = section_commands(ROOT / "docs" / doc, "Your own pages")
    assert examples, f"no commands under 'Your own pages' in {doc}"
    (tmp_path / "tests" / "data").mkdir(parents=True)
    (tmp_path / "tests" / "data" / "pages").symlink_to(ROOT / "tests" / "data" / "pages")
    (tmp_path / "my-pages").mkdir()
    for name in ("registry-api.md", "quota-api.md"):
        shutil.copy(ROOT / "tests" / "data" / "pages" / name, tmp_path / "my-pages" / name)
    mock: MockProcess | None = None
    ran: list[str] = []
    try:
        for example in examples:
            words = shlex.split(example.command.removesuffix("&"))
            if words[0] == "curl":
                assert mock is not None, f"{example.command}: no mock started before it"
                done = subprocess.run(
                    ["bash", "-c", example.against(mock.url)],
                    capture_output=True,
                    text=True,
                    timeout=30,
                    cwd=tmp_path,
                )
                assert done.returncode == 0, done.stderr
                assert example.shown, f"no answer shown under: {example.command}"
                assert json.loads(done.stdout) == json.loads(example.shown), example.command
            elif words[0] == "zadig-mock":
                if mock is not None:
                    mock.stop()
                mock = MockProcess(*words[1:], "--quiet", cwd=tmp_path)
                mock.start()
            elif words[0] in MODULES:
                if "--base-url" in words and DOCUMENTED_ORIGIN not in words:
                    continue  # your deployment
                args = [a.replace(DOCUMENTED_ORIGIN, mock.url) if mock else a for a in words[1:]]
                done = subprocess.run(
                    [sys.executable, "-m", MODULES[words[0]], *args],
                    capture_output=True,
                    text=True,
                    timeout=300,
                    cwd=tmp_path,
                )
                assert done.returncode == 0, f"{example.command}:\n{done.stdout}\n{done.stderr}"
            else:
                pytest.fail(f"{doc}: a command this test does not know: {example.command}")
            ran.append(words[0])
    finally:
        if mock is not None:
            mock.stop()
    assert "zadig-mock" in ran
