# opkit test fixture: prints `test pass` when the output equals the golden within 1e-6, else an error line.
import sys

import numpy as np

out, golden = (np.fromfile(p, np.float32) for p in sys.argv[1:3])
if out.size == golden.size and np.allclose(out, golden, rtol=1e-6, atol=1e-6):
    print("test pass")
else:
    print(f"[ERROR] result error: {np.sum(~np.isclose(out, golden, rtol=1e-6, atol=1e-6))} elements differ")
