"""Helpers for the ``python -m opkit gen`` tests: running the command and compile-checking its output."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SPECS = sorted((REPO / "ops").glob("*.json"))
TRICKY = Path(__file__).resolve().parent / "specs" / "tricky.json"


def run_gen(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``python -m opkit gen ...`` as a user runs it (installed package, no OPKIT_DEBUG).

    CANN is hidden (no search paths, no toolkit variables) so these tests exercise opkit's own
    generator even on a machine with CANN; tests/cann covers the msopgen path.
    """
    hidden = ("OPKIT_DEBUG", "OPKIT_SOC", "ASCEND_HOME_PATH", "ASCEND_TOOLKIT_HOME")
    env = {**{k: v for k, v in os.environ.items() if k not in hidden}, "OPKIT_CANN_SEARCH_PATHS": "",
           **(env or {})}
    return subprocess.run([sys.executable, "-m", "opkit", "gen", *args], check=False, capture_output=True,
                          text=True, env=env, timeout=120, cwd=cwd)


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its bytes, by relative path."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def snake(op_type: str) -> str:
    from opkit.spec import snake_case

    return snake_case(op_type)


def compile_check(project: Path, cflags: list[str]) -> None:
    """g++ -fsyntax-only on every op_host and op_kernel source, the way cmake/OpkitOps.cmake compiles them
    (kernels with the tiling header force-included and the first dtype column's DTYPE_ macros)."""
    from opkit.spec import load

    host = project / "op_host"
    for spec_file in project.glob("*.json"):
        if spec_file.name == "CMakePresets.json":
            continue
        for op in load(spec_file):
            checks = [[str(host / f"{op.name}.cpp"), "-I", str(host)]]
            column = op.columns[0]
            defines = [f"-DDTYPE_{n.upper()}={d.ctype}" for n, d in column.items()]
            defines += [f"-DORIG_DTYPE_{n.upper()}=ge::{d.ge}" for n, d in column.items()]
            checks.append([str(project / "op_kernel" / f"{op.name}.cpp"), "-I", str(host),
                           "-I", str(project / "op_kernel"), "-include", str(host / f"{op.name}_tiling.h"),
                           f"-DOPKIT_TILING_TYPE=optiling::OpkitTilingOf_{op.op_type}", *defines])
            for check in checks:
                r = subprocess.run(["g++", "-fsyntax-only", *cflags, *check], check=False, capture_output=True,
                                   text=True, timeout=300)
                first = next((line for line in r.stderr.splitlines() if "error" in line), r.stderr)
                assert r.returncode == 0, f"{check[0]} does not compile: {first}\n{r.stderr[:3000]}"


def marked_block(text: str, what: str) -> tuple[int, int]:
    """Line span [begin, end] of an ``OPKIT: <what>`` block, for tests that fill it in."""
    lines = text.splitlines()
    begin = next(i for i, line in enumerate(lines) if re.search(rf"OPKIT: {what} \(edit here\)", line))
    end = next(i for i, line in enumerate(lines) if re.search(rf"end OPKIT: {what}", line))
    return begin, end


def fill_block(path: Path, what: str, code: list[str]) -> None:
    """Replace the body of an ``OPKIT: <what>`` block with ``code`` (indented like the block)."""
    lines = path.read_text().splitlines()
    begin, end = marked_block(path.read_text(), what)
    indent = re.match(r"\s*", lines[begin]).group(0)
    lines[begin + 1:end] = [indent + c for c in code]
    path.write_text("\n".join(lines) + "\n")


def check_copies(project: Path, names: list[str]) -> None:
    """The shared files gen copied into ``project`` (op_kernel/<n>.h, op_host/<n>_tiling.h) are opkit's own."""
    copies = [(f"op_kernel/{n}.h", f"kernels/{n}.h") for n in names]
    copies += [(f"op_host/{n}_tiling.h", f"host/{n}_tiling.h") for n in names if (REPO / f"host/{n}_tiling.h").exists()]
    for copy, origin in copies:
        first, rest = (project / copy).read_text().split("\n", 1)
        assert origin in first
        assert rest == (REPO / origin).read_text(), f"python/opkit/gen/templates is out of date with {origin}"


def build_project(out: Path) -> None:
    """`opkit build` a generated project (OPKIT_DEBUG unset), asserting that it builds."""
    r = subprocess.run([sys.executable, "-m", "opkit", "build", str(out)], capture_output=True, text=True, timeout=1200,
                       env={k: v for k, v in os.environ.items() if k != "OPKIT_DEBUG"})
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]


def run_tests(project: Path, soc: str, mode: str, *args: str) -> subprocess.CompletedProcess:
    """The generated project's own pytest suite, on `soc` in `mode`."""
    env = {k: v for k, v in os.environ.items() if k not in ("OPKIT_DEBUG", "PYTEST_ADDOPTS")}
    env["OPKIT_SOC"] = soc
    return subprocess.run([sys.executable, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider", f"--mode={mode}",
                           *args], check=False, cwd=project, capture_output=True, text=True, env=env, timeout=1200)


def assert_all_passed(r: subprocess.CompletedProcess, expected: dict[str, int]) -> None:
    """A run with -rA passed, with `expected[op]` passing tests in each tests/test_<op>.py."""
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-2000:]
    assert f"{sum(expected.values())} passed" in r.stdout, r.stdout[-2000:]
    for op, n in expected.items():
        assert len(re.findall(rf"PASSED tests/test_{op}\.py::", r.stdout)) == n, op
