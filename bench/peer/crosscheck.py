#!/usr/bin/env python3
"""An independent oracle for Hypatia: random small expressions evaluated by
PyTensor and by Hypatia (hypatia-crosscheck, bench/crosscheck_driver.cpp) in
FastRun, FastCompile and Debug mode, and every difference classed and
reported with its smallest reproducer (GitHub issue 16).

  crosscheck.py --driver BUILD/bench/hypatia-crosscheck [--count N] [--seed S]
                [--jobs J] [--linker py|cvm] [--work DIR] [--report FILE]

The generator builds expressions top-down for a concrete result shape, over
every public op of include/hypatia/ops.hpp, every Hypatia dtype, ranks 0-4,
broadcast patterns, size-0 axes and special values (+-0, +-inf, NaN, integer
extremes). It uses no constants: C++ numbers are weakly typed in Hypatia and
Python numbers are not in PyTensor, so every value is a typed input.

Expressions travel as one S-expression each (the grammar is in the driver's
header), inputs as .npy files. PyTensor runs with the "py" linker after the
FAST_RUN rewrites by default (numpy's perform implementations; --linker cvm
for spot checks), floatX=float64 as Hypatia's default.

Comparison: dtype and shape exactly; integers and bools exactly; floats
position by position for NaN, the sign of infinities and of zeros, and finite
values within a tolerance of a few ulp per inexact op (Hypatia's bounds from
codegen_templates/math.h plus numpy's own), summed over the expression. A
float difference past that is re-checked against the largest magnitude any
intermediate value reaches: rounding errors of order eps times that scale
appear after cancellation in either implementation, so such a difference is
reported in a kind of its own. Errors on one side only are differences too.

Each differing case is then minimised: every subexpression of it is evaluated
on both sides, and the smallest one that differs in the same way names the
class (kind of difference, op, operand dtypes, modes). The report lists the
classes with counts and one smallest reproducer each; a JSON summary goes
next to it.
"""
import argparse
import collections
import json
import re
import math
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "float32", "float64"]
INT_DTYPES = ["int8", "int16", "int32", "int64", "uint8"]
FLOAT_DTYPES = ["float32", "float64"]
MODES = ["FastRun", "FastCompile", "Debug"]

UNARY = ["neg", "exp", "log", "log1p", "sqrt", "sqr", "abs", "tanh", "sigmoid", "softplus", "relu",
         "zeros_like", "ones_like"]
ARITH = ["add", "sub", "mul", "true_div", "int_div", "mod", "pow", "maximum", "minimum"]
COMPARE = ["eq", "neq", "lt", "gt", "le", "ge"]
REDUCE = ["sum", "mean", "max", "min", "prod"]

# Error bound in ulp of each op's result: Hypatia's (math.h's table; 0.5 for a
# correctly rounded operation) plus numpy's (glibc for float64; numpy's SIMD
# float32 functions reach about 4 ulp). Ops absent here are exact.
ULP_BOUNDS = {
    "add": 1.0, "sub": 1.0, "mul": 1.0, "true_div": 1.0, "sqr": 1.0, "sqrt": 1.0, "mean": 1.0,
    "exp": 1 + 4, "log": 1 + 4, "log1p": 2 + 4, "tanh": 2 + 4, "sigmoid": 2 + 4, "softplus": 2 + 4,
    "pow": 2 + 4, "softmax": 1 + 4 + 2, "int_div": 1.0, "mod": 1.0, "inc_subtensor": 1.0,
}
# Sums and products over n terms: the rounding of each partial sum, log2(n) deep
# for numpy's pairwise summation and up to n for a plain loop.
ACCUMULATING = {"sum", "mean", "prod", "dot", "softmax"}


# --- S-expressions ------------------------------------------------------------------------

def tokenize(text):
    return text.replace("(", " ( ").replace(")", " ) ").replace("[", " [ ").replace("]", " ] ").split()


def parse_sexpr(text):
    """Nested Python lists: ("(" items) -> ["(", ...], ("[" items) -> ["[", ...]; atoms stay strings."""
    tokens = tokenize(text)
    pos = 0

    def one():
        nonlocal pos
        token = tokens[pos]
        pos += 1
        if token in "([":
            close = ")" if token == "(" else "]"
            items = [token]
            while tokens[pos] != close:
                items.append(one())
            pos += 1
            return items
        return token

    return one()


def subexpressions(node):
    """Every (list) node of a parsed expression, children before parents."""
    if not isinstance(node, list) or node[0] != "(":
        return []
    found = []
    for item in node[2:]:
        found += subexpressions(item)
    return found + [node]


def unparse(node):
    if not isinstance(node, list):
        return node
    close = ")" if node[0] == "(" else "]"
    return node[0] + " ".join(unparse(item) for item in node[1:]) + close


def input_names(node):
    if not isinstance(node, list):
        return {node} if node[:1] == "i" and node[1:].isdigit() else set()
    return set().union(*(input_names(item) for item in node[1:])) if len(node) > 1 else set()


def count_ops(node):
    return len(subexpressions(node))


# --- the generator --------------------------------------------------------------------------

