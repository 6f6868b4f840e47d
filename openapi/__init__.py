"""The Zadig workflow-task API as an OpenAPI spec, converted from its Markdown page."""

from pathlib import Path

SPEC_PATH = Path(__file__).with_name("workflow.yaml")
OVERLAY_PATH = Path(__file__).with_name("overlay.yaml")
SOURCE_PATH = Path(__file__).parent / "source" / "workflow-api.md"
# Today's workflow-task OpenAPI (`/openapi/workflows/custom/...`): its page is not kept here
# (see docs/spec.md for regenerating the spec from it).
CUSTOM_SPEC_PATH = Path(__file__).with_name("custom-workflow.yaml")
CUSTOM_OVERLAY_PATH = Path(__file__).with_name("custom-workflow-overlay.yaml")
