"""A real API server on a free local port, in a thread, for tests that need HTTP (browsers,
racing clients): the app, the group-commit writer and uvicorn, as `puhui serve` runs them."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvicorn

from puhui.api.app import create_app
from puhui.bootstrap import Platform

SERVER_START_S_MAX = 20


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(platform: Platform) -> Iterator[str]:
    """Serve ``platform`` until the block ends; yield the base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(platform), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_S_MAX
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the API server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=SERVER_START_S_MAX)
