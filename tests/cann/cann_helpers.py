"""Fake CANN toolkits for the tests of opkit's CANN side (there is no CANN on the development machine).

A fake toolkit has what opkit reads: the version record, the two build files op_host needs, simulator
folders, and an msopgen that records its argv, environment and stdin in ``<toolkit>/msopgen_calls.jsonl``
and writes a minimal msopgen-shaped project whose ``build.sh`` prints a CANN-like log. The file
``<toolkit>/msopgen_mode`` says how msopgen behaves (ok, fail, empty); ``$FAKE_BUILD`` how build.sh does
(ok, compile_error, no_aclnn, opkit).

:func:`make_runtime_toolkit` adds what running ops needs (opkit.device): its "CANN runtime"
(``lib64/libascendcl.so``, ``lib64/libnnopbase.so``) is opkit's own acl runtime, its simulator's
``libruntime_camodel.so`` only records in ``$CAMODEL_LOG_PATH`` that it was loaded, and with
``FAKE_BUILD=opkit`` build.sh builds the project with opkit's CPU build and packages that as a
``custom_opp_*.run`` that honours ``--install-path``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

FAKE_MSOPGEN = r'''#!{python}
import json, os, re, sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOOLKIT = HERE.parents[2]
argv = sys.argv[1:]
st0, null = os.fstat(0), os.stat(os.devnull)
with open(TOOLKIT / "msopgen_calls.jsonl", "a") as log:
    log.write(json.dumps({{"argv": argv, "stdin_devnull": st0.st_rdev == null.st_rdev,
                          "env": {{k: os.environ.get(k) for k in ("ASCEND_HOME_PATH", "ASCEND_OPP_PATH", "PYTHONPATH")}}}}) + "\n")
mode = (TOOLKIT / "msopgen_mode").read_text().strip() if (TOOLKIT / "msopgen_mode").exists() else "ok"
if mode == "fail":
    print("[ERROR] the op name 'add_custom' in input json file is invalid, it should be UpperCamelCase")
    sys.exit(1)
if mode == "empty":
    print("Generation completed")
    sys.exit(0)
opt = {{argv[i]: argv[i + 1] for i in range(1, len(argv) - 1, 2)}}
spec = json.loads(Path(opt["-i"]).read_text())
ops = [o["op"] for o in (spec if isinstance(spec, list) else [spec])]
if "-op" in opt:
    ops = [opt["-op"]]
elif len(ops) > 1:
    print("Please input the op type to generate:")  # the real tool prompts here
    sys.exit(1)
out = Path(opt["-out"])
def snake(t):
    t = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", t)
    return re.sub(r"(?<=[A-Z])([A-Z])(?=[a-z])", r"_\1", t).lower()
for op in ops:
    n = snake(op)
    for rel, text in ((f"op_host/{{n}}.cpp", f"// FAKE MSOPGEN op_host of {{op}}\n"),
                      (f"op_host/{{n}}_tiling.h", "// FAKE MSOPGEN tiling\n"),
                      (f"op_kernel/{{n}}.cpp", f"// FAKE MSOPGEN kernel of {{op}}\n")):
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text)
if opt.get("-m") != "1":
    presets = {{"version": 1, "configurePresets": [{{"name": "default", "binaryDir": "${{sourceDir}}/build_out",
               "cacheVariables": {{"ASCEND_CANN_PACKAGE_PATH": {{"type": "PATH", "value": "/usr/local/Ascend/latest"}},
                                  "ASCEND_COMPUTE_UNIT": {{"type": "STRING", "value": opt["-c"].split("-", 1)[1].lower()}},
                                  "vendor_name": {{"type": "STRING", "value": "customize"}}}}}}]}}
    (out / "CMakePresets.json").write_text(json.dumps(presets, indent=4) + "\n")
    (out / "CMakeLists.txt").write_text("# FAKE MSOPGEN\n")
    (out / "cmake").mkdir(exist_ok=True)
    (out / "cmake" / "func.cmake").write_text("# FAKE MSOPGEN\n")
    (out / "build.sh").write_text((HERE / "build.sh.in").read_text())
print("Generation completed")
'''

FAKE_BUILD_SH = r'''#!/bin/bash
echo "-- The CXX compiler identification is GNU 11.4.0"
echo "-- ASCEND_HOME_PATH=$ASCEND_HOME_PATH"
echo "[  5%] Generating tbe/op_info_cfg/ai_core/ascend910b/aic-ascend910b-ops-info.json"
touch build_sh_ran
case "${FAKE_BUILD:-ok}" in
  compile_error)
    echo "[ 40%] Building binary of AddCustom (column 1 of 2)"
    echo "warning: overriding the module target triple"
    echo "$PWD/op_kernel/add_custom.cpp:57:9: error: use of undeclared identifier 'tileLenght'"
    echo "$PWD/op_kernel/add_custom.cpp:80:1: error: expected ';' after class"
    echo "[ERROR] TBE(12345,python3):2024-05-01-10:00:00 AddCustom_1e04ee05ab491cc5ae9c3d5c9ee8950b.json not generated!"
    echo "gmake[2]: *** [op_kernel/CMakeFiles/ascendc_bin_ascend910b_add_custom_0] error: Error 1"
    exit 2 ;;
  no_aclnn)
    echo "CMake Error at cmake/func.cmake:120 (add_library):"
    echo "  Cannot find source file:"
    echo "    ../build_out/autogen/aclnn_add_custom.cpp"
    exit 1 ;;
  opkit)
    "@PYTHON@" -m opkit build . --cpu --build-dir "$PWD/build_out/cpu" || exit 3
    api=$(find "$PWD/build_out/cpu" -path '*op_api/lib/libcust_opapi.so' | head -1)
    layout=$(dirname "$(dirname "$(dirname "$api")")")
    {
      echo '#!/bin/bash'
      echo 'for a in "$@"; do case "$a" in --install-path=*) dest="${a#--install-path=}";; esac; done'
      echo '[ -n "$dest" ] || { echo "[ERROR] --install-path is required"; exit 1; }'
      echo 'mkdir -p "$dest/vendors/customize" && cp -r "'"$layout"'/." "$dest/vendors/customize/"'
      echo 'echo "$@" > "$dest/install_argv"'
    } > build_out/custom_opp_ubuntu_x86_64.run
    echo "[100%] Built target package" ;;
  *)
    mkdir -p build_out
    echo "fake package" > build_out/custom_opp_ubuntu_x86_64.run
    echo "[100%] Built target package"
    echo "Self-extractable archive \"custom_opp_ubuntu_x86_64.run\" successfully created." ;;
esac
'''


def make_toolkit(root: Path, version: str | None = "8.0.RC2", build_files: bool = True, msopgen: bool = True,
                 simulators: tuple[str, ...] = ("Ascend910B1",)) -> Path:
    """A fake CANN toolkit at ``root`` (see the module docstring)."""
    (root / "lib64").mkdir(parents=True)
    (root / "include").mkdir()
    if version is not None:
        (root / "x86_64-linux").mkdir()
        (root / "x86_64-linux" / "ascend_toolkit_install.info").write_text(
            f"package_name=Ascend-cann-toolkit\nversion={version}\narch=x86_64\nos=linux\npath={root}\n")
    if build_files:
        (root / "include" / "register").mkdir()
        (root / "include" / "register" / "tilingdata_base.h").write_text("// fake\n")
        (root / "lib64" / "libexe_graph.so").write_text("fake\n")
    for soc in simulators:
        (root / "tools" / "simulator" / soc / "lib").mkdir(parents=True)
    if msopgen:
        bindir = root / "python" / "site-packages" / "bin"
        bindir.mkdir(parents=True)
        (bindir / "msopgen").write_text(FAKE_MSOPGEN.format(python=sys.executable))
        (bindir / "msopgen").chmod(0o755)
        (bindir / "build.sh.in").write_text(FAKE_BUILD_SH.replace("@PYTHON@", sys.executable))
    return root


FAKE_CAMODEL_C = r"""
#include <stdio.h>
#include <stdlib.h>
__attribute__((constructor)) static void fake_camodel_loaded(void) {
    const char* dir = getenv("CAMODEL_LOG_PATH");
    char path[4096];
    FILE* f;
    if (dir == NULL) return;
    snprintf(path, sizeof path, "%s/fake_camodel_loaded", dir);
    f = fopen(path, "a");
    if (f != NULL) { fputs("loaded\n", f); fclose(f); }
}
"""


def make_runtime_toolkit(root: Path, simulators: tuple[str, ...] = ("Ascend910B1",)) -> Path:
    """A fake toolkit that builds, installs and runs ops (see the module docstring)."""
    from opkit.paths import RUNTIME_LIB

    make_toolkit(root, simulators=simulators)
    for name in ("libascendcl.so", "libnnopbase.so"):
        (root / "lib64" / name).symlink_to(RUNTIME_LIB)
    src = root / "fake_camodel.c"
    src.write_text(FAKE_CAMODEL_C)
    for soc in simulators:
        subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(root / "tools" / "simulator" / soc / "lib" /
                        "libruntime_camodel.so"), str(src)], check=True)
    return root


def calls(toolkit: Path) -> list[dict]:
    """The fake msopgen's recorded calls."""
    log = toolkit / "msopgen_calls.jsonl"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def clean_env(toolkit: Path | None = None, **extra: str) -> dict[str, str]:
    """The environment of a user with ``toolkit`` as $ASCEND_HOME_PATH (or no CANN at all), nothing else
    of CANN's, and no standard location searched (a real CANN on the machine would not interfere)."""
    drop = ("ASCEND_HOME_PATH", "ASCEND_TOOLKIT_HOME", "OPKIT_DEBUG", "OPKIT_SOC", "FAKE_BUILD")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["OPKIT_CANN_SEARCH_PATHS"] = ""
    if toolkit is not None:
        env["ASCEND_HOME_PATH"] = str(toolkit)
    env.update(extra)
    return env


def opkit(*args: str, env: dict[str, str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``python -m opkit ...`` as a user runs it."""
    return subprocess.run([sys.executable, "-m", "opkit", *args], check=False, capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=120)
