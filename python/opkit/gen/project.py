"""Planning and writing a generated op project, and the ``python -m opkit gen`` command.

A project is planned completely in memory first (every file's text), so a bad spec, an unknown SoC
or an existing file stops the command before anything is written.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .. import spec as spec_mod
from ..errors import OpkitError, SpecError
from . import kinds, msopgen
from .host import bf16_free_columns, host_source, tiling_header
from .kernel import kernel_source
from .model import OpModel
from .project_files import cmakelists, presets, readme
from .testfile import test_source

# Installed by CMakeLists.txt from kernels/*.h and host/*_tiling.h of the opkit source tree.
TEMPLATES = Path(__file__).resolve().parent / "templates"
# opkit's own shared stream and tiling code, copied into projects whose ops use it (tests/gen checks
# the copies against kernels/ and host/ of the opkit source tree).
SHARED = {f"op_kernel/{n}.h": (f"{n}.h", f"kernels/{n}.h") for n in ("elementwise", "rows", "broadcast", "reduce",
                                                                     "rownorm")}
SHARED.update({f"op_host/{n}_tiling.h": (f"{n}_tiling.h", f"host/{n}_tiling.h")
               for n in ("elementwise", "rows", "broadcast", "reduce")})
# The shared files each kind includes, directly or through another.
KIND_FILES = {
    "elementwise": ("elementwise",),
    "broadcast": ("elementwise", "rows", "broadcast"),
    "reduce": ("elementwise", "rows", "reduce"),
    "rownorm": ("elementwise", "rows", "rownorm"),
    "matmul": (),  # its kernel and tiling are written out in the op's own files
    "custom": (),
}


def shared_for(models: list[OpModel]) -> list[str]:
    """The shared files (project-relative) the models' kinds need, in SHARED's order."""
    names = {n for m in models for n in KIND_FILES[m.kind]}
    return [rel for rel in SHARED if Path(rel).stem.removesuffix("_tiling") in names]


@dataclass
class Project:
    """A planned project: its directory and every file's text, by path relative to it."""

    out_dir: Path
    models: list[OpModel]
    files: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    msopgen: list[list[str]] | None = None  # msopgen's command lines when it wrote the project (gen/msopgen.py)
    spec_path: Path | None = None  # the spec the project was planned from (never overwritten)

    def paths(self) -> list[Path]:
        return [self.out_dir / rel for rel in self.files]


def resolve_socs(names: list[str] | None) -> list[dict]:
    """opkit's SoC records for ``--soc`` names or aliases (default: $OPKIT_SOC or Ascend910B1).

    >>> [s["short_name"] for s in resolve_socs(["Ascend910B1", "Ascend310P3"])]
    ['ascend910b', 'ascend310p']
    """
    from .. import _core

    socs: dict[str, dict] = {}
    for name in names or [None]:
        s = _core.soc(name)
        socs.setdefault(s["name"], s)
    return list(socs.values())


def shared_file(rel: str) -> str:
    """The text of a copied opkit file (``op_kernel/elementwise.h``), with a line saying where from."""
    template, origin = SHARED[rel]
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    return f"// opkit's {origin}, copied by `python -m opkit gen`: shared by the ops here.\n" + text


def _raw_spec(path: Path, op_types: list[str]) -> str:
    """The chosen ops' objects as the user wrote them (the file was validated by spec.load already)."""
    data = json.loads(path.read_text(encoding="utf-8-sig"))
    objs = data if isinstance(data, list) else [data]
    return json.dumps([o for o in objs if o.get("op") in op_types], indent=4) + "\n"


def plan(spec_path: str | Path, out_dir: str | Path | None = None, op: str | None = None,
         socs: list[str] | None = None, kind: str | None = None) -> Project:
    """Plan the project of a spec file: every op of it, or only ``op``; nothing is written.

    >>> p = plan("ops/add_custom.json", "/tmp/AddCustom")  # doctest: +SKIP
    >>> sorted(p.files)[:3]  # doctest: +SKIP
    ['CMakeLists.txt', 'CMakePresets.json', 'README.md']
    """
    spec_path = Path(spec_path)
    specs = spec_mod.load(spec_path, op)
    models = [OpModel(s, kind) for s in specs]
    records = resolve_socs(socs)
    short = list(dict.fromkeys(s["short_name"] for s in records))
    project = Project(Path(out_dir) if out_dir is not None else Path(specs[0].op_type), models)
    spec_file = f"{models[0].name}.json" if len(models) == 1 else spec_path.name
    files = project.files
    files[spec_file] = _raw_spec(spec_path, [m.op_type for m in models])
    no_bf16 = frozenset(r["short_name"] for r in records if not r["has_bf16"])
    for m in models:
        files[f"op_host/{m.name}.cpp"] = host_source(m, _socs_for(m, records, project.warnings), spec_file, no_bf16)
        files[f"op_host/{m.name}_tiling.h"] = tiling_header(m)
        files[f"op_kernel/{m.name}.cpp"] = kernel_source(m, spec_file)
        files[f"tests/test_{m.name}.py"] = test_source(m, spec_file)
        project.warnings += m.warnings()
    for rel in shared_for(models):
        files[rel] = shared_file(rel)
    files["CMakeLists.txt"] = cmakelists()
    files["CMakePresets.json"] = presets(short)
    files["README.md"] = readme(models, spec_file, [s["name"] for s in records])
    return project


