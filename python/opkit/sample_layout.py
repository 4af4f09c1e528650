"""How an official kernel-launch sample is built and run, read from its run.sh and CMake files.

Note [Sample layouts]: CANN's kernel-launch samples come in three layouts, told apart by their files.
Each builds one CPU-debug program from the kernel and the host ``main.cpp`` (linked against
tikicpulib on CANN, against opkit's runtime here) with the flags its CMake gives the cpu target:

- ``kernel_invocation`` (Ascend/samples 2023, CANN 6.3/7.0): a top-level CMakeLists.txt with
  ``${smoke_testcase}.cpp`` and ``main.cpp``; ``bash run.sh NAME SOC CORE_TYPE cpu`` where NAME is
  the kernel file's stem, its data script is ``NAME.py``. Flags: ``-g``, ``CMAKE_CXX_STANDARD 17``
  (gnu++17). The run.sh judges nothing (it prints md5sums).
- ``cmake/cpu`` (2024, e.g. AddKernelInvocation): ``cmake/cpu/CMakeLists.txt`` globs every top-level
  ``*.cpp``; ``-g``, gnu++17, ``_GLIBCXX_USE_CXX11_ABI=0``. A ``cmake/tiling`` target (MatMulInvocation)
  is a separate program built from ``custom_tiling/main.cpp`` (``-g -std=c++17``, CANN's
  ``include/tiling``) that run.sh runs before the kernel program when it sets CUSTOM_TILING.
- ``cpu_lib.cmake`` (2024 "Neo"): the kernel files listed in ``file(GLOB KERNEL_FILES ...)`` build a
  library with ``-g -O0 -std=c++17`` (plus ``-DCUSTOM_ASCEND310P`` when run.sh's SoC is in the
  CMake's CUSTOM_ASCEND310P_LIST); ``ascendc_kernels_bbit``'s sources with ``-g -O2 -std=c++17
  -D_GLIBCXX_USE_CXX11_ABI=0``.

The run.sh supplies the rest: its ``python3 ...`` lines (the data script, and a verify script when
it has one), the arguments it passes the program (``./NAME_cpu case1``), a SoC it fixes
(``SOC_VERSION=Ascend910B1``) and the file name (``FILE_NAME="add"``).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from .errors import OpkitError


class SampleError(OpkitError):
    """A sample opkit cannot build or run as its run.sh would; the message says why and what to do."""


@dataclass(frozen=True)
class Unit:
    """One source compiled with the flags its CMake target gives it."""

    src: Path
    flags: tuple[str, ...]


@dataclass
class Sample:
    root: Path
    name: str  # the program's name as run.sh builds it (add_custom_cpu, ascendc_kernels_bbit)
    layout: str  # Note [Sample layouts]
    units: list[Unit]
    data: list[str]  # the data script and its arguments (run as python3 <data...> in the work dir)
    run_args: list[str]
    verify: list[str] | None  # the verify script and its arguments, or None: compare with the goldens
    soc: str | None  # a SoC run.sh fixes, or None
    tiling_units: list[Unit] = field(default_factory=list)  # a program run.sh runs before the kernel's
    soc_list_310p: tuple[str, ...] = ()


_ASSIGN = re.compile(r"^\s*(?:export\s+)?([A-Za-z_]\w*)=(\S*)\s*$")
_PYTHON = re.compile(r"(?:^|[\s;(&])python3?\s+([^;&|)\n]+)")
_RUN = re.compile(r"\./(\$\{?FILE_NAME\}?_\$\{?RUN_MODE\}?|\$\{?1\}?_\$\{?4\}?|ascendc_kernels_bbit)([^)\n;&|]*)")
_CASE_HINT = re.compile(r"(\w+)\s+should be in \[([^\]]+)\]")


def _script_lines(run_sh: Path) -> list[str]:
    lines = []
    for raw in run_sh.read_text(encoding="utf-8", errors="replace").splitlines():
        s = raw.strip()
        if s and not s.startswith("#"):
            lines.append(raw.split(" #")[0])
    return lines


def _literals(lines: list[str]) -> tuple[dict[str, str], dict[str, int]]:
    """run.sh's literal assignments (FILE_NAME="add") and its positional ones (CASEX=$2)."""
    lits: dict[str, str] = {}
    positional: dict[str, int] = {}
    for line in lines:
        m = _ASSIGN.match(line)
        if not m:
            continue
        name, value = m.group(1), m.group(2).strip("\"'")
        if re.fullmatch(r"\$\{?(\d)\}?", value):
            positional[name] = int(re.sub(r"\D", "", value))
        elif "$" not in value and "`" not in value and value:
            lits.setdefault(name, value)
    return lits, positional


