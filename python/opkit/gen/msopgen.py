"""``python -m opkit gen`` through CANN's msopgen, when it is installed.

msopgen writes the op project (op_host/, op_kernel/, CANN's CMake scripts, build.sh); opkit then adds
its own files: the spec copy, ``tests/test_<op>.py`` and a README. msopgen runs non-interactively
(``-lan cpp``, ``-op`` for specs with several ops, stdin closed) in the environment
:func:`opkit.cann.environment` builds. Its exit status and the files it should have written are both
checked: a failure stops the command with msopgen's own output, and nothing of opkit's is written (a
directory that did not exist before is removed again).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from .. import cann as cann_mod
from ..errors import OpkitError

if TYPE_CHECKING:
    from .project import Project

OPKIT_FILES = ("tests/",)  # besides the spec copy; README.md is replaced by readme() below


def find_tool() -> tuple[Path, cann_mod.Cann | None] | None:
    """CANN's msopgen and the toolkit it belongs to, or None when there is no msopgen.

    >>> find_tool()  # doctest: +SKIP
    (PosixPath('/usr/local/Ascend/ascend-toolkit/latest/python/site-packages/bin/msopgen'), Cann(...))
    """
    found = cann_mod.find_cann()
    tool = found.msopgen if found else cann_mod.find_msopgen(None)
    return (tool, found) if tool else None


def commands(tool: Path, spec_path: Path, out_dir: Path, soc: str | None, op_types: list[str],
             spec_op_count: int, op_given: bool) -> list[list[str]]:
    """msopgen's command lines: one per op when ``-op`` is needed, the later ones appending (``-m 1``).

    >>> commands(Path("msopgen"), Path("a.json"), Path("A"), "Ascend910B", ["AddCustom"], 1, False)[0][2:]
    ['-i', 'a.json', '-c', 'ai_core-Ascend910A', '-lan', 'cpp', '-out', 'A']
    """
    base = [str(tool), "gen", "-i", str(spec_path), "-c", cann_mod.soc_names(soc).msopgen, "-lan", "cpp",
            "-out", str(out_dir)]
    if spec_op_count == 1 and not op_given:
        return [base]
    return [base + ["-op", op] + (["-m", "1"] if i else []) for i, op in enumerate(op_types)]


def _condense(output: str) -> str:
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    return " | ".join(lines[-20:]) if lines else "(no output)"


def run(cmds: list[list[str]], out_dir: Path, expected: list[str], cann: cann_mod.Cann | None) -> list[str]:
    """Run msopgen into a fresh temporary directory, then move what it wrote into ``out_dir``.

    Nothing in ``out_dir`` is touched unless msopgen succeeds and wrote the expected files, so a failing
    msopgen can never cost the user a file. Returns the relative paths msopgen wrote.
    """
    work = Path(tempfile.mkdtemp(prefix=".opkit-msopgen-", dir=out_dir.parent if out_dir.parent.exists() else None))
    target = work / out_dir.name
    named = {str(out_dir), str(out_dir.resolve())}
    cmds = [[target.as_posix() if a in named else a for a in cmd] for cmd in cmds]
    env = cann_mod.environment(cann)
    output = ""
    try:
        for cmd in cmds:
            try:
                done = subprocess.run(cmd, check=False, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                      env=env, timeout=600)
            except (OSError, subprocess.TimeoutExpired) as e:
                raise OpkitError(f"msopgen could not run ({' '.join(cmd)}): {e}; generate without it: "
                                 "--no-msopgen") from None
            output += done.stdout + done.stderr
            if done.returncode != 0:
                raise OpkitError(f"msopgen failed (exit {done.returncode}): {_condense(done.stdout + done.stderr)} "
                                 f"(command: {' '.join(cmd)}; generate without msopgen: --no-msopgen)")
        missing = [rel for rel in expected if not (target / rel).is_file()]
        if missing:
            raise OpkitError(f"msopgen exited 0 but did not write {', '.join(missing)}; its output: "
                             f"{_condense(output)} (generate without msopgen: --no-msopgen)")
        written = []
        for src in sorted(p for p in target.rglob("*") if p.is_file() or p.is_symlink()):
            rel = src.relative_to(target)
            dst = out_dir / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            if dst.is_dir() and not dst.is_symlink():
                raise OpkitError(f"{dst} is a directory; msopgen wants to write a file there")
            shutil.move(str(src), str(dst))
            written.append(rel.as_posix())
        return written
    finally:
        shutil.rmtree(work, ignore_errors=True)


def readme(project: Project, spec_file: str, cmd: list[str]) -> str:
    """README.md of an msopgen project with opkit's additions."""
    ops = ", ".join(m.op_type for m in project.models)
    lines = [f"# {ops}", "",
             f"An Ascend C op project written by CANN's msopgen (`{' '.join(cmd[1:])}`), with opkit's additions:",
             f"`{spec_file}` (the spec) and `tests/`.", "", "## Next steps", ""]
    for m in project.models:
        lines.append(f"- {m.op_type}: write the tiling in `op_host/{m.name}.cpp` (fields in "
                     f"`op_host/{m.name}_tiling.h`) and the kernel in `op_kernel/{m.name}.cpp`; msopgen wrote "
                     "skeletons.")
    lines += ["- Write the numpy golden in `tests/test_<op>.py`, in `golden()` (marked `OPKIT: GOLDEN`).",
              "- On the CPU (software AI Core): `python -m opkit build . --cpu` then `pytest tests --mode=cpu`.",
              "- With CANN: `python -m opkit build .` (or `--cann`) fills `ASCEND_CANN_PACKAGE_PATH` in",
              "  `CMakePresets.json`, checks the toolkit, runs `build.sh` and reports `build_out/custom_opp_*.run`.",
              "  `python -m opkit doctor` says what this machine has.", ""]
    return "\n".join(lines)