class Generator:
    """Builds one random case: typed inputs with values and an expression whose
    result has a chosen shape. Shapes are concrete, so every reshape, index
    and concatenation is valid unless the generator means it not to be."""

    def __init__(self, rng):
        self.rng = rng
        self.inputs = []  # (name, dtype, broadcastable, values)
        self.dtypes = [str(d) for d in rng.choice(DTYPES, size=rng.integers(1, 4), replace=False)]

    def chance(self, p):
        return self.rng.random() < p

    def pick(self, options):
        return options[self.rng.integers(len(options))]

    # values -----------------------------------------------------------------------------
    def values(self, dtype, shape, nonzero=False):
        rng = self.rng
        if dtype == "bool":
            return np.array(rng.random(shape) < 0.5)
        if dtype in INT_DTYPES:
            info = np.iinfo(dtype)
            low = 0 if dtype == "uint8" else -6
            data = np.array(rng.integers(low, 7, size=shape), dtype=dtype)
            if self.chance(0.25):
                extremes = np.array([info.min, info.max, info.min + 1, info.max - 1, 0, 1], dtype=dtype)
                mask = rng.random(shape) < 0.3
                data[mask] = rng.choice(extremes, size=int(mask.sum()))
        else:
            finfo = np.finfo(dtype)
            scale = self.pick([1.0, 1.0, 3.0, 100.0, 1e-3, float(finfo.max) ** 0.5, float(finfo.max) / 4])
            data = np.array(rng.standard_normal(shape) * scale, dtype=dtype)
            if self.chance(0.2):
                data = np.array(np.round(data))
            if self.chance(0.35):
                specials = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, finfo.max, finfo.tiny,
                                     finfo.smallest_subnormal, -finfo.max], dtype=dtype)
                mask = rng.random(shape) < 0.3
                data[mask] = rng.choice(specials, size=int(mask.sum()))
        if nonzero and data.dtype != bool:
            data[data == 0] = 1
        return np.asarray(data)

    def leaf(self, shape, bc, dtype=None, nonzero=False):
        dtype = dtype or self.pick(self.dtypes)
        pattern = [b or (n == 1 and self.chance(0.3)) for n, b in zip(shape, bc)]
        name = f"i{len(self.inputs)}"
        self.inputs.append((name, dtype, pattern, self.values(dtype, tuple(shape), nonzero)))
        return name

    # shapes -----------------------------------------------------------------------------
    def size(self):
        return int(self.rng.choice([0, 1, 1, 2, 2, 3, 3, 4, 5]))

    def shape(self, rank):
        return [self.size() for _ in range(rank)]

    def broadcast_variant(self, shape, bc):
        """A shape (and the pattern it needs) that broadcasts to `shape`: leading axes dropped, some axes 1."""
        if self.chance(0.5):
            return list(shape), list(bc)
        drop = int(self.rng.integers(0, len(shape) + 1))
        sub, sub_bc = list(shape[drop:]), list(bc[drop:])
        for axis in range(len(sub)):
            if self.chance(0.4):
                sub[axis], sub_bc[axis] = 1, True
        return sub, sub_bc

    # expressions -------------------------------------------------------------------------
    def expr(self, shape, bc, depth, nonzero=False):
        if depth <= 0 or self.chance(0.15):
            return self.leaf(shape, bc, nonzero=nonzero)
        makers = [self.unary, self.unary, self.binary, self.binary, self.binary, self.binary,
                  self.compare, self.ternary, self.cast, self.reduction, self.reduction, self.reduction, self.dot, self.dimshuffle, self.transpose, self.reshape,
                  self.flatten, self.concatenate, self.subtensor, self.set_subtensor, self.softmax,
                  self.shape_of]
        for _ in range(20):
            made = self.pick(makers)(list(shape), list(bc), depth - 1)
            if made is not None:
                return made
        return self.leaf(shape, bc, nonzero=nonzero)

    def unary(self, shape, bc, depth):
        return f"({self.pick(UNARY)} {self.expr(shape, bc, depth)})"

    def binary(self, shape, bc, depth):
        op = self.pick(ARITH)
        first = self.expr(shape, bc, depth)
        sub, sub_bc = self.broadcast_variant(shape, bc)
        second = self.expr(sub, sub_bc, depth, nonzero=op in ("int_div", "mod") and self.chance(0.7))
        if op not in ("int_div", "mod", "true_div", "pow") and self.chance(0.5):
            first, second = second, first
        return f"({op} {first} {second})"

    def compare(self, shape, bc, depth):
        sub, sub_bc = self.broadcast_variant(shape, bc)
        return f"({self.pick(COMPARE)} {self.expr(shape, bc, depth)} {self.expr(sub, sub_bc, depth)})"

    def condition(self, shape, bc, depth):
        if depth > 0 and self.chance(0.6):
            return self.compare(shape, bc, depth - 1)
        return self.leaf(shape, bc, dtype="bool")

    def ternary(self, shape, bc, depth):
        sub, sub_bc = self.broadcast_variant(shape, bc)
        if self.chance(0.5):
            lo_shape, lo_bc = self.broadcast_variant(shape, bc)
            return (f"(clip {self.expr(shape, bc, depth)} {self.expr(lo_shape, lo_bc, depth)} "
                    f"{self.expr(sub, sub_bc, depth)})")
        cond_shape, cond_bc = self.broadcast_variant(shape, bc)
        return (f"(where {self.condition(cond_shape, cond_bc, depth)} {self.expr(shape, bc, depth)} "
                f"{self.expr(sub, sub_bc, depth)})")

    def cast(self, shape, bc, depth):
        return f"(cast {self.expr(shape, bc, depth)} {str(self.pick(DTYPES))})"

    def reduction(self, shape, bc, depth):
        op = self.pick(REDUCE + ["argmax"])
        if not shape and self.chance(0.5):
            operand = self.shape(int(self.rng.integers(0, 4)))
            return f"({op} {self.expr(operand, [False] * len(operand), depth)})"
        keepdims = self.chance(0.4)
        operand, operand_bc, axes = list(shape), list(bc), []
        if keepdims:
            axes = [a for a in range(len(shape)) if shape[a] == 1 and self.chance(0.7)]
            for a in axes:
                operand[a], operand_bc[a] = self.size(), False
        else:
            for _ in range(int(self.rng.integers(1, 3))):
                if len(operand) >= 4:
                    break
                at = int(self.rng.integers(0, len(operand) + 1))
                operand.insert(at, self.size())
                operand_bc.insert(at, False)
                axes = [a + (a >= at) for a in axes] + [at]
        if not axes or (op == "argmax" and len(axes) != 1):
            return None
        operand_bc = [False if (a in axes) else b for a, b in enumerate(operand_bc)]
        # negative axes count from the end
        written = [a - len(operand) if self.chance(0.2) else a for a in sorted(axes)]
        x = self.expr(operand, operand_bc, depth)
        if op == "argmax":
            return f"(argmax {x} {written[0]} {int(keepdims)})"
        return f"({op} {x} [{' '.join(map(str, written))}] {int(keepdims)})"

    def dot(self, shape, bc, depth):
        if len(shape) > 2 or any(bc):
            return None
        k = self.size()
        if len(shape) == 0:
            forms = [([k], [k]), ([], [])]
        elif len(shape) == 1:
            forms = [([shape[0], k], [k]), ([k], [k, shape[0]]), ([], shape)]
        else:
            forms = [([shape[0], k], [k, shape[1]]), ([], shape)]
        a, b = self.pick(forms)
        if not a and self.chance(0.5):
            a, b = b, a
        return f"(dot {self.expr(a, [False] * len(a), depth)} {self.expr(b, [False] * len(b), depth)})"

    def dimshuffle(self, shape, bc, depth):
        kept = [a for a in range(len(shape)) if not (bc[a] and shape[a] == 1 and self.chance(0.6))]
        order = list(self.rng.permutation(len(kept)))
        # operand axis j is result axis kept[order[j]]
        operand = [shape[kept[o]] for o in order]
        operand_bc = [bc[kept[o]] for o in order]
        pattern = []
        for a in range(len(shape)):
            pattern.append(str(order.index(kept.index(a))) if a in kept else "x")
        if len(pattern) == len(kept) and pattern == [str(i) for i in range(len(pattern))] and len(operand) < 4:
            operand.append(1)  # drop a broadcastable axis instead
            operand_bc.append(True)
        return f"(dimshuffle {self.expr(operand, operand_bc, depth)} [{' '.join(pattern)}])"

    def transpose(self, shape, bc, depth):
        perm = list(self.rng.permutation(len(shape)))
        operand, operand_bc = [0] * len(shape), [False] * len(shape)
        for i, p in enumerate(perm):
            operand[p], operand_bc[p] = shape[i], bc[i]
        if self.chance(0.3):
            return f"(transpose {self.expr(shape[::-1], bc[::-1], depth)})"
        return f"(transpose {self.expr(operand, operand_bc, depth)} [{' '.join(map(str, perm))}])"

    def factor_shape(self, total, rank):
        """A random shape of `rank` axes whose product is `total`."""
        dims = [1] * rank
        remaining = total
        if rank == 0:
            return None if total != 1 else []
        if total == 0:
            dims = [self.size() for _ in range(rank)]
            dims[int(self.rng.integers(rank))] = 0
            return dims
        for p in [2, 3, 5, 7]:
            while remaining % p == 0:
                dims[int(self.rng.integers(rank))] *= p
                remaining //= p
        dims[int(self.rng.integers(rank))] *= remaining
        return dims

    def reshape(self, shape, bc, depth):
        if any(bc):
            return None
        operand = self.factor_shape(math.prod(shape), int(self.rng.integers(0, 5)))
        if operand is None:
            return None
        target = list(shape)
        if target and math.prod(shape) != 0 and self.chance(0.3):
            target[int(self.rng.integers(len(target)))] = -1
        return f"(reshape {self.expr(operand, [False] * len(operand), depth)} [{' '.join(map(str, target))}])"

    def flatten(self, shape, bc, depth):
        if not shape or bc[-1]:
            return None
        tail = self.factor_shape(shape[-1], int(self.rng.integers(1, 6 - len(shape))))
        operand = shape[:-1] + tail
        return f"(flatten {self.expr(operand, bc[:-1] + [False] * len(tail), depth)} {len(shape)})"

    def concatenate(self, shape, bc, depth):
        axes = [a for a in range(len(shape)) if not bc[a]]
        if not axes:
            return None
        axis = self.pick(axes)
        cuts = sorted(self.rng.integers(0, shape[axis] + 1, size=int(self.rng.integers(1, 3))))
        bounds = [0] + [int(c) for c in cuts] + [shape[axis]]
        parts = []
        for lo, hi in zip(bounds, bounds[1:]):
            part = list(shape)
            part[axis] = hi - lo
            parts.append(self.expr(part, bc, depth))
        written = axis - len(shape) if self.chance(0.2) else axis
        return f"(concatenate {written} {' '.join(parts)})"

    def slice_for(self, length):
        """A slice over an axis of some size giving `length` elements: (size, text)."""
        for _ in range(50):
            size = length + int(self.rng.integers(0, 4))
            parts = [None if self.chance(0.3) else int(self.rng.integers(-size - 2, size + 3)) for _ in range(2)]
            step = self.pick([None, None, 1, 2, -1, -2, 3])
            if len(range(*slice(parts[0], parts[1], step).indices(size))) == length:
                text = ":".join("" if p is None else str(p) for p in (parts[0], parts[1], step))
                return size, text
        return length, "::"

    def indices_for(self, shape, bc):
        """An operand shape and indices selecting a region of shape `shape`."""
        operand, operand_bc, indices = [], [], []
        axis = 0
        while axis < len(shape) or (len(operand) < 4 and self.chance(0.3)):
            if len(operand) + len(shape) - axis < 4 and self.chance(0.3):
                size = int(self.rng.integers(1, 5))
                index = int(self.rng.integers(-size, size))
                if self.chance(0.03):
                    index = size  # out of range: both sides should raise
                operand.append(size)
                operand_bc.append(False)
                indices.append(str(index))
                continue
            if axis >= len(shape):
                break
            if bc[axis]:
                operand.append(1)
                operand_bc.append(True)
                indices.append("::")
            else:
                size, text = self.slice_for(shape[axis])
                operand.append(size)
                operand_bc.append(False)
                indices.append(text)
            axis += 1
        while indices and indices[-1] == "::" and self.chance(0.5):
            indices.pop()
        if not indices:
            return None
        return operand, operand_bc, indices

    def subtensor(self, shape, bc, depth):
        found = self.indices_for(shape, bc)
        if found is None:
            return None
        operand, operand_bc, indices = found
        return f"(subtensor {self.expr(operand, operand_bc, depth)} [{' '.join(indices)}])"

    def region(self, shape):
        """Random indices into `shape` and the shape of the region they select."""
        indices, region = [], []
        for axis, size in enumerate(shape):
            if self.chance(0.3) and size > 0:
                indices.append(str(int(self.rng.integers(-size, size))))
            elif self.chance(0.5) or axis == 0:
                start, stop = sorted(self.rng.integers(-size - 1, size + 2, size=2))
                step = self.pick([1, 1, 2, -1])
                start, stop = (int(stop), int(start)) if step < 0 else (int(start), int(stop))
                indices.append(f"{start}:{stop}:{step}")
                region.append(len(range(*slice(start, stop, step).indices(size))))
            else:
                break
        region += shape[len(indices):]
        return indices, region

    def set_subtensor(self, shape, bc, depth):
        if not shape or any(bc):
            return None
        indices, region = self.region(shape)
        if not indices:
            return None
        value_shape, value_bc = self.broadcast_variant(region, [False] * len(region))
        op = self.pick(["set_subtensor", "inc_subtensor"])
        return (f"({op} (subtensor {self.expr(shape, bc, depth)} [{' '.join(indices)}]) "
                f"{self.expr(value_shape, value_bc, depth)})")

    def softmax(self, shape, bc, depth):
        if not shape:
            return None
        return f"(softmax {self.expr(shape, bc, depth)})"

    def shape_of(self, shape, bc, depth):
        if len(shape) != 1 or shape[0] > 4 or bc[0]:
            return None
        return f"(shape {self.expr(self.shape(shape[0]), [False] * shape[0], depth)})"


