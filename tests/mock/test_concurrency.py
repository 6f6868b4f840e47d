"""400 concurrent creates on one workflow: 400 distinct ids, increasing in answer order."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx

from mock_server.app import create_app
from mock_server.options import MockOptions

from .support import AUTH, CREATE, PAGE_EXAMPLE, MockProcess

N = 400


async def create_all(client: httpx.AsyncClient) -> list[int]:
    answered: list[int] = []

    async def one() -> None:
        answer = await client.post(CREATE, json=PAGE_EXAMPLE)
        assert answer.status_code == 200, answer.text
        answered.append(answer.json()["task_id"])

    await asyncio.gather(*(one() for _ in range(N)))
    return answered


def test_asgi_ids_increase_in_answer_order(tmp_path: Path) -> None:
    app = create_app(MockOptions(state_file=tmp_path / "state.sqlite", latency_ms=5))

    async def run() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://mock", headers=AUTH
        ) as client:
            return await create_all(client)

    answered = asyncio.run(run())
    assert answered == list(range(1, N + 1))


async def raw_create(port: int, answered: list[int]) -> None:
    """One create on its own connection (httpx's pool serialises 400 waiting requests)."""
    body = json.dumps(PAGE_EXAMPLE).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (
        f"POST {CREATE} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        f"Authorization: {AUTH['Authorization']}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    writer.write(head.encode() + body)
    await writer.drain()
    response = await reader.read()
    writer.close()
    status, _, payload = response.partition(b"\r\n\r\n")
    assert status.startswith(b"HTTP/1.1 200"), response
    answered.append(json.loads(payload)["task_id"])


def test_uvicorn_hands_out_distinct_ids(tmp_path: Path) -> None:
    async def run(port: int) -> list[int]:
        answered: list[int] = []
        await asyncio.gather(*(raw_create(port, answered) for _ in range(N)))
        return answered

    state = str(tmp_path / "state.sqlite")
    with MockProcess("--state", state, "--quiet") as proc:
        answered = asyncio.run(run(proc.port))
        listed = [t["task_id"] for t in httpx.get(f"{proc.url}/_mock/tasks").json()]
    assert sorted(answered) == list(range(1, N + 1))
    assert sorted(listed) == sorted(answered)
