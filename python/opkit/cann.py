"""CANN on this machine: where the toolkit is, which version and generation, its tools and SoC names.

opkit never asks the user to source CANN's ``set_env.sh``: :func:`environment` builds the variables a
CANN tool needs from the toolkit that :func:`find_cann` found.

Note [CANN facts and where they come from]:
- Search order (:func:`search_paths`): ``$ASCEND_HOME_PATH``, ``$ASCEND_TOOLKIT_HOME``, then the standard
  locations ``/usr/local/Ascend/ascend-toolkit/latest``, ``$HOME/Ascend/ascend-toolkit/latest`` and
  ``/usr/local/Ascend/cann`` (the 8.5/9.x layout). ``OPKIT_CANN_SEARCH_PATHS`` (``os.pathsep``-separated,
  may be empty) replaces the standard locations, for tests and unusual installs.
- Version (:func:`read_version`): CANN's install guides name ``<toolkit>/<arch>-linux/
  ascend_toolkit_install.info`` (``key=value`` lines, ``version=8.0.RC1``) as the record of the installed
  version; that file is read first. Then ``<toolkit>/version.info`` and ``<toolkit>/compiler/version.info``
  (``Version=8.0.RC3``), seen in public install checks. ``<toolkit>/version.cfg`` is read last with a
  loose pattern: its format was not confirmed.
- Generation (:func:`generation_of`): 6.x Ascend C was the "tik2" preview, without aclnn and without the
  ``BEGIN_TILING_DATA_DEF`` tiling macros; 7.x and 8.x have Ascend C, aclnn and the tiling macros; 9.x
  moves to plain struct tiling. Not verified on a machine with CANN.
- SoC names (:func:`soc_names`): opkit's runtime table (``_core.soc``, with its aliases) is the only SoC
  table. msopgen takes ``-c ai_core-<soc_version>`` with the full chip name, CMake's
  ``ASCEND_COMPUTE_UNIT`` takes the short name, and the simulator libraries live in
  ``tools/simulator/<soc_version>/lib``; all three derive from the runtime record, so no fact is repeated.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

STANDARD_PATHS = ("/usr/local/Ascend/ascend-toolkit/latest", "~/Ascend/ascend-toolkit/latest",
                  "/usr/local/Ascend/cann")
_VERSION = re.compile(r"\b\d+\.\d+(?:\.[0-9A-Za-z]+)*")  # 8.0.RC2, 7.0.0, 8.0.RC2.alpha003


@dataclass(frozen=True)
class Generation:
    """What a CANN release line offers an Ascend C op project."""

    major: int
    kernel_language: str  # "tik2" (6.x preview) or "Ascend C"
    aclnn: bool  # the build generates aclnn_<op>.h/.cpp
    tiling: str  # "none", "macros" (BEGIN_TILING_DATA_DEF) or "struct" (plain C++ struct)

    def describe(self) -> str:
        """One line for reports.

        >>> generation_of("8.0.RC2").describe()
        'CANN 8.x: Ascend C, aclnn, tiling macros'
        """
        tiling = {"none": "no tiling macros", "macros": "tiling macros", "struct": "plain struct tiling"}[self.tiling]
        return f"CANN {self.major}.x: {self.kernel_language}, {'aclnn' if self.aclnn else 'no aclnn'}, {tiling}"


@dataclass(frozen=True)
class Cann:
    """A CANN toolkit found on this machine."""

    path: Path
    found_by: str  # "$ASCEND_HOME_PATH", "standard location", ...
    version: str | None
    version_file: Path | None
    msopgen: Path | None
    simulators: dict[str, Path] = field(default_factory=dict)  # folder name (Ascend910B1) -> its lib/

    @property
    def generation(self) -> Generation | None:
        return generation_of(self.version) if self.version else None

    def missing_build_files(self) -> list[str]:
        """The files of an op-project build that this install lacks (relative paths).

        >>> Cann(Path("/nowhere"), "test", None, None, None).missing_build_files()
        ['include/register/tilingdata_base.h', 'lib64/libexe_graph.so']
        """
        return [rel for rel in BUILD_FILES if not (self.path / rel).exists()]


# What an op project's build needs from the toolkit: the tiling-data header op_host includes and the
# graph library op_host links (op-projects.md 7.1). A runtime-only install has neither.
BUILD_FILES = ("include/register/tilingdata_base.h", "lib64/libexe_graph.so")


def search_paths() -> list[tuple[str, Path]]:
    """Where :func:`find_cann` looks, in order, each with the reason it is looked at.

    >>> os.environ["OPKIT_CANN_SEARCH_PATHS"] = ""; os.environ.pop("ASCEND_HOME_PATH", None)  # doctest: +SKIP
    >>> search_paths()  # doctest: +SKIP
    []
    """
    out: list[tuple[str, Path]] = []
    for var in ("ASCEND_HOME_PATH", "ASCEND_TOOLKIT_HOME"):
        if os.environ.get(var):
            out.append((f"${var}", Path(os.environ[var]).expanduser()))
    override = os.environ.get("OPKIT_CANN_SEARCH_PATHS")
    if override is not None:
        out += [("$OPKIT_CANN_SEARCH_PATHS", Path(p).expanduser()) for p in override.split(os.pathsep) if p]
    else:
        out += [("standard location", Path(p).expanduser()) for p in STANDARD_PATHS]
    return out


def looks_like_cann(path: Path) -> bool:
    """A directory with a CANN version record, ``include/`` or ``lib64/`` (a runtime-only install counts:
    the doctor and the build explain what it lacks)."""
    if not path.is_dir():
        return False
    return (any(path.glob("*-linux/ascend_toolkit_install.info")) or (path / "version.info").is_file()
            or (path / "include").is_dir() or (path / "lib64").is_dir())


def find_cann(paths: list[tuple[str, Path]] | None = None) -> Cann | None:
    """The first CANN toolkit of :func:`search_paths` (or ``paths``), or None.

    >>> cann = find_cann()  # doctest: +SKIP
    >>> cann.path, cann.version  # doctest: +SKIP
    (PosixPath('/usr/local/Ascend/ascend-toolkit/latest'), '8.0.RC2')
    """
    for found_by, path in search_paths() if paths is None else paths:
        if looks_like_cann(path):
            return describe(path, found_by)
    return None


def describe(path: Path, found_by: str = "given") -> Cann:
    """The facts of the CANN toolkit at ``path``."""
    path = path.resolve()
    version, version_file = read_version(path)
    return Cann(path, found_by, version, version_file, find_msopgen(path), find_simulators(path))


def read_version(path: Path) -> tuple[str | None, Path | None]:
    """The toolkit's version string and the file it came from (Note [CANN facts and where they come from]).

    >>> read_version(Path("/nowhere"))
    (None, None)
    """
    candidates = sorted(path.glob("*-linux/ascend_toolkit_install.info"))
    candidates += [path / "version.info", path / "compiler" / "version.info"]
    for f in candidates:
        if f.is_file():
            m = re.search(r"^\s*version\s*=\s*(\S+)", f.read_text(errors="replace"), re.MULTILINE | re.IGNORECASE)
            if m:
                return m.group(1).strip("\"'"), f
    cfg = path / "version.cfg"
    if cfg.is_file():
        m = _VERSION.search(cfg.read_text(errors="replace"))
        if m:
            return m.group(0), cfg
    return None, None


def generation_of(version: str) -> Generation | None:
    """The release line of a CANN version string; None for versions before 6 or unparsable ones.

    >>> generation_of("6.3.RC1").aclnn, generation_of("7.0.0").tiling, generation_of("9.0.0").tiling
    (False, 'macros', 'struct')
    """
    m = re.match(r"\s*(\d+)\.", version)
    if not m:
        return None
    major = int(m.group(1))
    if major < 6:
        return None
    if major == 6:
        return Generation(6, "tik2", aclnn=False, tiling="none")
    if major in (7, 8):
        return Generation(major, "Ascend C", aclnn=True, tiling="macros")
    return Generation(major, "Ascend C", aclnn=True, tiling="struct")


def find_msopgen(path: Path | None) -> Path | None:
    """CANN's msopgen: in the toolkit (``python/site-packages/bin``, ``bin``), else on PATH."""
    if path is not None:
        for rel in ("python/site-packages/bin/msopgen", "bin/msopgen"):
            if os.access(path / rel, os.X_OK) and (path / rel).is_file():
                return path / rel
    found = shutil.which("msopgen")
    return Path(found) if found else None