def generate(project: Project, spec_path: Path, tool: Path, cann: cann_mod.Cann | None, socs: list[str] | None,
             op: str | None, force: bool, dry_run: bool) -> Project:
    """Run msopgen for a planned project and keep only opkit's own files of the plan (spec, tests, README)."""
    out_dir = project.out_dir
    if out_dir.exists() and not out_dir.is_dir():
        raise OpkitError(f"{out_dir} exists and is not a directory; choose another -o")
    if not force and out_dir.exists() and any(out_dir.iterdir()):
        raise OpkitError(f"{out_dir} exists and is not empty; pass --force to let msopgen write into it")
    data = json.loads(spec_path.read_text(encoding="utf-8-sig"))
    count = len(data) if isinstance(data, list) else 1
    soc = socs[0] if socs else None
    cmds = commands(tool, spec_path.resolve(), out_dir.resolve(), soc, [m.op_type for m in project.models], count,
                    op is not None)
    spec_file = f"{project.models[0].name}.json" if len(project.models) == 1 else spec_path.name  # as plan() names it
    kept = {rel: text for rel, text in project.files.items() if rel == spec_file or rel.startswith(OPKIT_FILES)}
    kept["README.md"] = readme(project, spec_file, cmds[0])
    project.files = kept
    project.msopgen = cmds
    if socs and len(socs) > 1:
        project.warnings.append(f"msopgen generates for one SoC ({cann_mod.soc_names(soc).name}); for the others "
                                "add AddConfig(\"<compute unit>\") in op_host and pass --soc to opkit build")
    if dry_run:
        return project
    expected = ["CMakePresets.json"]
    for m in project.models:
        expected += [f"op_host/{m.name}.cpp", f"op_kernel/{m.name}.cpp"]
    from_msopgen = set(run(cmds, out_dir, expected, cann))
    # msopgen's files win: an opkit file it also wrote goes next to it, under a name pytest ignores.
    renamed = {}
    for rel, text in project.files.items():
        target = Path(rel)
        if rel in from_msopgen:
            target = target.with_name(f"{target.name}.opkit")
            project.warnings.append(f"msopgen wrote {rel}; opkit's version is {target}")
        renamed[str(target)] = text
        dest = out_dir / target
        if dest.exists() and dest.samefile(spec_path):
            continue  # never replace the spec being read
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text, encoding="utf-8")
    project.files = renamed
    return project


def next_steps(project: Project) -> list[str]:
    """What to do after an msopgen project was generated."""
    d = project.out_dir
    lines = [f"msopgen wrote the project ({' '.join(project.msopgen[0][1:])}); opkit added the files above.",
             "next steps:"]
    for m in project.models:
        lines.append(f"  write the tiling in {d / 'op_host' / (m.name + '.cpp')} and the kernel in "
                     f"{d / 'op_kernel' / (m.name + '.cpp')}")
        lines.append(f"  write the numpy golden in {d / 'tests' / ('test_' + m.name + '.py')} (OPKIT: GOLDEN)")
    lines += [f"  python -m opkit build {d} --cpu && pytest {d / 'tests'} --mode=cpu",
              f"  python -m opkit build {d}    (CANN's build: build_out/custom_opp_*.run)"]
    return lines
