"""The ``opkit`` command line: ``python -m opkit --help``."""

from __future__ import annotations

import argparse
import os
import sys
import traceback

from .errors import OpkitError


def _config(args: argparse.Namespace) -> int:
    from . import _core
    from .paths import CMAKE_DIR, config_flags

    parts = config_flags(_core.soc(args.soc), includes=args.includes, cflags=args.cflags, libs=args.libs)
    if args.cmake_dir:
        parts.append(str(CMAKE_DIR))
    if not parts:
        raise OpkitError("config: say what to print: --includes, --cflags, --libs and/or --cmake-dir")
    print(" ".join(parts))
    return 0


def _socs(args: argparse.Namespace) -> int:
    from . import _core

    for name in _core.known_socs().split(", "):
        s = _core.soc(name)
        mem = s["memory"]
        print(f"{s['name']:<12} arch {s['arch']}  AIC/AIV {s['aic_cores']:>2}/{s['aiv_cores']:<2}  "
              f"UB {mem['UB'] // 1024} KiB  L1 {mem['L1'] // 1024} KiB  L0C {mem['L0C'] // 1024} KiB  "
              f"DataCopyPad {'yes' if s['has_data_copy_pad'] else 'no'}")
    return 0


def _build(args: argparse.Namespace) -> int:
    from .build import build_for
    from .cann_build import CannBuilt

    built = build_for(args.dir, args.cann, args.soc, build_dir=args.build_dir, jobs=args.jobs, progress=True)
    if isinstance(built, CannBuilt):
        print(f"+ {built.package}")
        print(f"next: install it with {built.package} --install-path=<dir> (default: into $ASCEND_CUSTOM_OPP_PATH, "
              "else $ASCEND_OPP_PATH, as vendors/<vendor_name>)")
        print(f"  log: {built.log}")
        return 0
    if args.soc:
        print("  (--soc only sets the CANN build's ASCEND_COMPUTE_UNIT; the CPU build runs on every modelled SoC "
              "that op_host registers with AddConfig)")
    print(f"+ {built.include_dir}  (aclnn_<op>.h)")
    print(f"+ {built.opapi_lib}")
    print(f"+ {built.out / 'op_impl'}  (op_host library, one kernel library per dtype column)")
    print(f"next: call it from Python with opkit.load({str(built.project.root)!r}), or from C++ with "
          f"-I{built.include_dir} -L{built.opapi_lib.parent} -Wl,-rpath,{built.opapi_lib.parent} -lcust_opapi "
          "$(python -m opkit config --cflags --libs)")
    return 0


def _doctor(args: argparse.Namespace) -> int:
    from .doctor import run_doctor

    return run_doctor()


def _demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    return run_demo(args.size)


def _profile(args: argparse.Namespace) -> int:
    from .report import parse_shape, run_profile

    return run_profile(args.op, [parse_shape(s) for s in args.shape or ["16000000"]], args.dtype, args.soc,
                       args.attr or [], args.out, args.seed, args.project, sys.stdout.isatty())


