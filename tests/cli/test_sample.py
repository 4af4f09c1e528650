"""``python -m opkit sample DIR``: our own tiny samples in the 2023 and 2024 layouts (tests/cli/samples),
built, run and judged as their run.sh would, and the cases it cannot handle, each said in one line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from opkit.sample_layout import SampleError, read_sample

SAMPLES = Path(__file__).resolve().parent / "samples"


def opkit(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("OPKIT_DEBUG", "OPKIT_SOC", "OPKIT_MODE")}
    return subprocess.run([sys.executable, "-m", "opkit", *args], capture_output=True, text=True, env=env,
                          timeout=600, check=False)


def tree(root: Path) -> dict[str, float]:
    return {str(p.relative_to(root)): p.stat().st_mtime for p in root.rglob("*")}


@pytest.fixture
def copy(tmp_path: Path):
    def make(name: str) -> Path:
        dst = tmp_path / name
        shutil.copytree(SAMPLES / name, dst)
        return dst

    return make


@pytest.mark.parametrize("mode", ["cpu", "npu_simulator"])
def test_2023_layout_passes_on_910a(mode: str, tmp_path: Path) -> None:
    before = tree(SAMPLES / "scale_2023")
    r = opkit("sample", str(SAMPLES / "scale_2023"), "--soc", "ascend910", "--mode", mode, "--out", str(tmp_path / "w"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "(kernel_invocation layout)" in r.stdout
    assert "soc:   Ascend910A (--soc)" in r.stdout  # run.sh's name, mapped to opkit's
    assert "output/output_z.bin matches output/golden.bin: 4096 float16 elements" in r.stdout
    assert r.stdout.rstrip().splitlines()[-1] == f"PASS: scale_2023 [{mode}, Ascend910A]: 1 of 1 output(s) match their golden"
    assert tree(SAMPLES / "scale_2023") == before  # nothing written into the sample (Note [Sample work directory])
    assert (tmp_path / "w" / "output" / "output_z.bin").is_file()
    if mode == "npu_simulator":  # the model's summary, as the program prints it
        assert "npu_simulator: scale_custom on Ascend910A, blockDim 4" in r.stdout and "findings    none" in r.stdout


def test_2024_layout_uses_the_verify_script(tmp_path: Path) -> None:
    before = tree(SAMPLES / "scale_neo")
    r = opkit("sample", str(SAMPLES / "scale_neo"), "--out", str(tmp_path / "w"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "(cpu_lib.cmake layout)" in r.stdout and "judge: python3 scripts/verify_result.py" in r.stdout
    assert "soc:   Ascend910B1 (opkit's default" in r.stdout  # run.sh takes the SoC as an argument
    assert r.stdout.rstrip().endswith("PASS: scale_neo [cpu, Ascend910B1]: the verify script says `test pass`")
    assert tree(SAMPLES / "scale_neo") == before


def test_leftovers_of_a_real_run_are_not_written_through(copy, tmp_path: Path) -> None:
    root = copy("scale_2023")
    (root / "scale_custom_cpu").write_text("left by run.sh")
    (root / "output").mkdir()
    (root / "output" / "output_z.bin").write_text("left by run.sh")
    r = opkit("sample", str(root), "--out", str(tmp_path / "w"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "soc:   Ascend910A (the 2023 kernel_invocation samples' SoC; pass --soc for another)" in r.stdout
    assert (root / "scale_custom_cpu").read_text() == "left by run.sh"
    assert (root / "output" / "output_z.bin").read_text() == "left by run.sh"


def test_wrong_golden_fails_with_the_worst_elements(copy, tmp_path: Path) -> None:
    root = copy("scale_2023")
    script = root / "scale_custom.py"
    script.write_text(script.read_text().replace("(x * np.float16(2))", "(x * np.float16(2) + (np.arange(x.size) == 77) * 3)"))
    r = opkit("sample", str(root), "--soc", "Ascend910A", "--out", str(tmp_path / "w"))
    assert r.returncode == 1, r.stdout + r.stderr
    assert "does not match output/golden.bin: 1 of 4096 float16 elements break" in r.stdout
    assert "    [77] got " in r.stdout and "(error 3)" in r.stdout
    assert r.stdout.rstrip().splitlines()[-1] == "FAIL: scale_2023 [cpu, Ascend910A]: 0 of 1 output(s) match their golden"


def test_failing_verify_script_is_a_fail(copy, tmp_path: Path) -> None:
    root = copy("scale_neo")
    gen = root / "scripts" / "gen_data.py"
    gen.write_text(gen.read_text().replace("(2 * x)", "(3 * x)"))
    r = opkit("sample", str(root), "--out", str(tmp_path / "w"))
    assert r.returncode == 1
    assert "FAIL: scale_neo [cpu, Ascend910B1]: the verify script says `[ERROR] result error" in r.stdout
    assert "does not match output/golden.bin" in r.stdout  # and opkit's own comparison shows where


def test_compile_error_names_the_line_not_cmake(copy, tmp_path: Path) -> None:
    root = copy("scale_2023")
    k = root / "scale_custom.cpp"
    k.write_text(k.read_text().replace("Muls(out, in, (half)2.0, TILE);", "Mulz(out, in, (half)2.0, TILE);"))
    r = opkit("sample", str(root), "--out", str(tmp_path / "w"))
    assert r.returncode == 1
    assert "compiling scale_custom.cpp failed" in r.stdout and "scale_custom.cpp:" in r.stdout and "Mulz" in r.stdout
    assert "CMake" not in r.stdout


def one_error(r: subprocess.CompletedProcess) -> str:
    assert r.returncode == 2, r.stdout + r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("opkit: error: "), r.stderr
    return lines[0]


def test_no_cpu_path_is_said_plainly(tmp_path: Path) -> None:
    (tmp_path / "CMakeLists.txt").write_text("ascendc_library(kernels STATIC hello.cpp)\n")
    (tmp_path / "run.sh").write_text("cmake -B build && ./build/main\n")
    assert "has no CPU path" in one_error(opkit("sample", str(tmp_path)))


def test_missing_data_script(copy) -> None:
    root = copy("scale_2023")
    (root / "scale_custom.py").unlink()
    assert "looks for NAME.cpp next to NAME.py and found no such pair" in one_error(opkit("sample", str(root)))
    root = copy("scale_neo")
    (root / "scripts" / "gen_data.py").unlink()
    assert "its data script scripts/gen_data.py is missing" in one_error(opkit("sample", str(root)))


def test_unknown_soc_and_not_a_sample(tmp_path: Path) -> None:
    err = one_error(opkit("sample", str(SAMPLES / "scale_2023"), "--soc", "ascend999"))
    assert "--soc ascend999" in err and "ascend910" in err
    assert "no CMakeLists.txt" in one_error(opkit("sample", str(tmp_path)))
    assert "not a directory" in one_error(opkit("sample", str(tmp_path / "nope")))


def test_run_sh_conventions(tmp_path: Path) -> None:
    """What read_sample takes from a run.sh: FILE_NAME, a fixed SoC, a case argument and its default."""
    shutil.copytree(SAMPLES / "scale_neo", tmp_path / "s")
    root = tmp_path / "s"
    shutil.rmtree(root / "cmake")
    (root / "cmake" / "cpu").mkdir(parents=True)
    (root / "cmake" / "cpu" / "CMakeLists.txt").write_text("# cpu\n")
    (root / "run.sh").write_text('FILE_NAME="scale"\nSOC_VERSION=Ascend310P1\nCASEX=$2\n'
                                 'echo "CASEX should be in [small big]"\n'
                                 "python3 scripts/gen_data.py $CASEX\n"
                                 "(export X=1 && ./${FILE_NAME}_${RUN_MODE} $CASEX)\n"
                                 "python3 scripts/verify_result.py output/output_z.bin output/golden.bin\n")
    s = read_sample(root)
    assert (s.layout, s.name, s.soc) == ("cmake/cpu", "scale_cpu", "Ascend310P1")
    assert s.data == ["scripts/gen_data.py", "small"] and s.run_args == ["small"]
    assert s.verify == ["scripts/verify_result.py", "output/output_z.bin", "output/golden.bin"]
    assert all("-D_GLIBCXX_USE_CXX11_ABI=0" in u.flags for u in s.units)
    assert read_sample(root, case="big").data[1] == "big"
    (root / "run.sh").write_text("python3 scripts/gen_data.py $SHAPE\n./${FILE_NAME}_${RUN_MODE}\n")
    with pytest.raises(SampleError, match=r"uses \$SHAPE, whose value opkit cannot tell"):
        read_sample(root)
