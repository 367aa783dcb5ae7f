"""The latency benchmark's own parts: think times, CPU accounting, how figures are labelled."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from cli.bench_commands import THINK_SECONDS, _print_latency, think_times
from cli.stack import process_tree_cpu_seconds

pytestmark = pytest.mark.unit


def test_think_times_are_seeded_bounded_and_differ_between_users() -> None:
    first = think_times(0, 16)
    assert first == think_times(0, 16)  # same seed, same run: comparable measurements
    assert think_times(1, 16) != first
    assert think_times(0, 16, seed=7) != first
    low, high = THINK_SECONDS
    assert all(low <= pause <= high for user in range(16) for pause in think_times(user, 16))


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="lit /proc (Linux)")
def test_cpu_of_a_service_counts_its_child_processes() -> None:
    # A child that burns ~0.5 s of CPU and then waits: its time belongs to our tree.
    burn = (
        "import sys, time\n"
        "end = time.process_time() + 0.5\n"
        "while time.process_time() < end: pass\n"
        "print(flush=True)\n"
        "sys.stdin.read()"
    )
    before = process_tree_cpu_seconds(os.getpid())
    child = subprocess.Popen(
        [sys.executable, "-c", burn], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert child.stdout is not None
        child.stdout.readline()  # the child has burnt its CPU and is still alive
        time.sleep(0.05)
        assert process_tree_cpu_seconds(os.getpid()) - before >= 0.4
        assert process_tree_cpu_seconds(child.pid) >= 0.4
    finally:
        child.communicate(b"")


def _figures(p95: float) -> dict[str, float]:
    return {
        "webhook_p50_ms": p95 / 2,
        "webhook_p95_ms": p95,
        "parse_p50_ms": 20.0,
        "parse_p95_ms": 30.0,
        "rasa_cpu_ms_per_message": 60.0,
        "actions_cpu_ms_per_message": 10.0,
        "parse_cpu_ms_per_message": 25.0,
        "load_start": 0.5,
        "load_after_webhook": 1.5,
        "load_end": 1.2,
    }


def test_each_load_says_whether_it_meets_the_target(capsys: pytest.CaptureFixture[str]) -> None:
    _print_latency(
        {
            "latency_1": _figures(90.0),
            "latency_16_paced": _figures(240.0),
            "latency_16_saturated": _figures(1800.0),
        }
    )
    lines = capsys.readouterr().out.splitlines()
    paced = next(line for line in lines if "attend 1 à 3 s avant chaque message" in line)
    saturated = next(line for line in lines if line.startswith("- saturation : 16 requêtes"))
    assert "sans temps de réflexion" in saturated
    assert "p95 240 ms → cible p95 ≤ 250 ms atteinte" in paced
    assert "p95 1800 ms → cible p95 ≤ 250 ms NON ATTEINTE" in saturated
    assert any("Rasa 60 ms" in line and "charge moyenne" in line for line in lines)
    assert any(line.startswith("Charge moyenne la plus haute : 1.5") for line in lines)