def _sample(args: argparse.Namespace) -> int:
    from .sample import run_sample

    return run_sample(args.dir, args.soc, args.mode, args.out, args.case)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ascend-opkit")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m opkit",
        description="opkit: write, run and verify Ascend C operators on any Linux machine.")
    p.add_argument("--version", action="version", version=f"opkit {_version()}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    from .gen.project import add_parser as add_gen_parser  # `gen`: spec -> op project (opkit/gen/)

    add_gen_parser(sub)

    from .apiref import add_parser as add_apiref_parser  # `apiref`: docs/api-reference.md from the headers

    add_apiref_parser(sub)

    d = sub.add_parser("demo", help="run the built-in kernels on the software AI Core and check them against numpy")
    d.add_argument("--size", type=int, default=1_000_003, help="elements per input (default 1000003)")
    d.set_defaults(func=_demo)

    c = sub.add_parser("config", help="print the flags a C++ build needs to compile Ascend C for the CPU")
    c.add_argument("--includes", action="store_true", help="-I flags for kernel_operator.h, tikicpulib.h, ...")
    c.add_argument("--cflags", action="store_true", help="--includes plus the CPU-debug defines")
    c.add_argument("--libs", action="store_true", help="linker flags for the software AI Core (libopkit_rt)")
    c.add_argument("--cmake-dir", action="store_true", help="the directory holding opkitConfig.cmake")
    c.add_argument("--soc", default=None, help="SoC whose __CCE_AICORE__ to define (default $OPKIT_SOC or Ascend910B1)")
    c.set_defaults(func=_config)

    b = sub.add_parser("build", help="build an op project into aclnn and kernel libraries for the software AI Core")
    b.add_argument("dir", help="the project (op_host/ + op_kernel/ + <op>.json)")
    b.add_argument("--build-dir", default=None, help="where to build (default DIR/build_out/opkit)")
    b.add_argument("-j", "--jobs", type=int, default=None, help="parallel compile jobs (default: CPU count)")
    which = b.add_mutually_exclusive_group()
    which.add_argument("--cann", dest="cann", action="store_true", default=None,
                       help="build with CANN's toolchain (msopgen projects; default when CANN and build.sh are found)")
    which.add_argument("--cpu", dest="cann", action="store_false", default=None, help="build for the software AI Core")
    b.add_argument("--soc", metavar="SOC", nargs="+", action="extend", default=None,
                   help="CANN build: the SoCs to compile for (sets ASCEND_COMPUTE_UNIT in CMakePresets.json)")
    b.set_defaults(func=_build)

    dr = sub.add_parser("doctor", help="report CANN, SoCs, simulator libraries, NPUs and compilers, with fixes")
    dr.set_defaults(func=_doctor)

    s = sub.add_parser("socs", help="list the SoCs opkit models")
    s.set_defaults(func=_socs)

    pr = sub.add_parser("profile", help="run an op on random inputs under the npu_simulator model; "
                                        "print its profile, write a Chrome trace and a timeline PNG")
    pr.add_argument("op", help="the op: a built-in one (opkit.ops.<OP>) or, with --project, one of the project's")
    pr.add_argument("--shape", action="append", metavar="SHAPE",
                    help="input shape, e.g. 16000000 or 8x2048; once for all inputs or once per input "
                         "(default 16000000)")
    pr.add_argument("--dtype", default="float16", help="dtype of the inputs (default float16)")
    pr.add_argument("--soc", default=None, help="SoC to model (default $OPKIT_SOC or Ascend910B1)")
    pr.add_argument("--attr", action="append", metavar="NAME=VALUE", help="an attribute of the op, e.g. value=0.5")
    pr.add_argument("--out", default="opkit_profile", metavar="DIR",
                    help="where to write <op>_trace.json and <op>_timeline.png (default ./opkit_profile, a folder "
                         "of its own so that a project's spec space never gets stray JSON)")
    pr.add_argument("--seed", type=int, default=0, help="seed of the random inputs (default 0)")
    pr.add_argument("--project", default=None, metavar="DIR", help="take the op from this project (opkit.load)")
    pr.set_defaults(func=_profile)

    sa = sub.add_parser("sample", help="build, run and judge an official kernel-launch sample as its run.sh does, "
                                       "without CANN")
    sa.add_argument("dir", help="the sample's folder (the one holding run.sh and CMakeLists.txt)")
    sa.add_argument("--soc", default=None, help="the SoC, by run.sh's name or opkit's (ascend910, ascend310p, "
                                                "Ascend910B1, ...; default: what run.sh fixes, else $OPKIT_SOC or Ascend910B1)")
    sa.add_argument("--mode", default="cpu", choices=["cpu", "npu_simulator"],
                    help="cpu: the software AI Core; npu_simulator: the same under opkit's AI Core model (a finding fails)")
    sa.add_argument("--out", default=None, metavar="DIR",
                    help="the work directory for the build, input/ and output/ (default: a new one under the temp dir; "
                         "nothing is written into the sample)")
    sa.add_argument("--case", default=None, help="the case run.sh takes on its command line (e.g. case1; default: the "
                                                 "first its usage lists)")
    sa.set_defaults(func=_sample)

    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        # No command is a usage error (like git and pip): the help goes to stderr and the exit code says so.
        parser.print_help(sys.stderr)
        return 2
    try:
        return args.func(args)
    except (OpkitError, ValueError, OSError) as e:
        if os.environ.get("OPKIT_DEBUG") == "1":
            traceback.print_exc()
        if isinstance(e, OSError) and e.filename:  # e.g. an unwritable -o: say which file and why
            print(f"opkit: error: {e.filename}: {e.strerror}", file=sys.stderr)
        else:
            print(f"opkit: error: {e}", file=sys.stderr)
        return 2
