"""``opkit build DIR``: turn an op project into libraries for the software AI Core.

A project is msopgen's layout (``op_host/``, ``op_kernel/``) or opkit's (``host/``, ``kernels/``),
optionally with its specs as ``*.json`` at the top (or in ``ops/``).

Note [The OpDef decides]: like CANN's build, opkit builds the ops as op_host registers them
(``OP_ADD`` and the OpDef's DataType lists), not as a spec file says: the spec only seeds a
project, and users (and official samples) edit op_host afterwards. opkit compiles op_host once
on its own, reads the registered OpDefs back as spec data, builds from those, and notes where the
project's spec files disagree. opkit writes a small CMake driver into the
build directory that calls ``opkit_add_op_project`` (cmake/OpkitOps.cmake) for every spec, so the
project's own CMakeLists.txt (CANN's) is left alone. The result has CANN's shape:
``op_api/include/aclnn_<op>.h`` and ``op_api/lib/libcust_opapi.so`` for C++ callers, and
``op_impl/`` with the op_host library and one kernel library per dtype column.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import BuildError

_PROGRESS = re.compile(r"^\[(\d+)/(\d+)\]")


@dataclass(frozen=True)
class Project:
    root: Path
    specs: list[Path]
    host_dir: Path
    kernel_dir: Path


@dataclass(frozen=True)
class Built:
    project: Project
    out: Path  # the layout root: specs, op_api/, op_impl/

    @property
    def include_dir(self) -> Path:
        return self.out / "op_api" / "include"

    @property
    def opapi_lib(self) -> Path:
        return self.out / "op_api" / "lib" / "libcust_opapi.so"


_NOT_SPECS = {"CMakePresets.json", "CMakeUserPresets.json", "compile_commands.json", "package.json"}
_SPEC_KEYS = {"op", "input_desc", "output_desc", "attr"}


def is_spec_file(path: Path) -> bool:
    """Whether a JSON file in a project root is meant as an op spec (Note [Stray JSON]).

    A file is a spec unless it is one of the JSON files build tools keep in a project root, or its top level
    has none of a spec's keys (a Chrome trace from ``opkit profile``, a config file). Those are skipped with
    a note saying what they are; anything spec-like goes on to the spec loader and its exact errors.

    >>> import json, pathlib, tempfile
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> (d / "t.json").write_text(json.dumps({"traceEvents": []})) and is_spec_file(d / "t.json")
    False
    """
    import json
    import sys

    if path.name in _NOT_SPECS:
        return False
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return True  # the spec loader reports exactly what is wrong with it
    items = doc if isinstance(doc, list) else [doc]
    if any(isinstance(i, dict) and _SPEC_KEYS & set(i) for i in items) or doc == []:
        return True
    what = ("a Chrome trace (opkit profile writes these into --out)" if isinstance(doc, dict) and "traceEvents" in doc
            else "no op spec: its top level has none of " + ", ".join(sorted(_SPEC_KEYS)))
    print(f"note: {path}: skipped, {what}", file=sys.stderr)
    return False


# Note [Stray JSON]: `build`, `opkit.load` and the generated tests read every *.json in a project root
# as a spec. Other JSON lands there too (traces, tool configs); reading it as a spec gave a misleading
# `missing "op"`. Such files are skipped, with a note; a file with any spec key is still a spec, so a
# typo in a real spec keeps its exact error.


def find_project(path: str | Path) -> Project:
    """Locate the specs, op_host and op_kernel sources of a project directory.

    >>> find_project("/no/such/dir")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    opkit.errors.BuildError: /no/such/dir: not a directory
    """
    root = Path(path).resolve()
    if not root.is_dir():
        raise BuildError(f"{path}: not a directory")
    specs = [s for s in sorted(root.glob("*.json")) if is_spec_file(s)]
    specs = specs or [s for s in sorted((root / "ops").glob("*.json")) if is_spec_file(s)]
    pairs = [("op_host", "op_kernel"), ("host", "kernels")]
    for host, kernel in pairs:
        if (root / host).is_dir() and (root / kernel).is_dir():
            return Project(root, specs, root / host, root / kernel)
    raise BuildError(f"{root}: expected op_host/ and op_kernel/ (msopgen's layout) or host/ and kernels/")


def _probe_specs(project: Project, bdir: Path) -> list[Path]:
    """The ops as op_host registers them, as spec files (Note [The OpDef decides])."""
    import json

    from .paths import INCLUDE_DIR, LIB_DIR

    sources = sorted(project.host_dir.glob("*.cpp"))
    if not sources:
        raise BuildError(f"{project.host_dir}: no op_host source (*.cpp)")
    probe = bdir / "probe"
    probe.mkdir(parents=True, exist_ok=True)
    lib = probe / "libopkit_probe_host.so"
    inputs = sources + sorted(project.host_dir.glob("*.h")) + sorted(project.host_dir.glob("*.hpp"))
    # Rebuild when a source is newer or the set of sources changed (a deleted file changes no mtime).
    listing = probe / "sources.txt"
    names = "\n".join(str(p) for p in inputs)
    stale = not listing.exists() or listing.read_text() != names
    if stale or not lib.exists() or lib.stat().st_mtime < max(p.stat().st_mtime for p in inputs):
        cxx = os.environ.get("CXX") or shutil.which("g++") or shutil.which("c++")
        if cxx is None:
            raise BuildError("no C++ compiler found (g++); install one (Debian: apt install g++)")
        cmd = [cxx, "-std=c++17", "-O0", "-shared", "-fPIC", *map(str, sources), f"-I{project.host_dir}",
               f"-I{INCLUDE_DIR}", "-D__CCE_KT_TEST__=1", "-DASCENDC_CPU_DEBUG=1", f"-L{LIB_DIR}", "-lopkit_rt",
               f"-Wl,-rpath,{LIB_DIR}", "-o", str(lib)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise BuildError(f"compiling op_host failed: {_first_error(done.stderr)}")
        for line in value_warnings(done.stderr):
            print(f"opkit: warning: {line}", file=sys.stderr)
        listing.write_text(names)
    script = ("import json, sys; from opkit import _core; "
              "print(json.dumps(_core.op_defs(_core.load_host_library(sys.argv[1]))))")
    done = subprocess.run([sys.executable, "-c", script, str(lib)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BuildError(f"loading op_host failed: {_first_error(done.stderr)}")
    defs = json.loads(done.stdout)
    if not defs:
        raise BuildError(f"{project.host_dir}: op_host registers no op; each op needs OP_ADD(<OpType>)")
    _compare_with_specs(project, defs)
    out = []
    (bdir / "specs").mkdir(exist_ok=True)
    for d in defs:
        from .spec import snake_case

        path = bdir / "specs" / f"{snake_case(d['op'])}.json"
        text = json.dumps([d], indent=2) + "\n"
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
        out.append(path)
    for stale in set((bdir / "specs").glob("*.json")) - set(out):  # ops op_host no longer registers
        stale.unlink()
    return out


# Note [Warnings that change a value]: g++ compiles op_host without stopping at warnings, and most are
# style. A few say the program computes something other than what its source says, the same on CANN's
# host compiler: a constant expression that overflows (PreLayerNorm's sample sizes its workspace as
# `512 * 4 * 20480 * 1024` in int, which is 0), a shift past the width, a division by zero. `opkit build`
# prints those, with how to fix them, since the symptom comes much later (a kernel running past its
# workspace) and far from the cause.
_VALUE_WARNINGS = {
    "-Woverflow": "compute it in a type wide enough, e.g. start the product with size_t(512)",
    "-Wshift-count-overflow": "shift a type wider than the count, e.g. uint64_t(1) << n",
    "-Wdiv-by-zero": "the divisor is 0 at compile time",
}


def value_warnings(stderr: str) -> list[str]:
    """The compiler warnings in ``stderr`` that change a value (Note [Warnings that change a value]).

    >>> w = "a.cpp:3:9: warning: integer overflow in expression of type 'int' results in '0' [-Woverflow]"
    >>> value_warnings(w)[0][:41]
    'a.cpp:3:9: integer overflow in expression'
    """
    out = []
    for line in stderr.splitlines():
        m = re.match(r"(.+?:\d+:\d+): warning: (.*\[(-W[\w-]+)\])$", line.strip())
        if m and m.group(3) in _VALUE_WARNINGS:
            out.append(f"{m.group(1)}: {m.group(2)}; {_VALUE_WARNINGS[m.group(3)]}")
    return out


def _compare_with_specs(project: Project, defs: list[dict]) -> None:
    """Point out where the project's spec files and its op_host registration disagree."""
    from . import spec as spec_mod

    registered = {d["op"]: d for d in defs}
    for path in project.specs:
        for op in spec_mod.load(path):
            d = registered.get(op.op_type)
            if d is None:
                print(f"opkit: note: {path.name}: {op.op_type} is not registered by op_host (no OP_ADD); "
                      "it is not built", file=sys.stderr)
                continue
            for kind, tensors in (("input_desc", op.inputs), ("output_desc", op.outputs)):
                for t, r in zip(tensors, d[kind]):
                    spec_types = [x.name for x in t.dtypes]
                    if len(r["type"]) == 1:
                        r_types = r["type"] * len(spec_types)
                    else:
                        r_types = r["type"]
                    if spec_types != r_types:
                        print(f"opkit: note: {path.name}: {op.op_type} {t.name} is {', '.join(spec_types)} in the "
                              f"spec but {', '.join(r['type'])} in op_host; building what op_host registers, "
                              "as CANN does", file=sys.stderr)