def find_simulators(path: Path) -> dict[str, Path]:
    """The SoC folders of ``tools/simulator/`` that hold a ``lib/`` directory, by folder name."""
    root = path / "tools" / "simulator"
    if not root.is_dir():
        return {}
    return {d.name: d / "lib" for d in sorted(root.iterdir()) if (d / "lib").is_dir()}


def environment(cann: Cann | None, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a CANN tool (msopgen, build.sh) needs, what ``set_env.sh`` would export.

    >>> env = environment(Cann(Path("/opt/cann"), "test", None, None, None), {})
    >>> env["ASCEND_HOME_PATH"], env["PATH"].split(os.pathsep)[0]
    ('/opt/cann', '/opt/cann/bin')
    """
    env = dict(os.environ if base is None else base)
    if cann is None:
        return env
    root = cann.path

    def prepend(var: str, *dirs: Path) -> None:
        parts = [str(d) for d in dirs] + [p for p in env.get(var, "").split(os.pathsep) if p]
        env[var] = os.pathsep.join(dict.fromkeys(parts))

    env.update(ASCEND_HOME_PATH=str(root), ASCEND_TOOLKIT_HOME=str(root), ASCEND_OPP_PATH=str(root / "opp"),
               ASCEND_AICPU_PATH=str(root))
    prepend("PATH", root / "bin", root / "compiler" / "ccec_compiler" / "bin")
    prepend("LD_LIBRARY_PATH", root / "lib64")
    prepend("PYTHONPATH", root / "python" / "site-packages")
    return env


@dataclass(frozen=True)
class SocNames:
    """One SoC under each tool's name (Note [CANN facts and where they come from])."""

    name: str  # opkit's and CANN's soc_version: Ascend910B1
    msopgen: str  # msopgen's -c value: ai_core-Ascend910B1
    compute_unit: str  # CMakePresets.json ASCEND_COMPUTE_UNIT: ascend910b
    simulator: str  # tools/simulator/<this>/lib: Ascend910B1


def soc_names(name: str | None) -> SocNames:
    """A SoC name or alias (None: $OPKIT_SOC or the default) under msopgen's, CMake's and the simulator's names.

    A bare ``Ascend910B`` is the first-generation 910, not an A2 part:

    >>> soc_names("Ascend910B").msopgen, soc_names("Ascend910B1").compute_unit
    ('ai_core-Ascend910A', 'ascend910b')
    """
    from . import _core

    s = _core.soc(name)
    return SocNames(s["name"], f"ai_core-{s['name']}", s["short_name"], s["name"])
