"""Writes tests/fixtures/optim_trajectories.json: PyTorch's optimizers and schedulers, step by step.

tests/nn/test_optimizers.cpp replays every optimizer run below with xtgrad, on the same problem
and from the same start, and checks the parameters after every step against the ones recorded
here; tests/nn/test_schedule.cpp does the same for the learning-rate sequences of the
schedulers. Rerun from the repository root with Debian's Python, which has PyTorch 1.13:

    /usr/bin/python3 tests/nn/conformance/make_optim_trajectories.py

The problem, in float64 (N = 8 samples, D = 3 inputs, H = 4 outputs):

    loss(W, b) = mean((tanh(X W + b) - Y)^2)      X (N, D), W (D, H), b (H,), Y (N, H)

with X, the start W0, b0 and the targets Y drawn from a NumPy generator with a fixed seed
(Y = tanh(X W_true + b_true) + noise, so the minimum is a proper one). Each run records the
loss before each step (what step(closure) returns) and W, b after it. The output is
byte-identical on every run: floats are written with repr, which round-trips exactly, and keys
are sorted.
"""
import json
import pathlib

import numpy as np
import torch

OUT = pathlib.Path(__file__).resolve().parents[2] / "data" / "optim_trajectories.json"
SEED = 20240607
N, D, H = 8, 3, 4

# --- the runs: (name, torch.optim class name, keyword arguments, steps) ---------------------------
# Every option is given explicitly, so that the C++ side builds exactly the same optimizer.
LBFGS_DEFAULTS = dict(tolerance_grad=1e-7, tolerance_change=1e-9)
RUNS = [
    ("sgd", "SGD", dict(lr=0.1, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False), 20),
    ("sgd_momentum_dampening_weight_decay", "SGD",
     dict(lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.01, nesterov=False), 20),
    ("sgd_nesterov", "SGD",
     dict(lr=0.1, momentum=0.8, dampening=0.0, weight_decay=0.01, nesterov=True), 20),
    ("adam", "Adam", dict(lr=0.05, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0), 20),
    ("adam_weight_decay", "Adam", dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1), 20),
    ("adamw", "AdamW", dict(lr=0.05, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1), 20),
    ("rmsprop", "RMSprop",
     dict(lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False), 20),
    ("rmsprop_centered_momentum_weight_decay", "RMSprop",
     dict(lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.01, momentum=0.5, centered=True), 20),
    ("adagrad_lr_decay_initial_accumulator", "Adagrad",
     dict(lr=0.1, lr_decay=0.05, weight_decay=0.01, initial_accumulator_value=0.1, eps=1e-10), 20),
    # L-BFGS: a few outer steps of a few iterations each, with a short history so that old pairs
    # are dropped. Not run to convergence: there, stopping tests on tiny differences could go
    # either way in the last bit and the two trajectories would part.
    ("lbfgs_strong_wolfe", "LBFGS",
     dict(lr=1.0, max_iter=4, max_eval=6, history_size=3, line_search_fn="strong_wolfe",
          **LBFGS_DEFAULTS), 4),
    # A first trial step t = lr that is too short (the line search extrapolates) ...
    ("lbfgs_strong_wolfe_extrapolate", "LBFGS",
     dict(lr=0.1, max_iter=4, max_eval=12, history_size=3, line_search_fn="strong_wolfe",
          **LBFGS_DEFAULTS), 4),
    # ... and one that is too long (it zooms in).
    ("lbfgs_strong_wolfe_zoom", "LBFGS",
     dict(lr=5.0, max_iter=4, max_eval=12, history_size=3, line_search_fn="strong_wolfe",
          **LBFGS_DEFAULTS), 4),
    ("lbfgs_fixed_step", "LBFGS",
     dict(lr=0.5, max_iter=5, max_eval=7, history_size=3, line_search_fn=None,
          **LBFGS_DEFAULTS), 6),
]

# --- the schedulers: (name, torch.optim.lr_scheduler class name, keyword arguments) --------------
SCHEDULE_INITIAL_LR = 0.1
SCHEDULE_EPOCHS = 25
SCHEDULES = [
    ("step_lr", "StepLR", dict(step_size=3, gamma=0.5)),
    ("exponential_lr", "ExponentialLR", dict(gamma=0.9)),
    ("cosine_annealing_lr", "CosineAnnealingLR", dict(T_max=10, eta_min=0.001)),
]


def problem():
    rng = np.random.default_rng(SEED)
    x = rng.standard_normal((N, D))
    w_true, b_true = rng.standard_normal((D, H)), 0.5 * rng.standard_normal(H)
    y = np.tanh(x @ w_true + b_true) + 0.1 * rng.standard_normal((N, H))
    w0, b0 = 0.5 * rng.standard_normal((D, H)), 0.5 * rng.standard_normal(H)
    return {"X": x, "Y": y, "W0": w0, "b0": b0}


def encode(a):
    a = np.asarray(a, dtype=np.float64)
    return {"shape": list(a.shape), "values": a.reshape(-1).tolist()}


def run(data, name, optimizer, options, steps):
    x, y = torch.tensor(data["X"]), torch.tensor(data["Y"])
    w = torch.tensor(data["W0"], requires_grad=True)
    b = torch.tensor(data["b0"], requires_grad=True)
    opt = getattr(torch.optim, optimizer)([w, b], **options)

    def closure():
        opt.zero_grad()
        loss = torch.mean(torch.square(torch.tanh(x @ w + b) - y))
        loss.backward()
        return loss

    losses, trajectory = [], []
    for _ in range(steps):
        losses.append(float(opt.step(closure)))
        trajectory.append({"W": encode(w.detach()), "b": encode(b.detach())})
    entry = {"name": name, "optimizer": optimizer, "options": options, "losses": losses,
             "params": trajectory}
    if optimizer == "LBFGS":
        state = opt.state[w]
        entry["func_evals"], entry["n_iter"] = state["func_evals"], state["n_iter"]
    return entry


def schedule(name, scheduler, options):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=SCHEDULE_INITIAL_LR)
    sched = getattr(torch.optim.lr_scheduler, scheduler)(opt, **options)
    lrs = [opt.param_groups[0]["lr"]]
    for _ in range(SCHEDULE_EPOCHS):
        opt.step()  # (PyTorch warns when the scheduler steps before the optimizer)
        sched.step()
        lrs.append(opt.param_groups[0]["lr"])
    return {"name": name, "scheduler": scheduler, "options": options,
            "initial_lr": SCHEDULE_INITIAL_LR, "lrs": lrs}


def dump(value, indent=0):
    """JSON with sorted keys, one key per line, and each list of numbers on one line."""
    pad = " " * (indent + 1)
    if isinstance(value, dict) and value:
        items = [f"{pad}{json.dumps(k)}: {dump(value[k], indent + 1)}" for k in sorted(value)]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    if isinstance(value, (list, tuple)) and any(isinstance(v, (dict, list)) for v in value):
        items = [pad + dump(v, indent + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"
    return json.dumps(value, allow_nan=False)  # a non-finite number is a mistake here


def main():
    torch.set_default_dtype(torch.float64)
    data = problem()
    document = {
        "generated_by": "tests/nn/conformance/make_optim_trajectories.py",
        "torch_version": torch.__version__,
        "problem": {key: encode(value) for key, value in data.items()},
        "runs": [run(data, *spec) for spec in RUNS],
        "schedules": [schedule(*spec) for spec in SCHEDULES],
    }
    OUT.write_text(dump(document) + "\n")
    print(f"wrote {len(RUNS)} optimizer runs and {len(SCHEDULES)} schedules to {OUT}")


if __name__ == "__main__":
    main()
