"""``python -m opkit doctor``: what this machine can do with opkit and CANN, and how to fix what is missing.

Each check is one row: what was checked, what was found, its status (ok, info, warn, problem) and, for
anything not ok, the fix. The command exits 0 when cpu mode is usable (opkit's runtime loads, and g++
and cmake are there for ``opkit build``), whatever the CANN side says.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass

from . import cann as cann_mod


@dataclass(frozen=True)
class Check:
    """One row of the report."""

    area: str
    found: str
    status: str  # "ok", "info", "warn", "problem"
    fix: str = ""
    needed_for_cpu: bool = False


def _which(name: str) -> str | None:
    # Like `opkit build`: a tool pip installed next to this Python counts (cmake, ninja from PyPI).
    beside = os.path.join(os.path.dirname(sys.executable), name)
    return shutil.which(name) or (beside if os.access(beside, os.X_OK) else None)


def _version_line(cmd: list[str]) -> str | None:
    exe = _which(cmd[0])
    if exe is None:
        return None
    try:
        done = subprocess.run([exe, *cmd[1:]], check=False, capture_output=True, text=True, timeout=20,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"{exe} (did not run: {e})"
    first = (done.stdout or done.stderr).strip().splitlines()
    return f"{first[0] if first else '?'}  ({exe})"


def runtime_checks() -> list[Check]:
    """opkit's own runtime and the default SoC."""
    try:
        from . import _core
    except ImportError as e:
        return [Check("opkit runtime", f"does not load: {e}", "problem",
                      "reinstall opkit (pip install .) with a C++17 compiler available", True)]
    out = [Check("opkit runtime", f"loads; SoCs modelled: {_core.known_socs()}", "ok", needed_for_cpu=True)]
    try:
        soc = cann_mod.soc_names(None)
        src = f"$OPKIT_SOC={os.environ['OPKIT_SOC']}" if os.environ.get("OPKIT_SOC") else "built-in default"
        out.append(Check("default SoC", f"{soc.name} ({src}); msopgen -c {soc.msopgen}, CMake {soc.compute_unit}",
                         "ok"))
    except ValueError as e:
        out.append(Check("default SoC", str(e), "problem", f"set OPKIT_SOC to one of: {_core.known_socs()}", True))
    return out


def cann_checks(found: cann_mod.Cann | None) -> list[Check]:
    """The CANN toolkit: where, which version, what it lacks."""
    if found is None:
        searched = ", ".join(f"{p} ({why})" for why, p in cann_mod.search_paths()) or "nothing"
        return [Check("CANN", f"none found (searched: {searched})", "info",
                      "cpu mode works without CANN; the CANN build (opkit build --cann), msopgen projects, the CANN "
                      "simulator and a board need the CANN toolkit: install it, or set ASCEND_HOME_PATH to it")]
    out = [Check("CANN", f"{found.path} (from {found.found_by})", "ok")]
    gen = found.generation
    if found.version is None:
        out.append(Check("CANN version", "unknown", "warn",
                         f"no {found.path}/<arch>-linux/ascend_toolkit_install.info or version.info; reinstall the "
                         "toolkit package if the install is incomplete"))
    elif gen is None:
        out.append(Check("CANN version", f"{found.version} (from {found.version_file})", "problem",
                         "opkit knows CANN 6.x to 9.x; install CANN 8.x"))
    elif not gen.aclnn:
        out.append(Check("CANN version", f"{found.version}: {gen.describe()}", "problem",
                         "msopgen Ascend C projects need aclnn and the tiling macros (CANN 7.0 or later); install "
                         "CANN 8.x and set ASCEND_HOME_PATH to it"))
    else:
        out.append(Check("CANN version", f"{found.version}: {gen.describe()}", "ok"))
    for rel in found.missing_build_files():
        out.append(Check("CANN build files", f"{found.path}/{rel} is missing", "problem",
                         "ASCEND_CANN_PACKAGE_PATH would point at a runtime-only install (CANN's build stops with "
                         "'opbuild run failed!'); install the toolkit package (Ascend-cann-toolkit_*.run)"))
    if not found.missing_build_files():
        out.append(Check("CANN build files", ", ".join(cann_mod.BUILD_FILES) + " present", "ok"))
    if found.msopgen:
        out.append(Check("msopgen", str(found.msopgen), "ok"))
    else:
        out.append(Check("msopgen", "not found", "warn",
                         "it ships with the toolkit (python/site-packages/bin/msopgen); opkit gen uses its own "
                         "generator meanwhile"))
    out.append(_simulator_check(found))
    return out


def _simulator_check(found: cann_mod.Cann) -> Check:
    if not found.simulators:
        return Check("simulator libraries", f"none under {found.path}/tools/simulator/<Soc>/lib", "info",
                     "CANN's simulator comes with the toolkit for the SoCs it supports; cpu mode does not need it")
    names = []
    for folder in found.simulators:
        try:
            known = cann_mod.soc_names(folder).name == folder
        except ValueError:
            known = False
        names.append(folder if known else f"{folder} (not modelled by opkit)")
    default = cann_mod.soc_names(None).simulator if _soc_ok() else None
    status, fix = "ok", ""
    if default and default not in found.simulators:
        status, fix = "warn", f"no simulator for the default SoC {default}; pick one with OPKIT_SOC or --soc"
    return Check("simulator libraries", ", ".join(names), status, fix)


