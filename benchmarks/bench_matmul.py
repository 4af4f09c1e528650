"""GFLOP/s of a cube matmul kernel in cpu mode against numpy float32 `a @ b`; prints a table, writes JSON.

    python benchmarks/bench_matmul.py [--sizes 256 1024 2048] [--repeat 3] [--kernel benchmarks/kernels/matmul_basic.cpp]
                                      [--out benchmarks/results/matmul.json]

The kernel is a CANN kernel-launch CPU-debug program, built here with
`g++ -O2 KERNEL $(python -m opkit config --cflags --libs)`. Its contract (what --kernel must follow, so a
Matmul-API kernel can be timed the same way): `PROG DIR M N K REPEAT` reads DIR/a.bin (float16, M x K,
row-major) and DIR/b.bin (float16, K x N), writes DIR/c.bin (float32, M x N) and prints one line
`seconds: t1 t2 ...`, the wall time of each of its REPEAT launches (ICPU_RUN_KF), so process start-up
and file I/O are not counted. Each figure is the median of the launches after one warm-up launch;
numpy's is the median of as many `a @ b` calls on float32 copies of the same operands, in the same run,
so the ratio (kernel time / numpy time) compares like with like on a shared machine. The result is
checked against float64 (Note [Host GEMM for Mmad] in runtime/src/cube_gemm.cpp gives the bound).

numpy's BLAS: on some hosts OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are set to work around old OpenBLAS
builds, and they slow a current one; the table's header says which BLAS kernel numpy ran with
(threadpoolctl, when installed). To compare against numpy at its best, unset both for this command only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def _build(kernel: Path, out: Path) -> Path:
    gxx = shutil.which("g++")
    if gxx is None:
        raise SystemExit("bench_matmul: g++ not found on PATH; it builds the kernel program")
    flags = subprocess.run([sys.executable, "-m", "opkit", "config", "--cflags", "--libs"], check=True,
                           capture_output=True, text=True).stdout
    exe = out / kernel.stem
    cmd = [gxx, "-O2", "-I", str(kernel.parent), str(kernel), "-o", str(exe), *shlex.split(flags)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"bench_matmul: building {kernel} failed:\n{shlex.join(cmd)}\n{proc.stderr}")
    return exe


def _run_kernel(exe: Path, work: Path, m: int, n: int, k: int, repeat: int) -> list[float]:
    env = {key: v for key, v in os.environ.items() if key not in ("OPKIT_MODE", "OPKIT_SIMULATOR")}
    env["OPKIT_MODE"] = "cpu"
    proc = subprocess.run([str(exe), str(work), str(m), str(n), str(k), str(repeat + 1)], capture_output=True,
                          text=True, env=env)
    line = next((s for s in proc.stdout.splitlines() if s.startswith("seconds:")), None)
    if proc.returncode != 0 or line is None:
        raise SystemExit(f"bench_matmul: {exe.name} {m}x{n}x{k} failed (status {proc.returncode}):\n"
                         f"{proc.stdout}{proc.stderr}")
    return [float(t) for t in line.split()[1:]][1:]  # the first launch warms up


def _numpy_times(a: np.ndarray, b: np.ndarray, repeat: int) -> list[float]:
    a @ b
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        a @ b
        samples.append(time.perf_counter() - t0)
    return samples


def _blas() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed"
    info = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    return ", ".join(f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')} x{i.get('num_threads')}"
                     for i in info) or "unknown"


def _bench(exe: Path, size: int, repeat: int, rng: np.random.Generator) -> dict:
    m = n = k = size
    a = rng.uniform(-1, 1, (m, k)).astype(np.float16)
    b = rng.uniform(-1, 1, (k, n)).astype(np.float16)
    with tempfile.TemporaryDirectory(prefix="bench_matmul_") as tmp:
        work = Path(tmp)
        a.tofile(work / "a.bin")
        b.tofile(work / "b.bin")
        t_kernel = statistics.median(_run_kernel(exe, work, m, n, k, repeat))
        c = np.fromfile(work / "c.bin", dtype=np.float32).reshape(m, n)
    a32, b32 = a.astype(np.float32), b.astype(np.float32)
    t_np = statistics.median(_numpy_times(a32, b32, repeat))
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    err = np.abs(c - a64 @ b64) / ((k + 1) * 2.0 ** -24 * (np.abs(a64) @ np.abs(b64)))
    flop = 2.0 * m * n * k
    return {"m": m, "n": n, "k": k, "kernel_s": t_kernel, "numpy_s": t_np, "kernel_gflops": flop / t_kernel / 1e9,
            "numpy_gflops": flop / t_np / 1e9, "ratio": t_kernel / t_np, "error_over_bound": float(err.max())}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[256, 1024, 2048], help="M = N = K of each case")
    ap.add_argument("--repeat", type=int, default=3, help="timed launches (after one warm-up) per case")
    ap.add_argument("--kernel", type=Path, default=HERE / "kernels" / "matmul_basic.cpp",
                    help="the kernel program's source (contract in this docstring)")
    ap.add_argument("--out", default=str(HERE / "results" / "matmul.json"))
    args = ap.parse_args()

    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory(prefix="bench_matmul_build_") as build:
        exe = _build(args.kernel.resolve(), Path(build))
        print(f"{args.kernel.name} (cpu mode, fp16 in, fp32 out) vs numpy float32 a @ b, median of {args.repeat} "
              f"({os.cpu_count()} CPUs, {platform.processor() or platform.machine()}; numpy BLAS: {_blas()})")
        print(f"{'M=N=K':>7}{'kernel ms':>11}{'GFLOP/s':>9}{'numpy ms':>10}{'GFLOP/s':>9}{'kernel/numpy':>14}"
              f"{'err/bound':>11}")
        rows = []
        for size in args.sizes:
            r = _bench(exe, size, args.repeat, rng)
            rows.append(r)
            print(f"{size:>7}{r['kernel_s'] * 1e3:>11.1f}{r['kernel_gflops']:>9.1f}{r['numpy_s'] * 1e3:>10.1f}"
                  f"{r['numpy_gflops']:>9.1f}{r['ratio']:>14.2f}{r['error_over_bound']:>11.3f}")
    result = {"mode": "cpu", "kernel": str(args.kernel), "cpus": os.cpu_count(), "repeat": args.repeat,
              "numpy_blas": _blas(), "rows": rows}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"wrote {out}")
    return 0 if all(r["error_over_bound"] <= 1.0 for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