def generate_case(seed, index):
    rng = np.random.default_rng([seed, index])
    generator = Generator(rng)
    np.seterr(all="ignore")  # huge float64 values overflow to inf in float32 on purpose
    rank = int(rng.choice([0, 1, 1, 2, 2, 3, 4]))
    shape = generator.shape(rank)
    bc = [n == 1 and generator.chance(0.3) for n in shape]
    expr = generator.leaf(shape, bc)
    while not expr.startswith("("):  # a bare input compares nothing
        generator.inputs.clear()
        expr = generator.expr(shape, bc, int(rng.choice([1, 1, 2, 2, 3, 4])))
    return {"id": f"c{index}", "expr": expr, "inputs": generator.inputs}


# --- PyTensor -----------------------------------------------------------------------------

def build_pytensor(node, variables, sig):
    """The PyTensor graph of a parsed expression; sig collects the root's operand dtypes."""
    import pytensor.tensor as pt
    from pytensor.tensor.special import softmax

    if not isinstance(node, list):
        return variables[node]
    op = node[1]
    args = node[2:]

    def arg(i):
        return build_pytensor(args[i], variables, None)

    def ints(item):
        return [int(v) for v in item[1:]]

    operands = [arg(i) for i in range(len(args)) if isinstance(args[i], list) and args[i][0] == "(" or
                (not isinstance(args[i], list) and args[i] in variables)]
    if sig is not None:
        sig.extend(str(o.dtype) for o in operands)
    unary = {"neg": pt.neg, "exp": pt.exp, "log": pt.log, "log1p": pt.log1p, "sqrt": pt.sqrt,
             "sqr": pt.sqr, "abs": pt.abs, "tanh": pt.tanh, "sigmoid": pt.sigmoid,
             "softplus": pt.softplus, "zeros_like": pt.zeros_like, "ones_like": pt.ones_like,
             "shape": pt.shape,
             # Hypatia's relu is max(x, 0) in x's dtype; PyTensor has no relu op.
             "relu": lambda x: pt.maximum(x, pt.zeros_like(x)),
             "softmax": lambda x: softmax(x, axis=-1)}
    binary = {"add": pt.add, "sub": pt.sub, "mul": pt.mul, "true_div": pt.true_div,
              "int_div": pt.int_div, "mod": pt.mod, "pow": pt.pow, "maximum": pt.maximum,
              "minimum": pt.minimum, "eq": pt.eq, "neq": pt.neq, "lt": pt.lt, "gt": pt.gt,
              "le": pt.le, "ge": pt.ge, "dot": pt.dot}
    reductions = {"sum": pt.sum, "mean": pt.mean, "max": pt.max, "min": pt.min, "prod": pt.prod}
    if op == "transpose":
        return pt.transpose(operands[0], ints(args[1]) if len(args) == 2 else None)
    if op in unary:
        return unary[op](operands[0])
    if op in binary:
        return binary[op](operands[0], operands[1])
    if op in reductions:
        if len(args) == 1:
            return reductions[op](operands[0])
        return reductions[op](operands[0], axis=ints(args[1]), keepdims=args[2] == "1")
    if op == "argmax":
        if len(args) == 1:
            return pt.argmax(operands[0])
        return pt.argmax(operands[0], axis=int(args[1]), keepdims=args[2] == "1")
    if op == "clip":
        return pt.clip(*operands)
    if op == "where":
        return pt.where(*operands)
    if op == "cast":
        return pt.cast(operands[0], args[1])
    if op == "dimshuffle":
        return operands[0].dimshuffle(*[v if v == "x" else int(v) for v in args[1][1:]])
    if op == "reshape":
        return pt.reshape(operands[0], ints(args[1]))
    if op == "flatten":
        return pt.flatten(operands[0], int(args[1]))
    if op == "concatenate":
        return pt.concatenate(operands, axis=int(args[0]))
    if op == "subtensor":
        index = []
        for item in args[1][1:]:
            if ":" in item:
                index.append(slice(*[int(p) if p else None for p in item.split(":")]))
            else:
                index.append(int(item))
        return operands[0][tuple(index)]
    if op == "set_subtensor":
        return pt.set_subtensor(operands[0], operands[1])
    if op == "inc_subtensor":
        return pt.inc_subtensor(operands[0], operands[1])
    raise ValueError(f"unknown op {op}")


