"""``python -m opkit``: the commands a user meets first, run as a user runs them (installed package)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest


def opkit(*args: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **env}
    full_env.pop("OPKIT_DEBUG", None)
    if "OPKIT_SOC" not in env:
        full_env.pop("OPKIT_SOC", None)
    return subprocess.run([sys.executable, "-m", "opkit", *args], check=False, capture_output=True, text=True,
                          env=full_env, timeout=300, cwd=Path(__file__).parent)


def assert_one_error_line(r: subprocess.CompletedProcess) -> str:
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("opkit: error: "), r.stderr
    return lines[0]


@pytest.mark.parametrize("args", [["--help"], []], ids=["help", "no-command"])
def test_help_lists_commands(args: list[str]) -> None:
    r = opkit(*args)
    # --help is a request (exit 0, stdout); no command at all is a usage error (exit 2, the help on stderr)
    assert r.returncode == (0 if args else 2), r.stderr
    text = r.stdout if args else r.stderr
    assert text.startswith("usage: python -m opkit")
    for command in ("gen", "demo", "config", "socs", "profile", "doctor", "sample"):
        assert re.search(rf"^\s+{command}\s", text, re.MULTILINE), f"{command} missing from:\n{text}"


def test_version() -> None:
    from importlib.metadata import version

    r = opkit("--version")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"opkit {version('ascend-opkit')}"


def test_config_help_lists_flags() -> None:
    r = opkit("config", "--help")
    assert r.returncode == 0
    for flag in ("--includes", "--cflags", "--libs", "--cmake-dir", "--soc"):
        assert flag in r.stdout


def test_unknown_command_is_a_usage_error() -> None:
    r = opkit("frobnicate")
    assert r.returncode == 2 and "invalid choice: 'frobnicate'" in r.stderr and "Traceback" not in r.stderr


def test_config_includes() -> None:
    r = opkit("config", "--includes")
    assert r.returncode == 0, r.stderr
    flag, *more = r.stdout.split()
    assert flag.startswith("-I")
    include = Path(flag[2:])
    # CANN's sample builds also put include/tiling on the path: `#include "tiling_api.h"` resolves
    assert more == [f"-I{include / 'tiling'}"], r.stdout
    assert (include / "kernel_operator.h").is_file()
    assert (include / "tikicpulib.h").is_file()


def test_config_cflags() -> None:
    r = opkit("config", "--cflags")
    assert r.returncode == 0, r.stderr
    flags = r.stdout.split()
    include = Path(next(f for f in flags if f.startswith("-I"))[2:])
    assert (include / "kernel_operator.h").is_file()
    expected = {"-std=c++17", "-D__CCE_KT_TEST__=1", "-DASCENDC_CPU_DEBUG=1", "-D__CCE_AICORE__=220"}
    assert expected <= set(flags)


def test_config_libs() -> None:
    r = opkit("config", "--libs")
    assert r.returncode == 0, r.stderr
    flags = r.stdout.split()
    libdir = Path(next(f for f in flags if f.startswith("-L"))[2:])
    assert "-lopkit_rt" in flags
    assert (libdir / "libopkit_rt.so").is_file()
    assert f"-Wl,-rpath,{libdir}" in flags


def test_config_cmake_dir() -> None:
    r = opkit("config", "--cmake-dir")
    assert r.returncode == 0, r.stderr
    cmake_dir = Path(r.stdout.strip())
    assert (cmake_dir / "opkitConfig.cmake").is_file()


def test_config_flags_combine() -> None:
    r = opkit("config", "--includes", "--libs", "--cmake-dir")
    assert r.returncode == 0, r.stderr
    words = r.stdout.split()
    assert words[0].startswith("-I") and "-lopkit_rt" in words and words[-1].endswith("opkit")


def test_config_without_a_flag_is_an_error() -> None:
    line = assert_one_error_line(opkit("config"))
    assert "--includes" in line and "--cmake-dir" in line
    assert opkit("config").stdout == ""


def test_socs() -> None:
    r = opkit("socs")
    assert r.returncode == 0, r.stderr
    names = [line.split()[0] for line in r.stdout.splitlines()]
    assert "Ascend910B1" in names and "Ascend910A" in names
    b1 = next(line for line in r.stdout.splitlines() if line.startswith("Ascend910B1 "))
    assert "UB 192 KiB" in b1 and "DataCopyPad yes" in b1
    a = next(line for line in r.stdout.splitlines() if line.startswith("Ascend910A "))
    assert "DataCopyPad no" in a


@pytest.mark.parametrize("soc, aicore", [("Ascend910A", "100"), ("Ascend910B1", "220")])
def test_config_soc_sets_cce_aicore(soc: str, aicore: str) -> None:
    r = opkit("config", "--soc", soc, "--cflags")
    assert r.returncode == 0, r.stderr
    defines = [f for f in r.stdout.split() if f.startswith("-D__CCE_AICORE__=")]
    assert defines == [f"-D__CCE_AICORE__={aicore}"]


def test_config_soc_from_environment() -> None:
    r = opkit("config", "--cflags", OPKIT_SOC="Ascend910A")
    assert r.returncode == 0, r.stderr
    assert "-D__CCE_AICORE__=100" in r.stdout.split()


@pytest.mark.parametrize("args, env", [
    (["config", "--soc", "Ascend910Z", "--cflags"], {}),
    (["config", "--cflags"], {"OPKIT_SOC": "Ascend910Z"}),
], ids=["flag", "env"])
def test_unknown_soc_is_one_error_line(args: list[str], env: dict[str, str]) -> None:
    line = assert_one_error_line(opkit(*args, **env))
    assert "Ascend910Z" in line and "Ascend910B1" in line  # the value found and what is known


def test_opkit_debug_shows_the_traceback() -> None:
    r = subprocess.run([sys.executable, "-m", "opkit", "config", "--soc", "Ascend910Z", "--cflags"],
                       check=False, capture_output=True, text=True, timeout=300,
                       env={**os.environ, "OPKIT_DEBUG": "1"})
    assert r.returncode == 2 and "Traceback" in r.stderr and "opkit: error: " in r.stderr


def test_demo() -> None:
    r = opkit("demo", "--size", "1000")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no NPU" in r.stdout
    verdicts = [line for line in r.stdout.splitlines() if line.rstrip().endswith(("ok", "MISMATCH"))]
    assert len(verdicts) == 6  # add, addcdiv, sinh in float16 and float32
    assert all(line.rstrip().endswith(" ok") for line in verdicts), r.stdout
    assert {line.split()[0] for line in verdicts} == {"add_custom", "addcdiv_custom", "sinh_custom"}
