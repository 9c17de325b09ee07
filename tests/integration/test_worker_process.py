"""`worker.py` as an operator runs it: polls both task queues, serves Prometheus metrics, stops
gracefully on SIGTERM and SIGINT, and refuses to start with a clear line when misconfigured."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest
from temporalio.testing import WorkflowEnvironment

from sandbox.common.serving import free_port
from tests.conftest import PROJECT_ROOT

WORKER = str(PROJECT_ROOT / "worker.py")
SETTINGS = {
    "CT_PROJECT_KEY": "shop",
    "CT_CLIENT_ID": "id",
    "CT_CLIENT_SECRET": "secret",
    "CT_API_URL": "http://127.0.0.1:9",
    "CT_AUTH_URL": "http://127.0.0.1:9",
    "FLUENT_HOST": "http://127.0.0.1:9",
    "FLUENT_ACCOUNT_ID": "ACME",
    "FLUENT_RETAILER_ID": "1",
    "FLUENT_CLIENT_ID": "id",
    "FLUENT_CLIENT_SECRET": "secret",
    "FLUENT_USERNAME": "user",
    "FLUENT_PASSWORD": "password",
}


def _environment(**extra: str) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("CT_", "FLUENT_"))}
    return {**inherited, **SETTINGS, **extra}


def _wait_for_metrics(
    url: str, worker: subprocess.Popen[str], labels: list[str], within: float = 30.0
) -> None:
    """Until the worker's Prometheus endpoint serves metrics carrying every label."""
    text = ""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        assert worker.poll() is None, worker.communicate()[1]
        try:
            response = httpx.get(url, timeout=1.0)
            text = response.text if response.status_code == 200 else ""
        except httpx.TransportError:
            pass
        if all(label in text for label in labels):
            return
        time.sleep(0.2)
    missing = [label for label in labels if label not in text]
    raise AssertionError(f"the worker never served metrics with {missing}")


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_worker_serves_metrics_and_stops_gracefully(
    dev_env: WorkflowEnvironment, stop_signal: signal.Signals, tmp_path
) -> None:
    metrics = f"127.0.0.1:{free_port()}"
    worker = subprocess.Popen(
        [sys.executable, WORKER, "--log-level", "INFO"],
        env=_environment(
            TEMPORAL_ADDRESS=dev_env.client.service_client.config.target_host,
            TEMPORAL_METRICS_BIND_ADDRESS=metrics,
        ),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        queues = ["ct-fluent-orders", "ct-fluent-sync"]
        _wait_for_metrics(
            f"http://{metrics}/metrics", worker, [f'task_queue="{queue}"' for queue in queues]
        )
        worker.send_signal(stop_signal)
        _, log = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, log
    assert "serving task queues: ct-fluent-orders, ct-fluent-sync" in log
    assert "shutting down" in log
    assert "secret" not in log


def test_misconfigured_worker_names_the_setting_and_exits_2(tmp_path) -> None:
    env = _environment()
    del env["CT_CLIENT_SECRET"]
    done = subprocess.run(
        [sys.executable, WORKER], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].endswith("CT_CLIENT_SECRET is missing")


def test_unknown_task_queue_is_refused(tmp_path) -> None:
    done = subprocess.run(
        [sys.executable, WORKER, "--queues", "orders,billing"],
        env=_environment(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "billing" in done.stderr


@pytest.mark.parametrize("script", ["worker.py", "starter.py"])
def test_help_explains_the_commands(script: str) -> None:
    done = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / script), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0
    assert "usage:" in done.stdout