def _host_target(project: Project) -> str:
    # The op_host library is found by its soname when libcust_opapi.so loads, and the dynamic
    # linker reuses an already-loaded library of the same soname: two projects in one process
    # would share the first one's op_host. A name per project keeps them apart.
    import hashlib

    return "cust_op_host_" + hashlib.sha1(str(project.root).encode()).hexdigest()[:10]


def _driver(project: Project, specs: list[Path]) -> str:
    lines = [
        "# Written by `opkit build`; rewritten on every build.",
        "cmake_minimum_required(VERSION 3.18)",
        "project(opkit_op_project LANGUAGES CXX)",
        "find_package(opkit REQUIRED)",
    ]
    for spec in specs:
        lines.append(f'opkit_add_op_project(SPEC "{spec}" KERNEL_DIR "{project.kernel_dir}" '
                     f'HOST_DIR "{project.host_dir}" OUTPUT_DIR ops HOST_TARGET {_host_target(project)})')
    return "\n".join(lines) + "\n"


def _tool(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else None


def _first_error(log: str) -> str:
    for line in log.splitlines():
        if re.search(r"\berror\b", line) and ("error:" in line or "Error" in line):
            return line.strip()
    tail = [line for line in log.splitlines() if line.strip()]
    return tail[-1].strip() if tail else "no output"


def _run(cmd: list[str], log_path: Path, label: str, progress: bool) -> None:
    from .progress import Progress

    with open(log_path, "a", encoding="utf-8") as log, Progress(label, enabled=progress) as bar:
        log.write("$ " + " ".join(cmd) + "\n")
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        out = []
        assert proc.stdout is not None
        for line in proc.stdout:
            log.write(line)
            out.append(line)
            m = _PROGRESS.match(line)
            if m:
                bar.update(int(m.group(1)), int(m.group(2)), line[m.end():].strip())
        rc = proc.wait()
    if rc != 0:
        raise BuildError(f"{label} failed: {_first_error(''.join(out))} (full log: {log_path})")


def build(path: str | Path, build_dir: str | Path | None = None, jobs: int | None = None,
          progress: bool = False) -> Built:
    """Configure (once) and build an op project; returns where the results are.

    >>> built = build("my_project")  # doctest: +SKIP
    >>> built.opapi_lib.name  # doctest: +SKIP
    'libcust_opapi.so'
    """
    from . import spec as spec_mod

    project = find_project(path)
    for s in project.specs:  # clear spec errors before CMake wraps them
        spec_mod.load(s)
    if jobs is not None and jobs < 1:
        raise BuildError(f"-j {jobs}: the number of parallel jobs must be at least 1")
    cmake = _tool("cmake")
    if cmake is None:
        raise BuildError("cmake was not found on PATH; install it (pip install cmake) and retry")
    bdir = Path(build_dir).resolve() if build_dir else project.root / "build_out" / "opkit"
    (bdir / "driver").mkdir(parents=True, exist_ok=True)
    with _BuildLock(bdir):  # one build of a directory at a time (pytest -n, several processes loading)
        return _build_locked(project, bdir, cmake, jobs, progress)


class _BuildLock:
    """An exclusive lock on a build directory, held while it builds."""

    def __init__(self, bdir: Path):
        self.path = bdir / ".lock"

    def __enter__(self) -> _BuildLock:
        import fcntl

        self.fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o644)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc: object) -> None:
        import fcntl

        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


