"""``python -m opkit sample DIR``: run an official CANN kernel-launch sample the way its run.sh does,
with no CANN installed and nothing to source.

    python -m opkit sample path/to/kernel_invocation/Add --soc ascend910 --mode npu_simulator

Build: the sources and flags of the sample's cpu target (Note [Sample layouts], sample_layout.py),
compiled with g++ against opkit (``python -m opkit config --cflags --libs``). Run: the data script,
then the program, with ``OPKIT_MODE`` and ``OPKIT_SOC`` set. Judge: the sample's verify script where
run.sh calls one, else each output against its golden file at the dtype's tolerance (Note [Golden
dtypes], sample_judge.py). One verdict line; the worst mismatches when it fails.

Note [Sample work directory]: run.sh writes input/, output/, build/ and the program into the sample's
own folder. opkit writes nothing there: it works in a directory of its own (``--out``, default a new
one under the system temp dir) that holds links to every entry of the sample except input/ and output/,
which are fresh folders. The data script, the program and the verify script run there with the relative
paths run.sh uses (``python3 scripts/gen_data.py``, ``./input/input_x.bin``), so they find what they read
and write only into the work directory.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from .errors import OpkitError
from .sample_judge import compare, describe, dtypes_written, pair_outputs, run_data_script, run_verify
from .sample_layout import Sample, SampleError, Unit, read_sample

MODES = ("cpu", "npu_simulator")
STANDIN = Path(__file__).resolve().parent / "sample_torch"  # Note [torch in data scripts]


def resolve_soc(name: str | None, sample: Sample) -> tuple[dict, str]:
    """opkit's SoC for a run.sh SoC name (ascend910 -> Ascend910A, Ascend310P1 -> Ascend310P3, ...),
    and where the choice came from."""
    from . import _core

    given, why = name, "--soc"
    if given is None and sample.soc:
        given, why = sample.soc, "fixed by run.sh"
    if given is None and sample.layout == "kernel_invocation" and not os.environ.get("OPKIT_SOC"):
        # written for CANN 6.3/7.0 on ascend910, before MIX kernels: on a 910B-class SoC their vector
        # kernels, which never call SetKernelMode, would run as MIX launches (CPU-debug's default)
        return _core.soc("ascend910"), "the 2023 kernel_invocation samples' SoC; pass --soc for another"
    if given is None:
        return _core.soc(None), "opkit's default ($OPKIT_SOC or Ascend910B1); run.sh takes it as an argument: pass --soc"
    try:
        return _core.soc(given), why
    except Exception as e:  # the binding's error names the known SoCs
        raise SampleError(f"--soc {given}: {e}; run.sh's names (ascend910, ascend310p, Ascend910B1, ...) are "
                          "accepted, see `python -m opkit socs`") from None


def _first_errors(log: str, root: Path, n: int = 3) -> str:
    lines = [ln for ln in log.splitlines() if re.search(r"\berror\b|undefined reference", ln)]
    lines = [ln.replace(str(root) + "/", "") for ln in lines[:n]]
    return "\n    ".join(lines) if lines else (log.strip().splitlines() or ["(no output)"])[-1]


def _compile(units: list[Unit], sample: Sample, out: Path, base: list[str], extra: list[str]) -> list[Path]:
    from .paths import INCLUDE_DIR

    objs = []
    for i, u in enumerate(units):
        if not u.src.is_file():
            raise SampleError(f"{sample.root}: the CMake builds {u.src.name}, which is missing")
        flags = [f for f in u.flags if f != "@tiling"]
        if "@tiling" in u.flags:
            flags.append(f"-I{INCLUDE_DIR / 'tiling'}")
        obj = out / f"{i:02d}_{u.src.stem}.o"
        cmd = ["g++", *base, *flags, *extra, f"-I{sample.root}", "-c", str(u.src), "-o", str(obj)]
        r = subprocess.run(cmd, cwd=sample.root, capture_output=True, text=True)
        (out / f"{obj.stem}.log").write_text(" ".join(cmd) + "\n" + r.stdout + r.stderr)
        if r.returncode != 0:
            raise SampleError(f"compiling {u.src.relative_to(sample.root)} failed (the sample's cpu-target flags: "
                              f"{' '.join(flags)}):\n    {_first_errors(r.stderr, sample.root)}\n"
                              f"  full log: {out / (obj.stem + '.log')}")
        objs.append(obj)
    return objs


def _link(objs: list[Path], exe: Path, libs: list[str], root: Path) -> None:
    if exe.is_symlink() or exe.exists():  # a program a real run.sh left in the sample: never write through the link
        exe.unlink()
    r = subprocess.run(["g++", *map(str, objs), *libs, "-o", str(exe)], capture_output=True, text=True)
    if r.returncode != 0:
        (exe.parent / "link.log").write_text(r.stdout + r.stderr)
        raise SampleError(f"linking {exe.name} failed:\n    {_first_errors(r.stderr, root)}\n"
                          f"  full log: {exe.parent / 'link.log'}")


def build(sample: Sample, soc: dict, user_soc: str | None, work: Path) -> tuple[Path, Path | None]:
    """Compile and link the sample's cpu program (and its tiling program, if run.sh runs one)."""
    from .paths import config_flags

    out = work / "build"
    out.mkdir(parents=True, exist_ok=True)
    base, libs = config_flags(soc, cflags=True), config_flags(soc, libs=True)
    extra = []
    if sample.soc_list_310p and {user_soc or "", soc["name"]} & set(sample.soc_list_310p):
        extra.append("-DCUSTOM_ASCEND310P")  # the CMake's CUSTOM_ASCEND310P_LIST
    kernel_objs = _compile(sample.units, sample, out, base, extra)
    exe = work / sample.name
    _link(kernel_objs, exe, libs, sample.root)
    tiling = None
    if sample.tiling_units:
        tiling_out = out / "tiling"
        tiling_out.mkdir(exist_ok=True)
        objs = _compile(sample.tiling_units, sample, tiling_out, config_flags(soc, includes=True), [])
        tiling = work / f"{sample.name.rsplit('_', 1)[0]}_tiling"
        _link(objs, tiling, libs, sample.root)
    return exe, tiling