def _socs_for(m: OpModel, records: list[dict], warnings: list[str]) -> list[str]:
    """The SoCs (short names) op_host registers the op for: all of them, except that a matmul-kind op
    runs on 910B-class SoCs only (a MIX kernel on the Matmul API's path there)."""
    short = list(dict.fromkeys(s["short_name"] for s in records))
    if m.kind != "matmul":
        if bf16_free_columns(m):
            return short
        # every column has bfloat16: nothing the SoCs without it could run
        lacking = [s["name"] for s in records if not s["has_bf16"]]
        mine = list(dict.fromkeys(s["short_name"] for s in records if s["has_bf16"]))
        if not mine:
            raise SpecError(f"{m.op_type}: every dtype column has bfloat16, which --soc {' '.join(lacking)} lack "
                            "(910A and 310P have no bf16): add a float16 or float32 column, or a 910B-class SoC "
                            "(e.g. Ascend910B1)")
        if lacking:
            warnings.append(f"{m.op_type}: every dtype column has bfloat16: registered for {', '.join(mine)}, not "
                            f"for {', '.join(lacking)}, which have no bf16")
        return mine
    other = [s["name"] for s in records if s["arch"] != 2201]
    mine = list(dict.fromkeys(s["short_name"] for s in records if s["arch"] == 2201))
    if not mine:
        raise SpecError(f"{m.op_type}: kind matmul runs on 910B-class SoCs only (a MIX kernel on the Matmul API, with "
                        f"separate cube and vector cores), and --soc {' '.join(other)} has none: add one (e.g. "
                        "Ascend910B1), or choose another kind")
    if other:
        warnings.append(f"{m.op_type}: kind matmul runs on 910B-class SoCs only: registered for {', '.join(mine)}, "
                        f"not for {', '.join(other)}")
    return mine


def check(project: Project, force: bool = False) -> None:
    """Everything that could stop ``write``, checked before any write (and by ``--dry-run``, so a dry run
    fails exactly when the real run would)."""
    for p in project.paths():
        for part in p.parts[1:]:
            limit = _name_max(p)
            if len(part.encode()) > limit:
                raise OpkitError(f"{p}: the name {part[:40]}... is {len(part.encode())} bytes, over this file "
                                 f"system's limit of {limit}; shorten the op name")
        if p.exists() and not p.is_file():
            raise OpkitError(f"{p} exists and is not a file; move it or choose another -o")
        if not force and p.exists():
            raise OpkitError(f"{p} exists; pass --force to overwrite")


def _name_max(p: Path) -> int:
    for d in (p, *p.parents):
        if d.exists():
            try:
                return os.pathconf(d, "PC_NAME_MAX")
            except (OSError, ValueError):
                break
    return 255


def write(project: Project, force: bool = False) -> list[Path]:
    """Write a planned project, all files or none: each goes to a temporary sibling first, and only when
    every one is written are they renamed into place. Without ``force`` an existing target stops it
    before any write.

    >>> write(plan("ops/add_custom.json", "/tmp/AddCustom"), force=True)  # doctest: +SKIP
    """
    check(project, force)
    staged: list[tuple[Path, Path]] = []
    made: list[Path] = []
    try:
        for p, text in zip(project.paths(), project.files.values()):
            # The spec copy must never replace the spec being read (it may hold more ops than the copy).
            if project.spec_path is not None and p.exists() and p.samefile(project.spec_path):
                continue
            for d in reversed([*p.parents]):
                if not d.exists():
                    d.mkdir()
                    made.append(d)
            tmp = p.with_name(f".{p.name}.opkit-tmp")
            tmp.write_text(text, encoding="utf-8")
            staged.append((tmp, p))
    except OSError:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        for d in reversed(made):
            try:
                d.rmdir()
            except OSError:
                pass
        raise
    for tmp, p in staged:
        os.replace(tmp, p)
    return [p for _, p in staged]


