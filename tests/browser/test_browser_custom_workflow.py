"""Today's workflow-task OpenAPI from a page, in headless Chromium: the frontend guide's snippet
(docs/frontend.md, "Today's OpenAPI") triggers a task on the mock from another origin and polls
its status with fetch until it reaches `passed`, as a UI showing a run's progress does."""

from __future__ import annotations

from browser_harness import REPO, TOKEN

GUIDE_HEADING = "## Today's OpenAPI"


def today_snippet() -> str:
    """The fetch snippet of the guide's section on today's OpenAPI."""
    guide = (REPO / "docs" / "frontend.md").read_text(encoding="utf-8")
    section = guide.split(GUIDE_HEADING, 1)[1].split("\n## ", 1)[0]
    return section.split("```js\n", 1)[1].split("```", 1)[0]


def test_a_page_triggers_a_task_and_polls_it_until_passed(browser, mock_factory, page_origin):
    mock = mock_factory("--task-duration", "1.5")
    snippet = today_snippet()
    for documented, actual in (("http://127.0.0.1:8080", mock.origin), ("dev-token", TOKEN)):
        assert snippet.count(documented) == 1, documented
        snippet = snippet.replace(documented, actual)

    # Each status the page read is kept, to show the task on its way.
    read = "status = (await read.json()).status;"
    assert snippet.count(read) == 1
    snippet = snippet.replace(read, read + " seen.push(status);")

    browser.get(f"{page_origin}/index.html")
    browser.set_script_timeout(30)
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];\n"
        "(async () => {\n"
        "  const seen = [];\n"
        f"{snippet}\n"
        "  return { task_id, status, seen };\n"
        "})().then(done, (e) => done({ failed: `${e.name}: ${e.message}` }));"
    )

    assert "failed" not in result, result
    assert (result["task_id"], result["status"]) == (1, "passed")
    # The task was seen on its way: waiting or running before it passed, never `created`.
    assert set(result["seen"][:-1]) <= {"waiting", "running"}, result["seen"]
    assert "running" in result["seen"]
