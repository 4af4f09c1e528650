"""The high-level Matmul API (lib/matmul_intf.h) against numpy, and its refusals.

programs/matmul_api.cpp drives a Matmul with a hand-made TCubeTiling (its header has the argument
list); each result test runs in cpu mode and under npu_simulator, which must report no finding.
The data path: Note [Matmul data path] in runtime/include/lib/matrix/matmul/matmul_impl.h.

Run: pytest tests/runtime/test_matmul_api.py -q
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from opkit.tolerances import assert_close_report

pytestmark = pytest.mark.modes("cpu")  # the program runs itself in both modes

SEED = 20240611
SIM = "npu_simulator"

# TYPES of the program: (input dtype, output dtype, bias dtype, tolerance key)
TYPES = {
    "f16f32": ("float16", "float32", "float32", "float32"),
    "f16f16": ("float16", "float16", "float32", "float16"),
    "f16bf16": ("float16", "bfloat16", "float32", "bfloat16"),
    "bf16f32": ("bfloat16", "float32", "float32", "float32"),
    "bf16bf16": ("bfloat16", "bfloat16", "float32", "bfloat16"),
    "i8i32": ("int8", "int32", "int32", "exact"),
    "f32f32": ("float32", "float32", "float32", "float32"),
    "f16f32ub": ("float16", "float32", "float32", "float32"),
    "f16f32hbias": ("float16", "float32", "float16", "float32"),
}


def to_bf16_bits(x: np.ndarray) -> np.ndarray:
    """float32 -> bfloat16 bit patterns, round to nearest even."""
    u = x.astype(np.float32).view(np.uint32).astype(np.uint64)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)


def from_bf16_bits(b: np.ndarray) -> np.ndarray:
    return (b.astype(np.uint32) << 16).view(np.float32)


def encode(x: np.ndarray, dtype: str) -> tuple[bytes, np.ndarray]:
    """(the bytes of x in dtype, the values the kernel sees as float64)."""
    if dtype == "bfloat16":
        bits = to_bf16_bits(x)
        return bits.tobytes(), from_bf16_bits(bits).astype(np.float64)
    arr = x.astype(dtype)
    return arr.tobytes(), arr.astype(np.float64)


@dataclass
class Case:
    types: str = "f16f32"
    m: int = 40
    n: int = 50
    k: int = 70
    cores: tuple[int, int] = (1, 1)
    base: tuple[int, int, int] = (32, 32, 32)
    step: tuple[int, int, int, int] = (1, 1, 1, 1)
    db: tuple[int, int] = (1, 1)
    order: int = 0
    trans_a: bool = False
    trans_b: bool = False
    bias: bool = False
    run: str = "all"
    atomic: int = 0
    misuse: str = "none"
    soc: str | None = None
    extra: dict = field(default_factory=dict)


def execute(programs: dict[str, Path], tmp: Path, c: Case, mode: str | None = None):
    """Run the program; return (C as float64 or None, golden float64, process)."""
    in_t, out_t, bias_t, _ = TYPES[c.types]
    rng = np.random.default_rng(SEED)
    if in_t == "int8":
        a, b = rng.integers(-8, 8, (c.m, c.k)), rng.integers(-8, 8, (c.k, c.n))
        bias = rng.integers(-100, 100, c.n)
    else:  # positive: the fp32 sums stay within float32 tolerance of the exact sum
        a, b = rng.uniform(0.5, 1.0, (c.m, c.k)), rng.uniform(0.5, 1.0, (c.k, c.n))
        bias = rng.uniform(-2.0, 2.0, c.n)
    a_bytes, a64 = encode(a.T.copy() if c.trans_a else a, in_t)
    b_bytes, b64 = encode(b.T.copy() if c.trans_b else b, in_t)
    a64 = a64.reshape(c.k, c.m).T if c.trans_a else a64.reshape(c.m, c.k)
    b64 = b64.reshape(c.n, c.k).T if c.trans_b else b64.reshape(c.k, c.n)
    bias_bytes, bias64 = encode(bias, bias_t)
    c_init = rng.uniform(-1.0, 1.0, (c.m, c.n)) if out_t != "int32" else rng.integers(-50, 50, (c.m, c.n))
    c_bytes, c_init64 = encode(c_init, out_t)
    for name, data in (("a", a_bytes), ("b", b_bytes), ("bias", bias_bytes), ("c", c_bytes)):
        (tmp / f"{name}.bin").write_bytes(data)
    env = {k: v for k, v in os.environ.items() if k not in ("OPKIT_MODE", "OPKIT_SOC")}
    if mode:
        env["OPKIT_MODE"] = mode
    if c.soc:
        env["OPKIT_SOC"] = c.soc
    args = [c.types, tmp, c.m, c.n, c.k, *c.cores, *c.base, *c.step, *c.db, c.order, int(c.trans_a),
            int(c.trans_b), int(c.bias), c.run, c.atomic, c.misuse, "-"]
    proc = subprocess.run([str(programs["matmul_api"]), *map(str, args)], check=False, capture_output=True,
                          text=True, env=env, timeout=300)
    golden = a64 @ b64 + (bias64 if c.bias else 0) + (c_init64 if c.atomic == 1 else 0)
    if proc.returncode != 0:
        return None, golden, proc
    raw = (tmp / "c.bin").read_bytes()
    out = from_bf16_bits(np.frombuffer(raw, np.uint16)) if out_t == "bfloat16" else np.frombuffer(raw, out_t)
    return out.reshape(c.m, c.n).astype(np.float64), golden, proc


def check(programs: dict[str, Path], tmp: Path, c: Case, mode: str | None) -> None:
    out, golden, proc = execute(programs, tmp, c, mode)
    assert proc.returncode == 0, f"status {proc.returncode}\nstderr: {proc.stderr[-3000:]}"
    tol = TYPES[c.types][3]
    if tol == "exact":
        np.testing.assert_array_equal(out, golden)
    else:
        passes, err = assert_close_report(out, golden, tol)
        assert passes, f"{tol}: max abs error {err}"
    if mode == SIM:
        assert "findings    none" in proc.stderr, proc.stderr[-3000:]


MODES = [pytest.param(None, id="cpu"), pytest.param(SIM, id=SIM)]


def ids(cases: list[Case]) -> list:
    return [pytest.param(c, id=f"{c.types}-{c.m}x{c.n}x{c.k}-{c.run}{'-tA' if c.trans_a else ''}"
                         f"{'-tB' if c.trans_b else ''}{'-bias' if c.bias else ''}{'-atomic' if c.atomic else ''}"
                         f"-{c.cores[0]}x{c.cores[1]}c-o{c.order}") for c in cases]


SHAPES = [(16, 16, 16), (32, 48, 64), (40, 50, 70), (17, 33, 15), (1, 40, 64), (1, 17, 100), (64, 96, 160)]
RESULT_CASES = (
    [Case(m=m, n=n, k=k, trans_a=ta, trans_b=tb) for (m, n, k) in SHAPES for ta in (False, True) for tb in (False, True)]
    + [Case(types=t, trans_b=t in ("i8i32", "f32f32"), bias=bias) for t in TYPES if t != "f16f32ub"
       for bias in (False, True)]
    + [Case(run="iter"), Case(run="iter", order=1, base=(16, 32, 16)), Case(run="iter", bias=True, trans_a=True),
       Case(types="f16f32ub", run="ub"), Case(types="f16f32ub", run="ub", order=1, base=(16, 32, 32), bias=True),
       Case(types="f16f32ub", run="ub", m=1, n=40, k=64)]
    + [Case(atomic=1), Case(atomic=1, run="iter", types="f16f16"), Case(atomic=1, types="i8i32", trans_b=True)]
    # L1 reuse and double buffering: stepM/stepN/stepKa/stepKb tiles, depthA1/B1 with 2 buffers.
    + [Case(m=70, n=90, k=100, base=(16, 16, 32), step=(2, 3, 2, 1), db=(2, 2)),
       Case(m=70, n=90, k=100, base=(16, 16, 32), step=(2, 2, 4, 4), db=(1, 1), order=1, trans_a=True, trans_b=True),
       Case(m=33, n=33, k=200, base=(32, 32, 64), step=(1, 1, 1, 2), db=(2, 1)),
       # NORM with stepM = stepN = 1 set after the tiling: depthA1 16 and depthB1 12 stay (base blocks
       # L1 may hold); the kernel keeps two step tiles of each.
       Case(m=70, n=90, k=100, base=(16, 16, 32), step=(2, 3, 4, 4), db=(2, 1), run="iter", misuse="lower_steps")]
    # multi-core: the grid splits M and N; the last cores take SetTail's smaller shapes.
    + [Case(m=100, n=90, k=70, cores=(2, 2)), Case(m=100, n=90, k=70, cores=(3, 1), trans_a=True, bias=True),
       Case(m=64, n=130, k=48, cores=(1, 3), trans_b=True, run="iter", order=1, base=(16, 32, 16), step=(2, 1, 1, 1))]
)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", ids(RESULT_CASES))
def test_matmul_matches_numpy(programs: dict[str, Path], tmp_path: Path, case: Case, mode: str | None) -> None:
    check(programs, tmp_path, case, mode)


# ---- refusals -------------------------------------------------------------------------------------

def refused(programs: dict[str, Path], tmp: Path, c: Case, *words: str) -> None:
    _, _, proc = execute(programs, tmp, c)
    assert proc.returncode == 1, f"expected status 1, got {proc.returncode}\nstderr: {proc.stderr}"
    line = proc.stderr.strip().splitlines()[-1]
    assert re.match(r"opkit: error: matmul_api core \d+: ", line), line
    missing = [w for w in words if w not in line]
    assert not missing, f"message lacks {missing}: {line!r}"


MISUSES = [
    ("before_set", {}, ("Matmul IterateAll", "before SetTensorA and SetTensorB", "B")),
    ("get_before_iterate", {}, ("Matmul GetTensorC", "call Iterate() first")),
    ("tail_too_big", {}, ("Matmul SetTail", "M 41", "singleCoreM 40")),
    ("bad_depth", {}, ("Matmul Init", "depthA1", "must hold one stepM * stepKa tile")),
    ("bad_base", {}, ("Matmul Init", "baseN 40", "multiples of 16")),
    ("l0a", {}, ("Matmul Init", "baseM * baseK * sizeof(A) * dbL0A = 131072", "L0A (65536)")),
    ("no_bias_tiling", {"bias": True}, ("Matmul SetBias", "isBias 0")),
    ("c_pos", {}, ("Matmul Init", "C at position A1", "does not exist")),
    ("dtype", {}, ("Matmul Init", "int32", "not a supported type combination")),
    ("float_b", {"types": "f32f32"}, ("Matmul SetTensorB", "LoadDataWithTranspose", "isTransposeB")),
    ("none", {"soc": "Ascend310P3"}, ("Matmul Init", "910B path", "Ascend310P3")),
    ("none", {"types": "f32f32", "trans_a": True, "trans_b": True}, ("Matmul SetTensorA", "transposed A")),
    ("none", {"base": (32, 32, 24)}, ("Matmul Init", "baseK 24", "multiple of 16")),
]


@pytest.mark.parametrize("misuse, extra, words", [pytest.param(*m, id=f"{m[0]}-{i}") for i, m in enumerate(MISUSES)])
def test_misuse_is_refused(programs: dict[str, Path], tmp_path: Path, misuse: str, extra: dict, words: tuple) -> None:
    refused(programs, tmp_path, Case(misuse=misuse, **extra), *words)
