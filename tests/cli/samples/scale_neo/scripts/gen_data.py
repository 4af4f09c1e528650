# opkit test fixture: inputs and golden of z = 2 * x, 4 x 1024 float32.
import numpy as np

x = np.random.default_rng(11).uniform(-8, 8, 4 * 1024).astype(np.float32)
x.tofile("./input/input_x.bin")
(2 * x).tofile("./output/golden.bin")
