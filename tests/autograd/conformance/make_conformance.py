"""Writes tests/fixtures/autograd_conformance.json: PyTorch's answers for xtgrad's conformance suite.

Each program below is a small computation written with PyTorch. The same program, under the
same name, is written with xtgrad in tests/autograd/conformance_programs.cpp, and
tests/autograd/test_conformance.cpp runs it on the same inputs and compares its outputs and
gradients with the ones recorded here (in float64, to about 1e-10). Add or change a program in
both files, then rerun from the repository root with Debian's Python, which has PyTorch:

    /usr/bin/python3 tests/autograd/conformance/make_conformance.py

Two kinds of program:
  op        returns one tensor y. The script runs y.backward(), or y.backward(grad_output)
            with a random grad_output (recorded) when y has more than one element.
  semantic  runs its own backward calls (twice, with create_graph, through torch.autograd.grad,
            ...) and returns the named values it wants compared.
For both, the file records .grad of every input after the program: null where PyTorch has None.

Inputs are drawn from a NumPy generator seeded with the CRC-32 of the program's name, so adding
a program changes no other program's numbers, and the output is byte-identical on every run
(floats are written with repr, which round-trips exactly; keys are sorted).
"""
import json
import pathlib
import warnings
import zlib
from typing import Callable, Dict, NamedTuple

import numpy as np
import torch
import torch.nn.functional as F

OUT = pathlib.Path(__file__).resolve().parents[2] / "fixtures" / "autograd_conformance.json"

torch.set_default_dtype(torch.float64)
# backward(create_graph=True) warns about a reference cycle; the programs are tiny.
warnings.filterwarnings("ignore", message="Using backward\\(\\) with create_graph=True")


# --- inputs --------------------------------------------------------------------------------------

class Input(NamedTuple):
    draw: Callable[[np.random.Generator], np.ndarray]
    requires_grad: bool = True


def randn(*shape):
    return Input(lambda rng: rng.standard_normal(shape))


def uniform(low, high, *shape):
    return Input(lambda rng: rng.uniform(low, high, shape))


def binary(*shape):
    """0.0 or 1.0: targets for the binary cross-entropies."""
    return Input(lambda rng: rng.integers(0, 2, shape).astype(np.float64))


def given(values):
    """Exact values: zeros, ties, boundaries, +-1000."""
    return Input(lambda rng: np.array(values, dtype=np.float64))


def const(spec):
    """The same input with requires_grad=False."""
    return spec._replace(requires_grad=False)


def flag(value):
    """A bool as a 0-d tensor, so that semantic programs can return it."""
    return torch.tensor(float(value))


# --- the registry --------------------------------------------------------------------------------

class Program(NamedTuple):
    group: str
    name: str
    kind: str  # "op" or "semantic"
    inputs: Dict[str, Input]
    fn: Callable


PROGRAMS = []


def op(group, name, **inputs):
    def register(fn):
        PROGRAMS.append(Program(group, name, "op", inputs, fn))
        return fn
    return register


def semantic(group, name, **inputs):
    def register(fn):
        PROGRAMS.append(Program(group, name, "semantic", inputs, fn))
        return fn
    return register


def bce(p, t):
    return F.binary_cross_entropy(p, t, reduction="none")


def bce_logits(z, t):
    return F.binary_cross_entropy_with_logits(z, t, reduction="none")


# === arithmetic ==================================================================================
op("arithmetic", "add", a=randn(2, 3), b=randn(2, 3))(lambda a, b: a + b)
op("arithmetic", "sub", a=randn(2, 3), b=randn(2, 3))(lambda a, b: a - b)
op("arithmetic", "mul", a=randn(2, 3), b=randn(2, 3))(lambda a, b: a * b)
op("arithmetic", "div", a=randn(2, 3), b=uniform(0.5, 2, 2, 3))(lambda a, b: a / b)
op("arithmetic", "neg_function", x=randn(2, 3))(lambda x: torch.neg(x))
op("arithmetic", "neg_operator", x=randn(2, 3))(lambda x: -x)
op("arithmetic", "function_forms", a=randn(2, 3), b=randn(2, 3), c=uniform(0.5, 2, 2, 3))(
    lambda a, b, c: torch.div(torch.mul(torch.add(a, b), torch.sub(a, b)), c))
