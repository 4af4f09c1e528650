"""Running ops through CANN: its simulator (camodel) or an Ascend NPU.

``pytest --mode=npu_simulator`` with ``OPKIT_SIMULATOR=camodel``, and ``pytest --mode=npu_onboard``,
send every op call to CANN instead of opkit's software AI Core (:func:`use` does the same from Python):

1. The op project is built by CANN's own toolchain for the call's SoC (:mod:`opkit.cann_build`), in
   opkit's cache, never in the user's tree. A project with msopgen's build files is copied there; one
   without (the built-in ops, a project generated without CANN) becomes an msopgen project made from
   its specs, with its own op_host/ and op_kernel/ sources copied over msopgen's.
2. The package is installed into the cache (``custom_opp_*.run --quiet --install-path=DIR``), never
   into the toolkit, and found through ``ASCEND_CUSTOM_OPP_PATH``.
3. Each call runs in a child process (``python -m opkit._device_runner``) whose environment opkit
   builds (Note [Running on camodel]); no ``set_env.sh`` is sourced. The child reports which runtime
   libraries it loaded, and a camodel run that did not load the simulator's runtime is an error, so a
   report can always say which one ran (:func:`last`).

Builds and installs are cached by a hash of the sources, the toolkit and the SoC.

Nothing here was run against a real CANN or NPU: the tests drive fake toolkits whose "CANN runtime" is
opkit's own acl runtime and whose simulator library only records that it was loaded.

Note [Running on camodel]:
The official kernel-launch samples (tjulitianyi1997/AscendProjects, operator/*/KernelLaunch/*/run.sh
and cmake/Modules/CMakeDetermineCCECompiler.cmake, read 2026-11) run on the simulator like this: the
host program links ``runtime_camodel`` (plus ``pem_davinci`` on Ascend910A) from
``<toolkit>/tools/simulator/<soc>/lib`` in place of ``runtime``; that directory leads
``LD_LIBRARY_PATH``; ``<toolkit>/runtime/lib64/stub`` is on it for the driver libraries a machine
without an NPU lacks; and ``CAMODEL_LOG_PATH`` names a fresh directory for the simulator's logs. A
Python child cannot be linked, so it gets the same libraries through ``LD_PRELOAD``, which puts them
ahead of ``libruntime.so`` in symbol lookup, as linking them first does (the loader's documented
order; not checked against a real camodel).

Untested assumptions, for the first run on a machine with CANN: the child's environment is
:func:`opkit.cann.environment` (toolkit ``lib64``, ``bin``, ``python/site-packages``) plus the above;
``set_env.sh``'s other entries (``lib64/plugin/opskernel``, ``lib64/plugin/nnengine``, the built-in
op_tiling directory) are not added. On a board, the driver's libraries are taken from the driver's
default location ``/usr/local/Ascend/driver/lib64/{driver,common}`` when present. InferShape (to size
the outputs) runs on opkit's CPU build of the project in the parent process.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import cann as cann_mod
from .errors import BuildError, KernelError, OpkitError, TilingError

if TYPE_CHECKING:
    from . import spec as spec_mod
    from .library import OpLibrary

KINDS = ("camodel", "board")
KEEP_LOGS = 50  # camodel log directories kept in the cache (the oldest go first)
CAMODEL_LIBS = ("libpem_davinci.so", "libruntime_camodel.so")  # pem_davinci only where it exists (910A)


@dataclass(frozen=True)
class Target:
    """Where op calls run: CANN's simulator or an NPU, with the toolkit that drives it."""

    kind: str  # "camodel" or "board"
    cann: cann_mod.Cann

    def describe(self, soc: str | None = None) -> str:
        on = f" for {soc}" if soc else ""
        if self.kind == "camodel":
            return f"CANN camodel simulator{on} (CANN {self.cann.version or 'of unknown version'} at {self.cann.path})"
        return f"Ascend NPU{on} through CANN {self.cann.version or 'of unknown version'} at {self.cann.path}"


@dataclass(frozen=True)
class DeviceRun:
    """One op call that ran on CANN."""

    op: str
    kind: str
    target: str  # Target.describe()
    soc: str  # what the op was built for
    chip: str | None  # what the runtime said it runs (aclrtGetSocName)
    runtime_libraries: list[str] = field(default_factory=list)
    log_dir: str | None = None  # camodel's CAMODEL_LOG_PATH
    seconds: float = 0.0


