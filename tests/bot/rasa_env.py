"""Run a check script inside ``.venv-rasa`` (Python 3.10), where Rasa and our components live.

The test suite runs in ``.venv`` (3.11); the custom NLU components import Rasa, so their tests
run a script in the Rasa environment and read the JSON it prints on its last line.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"


def run_in_rasa_env(script: str) -> Any:
    """Run ``script`` with the Rasa interpreter from the repo root; return its last JSON line."""
    if not RASA_PYTHON.exists():
        pytest.skip("environnement Rasa absent (make install-rasa)")
    completed = subprocess.run(
        [str(RASA_PYTHON), "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={"OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin", "RASA_TELEMETRY_ENABLED": "false"},
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])