# A double on either side of each operator.
op("arithmetic", "scalar_add_right", x=randn(2, 3))(lambda x: x + 2.5)
op("arithmetic", "scalar_add_left", x=randn(2, 3))(lambda x: 2.5 + x)
op("arithmetic", "scalar_sub_right", x=randn(2, 3))(lambda x: x - 2.5)
op("arithmetic", "scalar_sub_left", x=randn(2, 3))(lambda x: 2.5 - x)
op("arithmetic", "scalar_mul_right", x=randn(2, 3))(lambda x: x * -1.5)
op("arithmetic", "scalar_mul_left", x=randn(2, 3))(lambda x: -1.5 * x)
op("arithmetic", "scalar_div_right", x=randn(2, 3))(lambda x: x / 0.3)
op("arithmetic", "scalar_div_left", x=uniform(0.5, 2, 2, 3))(lambda x: 2.5 / x)
# Tiny denominators: b^-2 overflows (1e320), but a / b^2 is finite (-1e20 and 1e10 for b's gradient).
op("arithmetic", "div_tiny_denominator",
   a=given([1e-300, 3.0, -1e-300]), b=given([1e-160, 2.0, 1e-155]))(lambda a, b: a / b)

# === elementwise functions =======================================================================
op("elementwise", "exp", x=randn(2, 3))(torch.exp)
op("elementwise", "log", x=uniform(0.1, 3, 2, 3))(torch.log)
op("elementwise", "log1p", x=uniform(-0.5, 2, 2, 3))(torch.log1p)
op("elementwise", "pow_cube", x=randn(2, 3))(lambda x: torch.pow(x, 3.0))  # negative bases
op("elementwise", "pow_fractional", x=uniform(0.2, 2, 2, 3))(lambda x: torch.pow(x, 2.5))
op("elementwise", "pow_negative", x=uniform(0.2, 2, 2, 3))(lambda x: torch.pow(x, -1.5))
op("elementwise", "sqrt", x=uniform(0.2, 2, 2, 3))(torch.sqrt)
op("elementwise", "square", x=randn(2, 3))(torch.square)
op("elementwise", "sigmoid", x=randn(2, 3))(torch.sigmoid)
op("elementwise", "sigmoid_extremes", x=given([-1000, -30, 0, 30, 1000]))(torch.sigmoid)
op("elementwise", "tanh", x=randn(2, 3))(torch.tanh)
op("elementwise", "tanh_extremes", x=given([-1000, -20, 0, 20, 1000]))(torch.tanh)
# The gradient at exactly 0: 0 for relu and abs (PyTorch's choice), 1/2 for softplus.
op("elementwise", "relu", x=given([[-1.5, 0.0, 0.7], [2.0, -0.3, 0.0]]))(torch.relu)
op("elementwise", "abs", x=given([[-1.5, 0.0, 0.7], [2.0, -0.3, 0.0]]))(torch.abs)
op("elementwise", "softplus", x=given([-1000, -30, -1.5, -0.2, 0.3, 2, 30, 1000]))(F.softplus)
op("elementwise", "softplus_at_zero", x=given([0.0, 0.0]))(F.softplus)
# Values at both bounds: the gradient passes there (clamp is the identity at low and high).
op("elementwise", "clamp", x=given([-1.2, -0.5, 0.0, 0.3, 0.8, 1.5]))(
    lambda x: torch.clamp(x, -0.5, 0.8))
op("elementwise", "where", c=const(randn(2, 3)), a=randn(2, 3), b=randn(2, 3))(
    lambda c, a, b: torch.where(c > 0, a, b))
op("elementwise", "where_broadcast", c=const(randn(2, 3)), a=randn(3), b=randn())(
    lambda c, a, b: torch.where(c > 0, a, b))

# === broadcasting: each operand's gradient is reduced to its own shape ===========================
op("broadcasting", "row", a=randn(2, 3), b=randn(3))(lambda a, b: a * b)
op("broadcasting", "column", a=randn(2, 3), b=randn(2, 1))(lambda a, b: a - b)
op("broadcasting", "scalar_0d", a=randn(2, 3), s=randn())(lambda a, s: a * s)
op("broadcasting", "both_operands", a=randn(3, 1), b=uniform(0.5, 2, 1, 4))(lambda a, b: a / b)
op("broadcasting", "leading_axes", a=randn(2, 3, 4), b=randn(3, 1))(lambda a, b: a + b)
op("broadcasting", "two_0d", s=randn(), t=randn())(lambda s, t: s * t + s)

# === reductions ==================================================================================
op("reductions", "sum_all", x=randn(2, 3, 4))(lambda x: x.sum())
op("reductions", "sum_axis", x=randn(2, 3, 4))(lambda x: x.sum(dim=1))
op("reductions", "sum_axes_keepdim", x=randn(2, 3, 4))(lambda x: x.sum(dim=(0, 2), keepdim=True))
op("reductions", "sum_negative_axis", x=randn(2, 3, 4))(lambda x: x.sum(dim=-1))
op("reductions", "sum_negative_axes_keepdim", x=randn(2, 3, 4))(
    lambda x: x.sum(dim=(-3, -1), keepdim=True))
