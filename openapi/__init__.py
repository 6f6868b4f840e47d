"""The Zadig workflow-task API as an OpenAPI spec, converted from its Markdown page."""

from pathlib import Path

SPEC_PATH = Path(__file__).with_name("workflow.yaml")
OVERLAY_PATH = Path(__file__).with_name("overlay.yaml")
SOURCE_PATH = Path(__file__).parent / "source" / "workflow-api.md"