_kind: str | None = None
_last: DeviceRun | None = None
_runs: list[DeviceRun] = []


def use(kind: str | None) -> None:
    """Send op calls of this process to CANN's ``"camodel"`` or to the ``"board"`` (None: opkit's own AI
    Core). The mode must be available (:func:`opkit.modes.unavailable`)."""
    global _kind
    if kind is not None and kind not in KINDS:
        raise OpkitError(f"{kind!r} is not a CANN target (choose from {', '.join(KINDS)})")
    _kind = kind


def active() -> str | None:
    return _kind


def last() -> DeviceRun | None:
    """The last op call that ran on CANN in this process."""
    return _last


def runs() -> list[DeviceRun]:
    """Every op call that ran on CANN in this process, oldest first."""
    return list(_runs)


def npus() -> list[str]:
    import glob

    return sorted(glob.glob("/dev/davinci[0-9]*"))


def probe(kind: str, soc: str | None = None) -> tuple[Target | None, str | None]:
    """(the target, None) when ``kind`` can run here for ``soc``, else (None, the reason and what to do)."""
    found = cann_mod.find_cann()
    if kind == "camodel":
        if found is None:
            return None, ("OPKIT_SIMULATOR=camodel needs CANN's simulator, and no CANN toolkit was found "
                          "(python -m opkit doctor shows where opkit looked); unset it to use opkit's model")
        name = cann_mod.soc_names(soc).simulator
        if name not in found.simulators:
            return None, (f"OPKIT_SIMULATOR=camodel: CANN at {found.path} has no simulator for {name} "
                          f"(found: {', '.join(sorted(found.simulators)) or 'none'}); install CANN's simulator "
                          "for it, choose another SoC with OPKIT_SOC, or unset OPKIT_SIMULATOR")
        if not (found.simulators[name] / "libruntime_camodel.so").is_file():
            return None, (f"OPKIT_SIMULATOR=camodel: CANN's simulator for {name} at {found.simulators[name]} has no "
                          "libruntime_camodel.so; reinstall CANN's simulator package")
    else:
        missing = []
        if found is None:
            missing.append("no CANN toolkit was found")
        if not npus():
            missing.append("no NPU device (/dev/davinci*) is present")
        if missing:
            return None, ("npu_onboard needs CANN and an Ascend NPU: " + " and ".join(missing)
                          + "; run with --mode=cpu or --mode=npu_simulator")
    assert found is not None
    gen = found.generation
    if gen is not None and not gen.aclnn:
        return None, (f"CANN {found.version} at {found.path} cannot build aclnn op projects (its Ascend C was "
                      "the 'tik2' preview); install CANN 7.0 or later")
    lacking = found.missing_build_files()
    if lacking:
        return None, (f"CANN at {found.path} cannot build op projects: it lacks {', '.join(lacking)} (a runtime-only "
                      "install?); install the full toolkit (python -m opkit doctor explains)")
    return Target(kind, found), None


def cache_root() -> Path:
    """$OPKIT_CACHE_DIR, else $XDG_CACHE_HOME/opkit, else ~/.cache/opkit."""
    if os.environ.get("OPKIT_CACHE_DIR"):
        return Path(os.environ["OPKIT_CACHE_DIR"]).expanduser().resolve()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser().resolve() / "opkit"


_SKIP = ("build", "build_out", ".git", "__pycache__", ".pytest_cache", ".venv", "venv", "node_modules")
# What a CANN build of an op project reads: the specs and these files and directories (msopgen's layout).
_BUILD_INPUTS = ("op_host", "op_kernel", "cmake", "framework", "scripts", "CMakeLists.txt", "CMakePresets.json",
                 "build.sh")
FORMAT = 1  # bump when what opkit puts into a cache entry changes


def _sources(root: Path) -> list[Path]:
    """The files of a project that its CANN build reads."""
    out = [p for p in root.glob("*.json") if p.is_file()]
    for name in _BUILD_INPUTS:
        top = root / name
        if top.is_file():
            out.append(top)
        elif top.is_dir():
            out += [p for p in top.rglob("*") if p.is_file() and not set(p.relative_to(root).parts) & set(_SKIP)]
    return sorted(set(out))


