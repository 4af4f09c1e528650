"""lora_matmul_custom: cpu-mode time against numpy, and the model's time against matmul_custom; table + JSON.

    python benchmarks/bench_lora.py [--cpu 512x4096x4096x16] [--repeat 3] [--simulate] [--png DIR]
                                    [--cases r16 r16-x_lora ...] [--out benchmarks/results/lora.json]

cpu: the op (fp16, one adapter, scale 2) in cpu mode, in this process, against numpy float32
`x @ w.T + s * (x @ a.T) @ b.T` on float32 copies of the same operands, in the same run (median of
--repeat calls each after one warm-up), so the ratio compares like with like on a shared machine.
--simulate: the npu_simulator model on Ascend910B1, fp16, M = in = out = 4096: one adapter of r = 16,
and 8 adapters of r = 64 in one batch (contiguous requests of 512 rows; and one id per row at random,
the worst case for the SGMV-style runs), each against matmul_custom on the same x and w (transpose_w).
--cases picks model cases by name; r16-x_lora (not run by default) is r16 with x_lora = dropout(x), p = 0.1
(LoRA dropout: the first pass reads x_lora instead of x, the same bytes, so it should cost the same).
With --png the timelines go to DIR (matmul.png, lora_r16.png, lora_r64x8.png, lora_r64x8_per_row.png). Model figures are not
measurements (Note [Model parameters], runtime/src/sim.cpp).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

import opkit
from opkit import simulator


def _median_time(fn, repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def cpu_row(m: int, k: int, n: int, r: int, repeat: int) -> dict:
    rng = np.random.default_rng(0)
    x, w = rng.uniform(-1, 1, (m, k)).astype(np.float16), rng.uniform(-1, 1, (n, k)).astype(np.float16)
    a, b = rng.uniform(-1, 1, (r, k)).astype(np.float16), rng.uniform(-1, 1, (n, r)).astype(np.float16)
    s = 2.0
    xf, wf, af, bf = (v.astype(np.float32) for v in (x, w, a, b))
    ours = _median_time(lambda: opkit.ops.lora_matmul_custom(x, w, a, b, scale=s), repeat)
    theirs = _median_time(lambda: xf @ wf.T + s * (xf @ af.T) @ bf.T, repeat)
    y = opkit.ops.lora_matmul_custom(x, w, a, b, scale=s).astype(np.float64)
    gold = x.astype(np.float64) @ w.astype(np.float64).T + s * (x.astype(np.float64) @ a.astype(np.float64).T) @ b.astype(np.float64).T
    from opkit.tolerances import assert_close_report

    ok, _ = assert_close_report(y.astype(np.float16), gold, "float16")
    return {"shape": f"M={m} in={k} out={n} r={r}", "opkit_s": ours, "numpy_f32_s": theirs, "ratio": ours / theirs,
            "max_abs_err": float(np.abs(y - gold).max()), "max_abs_golden": float(np.abs(gold).max()),
            "within_fp16_tolerance": bool(ok)}


def _simulate(fn, *args, **kwargs):
    with simulator.simulating(trace=True):
        fn(*args, **kwargs)
    return simulator.last()


CASES = ["r16", "r64x8-segments", "r64x8-per-row"]  # the default model cases; also "r16-x_lora"


def sim_rows(png: Path | None, names: list[str] = CASES) -> list[dict]:
    from opkit.report import clock_ghz, write_timeline_png

    rng = np.random.default_rng(0)
    m = k = n = 4096
    x = rng.uniform(-1, 1, (m, k)).astype(np.float16)
    w = rng.uniform(-1, 1, (n, k)).astype(np.float16)
    base = _simulate(opkit.ops.matmul_custom, x, w, transpose_w=True)
    cases = {"r16": (16, None), "r64x8-segments": (64, np.repeat(np.arange(8, dtype=np.int32), m // 8)),
             "r64x8-per-row": (64, rng.integers(0, 8, m).astype(np.int32)), "r16-x_lora": (16, None)}
    x_lora = (x * ((rng.random(x.shape) >= 0.1) / 0.9)).astype(np.float16) if "r16-x_lora" in names else None
    rows, sims = [], {"matmul": base}
    for name in names:
        r, ids = cases[name]
        lead = () if ids is None else (8,)
        a = rng.uniform(-1, 1, (*lead, r, k)).astype(np.float16) / 8
        b = rng.uniform(-1, 1, (*lead, n, r)).astype(np.float16) / 8
        xl = x_lora if name.endswith("x_lora") else None
        sim = _simulate(opkit.ops.lora_matmul_custom, x, w, a, b, None, ids, xl, scale=0.5)
        sims["lora_" + name.replace("-segments", "").replace("-", "_")] = sim
        rows.append({"case": name, "lora_us": sim.microseconds, "matmul_us": base.microseconds,
                     "ratio": sim.microseconds / base.microseconds, "lora_gm_mb": sim.gm_bytes / 1e6,
                     "matmul_gm_mb": base.gm_bytes / 1e6, "findings": len(sim.findings)})
    if png is not None:
        png.mkdir(parents=True, exist_ok=True)
        for name, sim in sims.items():
            write_timeline_png(sim, png / f"{name}.png", clock_ghz(sim))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cpu", default="512x4096x4096x16", help="MxINxOUTxR of the cpu-mode row")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--simulate", action="store_true", help="also the model's rows (about a minute each)")
    ap.add_argument("--png", type=Path, default=None, help="write the model's timelines here")
    ap.add_argument("--cases", nargs="+", default=CASES, choices=CASES + ["r16-x_lora"],
                    help="the model's cases (default: %(default)s)")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results" / "lora.json")
    args = ap.parse_args(argv)
    m, k, n, r = (int(v) for v in args.cpu.split("x"))
    result = {"host": platform.node(), "python": sys.version.split()[0], "cpu": cpu_row(m, k, n, r, args.repeat)}
    c = result["cpu"]
    print(f"cpu mode, fp16, {c['shape']}: opkit {c['opkit_s'] * 1e3:.0f} ms, numpy float32 {c['numpy_f32_s'] * 1e3:.0f} ms,"
          f" ratio {c['ratio']:.2f} (max |err| vs float64 {c['max_abs_err']:.3g} at max |y| {c['max_abs_golden']:.3g};"
          f" within the fp16 tolerance: {c['within_fp16_tolerance']})")
    if args.simulate:
        result["model"] = sim_rows(args.png, args.cases)
        print("model, Ascend910B1, fp16, M=in=out=4096 | lora µs | matmul_custom µs | ratio | GM MB lora / matmul | findings")
        for row in result["model"]:
            print(f"{row['case']:>16} | {row['lora_us']:8.1f} | {row['matmul_us']:8.1f} | {row['ratio']:.3f} | "
                  f"{row['lora_gm_mb']:.0f} / {row['matmul_gm_mb']:.0f} | {row['findings']}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"+ {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
