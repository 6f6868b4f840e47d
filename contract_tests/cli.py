"""`zadig-contract`: run the packaged conformance suite with pytest.

Every argument goes to pytest, so the gate's options (`--base-url`, `--profile`, ...) and
pytest's own (`--junitxml`, `-k`, `-x`, ...) can be mixed. `--help` shows the gate's own
options (pytest's are behind `--help-pytest`), `--html FILE` writes a self-contained HTML
report (pytest-html). Exit status is pytest's: 0 only when every rule that ran passed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pytest

from contract_tests.settings import OPTIONS, Option
from openapi import version

SUITE = Path(__file__).resolve().parent
PROG = "zadig-contract"
HELP_PYTEST = "--help-pytest"
EXAMPLES = f"""\
examples:
  # a production deployment: the safe profile sends nothing that could run a task
  {PROG} --base-url https://zadig.example.com --token "$ZADIG_TOKEN" --junitxml gate.xml
  # the mock or a staging deployment: real tasks too, and an HTML report for CI
  {PROG} --base-url http://127.0.0.1:8080 --profile full --html gate.html

exit status (pytest's): 0 every rule that ran passed, 1 a rule failed, 4 a usage error.
pytest's own options (-k, -x, --deselect, ...) are taken too: {PROG} {HELP_PYTEST}."""
METAVARS = {str: "TEXT", float: "SECONDS", int: "N"}
# What one value of these options is (repeatable ones: each value).
FLAG_METAVARS = {
    "--page": "PAGE.md",
    "--set": "NAME=VALUE",
    "--spec": "FILE",
    "--trigger-body": "FILE",
    "--approval-workflow": "KEY",
    "--approval-job": "NAME",
    "--approval-trigger-body": "FILE",
    "--non-approver-token": "TOKEN",
}


def help_text() -> str:
    """The gate's own --help: its options as settings.OPTIONS declares them, then examples."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        usage=f"{PROG} --base-url URL [options] [pytest options]",
        description="Checks a Zadig deployment (or the mock) against the workflow-task spec:\n"
        "the documented errors, auth and generated requests; with --profile full, real task\n"
        "lifecycles too.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        add_help=False,
    )
    gate = parser.add_argument_group("the gate's options (each also read from its env variable)")
    for option in OPTIONS:
        if option.kind is bool:
            gate.add_argument(option.flag, action="store_true", help=option_help(option))
        elif option.kind is list:
            gate.add_argument(
                option.flag, action="append", metavar=metavar(option), help=option_help(option)
            )
        else:
            gate.add_argument(option.flag, metavar=metavar(option), help=option_help(option))
    out = parser.add_argument_group("reports and help")
    out.add_argument(
        "--html",
        metavar="FILE",
        help="an HTML report: the summary matrix, each "
        "failure with its curl line and what the page says",
    )
    out.add_argument("--junitxml", metavar="FILE", help="a JUnit file, one case per rule")
    out.add_argument(HELP_PYTEST, action="store_true", help="pytest's own options, all of them")
    out.add_argument("--version", action="store_true", help="the gate's version")
    out.add_argument("-h", "--help", action="store_true", help="this help")
    return parser.format_help()


def metavar(option: Option) -> str:
    if option.flag in FLAG_METAVARS:
        return FLAG_METAVARS[option.flag]
    return "URL" if option.flag == "--base-url" else METAVARS[option.kind]


def option_help(option: Option) -> str:
    shown = option.default is not None and option.kind is not bool
    default = f", default {option.default}" if shown else ""
    return f"{option.help} [{option.env}{default}]"


def pytest_args(argv: list[str]) -> list[str]:
    # No cache directory in the caller's working directory; the suite is the only test path.
    # This module imports the package before pytest could rewrite its asserts (it uses none).
    quiet = ["-W", "ignore::pytest.PytestAssertRewriteWarning"]
    # Rule ids read `contract_tests/test_....py::...` wherever the suite is installed, so a
    # `--deselect` copied from a report works in any checkout.
    root = ["--rootdir", str(SUITE.parent)]
    # One file to keep as a CI artifact: pytest-html's report with its styles inlined.
    html = (
        ["--self-contained-html"]
        if any(a == "--html" or a.startswith("--html=") for a in argv)
        else []
    )
    return [str(SUITE), *root, "-p", "no:cacheprovider", "-r", "fEs", *quiet, *html, *argv]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if "-h" in args or "--help" in args:
        print(help_text(), end="")
        return 0
    if "--version" in args:
        print(version(PROG))
        return 0
    if HELP_PYTEST in args:
        args = [("--help" if arg == HELP_PYTEST else arg) for arg in args]
    return int(pytest.main(pytest_args(args)))


if __name__ == "__main__":
    sys.exit(main())
