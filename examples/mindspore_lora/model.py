"""A small decoder-only transformer for the LoRA example, written as mindformers writes its llama: the
attention projections are ``nn.Dense`` cells named ``wq``, ``wk``, ``wv``, ``wo``, so the seeds'
``target_modules`` ('.*wq|.*wk|.*wv|.*wo') select them.

``add_lora(net, ...)`` does what mindformers' ``pet_config`` does (pet/tuners/lora_adapter.py): it
replaces every target ``nn.Dense`` by mindpet's ``LoRADense`` with the dense's weight and bias.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import mindspore as ms
import numpy as np
from mindspore import nn, ops


@dataclass(frozen=True)
class Config:
    vocab: int = 64
    hidden: int = 64
    heads: int = 4
    layers: int = 2
    seq: int = 32
    ffn: int = 128


class Attention(nn.Cell):
    def __init__(self, cfg: Config):
        super().__init__()
        h = cfg.hidden
        self.heads, self.head_dim = cfg.heads, h // cfg.heads
        self.wq, self.wk, self.wv, self.wo = (nn.Dense(h, h, has_bias=False) for _ in range(4))
        mask = np.triu(np.full((cfg.seq, cfg.seq), -1e4, np.float32), 1)
        self.mask = ms.Tensor(mask)

    def construct(self, x):
        b, s, h = x.shape
        q = self.wq(x).reshape((b, s, self.heads, self.head_dim)).transpose(0, 2, 1, 3)
        k = self.wk(x).reshape((b, s, self.heads, self.head_dim)).transpose(0, 2, 1, 3)
        v = self.wv(x).reshape((b, s, self.heads, self.head_dim)).transpose(0, 2, 1, 3)
        scores = ops.matmul(q, k.transpose(0, 1, 3, 2)) / math.sqrt(self.head_dim) + self.mask[:s, :s]
        ctx = ops.matmul(ops.softmax(scores, -1), v).transpose(0, 2, 1, 3).reshape((b, s, h))
        return self.wo(ctx)


class Block(nn.Cell):
    def __init__(self, cfg: Config):
        super().__init__()
        self.attention_norm = nn.LayerNorm((cfg.hidden,))
        self.attention = Attention(cfg)
        self.ffn_norm = nn.LayerNorm((cfg.hidden,))
        self.w1 = nn.Dense(cfg.hidden, cfg.ffn, activation="gelu")
        self.w2 = nn.Dense(cfg.ffn, cfg.hidden)

    def construct(self, x):
        x = x + self.attention(self.attention_norm(x))
        return x + self.w2(self.w1(self.ffn_norm(x)))


class TinyLM(nn.Cell):
    """Token ids [batch, seq] -> logits [batch, seq, vocab]."""

    def __init__(self, cfg: Config):
        super().__init__()
        self.embedding = nn.Embedding(cfg.vocab, cfg.hidden)
        self.layers = nn.CellList([Block(cfg) for _ in range(cfg.layers)])
        self.norm = nn.LayerNorm((cfg.hidden,))
        self.head = nn.Dense(cfg.hidden, cfg.vocab, has_bias=False)

    def construct(self, tokens):
        x = self.embedding(tokens)
        for layer in self.layers:
            x = layer(x)
        return self.head(self.norm(x))


class LMLoss(nn.Cell):
    """Mean next-token cross-entropy of ``net`` on ``tokens`` (predict tokens[:, 1:])."""

    def __init__(self, net: nn.Cell):
        super().__init__()
        self.net = net
        self.ce = nn.CrossEntropyLoss()

    def construct(self, tokens):
        logits = self.net(tokens[:, :-1])
        return self.ce(logits.reshape((-1, logits.shape[-1])), tokens[:, 1:].reshape((-1,)))


def add_lora(net: nn.Cell, target_modules: str, rank: int, alpha: float, dropout: float,
             lora_dense: type) -> list[str]:
    """Replace every ``nn.Dense`` whose name matches ``target_modules`` by ``lora_dense`` (mindpet's
    ``LoRADense`` or a class with its constructor), moving the dense's weight and bias into it, as
    mindformers' pet_config does. Returns the replaced names."""
    pattern = re.compile(target_modules)
    cells = dict(net.cells_and_names())
    done = []
    for name, cell in list(cells.items()):
        if not isinstance(cell, nn.Dense) or hasattr(cell, "lora_rank") or not pattern.fullmatch(name):
            continue
        out_ch, in_ch = cell.weight.shape
        new = lora_dense(in_ch, out_ch, rank, alpha, dropout, has_bias=cell.has_bias)
        new.weight.set_data(cell.weight.data.copy())
        if cell.has_bias:
            new.bias.set_data(cell.bias.data.copy())
        parent_name, _, child = name.rpartition(".")
        setattr(cells[parent_name] if parent_name else net, child, new)
        done.append(name)
    for full, param in net.parameters_and_names():  # a cell set into a built net names its parameters
        param.name = full                            # from its attribute alone; checkpoints need the path
    return done


class MaskDropout(nn.Cell):
    """Dropout with a mask set from outside (``mask``: a [rows, in] Parameter of 0 and 1/(1-p)), so two
    models can be given the same masks step by step; identity when not training, like ``nn.Dropout``."""

    def __init__(self, p: float, shape: tuple[int, int]):
        super().__init__()
        self.p = p
        self.mask = ms.Parameter(ms.Tensor(np.ones(shape, np.float16)), name="dropout_mask", requires_grad=False)

    def construct(self, x):
        if not self.training or self.p == 0:
            return x
        return x * self.mask.astype(x.dtype)
