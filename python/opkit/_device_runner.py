"""The child process of :mod:`opkit.device`: one op call on CANN's runtime (camodel or an NPU).

``python -m opkit._device_runner DIR`` reads ``DIR/request.json`` and the input files, runs the op
through the installed package's ``libcust_opapi.so`` with CANN's acl runtime as a C++ caller does
(aclInit, aclrtSetDevice, a stream, device buffers, the two aclnn phases, synchronize, copy back),
writes ``DIR/out<i>.bin`` and ``DIR/result.json``. The environment (library paths, the simulator's
preloaded runtime) is set by the parent. This process never loads opkit's own runtime: every acl
symbol must come from CANN.
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
import traceback
from pathlib import Path

CANN_LIBS = ("libascendcl.so", "libnnopbase.so")  # acl runtime; aclTensor and arrays (aclnn's base)


def loaded_runtime_libraries() -> list[str]:
    """The runtime libraries mapped into this process (how a report knows which runtime ran)."""
    names = ("libruntime", "libascendcl", "libpem_davinci", "libnnopbase", "libopkit_rt")
    found: dict[str, None] = {}
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            for line in maps:
                fields = line.split(maxsplit=5)  # address perms offset dev inode [path]
                path = fields[5].strip() if len(fields) == 6 else ""
                if path.startswith("/") and Path(path).name.startswith(names):
                    found[path] = None
    except OSError:
        pass
    return list(found)


def _run(work: Path, result: dict) -> None:
    import numpy as np

    from . import spec as spec_mod
    from .aclnn import AclnnLibrary, DeviceMemory, Runtime, acl_check, declare_device
    from .errors import OpkitError
    from .library import _np_dtype

    req = json.loads((work / "request.json").read_text(encoding="utf-8"))
    libs = []
    for name in CANN_LIBS:
        try:
            libs.append(ctypes.CDLL(name, mode=ctypes.RTLD_GLOBAL))
        except OSError as e:
            raise OpkitError(f"cannot load CANN's {name} ({e}); is the toolkit complete?") from None
    rt = declare_device(Runtime(libs))

    acl_check(rt, rt.aclInit(None), "aclInit")
    device = int(req["device"])
    acl_check(rt, rt.aclrtSetDevice(device), f"aclrtSetDevice({device})")
    stream = ctypes.c_void_p()
    try:
        acl_check(rt, rt.aclrtCreateStream(ctypes.byref(stream)), "aclrtCreateStream")
        try:
            get_soc = rt.aclrtGetSocName
        except AttributeError:
            get_soc = None
        if get_soc is not None:
            get_soc.restype = ctypes.c_char_p
            chip = get_soc()
            result["chip"] = chip.decode() if chip else None
        if req["kind"] == "board" and result.get("chip") and result["chip"] != req["soc"]:
            raise OpkitError(f"the NPU is {result['chip']} but the op was built for {req['soc']}; set "
                              f"OPKIT_SOC={result['chip']} (or pass soc=...) to build for it")
        api = ctypes.CDLL(req["api_lib"], mode=ctypes.RTLD_GLOBAL)
        library = AclnnLibrary.on(api, rt)
        op = next(o for o in spec_mod.load(Path(req["spec"])) if o.op_type == req["op_type"])
        inputs = [None if i is None else
                  np.frombuffer((work / i["file"]).read_bytes(), _np_dtype(i["dtype"])).reshape(i["shape"]).copy()
                  for i in req["inputs"]]
        outputs = [inputs[o["ref"]] if o["ref"] is not None else np.zeros(o["shape"], _np_dtype(o["dtype"]))
                   for o in req["outputs"]]
        library.call(op, inputs, outputs, req["attrs"], DeviceMemory(rt, stream), stream)
        for i, arr in enumerate(outputs):
            (work / f"out{i}.bin").write_bytes(np.ascontiguousarray(arr).tobytes())
    finally:
        if stream.value:
            rt.aclrtDestroyStream(stream)
        rt.aclrtResetDevice(device)
        rt.aclFinalize()


def main(argv: list[str]) -> int:
    work = Path(argv[0])
    result: dict = {"error": None, "chip": None}
    try:
        _run(work, result)
    except Exception as e:  # noqa: BLE001 - every failure goes back to the parent as data
        result["error"] = {"type": type(e).__name__, "message": str(e)}
        if os.environ.get("OPKIT_DEBUG"):
            traceback.print_exc()
    result["runtime_libraries"] = loaded_runtime_libraries()
    (work / "result.json").write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
