"""docs/api-reference.md, generated from opkit's headers: every function with its overloads, every
class, enum and constant, the SoCs that have each, and the Ascend C APIs opkit does not implement
yet. ``python -m opkit apiref`` writes it; ``--check`` fails when the committed file is stale.

SoCs come from ``// soc:`` markers (Note [SoC markers]); the unimplemented APIs from the
``OPKIT_NOT_IMPLEMENTED(Name);`` lists (Note [Not implemented yet], opkit/not_implemented.h).

Note [SoC markers]
~~~~~~~~~~~~~~~~~~
opkit refuses some APIs on some SoCs at run time, as the NPU does not have them there (the
"does not exist on" failures in runtime/src). The header says so next to the declaration with a
comment line ``// soc: 910B`` (SoC families, space-separated: 910B, 910A, 310P) right before it;
before a class it covers the class, before a macro call every declaration the macro makes. A
declaration without one is on every SoC. tests/unit/test_apiref.py checks that each API named in a
"does not exist on" message has a marker somewhere, so a new refusal without one fails there.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .cxx_decls import Decl, parse
from .cxx_tokens import Macro, ScanError, scan
from .errors import OpkitError

OUTPUT = Path("docs/api-reference.md")
INCLUDE = Path("runtime/include")
COMMAND = "python -m opkit apiref"
# SoC families a marker names, and the arch (runtime/src/soc.cpp) whose SoCs each stands for.
FAMILIES = {"910B": 2201, "910A": 1001, "310P": 2002}
NOT_IMPLEMENTED_MACRO = "OPKIT_NOT_IMPLEMENTED"

# (section, what a program includes for it (Markdown), which headers): a header is in the first
# section with a pattern it matches (a path, a folder/, or *suffix).
SECTIONS = [
    ("Host tiling", "`tiling/tiling_api.h` (host code)",
     ("tiling/", "kernel_tiling/", "*_tiling.h", "*_tilingdata.h", "opkit/host/matmul_tiling.h",
      "register/tilingdata_base.h")),
    ("Kernel API", "`kernel_operator.h`", ("kernel_operator.h", "opkit/kernel/", "opkit/not_implemented.h")),
    ("Matmul", "`lib/matmul_intf.h`", ("lib/matmul_intf.h", "lib/matrix/")),
    ("High-level kernel APIs", "`kernel_operator.h` (which includes lib/kernel_api.h)", ("lib/",)),
    ("Host: op registration and tiling contexts", "`register/op_def_registry.h` (host code)",
     ("register/", "opkit/host/")),
    ("CPU debugging", "`tikicpulib.h` (CPU-debug programs)", ("tikicpulib.h",)),
]
# Headers that are no Ascend C API: the C runtime (acl, aclnn) host programs call, opkit's runtime.
EXCLUDED = ("acl/", "aclnn/", "opkit/aclnn/", "opkit/rt/", "securec.h")
_HIDDEN_SCOPES = re.compile(r"^(opkit.*|detail|\(anonymous\))$")


@dataclass
class Header:
    path: str  # relative to runtime/include
    section: str
    decls: list[Decl]  # what the reference lists, in header order
    macros: list[Macro]
    not_implemented: list[str] = field(default_factory=list)


@dataclass
class Api:
    headers: list[Header]
    families: dict[str, list[str]]  # family -> SoC names
    declared: dict[str, str]  # every name declared in namespace AscendC -> its header


def section_of(rel: str) -> str | None:
    if rel.startswith(EXCLUDED):
        return None
    for title, _, patterns in SECTIONS:
        for p in patterns:
            if (p.startswith("*") and rel.endswith(p[1:])) or rel == p or (p.endswith("/") and rel.startswith(p)):
                return title
    raise OpkitError(f"{INCLUDE / rel}: in no section of the API reference; add it to SECTIONS (or EXCLUDED) in "
                     "python/opkit/apiref.py")


def soc_families(root: Path) -> dict[str, list[str]]:
    """Each family's SoC names, from the SoC table in runtime/src/soc.cpp."""
    path = root / "runtime/src/soc.cpp"
    rows = re.findall(r'\{"(\w+)",\s*"\w+",\s*(\d+),', path.read_text())
    if not rows:
        raise OpkitError(f"{path}: found no SoC rows ({{\"Name\", \"short\", arch, ...}}) to name the SoC families")
    out: dict[str, list[str]] = {f: [] for f in FAMILIES}
    by_arch = {a: f for f, a in FAMILIES.items()}
    for name, arch in rows:
        if int(arch) not in by_arch:
            raise OpkitError(f"{path}: {name} has arch {arch}, which no SoC family of python/opkit/apiref.py "
                             "FAMILIES stands for; add one")
        out[by_arch[int(arch)]].append(name)
    return out