def _key(source: Path, cann: cann_mod.Cann, soc: str) -> str:
    from . import __version__

    h = hashlib.sha256(f"{__version__}\0{FORMAT}\0{cann.path}\0{cann.version}\0{soc}\0".encode())
    for p in _sources(source):
        h.update(p.relative_to(source).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()[:20]


def _assemble(source: Path, specs: list[spec_mod.OpSpec], project: Path, cann: cann_mod.Cann, soc: str) -> None:
    """An msopgen project at ``project`` for a source tree without CANN's build files (Note in the module)."""
    from .cann_build import has_cann_build_files
    from .gen import msopgen

    if has_cann_build_files(source):
        shutil.copytree(source, project, ignore=shutil.ignore_patterns(*_SKIP))
        return
    tool = cann.msopgen
    if tool is None:
        raise BuildError(f"{source}: running it on CANN needs an msopgen project, and CANN at {cann.path} has no "
                         "msopgen to make one (install CANN's full toolkit, or generate the project with "
                         "python -m opkit gen on a machine with CANN)")
    raw = []
    spec_files = list(dict.fromkeys(op.path for op in specs))
    for path in spec_files:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        raw += data if isinstance(data, list) else [data]
    project.parent.mkdir(parents=True, exist_ok=True)
    merged = project.parent / "ops.json"
    merged.write_text(json.dumps(raw, indent=2) + "\n", encoding="utf-8")
    types = [op["op"] for op in raw]
    project.mkdir()
    cmds = msopgen.commands(tool, merged, project, soc, types, len(types), False)
    try:
        msopgen.run(cmds, project, ["CMakePresets.json"], cann)
    except OpkitError as e:
        raise BuildError(f"{source}: making its msopgen project for the CANN build failed: "
                         f"{str(e).split(' (command: ')[0].split(' (generate without')[0]}") from None
    for path in spec_files:  # the spec copies, as opkit gen leaves them in a project
        shutil.copy2(path, project / Path(path).name)
    for sub in ("op_host", "op_kernel"):
        for src in sorted((source / sub).rglob("*")) if (source / sub).is_dir() else []:
            if src.is_file():
                dst = project / sub / src.relative_to(source / sub)
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dst)


def install(library: OpLibrary, target: Target, soc: str, progress: bool = False) -> Path:
    """Build ``library``'s project with CANN for ``soc`` and install it into the cache (once per source
    state); returns the installed vendor directory (``.../vendors/<vendor>``)."""
    from .build import _BuildLock
    from .cann_build import build_cann

    source = library.source
    if source is None or not source.is_dir():
        raise BuildError(f"{library.dir}: the op sources of this library are not available (no op project "
                         "directory), so CANN cannot build it")
    specs = [library._ops[n].spec for n in library.names()]
    entry = cache_root() / "cann" / _key(source, target.cann, soc)
    entry.mkdir(parents=True, exist_ok=True)
    with _BuildLock(entry):
        done = entry / "installed.json"
        try:
            vendor = Path(json.loads(done.read_text())["vendor"])
            if (vendor / "op_api" / "lib" / "libcust_opapi.so").is_file():
                return vendor
        except (OSError, ValueError, KeyError, TypeError):
            pass  # no entry yet, or a broken one: build again
        for stale in ("project", "opp", "ops.json"):
            p = entry / stale
            shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
        if progress:  # a CANN build takes minutes: say why the first call waits
            print(f"opkit: building {source.name} with CANN for {soc} in {entry} (once per source state)",
                  file=sys.stderr)
        project = entry / "project"
        _assemble(source, specs, project, target.cann, soc)
        built = build_cann(project, target.cann, [soc], quiet=True)
        opp = entry / "opp"
        opp.mkdir()
        try:
            done_run = subprocess.run(["bash", str(built.package), "--quiet", f"--install-path={opp}"], check=False,
                                      stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                      env=cann_mod.environment(target.cann), timeout=600)
        except subprocess.TimeoutExpired:
            raise BuildError(f"installing {built.package} did not finish in 600 s") from None
        (entry / "install.log").write_text(done_run.stdout + done_run.stderr, encoding="utf-8")
        vendors = sorted(p.parents[2] for p in opp.glob("vendors/*/op_api/lib/libcust_opapi.so"))
        if done_run.returncode != 0 or len(vendors) != 1:
            what = (f"exit {done_run.returncode}" if done_run.returncode else
                    f"{len(vendors)} vendor directories with op_api/lib/libcust_opapi.so under {opp}/vendors")
            raise BuildError(f"installing {built.package} with --install-path={opp} failed ({what}); "
                             f"its output is in {entry / 'install.log'}")
        tmp = entry / "installed.json.tmp"
        tmp.write_text(json.dumps({"vendor": str(vendors[0]), "package": str(built.package)}) + "\n")
        os.replace(tmp, done)  # a reader never sees half a record
        return vendors[0]


