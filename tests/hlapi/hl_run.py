"""Running the high-level API test programs (tests/hlapi/programs) in a mode and judging the outcome."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import numpy as np

MODES = ["cpu", "npu_simulator"]


def run_program(exe: Path, *args: object, mode: str = "cpu") -> subprocess.CompletedProcess:
    """Run a program in `mode` (cpu or npu_simulator; the program's own environment decides)."""
    env = {k: v for k, v in os.environ.items() if k not in ("OPKIT_MODE", "OPKIT_SOC", "OPKIT_FINDINGS")}
    env["OPKIT_MODE"] = mode
    return subprocess.run([str(exe), *map(str, args)], check=False, capture_output=True, text=True, env=env,
                          timeout=300)


def check_ok(proc: subprocess.CompletedProcess, mode: str) -> None:
    """The program exited 0; under npu_simulator its summary says `findings none`."""
    assert proc.returncode == 0, f"status {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}"
    if mode == "npu_simulator":
        assert "findings    none" in proc.stderr, f"npu_simulator reported findings:\n{proc.stderr}"


def kernel_error(proc: subprocess.CompletedProcess, *words: str) -> str:
    """The program stopped with `opkit: error: <kernel> core 0: ...` naming every one of `words`."""
    assert proc.returncode == 1, f"expected status 1, got {proc.returncode}\nstderr: {proc.stderr}"
    line = proc.stderr.strip().splitlines()[-1]
    m = re.fullmatch(r"opkit: error: .+? core 0: (.+)", line)
    assert m, f"not `opkit: error: <kernel> core 0: ...`: {line!r}"
    missing = [w for w in words if w not in m.group(1)]
    assert not missing, f"message lacks {missing}: {m.group(1)!r}"
    return m.group(1)


def padded(x: np.ndarray) -> np.ndarray:
    """x followed by zeros up to a whole 32-byte block (the programs' GM buffers)."""
    block = 32 // x.itemsize
    out = np.zeros((x.size + block - 1) // block * block, dtype=x.dtype)
    out[: x.size] = x
    return out
