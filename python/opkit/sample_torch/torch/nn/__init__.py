"""torch.nn of opkit's stand-in: Parameter (a tensor as it is) and functional."""

from . import functional  # noqa: F401


def Parameter(data, requires_grad: bool = True):  # noqa: N802 (torch's name)
    return data
