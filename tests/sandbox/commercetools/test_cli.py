"""`python -m sandbox.commercetools` starts a server and says where it is."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx
import pytest

from sandbox.commercetools.__main__ import parse_args
from sandbox.common.serving import free_port
from tests.conftest import PROJECT_ROOT
from tests.sandbox.commercetools.conftest import CLIENT


def test_arguments() -> None:
    args = parse_args(
        [
            "--port",
            "9000",
            "--seed",
            "none",
            "--push-url",
            "http://h/p",
            "--push-type",
            "OrderCreated",
        ]
    )
    assert (args.port, args.seed, args.push_url, args.push_type) == (
        9000,
        "none",
        "http://h/p",
        ["OrderCreated"],
    )
    with pytest.raises(SystemExit):
        parse_args(["--push-token", "t"])
    with pytest.raises(SystemExit):
        parse_args(["--seed", "huge"])


def test_serves_on_the_given_port() -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox.commercetools", "--port", str(port), "--seed", "none"],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        assert f"http://127.0.0.1:{port}" in first_line
        response = None
        for _ in range(200):
            try:
                response = httpx.post(
                    f"http://127.0.0.1:{port}/oauth/token",
                    data={"grant_type": "client_credentials"},
                    auth=CLIENT,
                    timeout=1,
                )
                break
            except httpx.TransportError:
                process.poll()
                assert process.returncode is None, process.stderr.read() if process.stderr else ""
                time.sleep(0.05)
        assert response is not None
        assert response.status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_refuses_a_busy_port() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "sandbox.commercetools", "--port", str(port), "--seed", "none"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"port {port}" in result.stderr