def marker_socs(marker: str | None, where: str) -> tuple[str, ...] | None:
    """The SoC families of a `// soc:` marker's text (None: no marker, every SoC), in FAMILIES order.

    >>> marker_socs("310P 910B", "x.h:1")
    ('910B', '310P')
    """
    if marker is None:
        return None
    names = tuple(marker.split())
    bad = [n for n in names if n not in FAMILIES]
    if bad or not names:
        raise OpkitError(f"{where}: `// soc: {marker}`: {' '.join(bad) or 'no family'} is not a SoC family "
                         f"(known: {', '.join(FAMILIES)}); Note [SoC markers] in python/opkit/apiref.py")
    return tuple(f for f in FAMILIES if f in names)


def _listed(d: Decl) -> bool:
    name = d.name.lower()
    return not (name.startswith("opkit") or d.name.endswith("_") or any(_HIDDEN_SCOPES.match(s) for s in d.scope))


def collect(root: Path) -> Api:
    """Read every header under root/runtime/include (see SECTIONS)."""
    inc = root / INCLUDE
    paths = sorted(p for p in inc.rglob("*.h"))
    if not paths:
        raise OpkitError(f"{inc}: no headers; run from an opkit source tree or pass --root")
    texts = {p: p.read_text() for p in paths}
    keep = {NOT_IMPLEMENTED_MACRO}
    macros: dict[str, Macro] = {}
    for p in paths:  # macros one header defines and another calls (the tiling-data field lists)
        macros.update(scan(texts[p], str(p), {}, keep)[1])
    headers: list[Header] = []
    declared: dict[str, str] = {}
    hidden_classes: dict[str, Decl] = {}
    for p in paths:
        rel = p.relative_to(inc).as_posix()
        section = section_of(rel)
        toks, own = scan(texts[p], f"{INCLUDE / rel}", macros, keep)
        decls = parse(toks, f"{INCLUDE / rel}")
        hidden_classes.update((d.name, d) for d in decls if d.kind == "class" and not _listed(d))
        for d in decls:
            if d.scope == ("AscendC",):
                declared.setdefault(d.name, rel)
                for e in d.members if d.kind == "enum" and not d.text.startswith("enum class") else []:
                    declared.setdefault(e.name, rel)
        if section is None:
            continue
        h = Header(rel, section, [], [m for m in own.values() if _public_macro(m.name)])
        for d in decls:
            if d.name == NOT_IMPLEMENTED_MACRO:
                h.not_implemented.append(re.sub(r".*\(\s*(\w+)\s*\).*", r"\1", d.text))
            elif _listed(d):
                marker_socs(d.soc, f"{INCLUDE / rel}:{d.line}")
                for m in d.members:
                    marker_socs(m.soc, f"{INCLUDE / rel}:{m.line}")
                h.decls.append(d)
        if h.decls or h.macros or h.not_implemented:
            headers.append(h)
    for h in headers:
        for d in h.decls:
            if d.kind == "class":
                _inherit(d, hidden_classes)
    seen: dict[str, str] = {}
    for h in headers:
        for name in h.not_implemented:
            if name in seen:
                raise OpkitError(f"{INCLUDE / h.path}: {NOT_IMPLEMENTED_MACRO}({name}) is also in {INCLUDE / seen[name]}")
            seen[name] = h.path
            if name in declared:
                raise OpkitError(f"{INCLUDE / h.path}: {NOT_IMPLEMENTED_MACRO}({name}), but {INCLUDE / declared[name]} "
                                 f"declares AscendC::{name}: remove it from the not-implemented list")
    return Api(headers, soc_families(root), declared)