def _prune(logs: Path, keep: int) -> None:
    """Remove all but the ``keep`` newest log directories."""
    dirs = sorted((d for d in logs.iterdir() if d.is_dir()), key=lambda d: d.stat().st_mtime)
    for d in dirs[:max(len(dirs) - keep, 0)]:
        shutil.rmtree(d, ignore_errors=True)


def environment(target: Target, soc: str, vendor: Path, log_dir: Path | None) -> dict[str, str]:
    """The child's environment: CANN's (opkit.cann.environment), the installed package, and for camodel
    the simulator's runtime (Note [Running on camodel])."""
    env = cann_mod.environment(target.cann)
    root = target.cann.path

    def path_list(var: str, first: list[Path], last: list[Path] = ()) -> None:
        parts = [str(p) for p in first] + [p for p in env.get(var, "").split(os.pathsep) if p] + [str(p) for p in last]
        env[var] = os.pathsep.join(dict.fromkeys(parts))

    # Only this package: an op of the same type installed elsewhere (an older build of it) must not win.
    env["ASCEND_CUSTOM_OPP_PATH"] = str(vendor)
    # The child imports this opkit, whatever the working directory or CANN's PYTHONPATH holds.
    path_list("PYTHONPATH", [Path(__file__).resolve().parents[1]])
    lib_first = [vendor / "op_api" / "lib"]
    if target.kind == "camodel":
        sim_name = cann_mod.soc_names(soc).simulator
        sim_lib = target.cann.simulators[sim_name]
        lib_first.insert(0, sim_lib)
        path_list("LD_LIBRARY_PATH", lib_first, [root / "runtime" / "lib64" / "stub"])
        # the samples link pem_davinci only for Ascend910A (probe() checked libruntime_camodel.so)
        names = CAMODEL_LIBS if sim_name == "Ascend910A" else CAMODEL_LIBS[1:]
        preload = [str(sim_lib / n) for n in names if (sim_lib / n).is_file()]
        env["LD_PRELOAD"] = " ".join(preload + env.get("LD_PRELOAD", "").split())
        assert log_dir is not None
        env["CAMODEL_LOG_PATH"] = str(log_dir)
    else:
        # The driver's libraries, where the driver package installs them by default (an assumption:
        # never checked on a machine with an NPU); a user's own LD_LIBRARY_PATH is kept after them.
        driver = Path("/usr/local/Ascend/driver/lib64")
        path_list("LD_LIBRARY_PATH", lib_first, [d for d in (driver / "driver", driver / "common", driver) if d.is_dir()])
    return env


def _timeout(kind: str) -> float:
    text = os.environ.get("OPKIT_KERNEL_TIMEOUT")
    if text:
        try:
            return float(text)
        except ValueError:
            raise OpkitError(f"OPKIT_KERNEL_TIMEOUT={text!r} is not a number of seconds") from None
    return 3600.0 if kind == "camodel" else 300.0  # the simulator runs about 1000x slower than the NPU