def generate(spec_path: str | Path, out_dir: str | Path | None = None, op: str | None = None,
             socs: list[str] | None = None, force: bool = False, dry_run: bool = False,
             use_msopgen: bool = True, kind: str | None = None) -> Project:
    """Turn an op spec into a complete op project (the Python side of ``python -m opkit gen``).

    When CANN's msopgen is installed (and ``use_msopgen``), it writes the project and opkit adds its
    spec copy, tests and README (gen/msopgen.py).

    >>> p = generate("ops/sinh_custom.json", "/tmp/SinhCustom", force=True)  # doctest: +SKIP
    >>> (p.out_dir / "op_kernel/sinh_custom.cpp").is_file()  # doctest: +SKIP
    True
    """
    project = plan(spec_path, out_dir, op, socs, kind)
    project.spec_path = Path(spec_path)
    tool = msopgen.find_tool() if use_msopgen else None
    if tool is not None:
        return msopgen.generate(project, Path(spec_path), tool[0], tool[1], socs, op, force, dry_run)
    if dry_run:
        check(project, force)
    else:
        write(project, force)
    return project


def _next_steps(project: Project) -> list[str]:
    d = project.out_dir
    lines = ["next steps:"]
    for m in project.models:
        if m.kind == "matmul":
            lines.append(f"  write the epilogue in {d / 'op_kernel' / (m.name + '.cpp')} (OPKIT: COMPUTE; 910B-class "
                         "SoCs only)")
        elif m.complete:
            lines.append(f"  write the {m.kind} compute in {d / 'op_kernel' / (m.name + '.cpp')} (OPKIT: COMPUTE)")
        else:
            lines.append(f"  write the tiling in {d / 'op_host' / (m.name + '.cpp')} (OPKIT: TILING) and the kernel "
                         f"in {d / 'op_kernel' / (m.name + '.cpp')} (OPKIT: COMPUTE)")
        lines.append(f"  write the numpy golden in {d / 'tests' / ('test_' + m.name + '.py')} (OPKIT: GOLDEN)")
    lines += [f"  python -m opkit build {d}", f"  pytest {d / 'tests'} --mode=cpu",
              f"  ({d / 'README.md'} says this again, and how to build with CANN)"]
    return lines


def run_cli(args: argparse.Namespace) -> int:
    """The ``gen`` subcommand: ``python -m opkit gen SPEC [-o DIR] [--op T] [--soc S ...] [--force] [--dry-run]``."""
    project = generate(args.spec, args.output, args.op, args.soc, args.force, args.dry_run, not args.no_msopgen,
                       args.kind)
    for m in project.models:
        print(f"opkit: note: {kinds.note(m.spec, m.choice)}", file=sys.stderr)
    for w in project.warnings:
        print(f"opkit: warning: {w}", file=sys.stderr)
    for p in project.paths():
        print(f"+ {p}")
    if args.dry_run:
        print("(dry run: nothing written)" + (f"; msopgen would run: {' '.join(project.msopgen[0])}"
                                               if project.msopgen else ""))
    else:
        print("\n".join(msopgen.next_steps(project) if project.msopgen else _next_steps(project)))
    return 0


_DESCRIPTION = """\
Generate an op project (op_host/, op_kernel/, tests/, CMake files) from an op JSON spec in msopgen's
format. Never prompts; never overwrites without --force.

kinds of op (--kind; every kind but custom gets a complete multi-core, double-buffered, tail-safe
kernel and tiling with one OPKIT: COMPUTE block to write):
"""
_INFERENCE = """

Without --kind, gen picks the kind from the spec (an op type naming MatMul/Gemm/Linear/Dense or
inputs x, w/weight, bias -> matmul, a list_int attr named axes/axis/dims -> reduce, an op type
naming Softmax or Norm -> rownorm, naming Broadcast -> broadcast, a same-shaped signature ->
elementwise, else custom) and says which it chose and why. matmul is for 910B-class SoCs only.
"""


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``gen`` on the CLI's subparsers."""
    kinds_help = "\n".join(f"  {k:<12} {kinds.ABOUT[k]}" for k in kinds.KINDS)
    g = sub.add_parser("gen", help="turn an op JSON spec (msopgen's format) into a complete op project",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description=_DESCRIPTION + kinds_help + _INFERENCE)
    g.add_argument("spec", metavar="SPEC", help="the op spec: a JSON list of op objects")
    g.add_argument("-o", "--output", metavar="DIR", default=None,
                   help="project directory (default ./<OpType> of the first op)")
    g.add_argument("--op", metavar="OpType", default=None,
                   help="generate only this op of the spec (default: all its ops, into one project)")
    g.add_argument("--soc", metavar="SOC", nargs="+", action="extend", default=None,
                   help="SoCs to support, opkit names or aliases (default $OPKIT_SOC or Ascend910B1); "
                        "several after one --soc, or --soc repeated")
    g.add_argument("--kind", choices=kinds.KINDS, default=None,
                   help="the kind of op, for every op generated (default: inferred from the spec, and said)")
    g.add_argument("--force", action="store_true", help="overwrite existing files")
    g.add_argument("--dry-run", action="store_true", help="list the files that would be written; write nothing")
    g.add_argument("--no-msopgen", action="store_true",
                   help="use opkit's own generator even when CANN's msopgen is installed (it is used by default)")
    g.set_defaults(func=run_cli)
    return g