op("reductions", "mean_all", x=randn(2, 3, 4))(lambda x: x.mean())
op("reductions", "mean_axes", x=randn(2, 3, 4))(lambda x: x.mean(dim=(0, 2)))
op("reductions", "mean_negative_keepdim", x=randn(2, 3, 4))(lambda x: x.mean(dim=-2, keepdim=True))
# torch.amax shares the gradient equally among tied maxima (torch.max(x, dim) would not).
op("reductions", "max_axis", x=randn(3, 4))(lambda x: torch.amax(x, dim=1))
op("reductions", "max_ties", x=given([[1, 3, 3], [2, 2, 2], [-1, 0, -5]]))(
    lambda x: torch.amax(x, dim=1))
op("reductions", "max_ties_axis0_keepdim", x=given([[1, 3, 2], [1, -3, 2], [0, 3, 2]]))(
    lambda x: torch.amax(x, dim=0, keepdim=True))
op("reductions", "max_all_axes_tie", x=given([[1, 4, 2], [4, -3, 0]]))(
    lambda x: torch.amax(x, dim=(0, 1)))
op("reductions", "logsumexp", x=randn(3, 4))(lambda x: torch.logsumexp(x, dim=1))
op("reductions", "logsumexp_axis0_keepdim", x=randn(3, 4))(
    lambda x: torch.logsumexp(x, dim=0, keepdim=True))
op("reductions", "logsumexp_two_axes", x=randn(2, 3, 4))(lambda x: torch.logsumexp(x, dim=(0, 2)))
EXTREMES = [[-1000, 0, 1000], [1000, 1000, -1000], [-1000, -1000, -1000], [1000, 999, 998]]
op("reductions", "logsumexp_extremes", x=given(EXTREMES))(lambda x: torch.logsumexp(x, dim=1))
op("reductions", "softmax", x=randn(3, 4))(lambda x: F.softmax(x, dim=-1))
op("reductions", "softmax_axis0", x=randn(3, 4))(lambda x: F.softmax(x, dim=0))
op("reductions", "softmax_extremes", x=given(EXTREMES))(lambda x: F.softmax(x, dim=-1))
op("reductions", "log_softmax", x=randn(3, 4))(lambda x: F.log_softmax(x, dim=-1))
op("reductions", "log_softmax_3d_axis1", x=randn(2, 3, 4))(lambda x: F.log_softmax(x, dim=1))
op("reductions", "log_softmax_extremes", x=given(EXTREMES))(lambda x: F.log_softmax(x, dim=-1))

# === shapes ======================================================================================
op("shapes", "reshape", x=randn(2, 3, 4))(lambda x: x.reshape(4, -1))
op("shapes", "flatten", x=randn(2, 3))(torch.flatten)
op("shapes", "permute", x=randn(2, 3, 4))(lambda x: x.permute(2, 0, 1))
op("shapes", "permute_negative_axes", x=randn(2, 3, 4))(lambda x: x.permute(-1, 0, -2))
op("shapes", "transpose", x=randn(2, 3))(lambda x: x.t())
op("shapes", "broadcast_to", x=randn(3, 1))(lambda x: torch.broadcast_to(x, (2, 3, 4)))
op("shapes", "sum_to", x=randn(2, 3, 4))(lambda x: x.sum_to_size(3, 1))
op("shapes", "chain", x=randn(2, 3, 4), w=randn(3, 8))(
    lambda x, w: x.permute(1, 0, 2).reshape(3, 8) * w)

# === matmul: the four transpose flags ============================================================
op("matmul", "matmul", a=randn(2, 3), b=randn(3, 4))(lambda a, b: a @ b)
op("matmul", "matmul_transpose_a", a=randn(3, 2), b=randn(3, 4))(lambda a, b: a.t() @ b)
op("matmul", "matmul_transpose_b", a=randn(2, 3), b=randn(4, 3))(lambda a, b: a @ b.t())
op("matmul", "matmul_transpose_both", a=randn(3, 2), b=randn(4, 3))(lambda a, b: a.t() @ b.t())
op("matmul", "matmul_chain", a=randn(2, 3), b=randn(3, 4), c=randn(2, 4))(
    lambda a, b, c: (a @ b) @ c.t())
op("matmul", "matmul_gram", a=randn(3, 2))(lambda a: a @ a.t())  # a used twice