def describe_exception(error, stage):
    message = str(error).split("\nApply node")[0].split("\nHINT")[0].strip()
    return {"status": "error", "class": type(error).__name__, "stage": stage, "message": message[:600]}


_MODE = None


def init_pytensor(linker):
    os.environ.setdefault("PYTENSOR_FLAGS", "floatX=float64,on_opt_error=raise")
    import logging
    import pytensor
    from pytensor.compile.mode import Mode
    global _MODE
    logging.getLogger("pytensor").setLevel(logging.CRITICAL)
    pytensor.config.floatX = "float64"
    _MODE = Mode(linker=linker, optimizer="fast_run")


class PeerTimeout(Exception):
    """PyTensor took longer than PEER_TIMEOUT_S on one case (a rewrite that does not terminate)."""


PEER_TIMEOUT_S = 20


def on_alarm(signum, frame):
    raise PeerTimeout(f"PyTensor took over {PEER_TIMEOUT_S} s")


def evaluate_pytensor(job):
    """One case, cut off after PEER_TIMEOUT_S."""
    signal.signal(signal.SIGALRM, on_alarm)
    # Fires again every second: PyTensor's rewriter logs and swallows the first exception.
    signal.setitimer(signal.ITIMER_REAL, PEER_TIMEOUT_S, 1)
    try:
        return evaluate_pytensor_untimed(job)
    except PeerTimeout as error:
        return describe_exception(error, "compile")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def evaluate_pytensor_untimed(job):
    """Evaluates one case (expr text, input list, whether to return intermediates)."""
    import pytensor
    import pytensor.tensor as pt
    import warnings

    expr, inputs, want_intermediates = job
    result = {}
    try:
        variables = {name: pt.tensor(name, dtype=dtype, shape=tuple(1 if b else None for b in pattern))
                     for name, dtype, pattern, _ in inputs}
        tree = parse_sexpr(expr)
        sig = result["sig"] = []
        output = build_pytensor(tree, variables, sig)
        outputs = [output]
        if want_intermediates:
            outputs += [build_pytensor(node, variables, None) for node in subexpressions(tree)[:-1]]
            outputs += [variables[name] for name in sorted(input_names(tree))]
    except Exception as error:  # the peer refusing an expression is a result
        result.update(describe_exception(error, "build"))
        return result
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f = pytensor.function([variables[name] for name, *_ in inputs], outputs, mode=_MODE,
                                  on_unused_input="ignore")
    except Exception as error:
        result.update(describe_exception(error, "compile"))
        return result
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            values = f(*[values for *_, values in inputs])
    except Exception as error:
        result.update(describe_exception(error, "run"))
        return result
    value = np.asarray(values[0])
    result.update(status="ok", dtype=str(value.dtype), shape=list(value.shape), value=value)
    if want_intermediates:
        finite = [np.abs(v[np.isfinite(v)]).max(initial=0.0) for v in map(np.asarray, values)
                  if v.dtype.kind == "f" and v.size]
        result["scale"] = float(max(finite, default=0.0))
    return result


