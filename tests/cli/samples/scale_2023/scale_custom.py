# opkit test fixture: inputs and golden of z = 2 * x, 4 x 1024 float16.
import numpy as np

x = np.random.default_rng(7).uniform(-8, 8, 4 * 1024).astype(np.float16)
x.tofile("./input/input_x.bin")
(x * np.float16(2)).astype(np.float16).tofile("./output/golden.bin")