# === losses ======================================================================================
op("losses", "bce", p=uniform(0.05, 0.95, 2, 3), t=const(binary(2, 3)))(bce)
op("losses", "bce_soft_targets", p=uniform(0.05, 0.95, 2, 3), t=uniform(0, 1, 2, 3))(bce)
op("losses", "bce_mean", p=uniform(0.05, 0.95, 2, 3), t=const(binary(2, 3)))(
    lambda p, t: F.binary_cross_entropy(p, t))
# p exactly 0 and 1: PyTorch clamps each log at -100 (loss 100, not inf) and the gradient's
# denominator p (1 - p) at 1e-12 (gradient +-1e12, or 0 where p equals t); 1e-50 is clamped too.
# NOTE: PyTorch's 1e-12 is a float (Loss.cpp: constexpr float EPSILON = 1e-12), so in float64
# the gradient at p = 0, t = 1 is -1 / 9.999999960041972e-13 = -1.000000004e12.
# NOTE: the target does not require grad here: at p = 0 or 1 PyTorch's target gradient is
# log(1 - p) - log(p) unclamped (+-inf), while xtgrad differentiates the clamped loss (+-100).
op("losses", "bce_extremes",
   p=given([0, 0, 1, 1, 1e-13, 1e-50, 0.5]), t=const(given([0, 1, 0, 1, 1, 1, 0])))(bce)
op("losses", "bce_logits", z=uniform(-4, 4, 2, 3), t=const(binary(2, 3)))(bce_logits)
op("losses", "bce_logits_soft_targets", z=uniform(-4, 4, 2, 3), t=uniform(0, 1, 2, 3))(bce_logits)
op("losses", "bce_logits_extremes",
   z=given([-1000, -1000, 1000, 1000, -30, 30]), t=const(given([0, 1, 0, 1, 1, 0])))(bce_logits)
op("losses", "bce_logits_at_zero", z=given([0.0, 0.0]), t=const(given([0, 1])))(bce_logits)

# === semantics ===================================================================================
# A value used twice sums the gradients of both uses.
op("semantics", "reuse_x_times_x", x=randn(2, 3))(lambda x: x * x)
op("semantics", "reuse_c_plus_c", c=randn(2, 3))(lambda c: c + c)
op("semantics", "reuse_diamond", a=randn(2, 3), b=randn(2, 3))(
    lambda a, b: (lambda y: y * torch.exp(y) + y)(a * b))


@semantic("semantics", "accumulate_two_backward", x=randn(2, 3), w=randn(2, 3))
def _(x, w):
    y = (x * w).sum()
    y.backward(retain_graph=True)
    y.backward()
    return {"y": y}


@semantic("semantics", "accumulate_two_graphs", x=randn(2, 3), w=randn(2, 3))
def _(x, w):
    (x * x).sum().backward()
    (x * w).sum().backward()
    return {}


# The grad tensor seen after the first backward is the one the second adds to, in place.
@semantic("semantics", "accumulate_in_place", x=randn(3))
def _(x):
    y = (x * x * x).sum()
    y.backward(retain_graph=True)
    g = x.grad
    first = g.clone()
    y.backward()
    return {"first": first, "g_after_second": g}


@semantic("semantics", "backward_grad_output", x=randn(2, 3), w=randn(2, 3), v=const(randn(2, 3)))
def _(x, w, v):
    y = x * w
    y.backward(v)
    return {"y": y}


@semantic("semantics", "backward_two_outputs", x=randn(2, 3), v=const(randn(2, 3)))
def _(x, v):
    y1 = torch.exp(x)
    y2 = (x * x).sum()
    torch.autograd.backward([y1, y2], [v, torch.tensor(2.0)])
    return {"y1": y1, "y2": y2}


@semantic("semantics", "detach_stops_gradient", x=randn(2, 3), w=randn(2, 3))
def _(x, w):
    y = (x.detach() * w + x * x).sum()
    y.backward()
    return {"y": y, "detached_requires_grad": flag(x.detach().requires_grad)}


@semantic("semantics", "detach_only_path", x=randn(2, 3), w=randn(2, 3))
def _(x, w):
    y = (x.detach() * w).sum()  # x is only reached through detach: its grad stays None
    y.backward()
    return {"y": y}


@semantic("semantics", "no_grad_section", x=randn(2, 3), w=randn(2, 3))
def _(x, w):
    with torch.no_grad():
        z = x * 3.0
    y = (z * w).sum()
    y.backward()
    return {"y": y, "z": z, "z_requires_grad": flag(z.requires_grad)}


@semantic("semantics", "no_grad_then_grad", x=randn(2, 3))
def _(x):
    with torch.no_grad():
        s = (x * 2.0).sum()
    y = (x * s).sum()  # recorded again after the section: d/dx = s, a constant
    y.backward()
    return {"y": y, "s_requires_grad": flag(s.requires_grad),
            "y_requires_grad": flag(y.requires_grad)}


