"""Modes that cannot run here stop the test session with the reason (no wall of skips)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

TEST = Path(__file__).resolve().parents[1] / "ops" / "test_sinh_custom.py"


def _pytest(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    import os

    full = {k: v for k, v in os.environ.items() if not k.startswith(("OPKIT_", "ASCEND_"))}
    full.update({"OPKIT_CANN_SEARCH_PATHS": ""}, **(env or {}))
    return subprocess.run([sys.executable, "-m", "pytest", str(TEST), "-q", "-p", "no:cacheprovider", *args],
                          capture_output=True, text=True, env=full, timeout=300, check=False)


def test_onboard_is_refused_with_the_reason() -> None:
    done = _pytest("--mode=npu_onboard")
    assert done.returncode == 4
    assert "mode npu_onboard is unavailable: npu_onboard needs CANN and an Ascend NPU: no CANN toolkit was found" \
        in done.stderr
    assert "skipped" not in done.stdout


def test_camodel_without_cann_is_refused() -> None:
    done = _pytest("--mode=npu_simulator", env={"OPKIT_SIMULATOR": "camodel"})
    assert done.returncode == 4
    assert "OPKIT_SIMULATOR=camodel needs CANN's simulator, and no CANN toolkit was found" in done.stderr


@pytest.mark.parametrize("mode", ["cpu", "npu_simulator"])
def test_available_modes_run_and_name_themselves(mode: str) -> None:
    done = _pytest(f"--mode={mode}", "-k", "test_sinh_custom_special_values")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"opkit: mode={mode} soc=Ascend910B1" in done.stdout or "1 passed" in done.stdout