def prepare_work(sample: Sample, out: str | None) -> Path:
    """The work directory (Note [Sample work directory])."""
    work = Path(out).resolve() if out else Path(tempfile.mkdtemp(prefix=f"opkit-sample-{sample.root.name}-"))
    if work == sample.root or sample.root in work.parents:
        raise SampleError(f"--out {work}: inside the sample; choose a directory outside {sample.root}")
    work.mkdir(parents=True, exist_ok=True)
    for entry in sample.root.iterdir():
        if entry.name in ("input", "output", "build") or entry.name.startswith("."):
            continue
        link = work / entry.name
        if link.is_symlink() or link.is_file():
            link.unlink()
        elif link.is_dir():
            shutil.rmtree(link)
        link.symlink_to(entry)
    for d in ("input", "output"):
        shutil.rmtree(work / d, ignore_errors=True)
        (work / d).mkdir()
    return work


def _torch_path() -> Path | None:
    """Note [torch in data scripts]: some data scripts build their goldens with torch (randn, softmax,
    topk, layer_norm). Without torch installed they run against opkit's numpy stand-in for exactly those
    calls (python/opkit/sample_torch); a script that needs more of torch fails with the import error."""
    try:
        import importlib.util

        return None if importlib.util.find_spec("torch") else STANDIN
    except (ImportError, ValueError):
        return STANDIN


def _run(cmd: list[str], work: Path, env: dict[str, str], what: str, timeout: int = 3600) -> str:
    r = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True, timeout=timeout)
    out = r.stdout + r.stderr
    (work / f"{what}.log").write_text(out)
    if r.returncode != 0:
        lines = [ln for ln in out.splitlines() if re.search(r"finding|opkit: error|deadlock|error", ln, re.I)]
        detail = "\n    ".join(lines[:6]) or (out.strip().splitlines() or ["(no output)"])[-1]
        raise SampleError(f"{what} exited with status {r.returncode}:\n    {detail}\n  full log: {work / (what + '.log')}")
    return out


