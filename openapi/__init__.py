"""The Zadig workflow-task API as an OpenAPI spec, converted from its Markdown page."""

import argparse
from pathlib import Path
from typing import Any

SPEC_PATH = Path(__file__).with_name("workflow.yaml")
OVERLAY_PATH = Path(__file__).with_name("overlay.yaml")
SOURCE_PATH = Path(__file__).parent / "source" / "workflow-api.md"
# Today's workflow-task OpenAPI (`/openapi/workflows/custom/...`): its page is not kept here
# (see docs/spec.md for regenerating the spec from it).
CUSTOM_SPEC_PATH = Path(__file__).with_name("custom-workflow.yaml")
CUSTOM_OVERLAY_PATH = Path(__file__).with_name("custom-workflow-overlay.yaml")
# The committed overlays of the APIs whose rules the mock and the gate hold by hand.
RULE_OVERLAYS = (OVERLAY_PATH, CUSTOM_OVERLAY_PATH)

DISTRIBUTION = "zadig-workflow-contract"


def version(prog: str) -> str:
    """`PROG VERSION`, the installed distribution's version, for each command's --version."""
    from importlib import metadata  # not at import: it takes a while, and few runs ask

    try:
        number = metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        number = "(not installed)"
    return f"{prog} {number}"


class VersionAction(argparse.Action):
    """`--version`: the version is looked up only when asked for (the mock starts faster)."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        kwargs.setdefault("help", "show the version and exit")
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        print(version(parser.prog))  # on stdout, as argparse's own version action does
        parser.exit()