@semantic("semantics", "requires_grad_propagation", x=randn(2, 3), c=const(randn(2, 3)))
def _(x, c):
    return {"x_times_c": flag((x * c).requires_grad), "c_times_c": flag((c * c).requires_grad),
            "exp_c": flag(torch.exp(c).requires_grad), "x_leaf": flag(x.is_leaf),
            "x_times_c_leaf": flag((x * c).is_leaf)}


# requires_grad_(True) on a non-leaf is allowed and changes nothing (False would raise).
@semantic("semantics", "requires_grad_true_on_nonleaf", x=randn(2, 3), w=randn(2, 3))
def _(x, w):
    h = x * w
    h.requires_grad_(True)
    y = (h * h).sum()
    y.backward()
    return {"y": y, "h_requires_grad": flag(h.requires_grad), "h_leaf": flag(h.is_leaf)}


@semantic("semantics", "retain_grad_nonleaf", x=randn(2, 3), w=randn(2, 3))
def _(x, w):
    h = x * w
    h.retain_grad()
    y = (h * h).sum()
    y.backward()
    return {"y": y, "h_grad": h.grad}


@semantic("semantics", "retain_grad_used_twice", x=randn(2, 3))
def _(x):
    h = torch.tanh(x)
    h.retain_grad()
    y = (h * h + h).sum()
    y.backward()
    return {"y": y, "h_grad": h.grad}


# torch.autograd.grad returns the gradients and leaves .grad alone (None).
@semantic("semantics", "grad_functional", x=randn(2, 3), w=randn(2, 3))
def _(x, w):
    y = (torch.tanh(x) * w).sum()
    gx, gw = torch.autograd.grad(y, [x, w])
    return {"y": y, "gx": gx, "gw": gw}


@semantic("semantics", "grad_functional_nonleaf", x=randn(2, 3), w=randn(2, 3))
def _(x, w):
    h = x * w
    y = torch.tanh(h).sum()
    (gh,) = torch.autograd.grad(y, [h])
    return {"y": y, "gh": gh}


@semantic("semantics", "grad_functional_grad_output", x=randn(2, 3), v=const(randn(2, 3)))
def _(x, v):
    y = torch.sigmoid(x)
    (gx,) = torch.autograd.grad(y, [x], grad_outputs=[v])
    return {"y": y, "gx": gx}


# After backward(create_graph=True), a.grad and b.grad are separate tensors even though add's
# backward passes one gradient to both: a later backward adds into a.grad only.
@semantic("semantics", "create_graph_grads_not_shared", a=randn(3), b=randn(3))
def _(a, b):
    y = (a + b).sum()
    y.backward(create_graph=True)
    (a * a).sum().backward()
    return {"y": y}


# The grad_output given to backward(create_graph=True) is not the tensor that becomes x.grad:
# the second backward adds into x.grad and leaves v as it was.
@semantic("semantics", "create_graph_grad_output_untouched", x=randn(3), c=const(randn(3)),
          v=const(randn(3)))
def _(x, c, v):
    y = x + c
    y.backward(v, create_graph=True)
    (x * x).sum().backward()
    return {"v": v}


# === higher-order derivatives ====================================================================
# backward(create_graph=True) leaves g = x.grad with a history; backward of sum(g * g) then adds
# d/dx sum(g^2) = 2 H g into x.grad (which is g itself, updated in place).
def second_backward(f):
    def program(x):
        y = f(x).sum()
        y.backward(create_graph=True)
        g = x.grad
        first = g.detach().clone()
        (g * g).sum().backward()
        return {"y": y, "first": first}
    return program


semantic("higher_order", "second_backward_tanh", x=randn(2, 3))(second_backward(torch.tanh))
semantic("higher_order", "second_backward_exp", x=randn(2, 3))(second_backward(torch.exp))


# The functional form: g = d(sum f(x))/dx with create_graph, then x.grad = d/dx sum(g * g).
def second_grad(f):
    def program(x):
        y = f(x).sum()
        (g,) = torch.autograd.grad(y, [x], create_graph=True)
        (g * g).sum().backward()
        return {"y": y, "g": g}
    return program


semantic("higher_order", "second_grad_tanh", x=randn(2, 3))(second_grad(torch.tanh))
semantic("higher_order", "second_grad_sigmoid", x=randn(2, 3))(second_grad(torch.sigmoid))
semantic("higher_order", "second_grad_exp", x=randn(2, 3))(second_grad(torch.exp))
semantic("higher_order", "second_grad_log", x=uniform(0.3, 2, 2, 3))(second_grad(torch.log))
semantic("higher_order", "second_grad_pow", x=uniform(0.3, 2, 2, 3))(
    second_grad(lambda x: torch.pow(x, 2.5)))
