"""``opkit build DIR --cann``: build an msopgen op project with CANN's own toolchain.

The steps, each replacing a CANN failure that says little with one that says what to do
(op-projects.md section 7):

1. find CANN (:mod:`opkit.cann`) and refuse a release without aclnn (6.x) with the way out;
2. preflight: the toolkit files op_host needs (``include/register/tilingdata_base.h``,
   ``lib64/libexe_graph.so``), instead of CANN's ``opbuild run failed!``;
3. write ``ASCEND_CANN_PACKAGE_PATH`` (and ``ASCEND_COMPUTE_UNIT`` when ``--soc`` is given) into
   ``CMakePresets.json``, touching only those keys and keeping a backup of the previous file;
4. run the project's ``build.sh`` (or ``cmake --preset default`` and ``cmake --build``) in the
   environment :func:`opkit.cann.environment` builds, logging to ``build_out/opkit_cann_build.log``;
5. on failure, read the log: the first compiler ``error:`` before ``<Op>_<hash>.json not generated!``,
   or the reason ``aclnn_<op>.cpp`` was never generated; on success, the ``custom_opp_*.run``.

Nothing here was run against a real CANN: the tests drive fake toolkits and a fake ``build.sh``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from . import cann as cann_mod
from .errors import BuildError

LOG_NAME = "opkit_cann_build.log"


@dataclass(frozen=True)
class CannBuilt:
    """The result of a CANN build: the installable package and the log."""

    root: Path
    package: Path  # build_out/custom_opp_<os>_<arch>.run
    log: Path
    cann: cann_mod.Cann


def has_cann_build_files(root: Path) -> bool:
    """msopgen's build files: CMakePresets.json, CMakeLists.txt and its scripts (build.sh or cmake/).

    ``opkit gen`` without msopgen writes the first two but not CANN's scripts, so such a project
    builds for the CPU unless ``--cann`` is asked for.
    """
    return ((root / "CMakePresets.json").is_file() and (root / "CMakeLists.txt").is_file()
            and ((root / "build.sh").is_file() or (root / "cmake" / "func.cmake").is_file()))


def choose(path: str | Path, cann: bool | None) -> tuple[cann_mod.Cann | None, str]:
    """Decide between the CANN build and the CPU build; returns (the CANN to use or None, why).

    ``cann`` is True for ``--cann``, False for ``--cpu``, None to decide: CANN when a toolkit with
    aclnn is found and the project has msopgen's build files, else the CPU.

    >>> choose("/tmp", False)
    (None, '--cpu was given')
    """
    root = Path(path)
    if cann is False:
        return None, "--cpu was given"
    found = cann_mod.find_cann()
    if cann:
        if found is None:
            searched = ", ".join(str(p) for _, p in cann_mod.search_paths()) or "nothing"
            raise BuildError(f"--cann: no CANN toolkit found (searched: {searched}); install the CANN toolkit "
                             "or set ASCEND_HOME_PATH to it, or build for the CPU without --cann")
        if not has_cann_build_files(root):
            raise BuildError(f"--cann: {root} has no CANN build files (CMakePresets.json, CMakeLists.txt and "
                             "build.sh from msopgen); generate the project with CANN's msopgen "
                             "(python -m opkit gen SPEC does when CANN is installed)")
        return found, "--cann was given"
    if found is None:
        return None, "no CANN toolkit found"
    gen = found.generation
    if gen is not None and not gen.aclnn:
        return None, f"CANN {found.version} at {found.path} has no aclnn (pass --cann to see why it cannot build)"
    if not has_cann_build_files(root):
        return None, (f"CANN {found.version or '(version unknown)'} found, but the project has no msopgen build "
                      "files (CMakePresets.json, CMakeLists.txt, build.sh)")
    return found, f"CANN {found.version or '(version unknown)'} at {found.path} and msopgen build files found"


def check_version(cann: cann_mod.Cann) -> str | None:
    """Stop on a release that cannot build an aclnn op project; a note for an unknown version."""
    gen = cann.generation
    if cann.version is None:
        return (f"note: the CANN version at {cann.path} is unknown (no <arch>-linux/ascend_toolkit_install.info or "
                "version.info); building anyway")
    if gen is None or not gen.aclnn:
        raise BuildError(
            f"CANN {cann.version} at {cann.path} ({cann.version_file}): this release has no aclnn and no tiling "
            "macros (BEGIN_TILING_DATA_DEF, REGISTER_TILING_DATA_CLASS), which an msopgen Ascend C project's "
            "op_host uses (its Ascend C was the 'tik2' preview); install CANN 7.0 or later (8.x recommended) and "
            "set ASCEND_HOME_PATH to it, or build for the CPU with --cpu")
    return None


def preflight(cann: cann_mod.Cann) -> None:
    """The toolkit files an op project's build needs, each missing one with its fix (op-projects.md 7.1).

    >>> preflight(cann_mod.Cann(Path("/opt/rt"), "test", "8.0.RC2", None, None))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    opkit.errors.BuildError: CANN at /opt/rt lacks include/register/tilingdata_base.h, lib64/libexe_graph.so: ...
    """
    missing = cann.missing_build_files()
    if missing:
        raise BuildError(
            f"CANN at {cann.path} lacks {', '.join(missing)}: ASCEND_CANN_PACKAGE_PATH would point at a runtime-only "
            "install (CANN's build then stops with 'opbuild run failed!'); install the CANN toolkit package "
            "(Ascend-cann-toolkit_<version>_linux-<arch>.run) and set ASCEND_HOME_PATH to it")


def update_presets(root: Path, cann_path: Path, compute_units: list[str] | None) -> list[str]:
    """Point CMakePresets.json at ``cann_path`` (and ``compute_units``); only those keys change.

    Returns the changes made, as ``KEY: old -> new``. The user's original file is kept once, as
    ``CMakePresets.json.bak``: later changes never overwrite that backup.
    """
    path = root / "CMakePresets.json"
    text = path.read_text(encoding="utf-8")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise BuildError(f"{path}:{e.lineno}:{e.colno}: not valid JSON ({e.msg}); fix it or regenerate the "
                         "project with msopgen") from None
    presets = doc.get("configurePresets") if isinstance(doc, dict) else None
    if not presets or not isinstance(presets, list):
        raise BuildError(f"{path}: no configurePresets; regenerate the project with msopgen")
    wanted = {"ASCEND_CANN_PACKAGE_PATH": str(cann_path)}
    if compute_units:
        wanted["ASCEND_COMPUTE_UNIT"] = ";".join(compute_units)
    changes: list[str] = []
    for preset in presets:
        cache = preset.setdefault("cacheVariables", {})
        for key, value in wanted.items():
            old = cache.get(key)
            old_value = old.get("value") if isinstance(old, dict) else old
            if old_value == value:
                continue
            if isinstance(old, dict):
                old["value"] = value
            else:
                kind = "PATH" if key == "ASCEND_CANN_PACKAGE_PATH" else "STRING"
                cache[key] = {"type": kind, "value": value} if old is None else value
            changes.append(f"{preset.get('name', '?')}: {key}: {old_value} -> {value}")
    if changes:
        backup = path.with_name("CMakePresets.json.bak")
        if not backup.exists():  # the user's original, kept once
            shutil.copyfile(path, backup)
        first = re.search(r"^( +)\S", text, re.MULTILINE)  # keep the file's indentation
        indent = len(first.group(1)) if first else 2
        path.write_text(json.dumps(doc, indent=indent, ensure_ascii=False) + "\n", encoding="utf-8")
    return changes


def _commands(root: Path, jobs: int | None) -> list[list[str]]:
    if (root / "build.sh").is_file():
        return [["bash", "build.sh"]]
    cmake = shutil.which("cmake")
    if cmake is None:
        raise BuildError("cmake was not found on PATH; install it (pip install cmake) and retry")
    j = str(jobs or os.cpu_count() or 1)
    return [[cmake, "--preset", "default"], [cmake, "--build", "build_out", "-j", j],
            [cmake, "--build", "build_out", "--target", "package"]]


def diagnose(log: str, root: Path) -> str:
    """The message for a failed CANN build, from its log (op-projects.md 7.2, 7.3).

    >>> diagnose("a.cpp:3:1: error: 'x' was not declared\\n[ERROR] AddCustom_0a1b2c3d.json not generated!\\n",
    ...          Path("."))  # doctest: +ELLIPSIS
    "the kernel of AddCustom did not compile for one dtype column (AddCustom_0a1b2c3d.json not generated!): a.cpp:3:1: error: 'x' was not declared..."
    """
    lines = log.splitlines()

    def first_error(before: int) -> str | None:
        return next((ln.strip() for ln in lines[:before] if "error:" in ln), None)

    for i, line in enumerate(lines):
        m = re.search(r"([A-Za-z][A-Za-z0-9]*)_([0-9a-fA-F]{6,})\.json not generated", line)
        if m:
            what = f"the kernel of {m.group(1)} did not compile for one dtype column ({m.group(0)}!)"
            err = first_error(i)
            if err:
                return f"{what}: {err}"
            return (f"{what}, and the log shows no compiler error before it; compile the kernel on the CPU "
                    f"first: python -m opkit build {root} --cpu")
    for i, line in enumerate(lines):
        # CMake puts the file on the line after "Cannot find source file:" (sometimes after a blank one).
        m = re.search(r"autogen/aclnn_(\w+)\.cpp", " ".join(lines[i:i + 3])) if "Cannot find source file" in line else None
        if m:
            name = m.group(1)
            err = first_error(i)
            what = f"CANN's op_build did not generate aclnn_{name}.cpp"
            if err:
                return f"{what}; it failed earlier: {err}"
            if not (root / "op_host" / f"{name}.cpp").is_file():
                return (f"{what}: there is no op_host/{name}.cpp; the file names must be the snake_case of the op "
                        "type registered with OP_ADD (AddCustom -> add_custom.cpp)")
            return (f"{what}; op_build failed without a message: check that OP_ADD(<OpType>) in op_host/{name}.cpp "
                    f"names the op whose snake_case is {name}, and build on the CPU first: "
                    f"python -m opkit build {root} --cpu")
    for i, line in enumerate(lines):
        if "opbuild run failed" in line:
            err = first_error(i) or line.strip()
            return (f"CANN's op_build failed: {err}; check ASCEND_CANN_PACKAGE_PATH in CMakePresets.json "
                    "(python -m opkit doctor)")
    err = first_error(len(lines))
    if err:
        return err
    tail = [ln.strip() for ln in lines if ln.strip()]
    return tail[-1] if tail else "no output"


def _run(cmds: list[list[str]], root: Path, env: dict[str, str], progress: bool) -> tuple[int, str]:
    from .progress import Progress

    out: list[str] = []
    rc = 0
    with Progress(f"CANN build of {root.name}", enabled=progress) as bar:
        for cmd in cmds:
            out.append("$ " + " ".join(cmd) + "\n")
            proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, text=True, errors="replace")
            assert proc.stdout is not None
            for line in proc.stdout:
                out.append(line)
                m = re.search(r"\[\s*(\d+)%\]", line)  # make's progress
                if m:
                    bar.update(int(m.group(1)), 100, line[m.end():].strip())
            rc = proc.wait()
            if rc != 0:
                break
    return rc, "".join(out)


def build_cann(path: str | Path, cann: cann_mod.Cann, socs: list[str] | None = None, jobs: int | None = None,
               progress: bool = False, quiet: bool = False) -> CannBuilt:
    """Build an msopgen project with CANN; returns the ``custom_opp_*.run`` it produced.

    >>> built = build_cann("AddCustom", cann_mod.find_cann(), ["Ascend910B1"])  # doctest: +SKIP
    >>> built.package.name  # doctest: +SKIP
    'custom_opp_ubuntu_x86_64.run'
    """
    root = Path(path).resolve()
    note = check_version(cann)
    if note and not quiet:
        print(f"opkit: {note}")
    preflight(cann)
    units = list(dict.fromkeys(cann_mod.soc_names(s).compute_unit for s in socs)) if socs else None
    for change in update_presets(root, cann.path, units):
        if not quiet:  # quiet: a project opkit made in its cache, not the user's file
            print(f"opkit: CMakePresets.json: {change} (your original file: CMakePresets.json.bak)")
    import time

    started = time.time()
    rc, log = _run(_commands(root, jobs), root, cann_mod.environment(cann), progress)
    log_path = root / "build_out" / LOG_NAME
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.write_text(log, encoding="utf-8")
    # op_build can fail "silently" (op-projects.md 7.2): a missing kernel column fails the build even
    # when the script's exit status says success.
    if rc != 0 or "not generated!" in log:
        raise BuildError(f"CANN build of {root.name} failed: {diagnose(log, root)} (full log: {log_path})")
    # only a package this build wrote: a .run left by an earlier build does not count
    runs = sorted((p for p in (root / "build_out").glob("custom_opp_*.run") if p.stat().st_mtime >= started - 1),
                  key=lambda p: p.stat().st_mtime)
    if not runs:
        raise BuildError(f"CANN build of {root.name} finished but wrote no build_out/custom_opp_*.run "
                         f"(full log: {log_path})")
    return CannBuilt(root, runs[-1], log_path, cann)
