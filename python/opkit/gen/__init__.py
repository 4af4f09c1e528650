"""``python -m opkit gen``: an op JSON spec (msopgen's format) becomes a complete op project.

>>> from opkit.gen import generate
>>> p = generate("ops/add_custom.json", "/tmp/AddCustom", force=True)  # doctest: +SKIP
>>> sorted(str(f.relative_to(p.out_dir)) for f in p.paths())[:4]  # doctest: +SKIP
['CMakeLists.txt', 'CMakePresets.json', 'README.md', 'add_custom.json']

The project has msopgen's layout (op_host/, op_kernel/, CMakeLists.txt, CMakePresets.json) plus the
spec, tests/test_<op>.py and a README. Each op gets a kind (Note [Gen kinds] in gen/kinds.py):
elementwise, broadcast, reduce, rownorm and matmul ops get a complete kernel and tiling with one marked
block to write (``OPKIT: COMPUTE``); custom ops get skeletons that fail loudly until written.
"""

from __future__ import annotations

from .model import OpModel
from .project import Project, generate, plan, write

__all__ = ["OpModel", "Project", "generate", "plan", "write"]