def run_sample(directory: str, soc_name: str | None, mode: str, out: str | None, case: str | None) -> int:
    """Build, run and judge one sample; print the steps and one verdict line. 0: pass, 1: fail.
    What opkit cannot handle (no cpu target, a missing data script) raises SampleError before anything runs.

    >>> run_sample("/nonexistent", None, "cpu", None, None)
    Traceback (most recent call last):
    opkit.sample_layout.SampleError: /nonexistent: not a directory
    """
    if mode not in MODES:
        raise OpkitError(f"--mode {mode}: opkit runs samples in {' or '.join(MODES)} (npu needs an NPU and CANN)")
    sample = read_sample(Path(directory), case)
    soc, why = resolve_soc(soc_name, sample)
    name = sample.root.name if sample.root.name != "KernelLaunch" else f"{sample.root.parent.name}/KernelLaunch"
    label = f"{name} [{mode}, {soc['name']}]"
    print(f"opkit sample: {sample.root} ({sample.layout} layout)")
    print(f"  soc:   {soc['name']} ({why})")
    work = prepare_work(sample, out)
    print(f"  work:  {work}")
    try:
        return _steps(sample, soc, soc_name, mode, work, label)
    except SampleError as e:
        print(f"FAIL: {label}: {e}")
        return 1


def _steps(sample: Sample, soc: dict, soc_name: str | None, mode: str, work: Path, label: str) -> int:
    exe, tiling = build(sample, soc, soc_name, work)
    print(f"  build: {len(sample.units)} source(s) with the {sample.layout} flags -> {exe.name}")
    torch = _torch_path()
    if torch is not None and _imports_torch(sample.root / sample.data[0]):
        print("  note:  torch is not installed; the data script runs against opkit's numpy stand-in for the torch "
              "calls samples make (python/opkit/sample_torch)")
    print(f"  data:  python3 {' '.join(sample.data)}")
    r = run_data_script(work, sample.data, torch)
    (work / "data.log").write_text(r.stdout + r.stderr)
    if r.returncode != 0:
        last = (r.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise SampleError(f"the data script {sample.data[0]} failed: {last}\n  full log: {work / 'data.log'}")
    env = dict(os.environ, OPKIT_MODE=mode, OPKIT_SOC=soc["name"])
    if tiling is not None:
        print(f"  tiling: ./{tiling.name}")
        _run([str(tiling)], work, env, "tiling program")
    print(f"  run:   ./{exe.name} {' '.join(sample.run_args)}".rstrip())
    said = _run([str(exe), *sample.run_args], work, env, "program").strip().splitlines()
    for line in said[:40]:  # what the program printed (under npu_simulator: the model's summary)
        print(f"         {line}")
    if len(said) > 40:
        print(f"         ... {len(said) - 40} more lines in {work / 'program.log'}")
    return _judge(sample, work, label)


def _imports_torch(script: Path) -> bool:
    try:
        return re.search(r"^\s*(import|from)\s+torch\b", script.read_text(errors="replace"), re.M) is not None
    except OSError:
        return False


def _judge(sample: Sample, work: Path, label: str) -> int:
    dtypes = dtypes_written(work)
    goldens = sorted(k for k in dtypes if "golden" in Path(k).name) or sorted(
        str(p.relative_to(work)) for p in (work / "output").glob("*golden*.bin"))
    comps = [compare(work, o, g, dtypes.get(g, (None,))[0] or dtypes.get(o, (None,))[0])
             for o, g in pair_outputs(work, goldens)]
    if sample.verify is not None:
        print(f"  judge: python3 {' '.join(sample.verify)} (the sample's verify script)")
        ok, text = run_verify(work, sample.verify)
        said = text.splitlines()[-1] if text else "(nothing)"
        if ok:
            print(f"PASS: {label}: the verify script says `{said}`")
            return 0
        print(f"FAIL: {label}: the verify script says `{said}`")
        for c in comps:
            if not c.passed:
                print("  " + describe(c))
        return 1
    if not comps:
        print(f"FAIL: {label}: the sample has no verify script and its data script wrote no golden file "
              "(output/*golden*.bin) to compare with")
        return 1
    print("  judge: each output against its golden at the dtype's tolerance (python/opkit/tolerances.py); "
          "run.sh only prints md5sums")
    bad = [c for c in comps if not c.passed]
    for c in comps:
        print("  " + describe(c))
    verdict = "PASS" if not bad else "FAIL"
    print(f"{verdict}: {label}: {len(comps) - len(bad)} of {len(comps)} output(s) match their golden")
    return 0 if not bad else 1