def _soc_ok() -> bool:
    try:
        cann_mod.soc_names(None)
        return True
    except (ValueError, ImportError):
        return False


def npu_checks() -> list[Check]:
    """Ascend devices (/dev/davinci<N>) and npu-smi."""
    devices = sorted(d for d in glob.glob("/dev/davinci*") if d[len("/dev/davinci"):].isdigit())
    out = [Check("NPUs", ", ".join(devices) if devices else "no /dev/davinci<N>", "ok" if devices else "info",
                 "" if devices else "npu_onboard needs an Ascend NPU and its driver; cpu mode does not")]
    if shutil.which("npu-smi"):
        line = _version_line(["npu-smi", "info"]) or "did not run"
        out.append(Check("npu-smi", line, "ok"))
    return out


def mode_checks() -> list[Check]:
    """Every test mode: cpu and npu_simulator on opkit's runtime, and what the CANN targets would run on
    (opkit.device), or why they cannot."""
    from . import device

    out = []
    soc = cann_mod.soc_names(None).name if _soc_ok() else None
    try:
        from . import _core  # noqa: F401  (cpu and opkit's model both run on the runtime)

        runtime = True
    except ImportError:
        runtime = False
    for area, what in (("cpu mode", "opkit's software AI Core: the kernels run on this CPU"),
                       ("npu_simulator mode", "opkit's AI Core model: the same kernels under the hardware-rule "
                                              "checks, with a per-pipe timing model (not calibrated on hardware)")):
        out.append(Check(area, what if runtime else "unavailable", "ok" if runtime else "problem",
                         "" if runtime else "the opkit runtime does not load (see above)"))
    for area, kind in (("camodel (OPKIT_SIMULATOR)", "camodel"), ("npu_onboard", "board")):
        target, reason = device.probe(kind, soc)
        if target is not None:
            out.append(Check(area, f"runs on {target.describe(soc)}", "ok"))
        else:
            out.append(Check(area, "unavailable", "info", reason or ""))
    return out


def compiler_checks() -> list[Check]:
    """g++, cmake and ninja: what ``opkit build`` and ``opkit config`` users need."""
    out = []
    for tool, cmd, needed, fix in (
            ("g++", ["g++", "--version"], True, "install a C++17 compiler (Debian: apt install g++)"),
            ("cmake", ["cmake", "--version"], True, "pip install cmake (3.18 or later)"),
            ("ninja", ["ninja", "--version"], False, "optional, faster builds: pip install ninja")):
        line = _version_line(cmd)
        if line:
            out.append(Check(tool, line, "ok", needed_for_cpu=needed))
        else:
            out.append(Check(tool, "not found", "problem" if needed else "info", fix, needed))
    return out


def collect() -> list[Check]:
    """Every check, in report order.

    >>> [c.area for c in collect()][:2]  # doctest: +SKIP
    ['opkit runtime', 'default SoC']
    """
    return runtime_checks() + cann_checks(cann_mod.find_cann()) + npu_checks() + mode_checks() + compiler_checks()


def cpu_usable(checks: list[Check]) -> bool:
    """cpu mode works when nothing it needs has a problem."""
    return not any(c.needed_for_cpu and c.status == "problem" for c in checks)


def render(checks: list[Check], tty: bool) -> str:
    """The report: a rich table on a terminal, plain aligned text otherwise."""
    if tty:
        try:
            from rich.console import Console
            from rich.table import Table
        except ImportError:
            tty = False
    if not tty:
        width = max(len(c.area) for c in checks)
        lines = []
        for c in checks:
            lines.append(f"{c.area:<{width}}  {c.status:<7}  {c.found}")
            if c.fix:
                lines.append(f"{'':<{width}}  {'':<7}  {'note' if c.status == 'info' else 'fix'}: {c.fix}")
        return "\n".join(lines)
    style = {"ok": "green", "info": "cyan", "warn": "yellow", "problem": "bold red"}
    table = Table(show_header=True, header_style="bold")
    for col in ("check", "status", "found", "what to do"):
        table.add_column(col, overflow="fold")
    for c in checks:
        table.add_row(c.area, f"[{style[c.status]}]{c.status}[/]", c.found, c.fix)
    console = Console(record=True)
    with console.capture() as cap:
        console.print(table)
    return cap.get().rstrip("\n")


def run_doctor() -> int:
    """The ``doctor`` command: print the report; 0 when cpu mode is usable, 1 otherwise."""
    checks = collect()
    print(render(checks, sys.stdout.isatty()))
    ok = cpu_usable(checks)
    print("\ncpu mode: usable" if ok else "\ncpu mode: NOT usable (see the problems above)")
    return 0 if ok else 1
