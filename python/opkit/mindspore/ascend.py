"""The Ascend route of :func:`opkit.mindspore.custom`: MindSpore's own aclnn path for an installed op package.

With ``device_target="Ascend"``, MindSpore runs ``ops.Custom("aclnn<Op>", func_type="aot")`` by reading
the package's ``op_api/include/aclnn_<op>.h`` (found through ``ASCEND_CUSTOM_OPP_PATH``, then the
vendors of ``ASCEND_OPP_PATH``), generating and compiling a callback for ``aclnn<Op>GetWorkspaceSize``,
and launching the package's kernel on the NPU. opkit adds what the CPU route has too: output shapes
and dtypes from the op's own InferShape, the op's dtype columns, attrs, and the declared bprop.

What is verified here, without an NPU or CANN: MindSpore's header parsing and glue generation accept
opkit's generated headers (tests/mindspore/test_ascend_offline.py), and the checks below. That a
kernel runs through this route is untested: it needs an Ascend device and the package built by CANN
(``python -m opkit build DIR`` with ``ASCEND_HOME_PATH`` set, then ``custom_opp_*.run --install-path=...``).
"""

from __future__ import annotations

import configparser
import os
from pathlib import Path
from typing import Any, Callable

from ..errors import OpkitError


def header_dirs() -> list[Path]:
    """Where MindSpore looks for ``aclnn_<op>.h``, in its order: each ``ASCEND_CUSTOM_OPP_PATH`` entry,
    then the vendors of ``ASCEND_OPP_PATH`` by ``vendors/config.ini``'s load priority."""
    dirs = [Path(p) / "op_api" / "include" for p in os.environ.get("ASCEND_CUSTOM_OPP_PATH", "").split(":") if p]
    opp = os.environ.get("ASCEND_OPP_PATH")
    if opp:
        config = Path(opp) / "vendors" / "config.ini"
        if config.is_file():
            parser = configparser.ConfigParser()
            parser.read_string("[all]\n" + config.read_text(errors="replace"))
            order = parser.get("all", "load_priority", fallback="")
            dirs += [Path(opp) / "vendors" / v.strip() / "op_api" / "include" for v in order.split(",") if v.strip()]
    return dirs


def find_header(name: str) -> Path | None:
    """The installed ``aclnn_<name>.h`` MindSpore would read, or None."""
    for d in header_dirs():
        if (d / f"aclnn_{name}.h").is_file():
            return d / f"aclnn_{name}.h"
    return None


def custom(op: Any, values: dict[str, Any], present: tuple[str, ...], bprop: Callable | None) -> Any:
    """``ops.Custom("aclnn<Op>", func_type="aot")`` for ``op``'s installed package (see the module doc)."""
    from . import make

    spec = op.spec
    where = f"opkit.mindspore.custom({spec.name}) on Ascend"
    absent = [t.name for t in spec.inputs if t.name not in present]
    if absent:
        raise OpkitError(f"{where}: optional input(s) {', '.join(absent)} not passed; MindSpore's aclnn route maps "
                         "the Custom's inputs onto aclnn's parameters in order, so on Ascend pass every input "
                         f"(optional={tuple(t.name for t in spec.inputs if t.param_type == 'optional')})")
    if find_header(spec.name) is None:
        looked = ", ".join(str(d) for d in header_dirs()) or "nowhere: ASCEND_CUSTOM_OPP_PATH and ASCEND_OPP_PATH unset"
        raise OpkitError(f"{where}: no installed package has aclnn_{spec.name}.h (looked in {looked}); build the op "
                         "project with CANN (python -m opkit build DIR, ASCEND_HOME_PATH set), install its "
                         "custom_opp_*.run with --install-path=DIR, and export "
                         "ASCEND_CUSTOM_OPP_PATH=DIR/vendors/<vendor>")
    return make(op, f"aclnn{spec.op_type}", values, present, bprop, target="Ascend")