semantic("higher_order", "second_grad_softplus", x=given([-3, -0.5, 0.4, 2]))(
    second_grad(F.softplus))


@semantic("higher_order", "second_grad_softmax", x=randn(2, 4), v=const(randn(2, 4)))
def _(x, v):
    y = (F.softmax(x, dim=-1) * v).sum()  # weighted: sum(softmax) alone is constant
    (g,) = torch.autograd.grad(y, [x], create_graph=True)
    (g * g).sum().backward()
    return {"y": y, "g": g}


@semantic("higher_order", "second_grad_log_softmax", x=randn(2, 4), v=const(randn(2, 4)))
def _(x, v):
    y = (F.log_softmax(x, dim=-1) * v).sum()
    (g,) = torch.autograd.grad(y, [x], create_graph=True)
    (g * g).sum().backward()
    return {"y": y, "g": g}


@semantic("higher_order", "second_grad_matmul", a=randn(2, 3), b=randn(3, 4), v=const(randn(2, 4)))
def _(a, b, v):
    y = (torch.tanh(a @ b) * v).sum()
    ga, gb = torch.autograd.grad(y, [a, b], create_graph=True)
    ((ga * ga).sum() + (gb * gb).sum()).backward()
    return {"y": y, "ga": ga, "gb": gb}


@semantic("higher_order", "second_grad_matmul_transposed", a=randn(3, 2), b=randn(4, 3))
def _(a, b):
    y = torch.sigmoid(a.t() @ b.t()).sum()
    ga, gb = torch.autograd.grad(y, [a, b], create_graph=True)
    ((ga * ga).sum() + (ga * 0.5).sum() + (gb * gb * gb).sum()).backward()
    return {"y": y, "ga": ga, "gb": gb}


@semantic("higher_order", "second_grad_bce", p=uniform(0.1, 0.9, 2, 3), t=const(binary(2, 3)))
def _(p, t):
    y = bce(p, t).sum()
    (g,) = torch.autograd.grad(y, [p], create_graph=True)
    (g * g).sum().backward()
    return {"y": y, "g": g}


@semantic("higher_order", "second_grad_bce_logits", z=uniform(-3, 3, 2, 3), t=const(binary(2, 3)))
def _(z, t):
    y = bce_logits(z, t).sum()
    (g,) = torch.autograd.grad(y, [z], create_graph=True)
    (g * g).sum().backward()
    return {"y": y, "g": g}


# The mixed partial: d/dw of dy/dx.
@semantic("higher_order", "second_grad_mixed", x=randn(3), w=randn(3))
def _(x, w):
    y = (x * x * w).sum()
    (gx,) = torch.autograd.grad(y, [x], create_graph=True)
    gx.sum().backward()  # x.grad = 2 w, w.grad = 2 x
    return {"y": y, "gx": gx}


@semantic("higher_order", "third_derivative_pow", x=randn(3))
def _(x):
    y = torch.pow(x, 4.0).sum()
    (g1,) = torch.autograd.grad(y, [x], create_graph=True)           # 4 x^3
    (g2,) = torch.autograd.grad(g1.sum(), [x], create_graph=True)    # 12 x^2
    g2.sum().backward()                                              # x.grad = 24 x
    return {"y": y, "g1": g1, "g2": g2}


# A gradient penalty: the squared norm of the loss's gradient, differentiated again.
@semantic("higher_order", "second_grad_mlp_tanh", x=const(randn(4, 3)), t=const(randn(4, 1)),
          w1=randn(3, 5), b1=randn(5), w2=randn(5, 1), b2=randn(1))
def _(x, t, w1, b1, w2, b2):
    out = torch.tanh(x @ w1 + b1) @ w2 + b2
    loss = torch.square(out - t).mean()
    grads = torch.autograd.grad(loss, [w1, b1, w2, b2], create_graph=True)
    sum((g * g).sum() for g in grads).backward()
    return {"loss": loss, "gw1": grads[0], "gb1": grads[1], "gw2": grads[2], "gb2": grads[3]}


# === composites ==================================================================================
@op("composite", "mlp_bce_mean", x=const(randn(4, 3)), t=const(binary(4, 1)),
    w1=randn(3, 5), b1=randn(5), w2=randn(5, 1), b2=randn(1))
def _(x, t, w1, b1, w2, b2):
    h = torch.tanh(x @ w1 + b1)          # (4, 5)
    p = torch.sigmoid(h @ w2 + b2)       # (4, 1)
    return bce(p, t).mean()


