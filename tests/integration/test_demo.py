"""`starter.py demo` as a user runs it from the repository: the whole stack as child processes
(Temporal dev server, both sandboxes, the connector's webhook app and worker) on free ports.

`--check` starts, verifies and stops; `--orders 4 --exit-when-done --json` runs the four
scripted scenarios to the end and reports their journeys; a taken port is refused in one line
before anything starts; a component that dies during start-up is named, and every process
started before it is stopped. Each run must leave no process behind."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cli.demo_stack import PORT_SETTINGS, ComponentError, DemoPorts, DemoStack, DemoTopology
from sandbox.common.serving import free_port
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.integration

FREE_PORTS = [argument for setting in PORT_SETTINGS for argument in (setting.flag, "0")]


def run_demo(state_dir: Path, *arguments: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "starter.py", "demo", "--state-dir", str(state_dir), *arguments],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def processes_in(directory: Path) -> list[int]:
    """Processes whose working directory is `directory`: the demo runs its children there.
    Read from /proc (Linux, where CI runs); elsewhere nothing is found."""
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    directory = directory.resolve()
    found = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if Path(os.readlink(entry / "cwd")) == directory:
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@pytest.fixture
def state_dir(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "demo"
    yield directory
    assert processes_in(directory) == [], "the demo left processes behind"


def test_check_starts_every_component_verifies_and_stops(state_dir: Path) -> None:
    done = run_demo(state_dir, "--check", "--json", *FREE_PORTS, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is True
    assert [component["name"] for component in report["components"]] == [
        "Temporal dev server",
        "Temporal Web UI",
        "commercetools sandbox",
        "Fluent sandbox",
        "connector webhook app",
        "connector worker",
    ]
    assert all(component["ok"] for component in report["components"])
    assert set(report["logs"]) == {
        "Temporal dev server",
        "commercetools sandbox",
        "Fluent sandbox",
        "connector webhook app",
        "connector worker",
    }
    env = (state_dir / "demo.env").read_text()
    assert "FLUENT_WEBHOOK_PUBLIC_KEYS='MII" in env
    assert "CONNECTOR_COMMERCETOOLS_EVENTS_TOKEN=" in env


def test_four_scripted_orders_run_to_the_end_as_expected(state_dir: Path) -> None:
    done = run_demo(
        state_dir,
        "--orders",
        "4",
        "--exit-when-done",
        "--json",
        "--autopilot-interval",
        "0.2",
        "--timeout",
        "90",
        *FREE_PORTS,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    report = json.loads(done.stdout)
    assert report["ok"] is True
    assert {kind: r["status"] for kind, r in report["syncs"].items()} == {
        "catalog": "completed",
        "locations": "completed",
        "inventory": "completed",
    }
    orders: list[dict[str, Any]] = report["orders"]
    assert [o["scenario"] for o in orders] == [
        "hd-one-store",
        "hd-split",
        "cc-at-store",
        "cc-transfer",
    ]
    expected_locations = [{"ST-001"}, {"ST-002", "ST-006"}, {"ST-003"}, {"ST-004", "WH-005"}]
    for order, locations in zip(orders, expected_locations, strict=True):
        assert order["problems"] == []
        assert (order["fluentStatus"], order["orderState"], order["shipmentState"]) == (
            "COMPLETE",
            "Complete",
            "Delivered",
        )
        assert {f["locationRef"] for f in order["fulfilments"]} == locations
        assert sorted(d["key"] for d in order["deliveries"]) == sorted(
            f["ref"] for f in order["fulfilments"]
        )
        assert all(p["trackingId"] for d in order["deliveries"] for p in d["parcels"])
        assert all(invoice["foundInFluent"] for invoice in order["invoices"])
        assert len(order["invoices"]) == len(order["fulfilments"])
    assert "All 4 orders ended as expected." in done.stderr


def test_the_demo_runs_until_ctrl_c_then_stops_every_process_it_started(state_dir: Path) -> None:
    command = ["starter.py", "demo", "--orders", "0", "--state-dir", str(state_dir)]
    demo = subprocess.Popen(
        [sys.executable, *command, *FREE_PORTS],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert demo.stdout is not None
    output: list[str] = []
    try:
        for line in demo.stdout:  # the demo prints where to look once everything runs
            output.append(line)
            if "Press Ctrl-C" in line:
                break
        assert len(processes_in(state_dir)) == 5, "".join(output)
        demo.send_signal(signal.SIGINT)
        output.extend(demo.stdout)
        assert demo.wait(timeout=60) == 0, "".join(output)
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
    text = "".join(output)
    assert "catalog sync (full, everything)" in text
    assert "SIGINT: stopping every process the demo started" in text
    assert text.rstrip().endswith("Stopped.")


def test_a_port_in_use_is_refused_in_one_line_before_anything_starts(state_dir: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_demo(state_dir, "--check", *FREE_PORTS, "--fluent-port", str(port), timeout=60)
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert f"port {port}" in line
    assert "Fluent sandbox" in line
    assert "--fluent-port" in line
    assert not state_dir.exists() or not any(state_dir.glob("*.log"))


async def test_a_component_dying_during_start_up_is_named_and_the_others_are_stopped(
    tmp_path: Path,
) -> None:
    ports = DemoPorts(
        temporal=free_port(),
        temporal_ui=free_port(),
        commercetools=free_port(),
        fluent=free_port(),
        connector=free_port(),
    )
    topology = DemoTopology(ports=ports, state_dir=tmp_path, autopilot_interval=1.0)
    with socket.socket() as squatter:  # taken after the demo checked it: the sandbox cannot bind
        squatter.bind(("127.0.0.1", ports.fluent))
        squatter.listen()
        stack = DemoStack(topology, os.environ, ready_timeout=60)
        with pytest.raises(ComponentError) as failure:
            async with stack:
                await stack.start()
    assert failure.value.component == "Fluent sandbox"
    assert "exited with code" in str(failure.value)
    assert str(tmp_path / "fluent.log") in str(failure.value)
    started = {child.name: child.returncode for child in stack.processes.children}
    assert set(started) == {"Temporal dev server", "commercetools sandbox", "Fluent sandbox"}
    assert None not in started.values()  # every one stopped
    assert processes_in(tmp_path) == []