def _expand(text: str, env: dict[str, str], run_sh: Path) -> list[str]:
    def sub(m: re.Match) -> str:
        name = m.group(1) or m.group(2)
        if name not in env:
            raise SampleError(f"{run_sh}: `{text.strip()}` uses ${name}, whose value opkit cannot tell "
                              f"(run.sh takes it from its command line): pass it with --case VALUE")
        return env[name]

    return shlex.split(re.sub(r"\$\{(\w+)\}|\$(\w+)", sub, text))


def _cmake_list(text: str, command: str, first: str) -> list[str]:
    """The arguments of `command(first ...)` in a CMake file, e.g. file(GLOB KERNEL_FILES a.cpp b.cpp)."""
    m = re.search(rf"{command}\s*\(\s*{re.escape(first)}\b([^)]*)\)", text)
    if not m:
        return []
    return [a for a in m.group(1).split() if not a.startswith("#")]


def _sources(root: Path, args: list[str]) -> list[Path]:
    out = []
    for a in args:
        a = re.sub(r"\$\{CMAKE_(CURRENT_)?SOURCE_DIR\}/?", "", a)
        if a.endswith((".cpp", ".cc", ".cxx")):
            out.extend(sorted(root.glob(a)) if "*" in a else [root / a])
    return out


def _layout(root: Path) -> str:
    cm = root / "CMakeLists.txt"
    text = cm.read_text(encoding="utf-8", errors="replace") if cm.is_file() else ""
    if (root / "cmake" / "cpu_lib.cmake").is_file():
        return "cpu_lib.cmake"
    if (root / "cmake" / "cpu" / "CMakeLists.txt").is_file():
        return "cmake/cpu"
    if "smoke_testcase" in text and "tikicpulib" in text:
        return "kernel_invocation"
    if "ascendc_library" in text:
        raise SampleError(f"{root}: this sample has no CPU path: its CMakeLists.txt builds the kernel only for "
                          "the NPU (ascendc_library, launched with <<<...>>>), so there is no cpu target to "
                          "build; opkit runs the kernel-launch samples whose CMake has a cpu target")
    if not cm.is_file():
        raise SampleError(f"{root}: no CMakeLists.txt: not a kernel-launch sample (an op project, with "
                          "op_host/ and op_kernel/, is built with `python -m opkit build DIR`)")
    raise SampleError(f"{root}: CMakeLists.txt has no cpu target opkit recognises (Note [Sample layouts] in "
                      "python/opkit/sample_layout.py lists the layouts: kernel_invocation, cmake/cpu, cpu_lib.cmake)")


def _file_name_2023(root: Path) -> str:
    """The NAME of `bash run.sh NAME ...`: the kernel file whose stem has a data script NAME.py."""
    names = sorted(p.stem for p in root.glob("*.cpp") if p.stem != "main" and (root / f"{p.stem}.py").is_file())
    if len(names) == 1:
        return names[0]
    found = ", ".join(p.name for p in sorted(root.glob("*.cpp"))) or "none"
    raise SampleError(f"{root}: run.sh takes the kernel's name (bash run.sh NAME SOC CORE_TYPE cpu) and runs NAME.py "
                      f"for the data; opkit looks for NAME.cpp next to NAME.py and found "
                      f"{'several: ' + ', '.join(names) if names else 'no such pair'} (.cpp files: {found})")


