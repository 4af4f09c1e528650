"""ScaleCustom's gradient is the op ScaleGradCustom of this project (opkit/mindspore/grads.py)."""

GRAD_OPS = {"scale_custom": "scale_grad_custom"}