# --- running both sides -------------------------------------------------------------------

def write_cases(cases, path, input_dir):
    """The driver's case file; input values as .npy under input_dir."""
    with open(path, "w") as file:
        for case in cases:
            file.write(f"case {case['id']}\n")
            for name, dtype, pattern, values in case["inputs"]:
                npy = input_dir / f"{case['id']}_{name}.npy"
                if not npy.exists():
                    np.save(npy, values)
                bits = "".join("1" if b else "0" for b in pattern) or "-"
                file.write(f"in {name} {dtype} {bits} {npy}\n")
            file.write(f"expr {case['expr']}\nend\n")


def run_driver_shard(driver, cases_path, out_dir, results_path, cache_dir, total):
    """Runs the driver over one shard, restarting it past any case that crashes it."""
    done = 0
    crashes = {}
    while done < total:
        command = [driver, "--cases", str(cases_path), "--out", str(out_dir), "--results", str(results_path),
                   "--cache-dir", str(cache_dir), "--start", str(done)]
        completed = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        lines = results_path.read_text().splitlines() if results_path.exists() else []
        done = len(lines)
        if completed.returncode != 0 and done < total:
            crashes[done] = f"driver exited with {completed.returncode}: {completed.stderr[-400:]}"
            with open(results_path, "a") as file:
                file.write(json.dumps({"index": done, "crash": crashes[done]}) + "\n")
            done += 1
    return crashes


