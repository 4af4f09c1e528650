"""Making a sample's data and judging its outputs (``opkit sample``, python/opkit/sample.py).

Note [Golden dtypes]: a sample without a verify script leaves only ``.bin`` files: raw bytes, no
dtype. opkit learns each file's dtype from the data script itself: the script runs under a profile
hook that sees every ``ndarray.tofile`` call return, and records the array's dtype and shape for the
file it just wrote (the newest file of exactly ``nbytes`` bytes). Outputs take their golden's dtype,
and are compared at that dtype's tolerance (python/opkit/tolerances.py); integer dtypes must match
exactly. A file whose dtype was not seen is compared byte for byte, and the verdict says so.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .tolerances import TOLERANCES

MANIFEST = ".opkit_tofile.json"

# Runs the data script as `python3 script args` would, recording what each ndarray.tofile wrote.
_RUNNER = rf"""
import json, os, runpy, sys
import numpy as np
seen = {{}}
def newest(nbytes):
    best = None
    for d in (".", "input", "output"):
        if not os.path.isdir(d):
            continue
        for n in os.listdir(d):
            p = os.path.join(d, n)
            try:
                st = os.stat(p)
            except OSError:
                continue
            if os.path.isfile(p) and st.st_size == nbytes and (best is None or st.st_mtime_ns > best[0]):
                best = (st.st_mtime_ns, p)
    return best[1] if best else None
def hook(frame, event, arg):
    if event == "c_return" and getattr(arg, "__name__", "") == "tofile":
        a = getattr(arg, "__self__", None)
        if isinstance(a, np.ndarray):
            p = newest(a.nbytes)
            if p:
                seen[os.path.normpath(p)] = [str(a.dtype), list(a.shape)]
script = sys.argv[1]
sys.argv = sys.argv[1:]
sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
sys.setprofile(hook)
try:
    runpy.run_path(script, run_name="__main__")
finally:
    sys.setprofile(None)
    with open({MANIFEST!r}, "w") as f:
        json.dump(seen, f)
"""


def run_data_script(work: Path, data: list[str], extra_path: Path | None) -> subprocess.CompletedProcess:
    """Run the sample's data script in ``work`` (its input/ and output/ are there)."""
    env = dict(os.environ)
    if extra_path is not None:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(extra_path), env.get("PYTHONPATH", "")) if p)
    return subprocess.run([sys.executable, "-c", _RUNNER, *data], cwd=work, env=env, capture_output=True,
                          text=True, timeout=600)


def dtypes_written(work: Path) -> dict[str, tuple[str, tuple[int, ...]]]:
    try:
        raw = json.loads((work / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}
    return {k: (v[0], tuple(v[1])) for k, v in raw.items()}


@dataclass
class Comparison:
    output: str
    golden: str
    dtype: str | None  # None: compared byte for byte (Note [Golden dtypes])
    elements: int
    bad: int
    allowed: float
    max_err: float
    worst: list[tuple[int, float, float]]  # (index, got, want), worst first
    problem: str = ""  # a size mismatch or a missing file

    @property
    def passed(self) -> bool:
        return not self.problem and self.bad <= self.allowed


def pair_outputs(work: Path, goldens: list[str]) -> list[tuple[str, str]]:
    """Each golden file with the output the program wrote for it: golden.bin <-> the one output;
    golden_y.bin <-> output_y.bin (the same suffix)."""
    outs = sorted(str(p.relative_to(work)) for p in (work / "output").glob("*.bin") if "golden" not in p.name)
    pairs = []
    for g in goldens:
        suffix = Path(g).name.replace("golden", "", 1)
        match = [o for o in outs if suffix not in (".bin", "") and Path(o).name.endswith(suffix)]
        if len(match) != 1 and len(goldens) == 1 and len(outs) == 1:
            match = outs
        pairs.append((match[0] if len(match) == 1 else "", g))
    return pairs


def compare(work: Path, output: str, golden: str, dtype: str | None) -> Comparison:
    if not output:
        return Comparison("?", golden, dtype, 0, 0, 0, 0.0, [], problem="the program wrote no output file to compare with it")
    if dtype is None or dtype.startswith("|V"):
        o, g = np.fromfile(work / output, np.uint8), np.fromfile(work / golden, np.uint8)
        dtype = None
    else:
        dt = np.dtype("bfloat16" if dtype == "bfloat16" else dtype)
        o, g = np.fromfile(work / output, dt), np.fromfile(work / golden, dt)
    if o.size != g.size:
        return Comparison(output, golden, dtype, g.size, 0, 0, 0.0, [],
                          problem=f"{output} holds {o.size} elements, {golden} {g.size}")
    of, gf = o.astype(np.float64), g.astype(np.float64)
    tol = TOLERANCES.get(dtype or "", None)
    with np.errstate(invalid="ignore"):
        err = np.abs(of - gf)
        if tol is None:  # integers, bytes: exactly
            bad = of != gf
            allowed = 0.0
        else:
            same = (of == gf) | (np.isnan(of) & np.isnan(gf))
            bad = ~(same | (err <= tol["atol"] + tol["rtol"] * np.abs(gf)))
            allowed = tol["max_mismatch"] * g.size
    err = np.where(np.isfinite(err), err, np.inf)
    finite = err[np.isfinite(err)]
    idx = np.flatnonzero(bad)
    idx = idx[np.argsort(-err[idx], kind="stable")][:5]
    worst = [(int(i), float(of[i]), float(gf[i])) for i in idx]
    return Comparison(output, golden, dtype, g.size, int(bad.sum()), allowed,
                      float(finite.max()) if finite.size else 0.0, worst)


def describe(c: Comparison) -> str:
    if c.problem:
        return f"{c.golden}: {c.problem}"
    what = f"{c.elements} {c.dtype} elements" if c.dtype else f"{c.elements} bytes (dtype unknown: compared exactly)"
    if c.passed:
        extra = f", {c.bad} outside tolerance (allowed {c.allowed:.0f})" if c.bad else ""
        return f"{c.output} matches {c.golden}: {what}, max abs error {c.max_err:.3g}{extra}"
    tol = TOLERANCES.get(c.dtype or "")
    rule = (f"|out - golden| <= {tol['atol']:g} + {tol['rtol']:g} * |golden|" if tol else "equality")
    lines = [f"{c.output} does not match {c.golden}: {c.bad} of {what} break {rule} "
             f"(allowed {c.allowed:.0f}); worst:"]
    lines += [f"    [{i}] got {got:.6g}, want {want:.6g} (error {abs(got - want):.3g})" for i, got, want in c.worst]
    return "\n".join(lines)


def run_verify(work: Path, verify: list[str]) -> tuple[bool, str]:
    """Run the sample's verify script as run.sh does; it prints `test pass` or an error line."""
    r = subprocess.run([sys.executable, *verify], cwd=work, capture_output=True, text=True, timeout=600)
    out = (r.stdout + r.stderr).strip()
    ok = r.returncode == 0 and "test pass" in out and "ERROR" not in out and "Error" not in out
    return ok, out