def _inherit(cls: Decl, hidden: dict[str, Decl]) -> None:
    """A class's public members include those of an opkit-internal base (TQueBind's queue queries
    come from detail::QueBase), and the reference does not name such a base."""
    if " : " not in cls.text:
        return
    head, bases = cls.text.split(" : ", 1)
    kept = []
    for base in re.split(r",\s*(?![^<]*>)", bases):
        name = re.sub(r"<.*", "", base.split()[-1] if base.split() else "").split("::")[-1]
        if "detail::" in base and name in hidden:
            cls.members[:0] = hidden[name].members
        else:
            kept.append(base)
    cls.text = head + (" : " + ", ".join(kept) if kept else "")


def _public_macro(name: str) -> bool:
    return not name.lower().startswith("opkit") and (not name.startswith("_") or name.endswith("__"))


def render(api: Api) -> str:
    """The reference as Markdown."""
    from .apiref_render import render_markdown

    return render_markdown(api)


def generate(root: Path) -> str:
    """docs/api-reference.md's text for the source tree at root.

    >>> generate(find_root()).startswith("# opkit API reference")
    True
    """
    try:
        return render(collect(root))
    except ScanError as e:
        raise OpkitError(f"apiref: {e}") from None


def stale(root: Path) -> str | None:
    """None when root/docs/api-reference.md is what the headers give, else what differs and the fix.

    >>> stale(find_root()) is None  # after `python -m opkit apiref`
    True
    """
    want = generate(root)
    path = root / OUTPUT
    have = path.read_text() if path.exists() else ""
    if have == want:
        return None
    diff = list(difflib.unified_diff(have.splitlines(), want.splitlines(), f"{OUTPUT} (committed)",
                                     f"{OUTPUT} (from the headers)", n=0, lineterm=""))
    changes = [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    shown = "\n".join("    " + line for line in changes[:20])
    more = f"\n    ... and {len(changes) - 20} more changed lines" if len(changes) > 20 else ""
    what = "is missing" if not have else f"is stale ({len(changes)} changed lines)"
    return f"{OUTPUT} {what}; regenerate it with `{COMMAND}` and commit it:\n{shown}{more}"


def find_root(start: Path | None = None) -> Path:
    """The opkit source tree holding ``start`` (default: the current directory), else the one this
    module runs from."""
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents, Path(__file__).resolve().parents[2]):
        if (d / INCLUDE / "kernel_operator.h").is_file() and (d / "runtime/src").is_dir():
            return d
    raise OpkitError(f"apiref: {here} is not inside an opkit source tree (runtime/include, runtime/src); "
                     "run it from one or pass --root")


def run_cli(args: argparse.Namespace) -> int:
    root = Path(args.root).resolve() if args.root else find_root()
    if args.check:
        problem = stale(root)
        if problem:
            print(f"opkit: error: {problem}", file=sys.stderr)
            return 1
        print(f"{OUTPUT} is up to date")
        return 0
    out = root / OUTPUT
    text = generate(root)
    out.parent.mkdir(parents=True, exist_ok=True)
    old = out.read_text() if out.exists() else None
    out.write_text(text)
    print(f"+ {out}" + (" (unchanged)" if old == text else ""))
    return 0


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``apiref`` on the CLI's subparsers."""
    a = sub.add_parser("apiref", help="write docs/api-reference.md from the headers (the supported API and its SoCs)",
                       description="Generate docs/api-reference.md from runtime/include: every function and its "
                                   "overloads, classes, enums, constants, the SoCs that have each, and the Ascend C "
                                   "APIs opkit does not implement yet. Run it in an opkit source tree.")
    a.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 if the committed file differs from what the headers give (CI)")
    a.add_argument("--root", default=None, metavar="DIR", help="the opkit source tree (default: the one around .)")
    a.set_defaults(func=run_cli)
    return a