def read_sample(root: Path, case: str | None = None) -> Sample:
    """Read how run.sh and the CMake files build, run and judge the sample in ``root``."""
    root = root.resolve()
    if not root.is_dir():
        raise SampleError(f"{root}: not a directory")
    layout = _layout(root)
    run_sh = root / "run.sh"
    if not run_sh.is_file():
        raise SampleError(f"{root}: no run.sh: opkit reads how to make the data, run and judge a sample from its run.sh")
    lines = _script_lines(run_sh)
    lits, positional = _literals(lines)
    text = "\n".join(lines)
    file_name = _file_name_2023(root) if layout == "kernel_invocation" else lits.get("FILE_NAME", "")
    env = {"FILE_NAME": file_name, "RUN_MODE": "cpu", "1": file_name, "4": "cpu"}
    for var, _pos in positional.items():
        if var in ("RUN_MODE", "SOC_VERSION", "CORE_TYPE", "FILE_NAME"):
            continue
        hint = {m.group(1): m.group(2).split() for m in _CASE_HINT.finditer(text)}.get(var)
        value = case or (hint[0] if hint else None)
        if value is not None:
            env[var] = value
    scripts = [_expand(m.group(1), env, run_sh) for m in _PYTHON.finditer(text)]
    verify = next((s for s in scripts if "verify" in Path(s[0]).name), None)
    data = next((s for s in scripts if s is not verify), None)
    if data is None:
        raise SampleError(f"{run_sh}: runs no data script (no `python3 <script>` line), so there are no inputs to "
                          "run the kernel on")
    if not (root / data[0]).is_file():
        raise SampleError(f"{run_sh}: its data script {data[0]} is missing from {root}")
    if verify is not None and not (root / verify[0]).is_file():
        raise SampleError(f"{run_sh}: its verify script {verify[0]} is missing from {root}")
    m = _RUN.search(text)
    run_args = _expand(m.group(2), env, run_sh) if m else []
    soc = lits.get("SOC_VERSION")
    sample = _units(root, layout, file_name)
    sample.data, sample.run_args, sample.verify, sample.soc = data, run_args, verify, soc
    if layout == "cmake/cpu" and (root / "cmake" / "tiling").is_dir() and lits.get("CUSTOM_TILING") == "CUSTOM_TILING":
        sample.tiling_units = [Unit(root / "custom_tiling" / "main.cpp", ("-g", "-std=c++17", "@tiling"))]
    return sample


def _units(root: Path, layout: str, file_name: str) -> Sample:
    cm = (root / "CMakeLists.txt").read_text(encoding="utf-8", errors="replace")
    if layout == "kernel_invocation":
        flags = ("-g", "-std=gnu++17")
        units = [Unit(root / "main.cpp", flags), Unit(root / f"{file_name}.cpp", flags)]
        return Sample(root, f"{file_name}_cpu", layout, units, [], [], None, None)
    if layout == "cmake/cpu":
        flags = ("-g", "-std=gnu++17", "-D_GLIBCXX_USE_CXX11_ABI=0")
        units = [Unit(p, flags) for p in sorted(root.glob("*.cpp"))]
        return Sample(root, f"{file_name or root.name}_cpu", layout, units, [], [], None, None)
    kernels = _sources(root, _cmake_list(cm, "file", "GLOB KERNEL_FILES") or _cmake_list(cm, "set", "KERNEL_FILES"))
    hosts = _sources(root, _cmake_list(cm, "add_executable", "ascendc_kernels_bbit"))
    if not kernels or not hosts:
        what = "kernel files (file(GLOB KERNEL_FILES ...))" if not kernels else "sources of ascendc_kernels_bbit"
        raise SampleError(f"{root / 'CMakeLists.txt'}: found no {what}")
    soc_list = tuple(a.strip('"') for a in _cmake_list(cm, "set", "CUSTOM_ASCEND310P_LIST"))
    units = [Unit(p, ("-g", "-O0", "-std=c++17")) for p in kernels]
    units += [Unit(p, ("-g", "-O2", "-std=c++17", "-D_GLIBCXX_USE_CXX11_ABI=0")) for p in hosts]
    return Sample(root, "ascendc_kernels_bbit", layout, units, [], [], None, None, soc_list_310p=soc_list)