@op("composite", "mlp_relu_bce_logits", x=const(randn(4, 3)), t=const(binary(4, 2)),
    w1=randn(3, 5), b1=randn(5), w2=randn(5, 2), b2=randn(2))
def _(x, t, w1, b1, w2, b2):
    h = torch.relu(x @ w1 + b1)
    return bce_logits(h @ w2 + b2, t).mean()


ONE_HOT = np.eye(3)[[0, 2, 1, 2]]  # classes 0, 2, 1, 2


@op("composite", "softmax_cross_entropy", x=const(randn(4, 3)), t=const(given(ONE_HOT)),
    w=randn(3, 3), b=randn(3))
def _(x, t, w, b):
    logits = x @ w + b
    return -(t * F.log_softmax(logits, dim=-1)).sum(dim=-1).mean()


@op("composite", "autoencoder_mse", x=const(uniform(0, 1, 4, 6)), we=randn(6, 2), wd=randn(2, 6))
def _(x, we, wd):
    z = torch.tanh(x @ we)
    reconstruction = torch.sigmoid(z @ wd)
    return torch.square(reconstruction - x).mean()


# KL(N(mu, e^logvar) || N(0, 1)) summed over latents, averaged over the batch.
@op("composite", "kl_gaussian", mu=randn(4, 2), logvar=randn(4, 2))
def _(mu, logvar):
    return (-0.5 * (1.0 + logvar - mu * mu - torch.exp(logvar)).sum(dim=1)).mean()


@op("composite", "layer_norm", x=randn(3, 5), gain=randn(5))
def _(x, gain):
    centered = x - x.mean(dim=-1, keepdim=True)
    variance = torch.square(centered).mean(dim=-1, keepdim=True)
    return centered / torch.sqrt(variance + 1e-5) * gain


# === images: convolution, pooling, upsampling (NCHW) =============================================
op("images", "conv2d", x=randn(2, 3, 5, 6), w=randn(4, 3, 3, 3), b=randn(4))(
    lambda x, w, b: F.conv2d(x, w, b))
op("images", "conv2d_stride_padding", x=randn(2, 2, 7, 6), w=randn(3, 2, 3, 2), b=randn(3))(
    lambda x, w, b: F.conv2d(x, w, b, stride=(2, 3), padding=(1, 2)))
op("images", "conv2d_dilation", x=randn(1, 2, 8, 7), w=randn(2, 2, 3, 3))(
    lambda x, w: F.conv2d(x, w, stride=(1, 2), padding=2, dilation=(2, 3)))
# Keras's padding='same' for a 3x3 kernel at stride 1.
op("images", "conv2d_same_padding", x=randn(2, 1, 7, 7), w=randn(4, 1, 3, 3), b=randn(4))(
    lambda x, w, b: F.conv2d(x, w, b, padding=1))
op("images", "conv_transpose2d", x=randn(2, 3, 4, 3), w=randn(3, 2, 3, 3), b=randn(2))(
    lambda x, w, b: F.conv_transpose2d(x, w, b))
op("images", "conv_transpose2d_stride_output_padding", x=randn(1, 2, 3, 4), w=randn(2, 3, 3, 2),
   b=randn(3))(
    lambda x, w, b: F.conv_transpose2d(x, w, b, stride=(2, 3), padding=(1, 0), output_padding=(1, 2)))
op("images", "conv_transpose2d_dilation", x=randn(1, 2, 4, 4), w=randn(2, 2, 2, 3))(
    lambda x, w: F.conv_transpose2d(x, w, stride=2, padding=1, dilation=(2, 1)))
op("images", "max_pool2d", x=randn(2, 2, 4, 6))(lambda x: F.max_pool2d(x, 2))
op("images", "max_pool2d_stride_padding", x=randn(1, 2, 7, 6))(
    lambda x: F.max_pool2d(x, 3, stride=2, padding=1))
op("images", "max_pool2d_ceil_mode", x=randn(1, 2, 5, 7))(
    lambda x: F.max_pool2d(x, (2, 3), stride=2, ceil_mode=True))
op("images", "max_pool2d_ceil_mode_padding", x=randn(1, 1, 6, 6))(
    lambda x: F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True))
# Ties: PyTorch sends a window's whole gradient to its first maximum (row-major order).
POOL_TIES = [[[[1, 5, 5, 2, 0], [5, 0, 3, 3, 0], [0, 0, 7, 7, 1], [0, 0, 7, 7, 1]],
              [[2, 2, 2, 2, 2], [2, 2, 2, 2, 2], [-1, -1, 4, 0, 4], [-1, -1, 0, 4, 4]]]]