def run_hypatia(cases, work, driver, jobs, tag):
    """Runs the driver over `cases` in `jobs` parallel processes; results by case id."""
    input_dir = work / "inputs"
    out_dir = work / f"out-{tag}"
    input_dir.mkdir(parents=True, exist_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    shards = [cases[i::jobs] for i in range(jobs)]
    processes = []
    for number, shard in enumerate(shards):
        if not shard:
            continue
        cases_path = work / f"cases-{tag}-{number}.txt"
        results_path = work / f"results-{tag}-{number}.jsonl"
        results_path.unlink(missing_ok=True)
        write_cases(shard, cases_path, input_dir)
        processes.append((shard, results_path, multiprocessing.Process(
            target=run_driver_shard,
            args=(driver, cases_path, out_dir, results_path, work / "hypatia-cache", len(shard)))))
    for *_, process in processes:
        process.start()
    results = {}
    for shard, results_path, process in processes:
        process.join()
        for index, line in enumerate(results_path.read_text().splitlines()):
            record = json.loads(line)
            case_id = shard[index]["id"]
            if "crash" in record:
                crash = {"status": "error", "class": "crash", "message": record["crash"]}
                results[case_id] = {mode: crash for mode in MODES}
                continue
            if record["build"]["status"] != "ok":
                results[case_id] = {mode: dict(record["build"], stage="build") for mode in MODES}
                continue
            outcome = {}
            for mode in MODES:
                entry = record["modes"][mode]
                if entry["status"] == "ok":
                    entry["value"] = np.load(entry["file"])
                outcome[mode] = entry
            results[case_id] = outcome
    return results


def run_pytensor(cases, jobs, linker, want_intermediates=False):
    jobs_list = [(case["expr"], case["inputs"], want_intermediates) for case in cases]
    with multiprocessing.Pool(jobs, initializer=init_pytensor, initargs=(linker,)) as pool:
        answers = pool.map(evaluate_pytensor, jobs_list, chunksize=8)
    return {case["id"]: answer for case, answer in zip(cases, answers)}


# --- comparison -------------------------------------------------------------------------------

def ulp_budget(tree):
    """Tolerance in ulp: each inexact op's bound, accumulations by their length."""
    budget = 0.0
    for node in subexpressions(tree):
        op = node[1]
        budget += ULP_BOUNDS.get(op, 0.0)
        if op in ACCUMULATING:
            budget += 2 + 8  # pairwise summation's log2(n) for the small n generated, and Hypatia's order
    return max(budget, 0.5)


def working_eps(case, peer):
    """The machine epsilon of the least precise float an intermediate may have: float32
    where a float32 input or cast appears, or a bool/int8/int16/uint8 input (which exp,
    softmax, ... compute in float32); float64 otherwise."""
    narrow = {"float32", "bool", "int8", "int16", "uint8"}
    if peer.get("dtype") == "float32" or "float32" in case["expr"] or any(i[1] in narrow for i in case["inputs"]):
        return float(np.finfo(np.float32).eps)
    return float(np.finfo(np.float64).eps)


def compare(peer, mine, budget, eps, scale):
    """The kind of difference between PyTensor's result and one Hypatia mode's, or None."""
    if peer["status"] != "ok" and mine["status"] != "ok":
        return None
    if peer["status"] != "ok":
        return f"PyTensor raises {peer['class']}"
    if mine["status"] != "ok":
        return f"Hypatia raises {mine['class']}"
    if peer["dtype"] != mine["dtype"]:
        return f"dtype differs (PyTensor {peer['dtype']}, Hypatia {mine['dtype']})"
    if list(peer["shape"]) != list(mine["shape"]):
        return "shape differs"
    a, b = peer["value"], mine["value"]
    if a.dtype.kind != "f":
        return None if np.array_equal(a, b) else "value differs (exact dtype)"
    if not np.array_equal(np.isnan(a), np.isnan(b)):
        return "NaN differs"
    finite_a, finite_b = np.isfinite(a), np.isfinite(b)
    if not np.array_equal(a[~finite_a & ~np.isnan(a)], b[~finite_a & ~np.isnan(a)]) or \
            not np.array_equal(finite_a, finite_b):
        return "inf differs"
    x, y = a[finite_a].astype(np.float64), b[finite_a].astype(np.float64)
    # ulp at the working precision: eps * magnitude, or the result dtype's spacing near zero
    magnitude = np.maximum(np.abs(x), np.abs(y))
    ulp = np.maximum(eps * magnitude, np.spacing(magnitude.astype(a.dtype)).astype(np.float64))
    error = np.abs(x - y)
    if np.all(error <= budget * ulp):
        zeros = (x == 0) & (y == 0)
        if np.any(np.signbit(x[zeros]) != np.signbit(y[zeros])):
            return "sign of zero differs"
        return None
    if scale is not None and np.all(error <= budget * eps * scale):
        return "value differs, within eps x the largest intermediate"
    return "value differs"


DEBUG_NONFINITE = "Hypatia's Debug mode refuses a non-finite value (by design)"


def compare_case(case, peer, hypatia, scale=None):
    """{kind: [modes]} of one case. Debug mode's refusal of NaN and inf, a
    deliberate check, is a kind of its own whatever the op."""
    budget = ulp_budget(parse_sexpr(case["expr"]))
    eps = working_eps(case, peer)
    kinds = collections.defaultdict(list)
    for mode in MODES:
        if mode == "Debug" and peer["status"] == "ok" and "non-finite value" in hypatia[mode].get("message", ""):
            kinds[DEBUG_NONFINITE].append(mode)
            continue
        kind = compare(peer, hypatia[mode], budget, eps, scale)
        if kind:
            kinds[kind].append(mode)
    return dict(kinds)


# --- minimisation and report --------------------------------------------------------------------

def sub_cases(case):
    """Each subexpression of a case as a case of its own, with only the inputs it reads."""
    tree = parse_sexpr(case["expr"])
    found = []
    for number, node in enumerate(subexpressions(tree)[:-1]):
        names = input_names(node)
        found.append({"id": f"{case['id']}s{number}", "expr": unparse(node), "parent": case["id"],
                      "inputs": [i for i in case["inputs"] if i[0] in names]})
    return found


def size_of(case):
    return (count_ops(parse_sexpr(case["expr"])), sum(np.asarray(i[3]).size for i in case["inputs"]))


def family(dtype):
    """bool, int, uint or float: classes group operand dtypes by family."""
    return "bool" if dtype == "bool" else "uint" if dtype.startswith("uint") else dtype.rstrip("0123456789")


def message_gist(message):
    """The first line of an error message with numbers and quoted text blanked, to group by."""
    line = message.splitlines()[0] if message else ""
    line = line.rsplit(": ", 1)[-1]  # Hypatia's messages start with the node, which varies
    line = re.sub(r"'[^']*'|\"[^\"]*\"", "'.'", line)
    return re.sub(r"-?\d+(\.\d+)?", "N", line)[:90]


def modes_text(modes, mine):
    """'all modes' where every mode that gave a value differs (Debug's refusal of NaN aside)."""
    refused = "non-finite value" in mine.get("Debug", {}).get("message", "")
    if set(modes) | ({"Debug"} if refused else set()) == set(MODES):
        return "all modes"
    return "+".join(modes)


def class_key(kind, modes, case, peer, mine):
    """PyTensor errors by message; Hypatia errors by op and message; dtype
    differences by op and operand dtype families; value differences by op."""
    if kind == DEBUG_NONFINITE:
        return f"{kind} | Debug"
    if kind.startswith("PyTensor raises"):
        return f"{kind} | {message_gist(peer.get('message', ''))}"
    op = parse_sexpr(case["expr"])[1]
    families = ",".join(family(d) for d in peer.get("sig", [])) or "?"
    if kind.startswith("Hypatia raises"):
        key = f"{kind} | {op} | {message_gist(mine[modes[0]].get('message', ''))}"
    elif kind.startswith("dtype"):
        key = f"{kind} | {op}({families})"
    else:
        key = f"{kind} | {op}"
    return f"{key} | {modes_text(modes, mine)}"


def format_value(entry):
    if entry["status"] != "ok":
        stage = f" at {entry['stage']}" if entry.get("stage") else ""
        message = "\n".join(entry["message"].splitlines()[:4])
        return f"raises {entry['class']}{stage}: {message}"
    return f"{entry['dtype']} shape {tuple(entry['shape'])}: {format_array(entry['value'])}"


def format_array(values):
    """Short and on one line: arrays of rank 3 and 4 are shown flattened (C order)."""
    values = np.asarray(values)
    flat = values.ndim >= 3
    with np.printoptions(precision=17, threshold=24, edgeitems=4, linewidth=100000):
        text = np.array2string(values.ravel() if flat else values, separator=", ").replace("\n", "")
    return f"{text} (flattened)" if flat else text


def format_inputs(case):
    lines = []
    for name, dtype, pattern, values in case["inputs"]:
        bits = "(" + ", ".join(str(b) for b in pattern) + ")"
        lines.append(f"    {name}: {dtype} {bits} shape {np.shape(values)} = {format_array(values)}")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--driver", required=True, help="the hypatia-crosscheck executable")
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--linker", default="py", help="PyTensor linker: py (default) or cvm")
    parser.add_argument("--work", default="build-xc/crosscheck", help="scratch directory")
    parser.add_argument("--report", default=None, help="report file (default WORK/report.md)")
    args = parser.parse_args()

    work = Path(args.work).resolve()
    shutil.rmtree(work / "inputs", ignore_errors=True)
    for old in work.glob("out-*"):
        shutil.rmtree(old, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    report_path = Path(args.report) if args.report else work / "report.md"
    start = time.time()

    cases = [generate_case(args.seed, i) for i in range(args.count)]
    by_id = {case["id"]: case for case in cases}
    t0 = time.time()
    peer = run_pytensor(cases, args.jobs, args.linker)
    t1 = time.time()
    mine = run_hypatia(cases, work, args.driver, args.jobs, "main")
    t2 = time.time()
    print(f"crosscheck: {len(cases)} cases; PyTensor {t1 - t0:.0f} s, Hypatia {t2 - t1:.0f} s", file=sys.stderr)

    differing = {}
    for case in cases:
        kinds = compare_case(case, peer[case["id"]], mine[case["id"]])
        if kinds:
            differing[case["id"]] = kinds

    # Float value differences: re-check against the scale of the intermediates.
    value_cases = [by_id[i] for i, kinds in differing.items() if "value differs" in kinds]
    if value_cases:
        scaled = run_pytensor(value_cases, args.jobs, args.linker, want_intermediates=True)
        for case in value_cases:
            kinds = compare_case(case, peer[case["id"]], mine[case["id"]], scaled[case["id"]].get("scale"))
            differing[case["id"]] = kinds

    # Minimise: the smallest subexpression that differs in the same way.
    subs = [sub for case_id in differing for sub in sub_cases(by_id[case_id])]
    sub_peer = run_pytensor(subs, args.jobs, args.linker) if subs else {}
    sub_mine = run_hypatia(subs, work, args.driver, args.jobs, "sub") if subs else {}
    subs_by_parent = collections.defaultdict(list)
    for sub in subs:
        subs_by_parent[sub["parent"]].append(sub)

    classes = collections.defaultdict(list)
    for case_id, kinds in differing.items():
        case = by_id[case_id]
        for kind, modes in kinds.items():
            best, best_peer, best_mine = case, peer[case_id], mine[case_id]
            for sub in subs_by_parent[case_id]:
                sub_kinds = compare_case(sub, sub_peer[sub["id"]], sub_mine[sub["id"]])
                if sub_kinds.get(kind) == modes and size_of(sub) < size_of(best):
                    best, best_peer, best_mine = sub, sub_peer[sub["id"]], sub_mine[sub["id"]]
            classes[class_key(kind, modes, best, best_peer, best_mine)].append((size_of(best), best, best_peer, best_mine))

    elapsed = time.time() - start
    commit = subprocess.run(["git", "-C", str(Path(__file__).parent), "describe", "--always", "--dirty"],
                            capture_output=True, text=True).stdout.strip()
    lines = [f"# Hypatia vs PyTensor crosscheck", "", f"Hypatia at `{commit}`, PyTensor linker `{args.linker}`.", "",
             f"`crosscheck.py --count {args.count} --seed {args.seed} --jobs {args.jobs} --linker {args.linker}`: "
             f"{len(cases)} expressions in {elapsed:.0f} s ({elapsed / len(cases) * 1000:.0f} s per 1,000), "
             f"{len(differing)} differing in some mode, {len(classes)} classes.", "",
             "Class key: kind of difference | op of the smallest differing subexpression (operand dtypes) | "
             "Hypatia modes that differ.", ""]
    lines += ["'value differs, within eps x the largest intermediate': past the ulp budget, but within the",
              "budget times eps times the largest magnitude any intermediate reaches, as rounding after",
              "cancellation gives in either implementation; worth a look only where the op should be exact.", ""]
    lines += ["| count | class |", "|---:|---|"]
    ordered = sorted(classes.items(), key=lambda item: (-len(item[1]), item[0]))
    lines += [f"| {len(items)} | `{key}` |" for key, items in ordered]
    summary = {"count": len(cases), "seed": args.seed, "seconds": elapsed, "differing": len(differing),
               "classes": []}
    for key, items in ordered:
        _, case, case_peer, case_mine = min(items, key=lambda item: item[0])
        lines += ["", f"## {key}", "", f"{len(items)} cases. Smallest:", "", "```",
                  f"expr {case['expr']}", "inputs:", format_inputs(case),
                  f"PyTensor:    {format_value(case_peer)}"]
        lines += [f"{mode + ':':12s} {format_value(case_mine[mode])}" for mode in MODES]
        lines += ["```"]
        summary["classes"].append({"class": key, "count": len(items), "expr": case["expr"],
                                   "pytensor": format_value(case_peer),
                                   "hypatia": {mode: format_value(case_mine[mode]) for mode in MODES}})
    report_path.write_text("\n".join(lines) + "\n")
    report_path.with_suffix(".json").write_text(json.dumps(summary, indent=1) + "\n")
    print(f"crosscheck: {len(differing)} of {len(cases)} differ, {len(classes)} classes; report {report_path}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