def _build_locked(project: Project, bdir: Path, cmake: str, jobs: int | None, progress: bool) -> Built:
    from .paths import CMAKE_DIR

    specs = _probe_specs(project, bdir)
    driver = bdir / "driver" / "CMakeLists.txt"
    text = _driver(project, specs)
    cmake_dir = bdir / "cmake"
    # Start the CMake tree afresh when the set of ops changed (removed ops leave generated sources
    # behind) or the project moved (CMake's cache remembers absolute paths).
    if cmake_dir.exists() and (not driver.exists() or driver.read_text() != text or
                               _cached_home(cmake_dir) not in (None, str(driver.parent))):
        shutil.rmtree(cmake_dir)
    if not driver.exists() or driver.read_text() != text:
        driver.write_text(text)
    log = bdir / "build.log"
    log.write_text("")
    configured = (cmake_dir / "CMakeCache.txt").exists() and any(
        (cmake_dir / f).exists() for f in ("build.ninja", "Makefile"))
    if not configured:
        ninja = _tool("ninja")
        cmd = [cmake, "-S", str(driver.parent), "-B", str(cmake_dir), "-DCMAKE_BUILD_TYPE=Release",
               f"-Dopkit_DIR={CMAKE_DIR}", f"-DOPKIT_PYTHON={sys.executable}"]
        if ninja:
            cmd += ["-G", "Ninja", f"-DCMAKE_MAKE_PROGRAM={ninja}"]
        if shutil.which("ccache"):
            cmd.append("-DCMAKE_CXX_COMPILER_LAUNCHER=ccache")
        _run(cmd, log, f"configuring {project.root.name}", progress)
    jobs = jobs or os.cpu_count() or 1
    _run([cmake, "--build", str(cmake_dir), "-j", str(jobs)], log, f"building {project.root.name}", progress)
    return Built(project, cmake_dir / "ops")