op("images", "max_pool2d_ties", x=given(POOL_TIES))(lambda x: F.max_pool2d(x, 2, ceil_mode=True))
# Overlapping windows: a pixel that is the maximum of several windows gets all their gradients.
op("images", "max_pool2d_ties_overlapping", x=given(POOL_TIES))(
    lambda x: F.max_pool2d(x, 2, stride=1))
op("images", "upsample_nearest2d", x=randn(2, 2, 3, 2))(
    lambda x: F.interpolate(x, scale_factor=(2, 3), mode="nearest"))


# The Keras blog's convolutional autoencoder, in miniature: conv, relu, pool, upsample, conv,
# sigmoid, binary cross-entropy against the input.
@op("images", "conv_autoencoder_bce", x=const(uniform(0, 1, 2, 1, 6, 6)), w1=randn(3, 1, 3, 3),
    b1=randn(3), w2=randn(1, 3, 3, 3), b2=randn(1))
def _(x, w1, b1, w2, b2):
    code = F.max_pool2d(torch.relu(F.conv2d(x, w1, b1, padding=1)), 2)       # (2, 3, 3, 3)
    up = F.interpolate(code, scale_factor=2, mode="nearest")                 # (2, 3, 6, 6)
    return bce(torch.sigmoid(F.conv2d(up, w2, b2, padding=1)), x).mean()


# Second derivatives through every image op: the squared norm of the gradients, differentiated.
@semantic("images", "second_grad_conv2d", x=randn(1, 2, 5, 5), w=randn(3, 2, 3, 3))
def _(x, w):
    loss = torch.tanh(F.conv2d(x, w, stride=2, padding=1, dilation=(1, 2))).square().sum()
    gx, gw = torch.autograd.grad(loss, [x, w], create_graph=True)
    ((gx * gx).sum() + (gw * gw).sum()).backward()
    return {"loss": loss, "gx": gx, "gw": gw}


@semantic("images", "second_grad_pool_upsample_transpose", x=randn(1, 2, 4, 4),
          w=randn(2, 2, 3, 3))
def _(x, w):
    up = F.interpolate(F.max_pool2d(torch.tanh(x), 2), scale_factor=2, mode="nearest")
    loss = torch.sigmoid(F.conv_transpose2d(up, w, stride=2, padding=1, output_padding=1)).sum()
    gx, gw = torch.autograd.grad(loss, [x, w], create_graph=True)
    ((gx * gx).sum() + (gw * gw).sum()).backward()
    return {"loss": loss, "gx": gx, "gw": gw}


# --- running and writing -------------------------------------------------------------------------

def encode(t):
    t = t.detach()
    return {"shape": list(t.shape), "values": t.reshape(-1).tolist()}


def run(program):
    rng = np.random.default_rng(zlib.crc32(program.name.encode()))
    tensors = {}
    inputs = []
    for name, spec in program.inputs.items():
        values = np.asarray(spec.draw(rng), dtype=np.float64)
        tensors[name] = torch.tensor(values, requires_grad=spec.requires_grad)
        inputs.append({"name": name, "requires_grad": spec.requires_grad, **encode(tensors[name])})
    entry = {"group": program.group, "name": program.name, "kind": program.kind, "inputs": inputs}
    if program.kind == "op":
        y = program.fn(**tensors)
        grad_output = None
        if y.numel() == 1:
            y.backward()
        else:
            grad_output = torch.tensor(rng.standard_normal(tuple(y.shape)))
            y.backward(grad_output)
        entry["outputs"] = {"y": encode(y)}
        entry["grad_output"] = None if grad_output is None else encode(grad_output)
    else:
        entry["outputs"] = {name: encode(value) for name, value in program.fn(**tensors).items()}
    entry["grads"] = {name: None if t.grad is None else encode(t.grad)
                      for name, t in tensors.items()}
    return entry


def dump(value, indent=0):
    """JSON with sorted keys, one key per line, and each list of numbers on one line."""
    pad = " " * (indent + 1)
    if isinstance(value, dict) and value:
        items = [f"{pad}{json.dumps(k)}: {dump(value[k], indent + 1)}" for k in sorted(value)]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        items = [pad + dump(v, indent + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"
    return json.dumps(value, allow_nan=False)  # a non-finite number is a mistake here


def main():
    names = [p.name for p in PROGRAMS]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SystemExit(f"duplicate program names: {duplicates}")
    document = {
        "generated_by": "tests/autograd/conformance/make_conformance.py",
        "torch_version": torch.__version__,
        "programs": [run(p) for p in PROGRAMS],
    }
    OUT.write_text(dump(document) + "\n")
    print(f"wrote {len(PROGRAMS)} programs to {OUT}")


if __name__ == "__main__":
    main()