def run(library: OpLibrary, op: spec_mod.OpSpec, inputs: list[np.ndarray | None], outputs: list[np.ndarray],
        attrs: dict[str, Any], soc: str | None) -> DeviceRun:
    """Run one op call on the active target; the results land in ``outputs`` (a ref output is its
    input array, updated in place)."""
    global _last
    from . import _core

    if _kind is None:
        raise OpkitError("no CANN target is in use: call opkit.device.use('camodel') or use('board') first")
    soc_name = _core.soc(soc)["name"]
    target, reason = probe(_kind, soc_name)
    if target is None:
        raise OpkitError(reason or "no CANN target")
    device_text = os.environ.get("OPKIT_DEVICE_ID", "0")
    if not device_text.isdigit():
        raise OpkitError(f"OPKIT_DEVICE_ID={device_text!r} is not a device number (0, 1, ...)")
    vendor = install(library, target, soc_name, progress=True)
    log_dir = None
    if target.kind == "camodel":
        logs = cache_root() / "camodel_logs"
        logs.mkdir(parents=True, exist_ok=True)
        _prune(logs, KEEP_LOGS - 1)
        log_dir = Path(tempfile.mkdtemp(prefix=f"{op.name}-{time.strftime('%Y%m%d-%H%M%S')}-", dir=logs))
    work = Path(tempfile.mkdtemp(prefix=f"opkit-{op.name}-"))
    try:
        by_name = {t.name: i for i, t in enumerate(op.inputs)}
        request = {
            "kind": target.kind, "soc": soc_name, "device": int(device_text),
            "api_lib": str(vendor / "op_api" / "lib" / "libcust_opapi.so"), "spec": op.path, "op_type": op.op_type,
            "attrs": attrs, "inputs": [], "outputs": [],
        }
        from .spec import dtype_name

        for i, a in enumerate(inputs):  # raw bytes: bfloat16 has no numpy file format of its own
            if a is None:
                request["inputs"].append(None)
                continue
            (work / f"in{i}.bin").write_bytes(np.ascontiguousarray(a).tobytes())
            request["inputs"].append({"file": f"in{i}.bin", "shape": list(a.shape), "dtype": dtype_name(a.dtype)})
        for o, arr in zip(op.outputs, outputs):
            request["outputs"].append({"ref": by_name.get(o.name), "shape": list(arr.shape),
                                       "dtype": dtype_name(arr.dtype)})
        (work / "request.json").write_text(json.dumps(request), encoding="utf-8")
        env = environment(target, soc_name, vendor, log_dir)
        # CANN's and the simulator's output go to a file (it can be long), kept with camodel's logs
        output = (log_dir or work) / "runner_output.log"
        where = target.describe(soc_name)
        started = time.perf_counter()
        try:
            with open(output, "wb") as sink:
                done = subprocess.run([sys.executable, "-m", "opkit._device_runner", str(work)], check=False,
                                      stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT, env=env,
                                      cwd=work, timeout=_timeout(target.kind))
        except subprocess.TimeoutExpired:
            raise KernelError(f"{op.name} on {where} did not finish in {_timeout(target.kind):g} s "
                              "(OPKIT_KERNEL_TIMEOUT sets the limit)") from None
        seconds = time.perf_counter() - started

        def tail() -> str:
            lines = output.read_bytes().decode("utf-8", errors="replace").strip().splitlines()
            return " | ".join(lines[-8:]) or "no output"

        result_file = work / "result.json"
        if not result_file.is_file():
            raise KernelError(f"{op.name} on {where}: the runner process ended with exit {done.returncode} before "
                              f"reporting ({tail()})")
        result = json.loads(result_file.read_text())
        record = DeviceRun(op.name, target.kind, where, soc_name, result.get("chip"),
                           result.get("runtime_libraries", []), str(log_dir) if log_dir else None, seconds)
        if target.kind == "camodel" and not any(Path(p).name == "libruntime_camodel.so"
                                                 for p in record.runtime_libraries):
            raise OpkitError(f"{op.name}: camodel was asked for, but the run did not load libruntime_camodel.so "
                             f"(runtime libraries: {', '.join(record.runtime_libraries) or 'none'}; "
                             f"its output: {tail()})")
        error = result.get("error")
        if error:
            # the kernel's and the tiling's own errors keep their type; a setup problem (a library that
            # does not load, another chip) is an OpkitError; anything else names its Python type
            kind = {"TilingError": TilingError, "KernelError": KernelError, "OpkitError": OpkitError}.get(error["type"])
            message = error["message"] if kind else f"{error['type']}: {error['message']}"
            raise (kind or OpkitError)(f"{op.name} on {where}: {message} (runner output: {tail()})")
        for i, arr in enumerate(outputs):
            np.copyto(arr, np.frombuffer((work / f"out{i}.bin").read_bytes(), arr.dtype).reshape(arr.shape))
        _last = record
        _runs.append(record)
        return record
    finally:
        shutil.rmtree(work, ignore_errors=True)