def _cached_home(cmake_dir: Path) -> str | None:
    """The source directory a CMake build tree was configured for (None when unknown)."""
    cache = cmake_dir / "CMakeCache.txt"
    if not cache.exists():
        return None
    for line in cache.read_text(errors="replace").splitlines():
        if line.startswith("CMAKE_HOME_DIRECTORY:"):
            return line.split("=", 1)[1]
    return None


_loaded: dict[str, tuple[float, object]] = {}  # build output -> (its libraries' newest mtime, OpLibrary)


def load(path: str | Path, build_dir: str | Path | None = None):
    """Build a project if needed and return its ops as callables.

    >>> ops = load("MyOp")  # doctest: +SKIP
    >>> ops.my_op(x, y)  # doctest: +SKIP

    A process keeps the code of the libraries it loaded (the dynamic loader reuses a loaded
    library by name), so loading a project again after its sources changed and were rebuilt raises
    instead of silently running the old kernels: start a new Python process to use the new build.
    """
    from .errors import OpkitError
    from .library import OpLibrary

    built = build(path, build_dir)
    libs = [p for p in built.out.rglob("*.so")]
    stamp = max((p.stat().st_mtime for p in libs), default=0.0)
    key = str(built.out)
    if key in _loaded:
        old_stamp, library = _loaded[key]
        if old_stamp == stamp:
            return library
        raise OpkitError(f"{built.project.root}: rebuilt after this Python process loaded it; the process keeps "
                         "running the libraries it loaded first, so start a new process to use the new build")
    library = OpLibrary(built.out, source=built.project.root)
    _loaded[key] = (stamp, library)
    return library


def build_for(path: str | Path, cann: bool | None = None, socs: list[str] | None = None,
              build_dir: str | Path | None = None, jobs: int | None = None, progress: bool = False):
    """``opkit build``: CANN's build or the CPU build, as :func:`opkit.cann_build.choose` decides.

    With ``progress``, says which build runs and why before it starts. Returns a
    :class:`opkit.cann_build.CannBuilt` or a :class:`Built`.

    >>> build_for("my_project", cann=False, progress=True)  # doctest: +SKIP
    CPU build for the software AI Core (--cpu was given)
    """
    from .cann_build import build_cann, choose

    found, why = choose(path, cann)
    if progress:
        print(f"CANN build ({why})" if found is not None else f"CPU build for the software AI Core ({why})",
              flush=True)
    if found is not None:
        return build_cann(path, found, socs, jobs, progress)
    return build(path, build_dir=build_dir, jobs=jobs, progress=progress)

