#!/usr/bin/python3
"""Generate the PyTorch reference ("golden") files for Recur's tests.

Produces tests/Recur.Tests/Golden/<case>.safetensors, one per case in CASES
(torch.nn.RNN with tanh and relu, torch.nn.LSTM, torch.nn.GRU; six shapes each),
plus lstm_trained_state_dict.safetensors (an LSTM + Linear trained in Python).

Run from the repository root with Debian's interpreter, which has torch:

    /usr/bin/python3 tools/make_golden.py            # needs apt-get install python3-torch

Each case seeds torch.manual_seed(<seed>), builds the module with PyTorch's
default float32 initialisation, then draws in this order: input, h0 (and c0)
if the case passes an initial state, grad_output, grad_h_n (and grad_c_n), all
standard normal float32. Module and inputs are then converted to float64 and
forward and backward run in double, with
loss = sum(output*grad_output) + sum(h_n*grad_h_n) [+ sum(c_n*grad_c_n)],
so every stored result is the exact answer rounded to float32. Tensor names and
metadata are described in tools/README.md. Every file is read back and checked
(values, metadata, canonical layout) after it is written. The output is
deterministic: rerunning rewrites identical files with the same torch build.
"""

import argparse
import dataclasses
import math
import zlib
from pathlib import Path

import numpy as np
import torch

from safetensors_io import canonical_layout_problems, read_safetensors, write_safetensors

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "tests" / "Recur.Tests" / "Golden"

MODES = {"RNN_TANH": "rnn_tanh", "RNN_RELU": "rnn_relu", "LSTM": "lstm", "GRU": "gru"}


@dataclasses.dataclass(frozen=True)
class Case:
    """One golden case: a module configuration and the shapes fed to it."""
    name: str
    mode: str
    seq_len: int
    batch: int
    input_size: int
    hidden_size: int
    num_layers: int
    bidirectional: bool
    batch_first: bool
    has_initial_state: bool

    @property
    def seed(self):
        """Seed for torch.manual_seed, stable under reordering of CASES."""
        return zlib.crc32(self.name.encode("ascii")) & 0x7FFFFFFF

    @property
    def num_directions(self):
        """2 for a bidirectional module, else 1."""
        return 2 if self.bidirectional else 1


# (suffix, T, B, I, H, layers, bidirectional, batch_first, initial state)
SHAPES = [
    ("t1_b1", 1, 1, 7, 13, 1, False, False, False),
    ("init", 5, 3, 7, 13, 1, False, False, True),
    ("2layer", 4, 2, 7, 13, 2, False, False, False),
    ("bidir_init", 5, 3, 7, 13, 1, True, False, True),
    ("2layer_bidir_batchfirst_init", 6, 2, 5, 6, 2, True, True, True),
    ("t30", 30, 2, 3, 8, 1, False, False, False),
]

CASES = [Case(f"{prefix}_{suffix}", mode, *shape)
         for mode, prefix in MODES.items()
         for suffix, *shape in SHAPES]


def make_module(mode, input_size, hidden_size, num_layers, bidirectional, batch_first):
    """Build the torch.nn recurrent module for `mode` with default initialisation."""
    kwargs = dict(input_size=input_size, hidden_size=hidden_size, num_layers=num_layers,
                  bias=True, batch_first=batch_first, bidirectional=bidirectional)
    if mode == "RNN_TANH":
        return torch.nn.RNN(nonlinearity="tanh", **kwargs)
    if mode == "RNN_RELU":
        return torch.nn.RNN(nonlinearity="relu", **kwargs)
    if mode == "LSTM":
        return torch.nn.LSTM(**kwargs)
    if mode == "GRU":
        return torch.nn.GRU(**kwargs)
    raise ValueError(f"unknown mode {mode!r}")


def to_f32(tensor):
    """Detach a tensor and return it as a float32 numpy array (round to nearest)."""
    return tensor.detach().to(torch.float32).numpy()


def randn_double(*shape):
    """Standard normal float32 values, converted to float64, as a leaf tensor."""
    return torch.randn(*shape, dtype=torch.float32).double()


def run_case(case):
    """Run one case in float64 and return (tensors, metadata) for its file."""
    torch.manual_seed(case.seed)
    module = make_module(case.mode, case.input_size, case.hidden_size, case.num_layers,
                         case.bidirectional, case.batch_first).double()
    is_lstm = case.mode == "LSTM"
    t, b = case.seq_len, case.batch
    state_shape = (case.num_layers * case.num_directions, b, case.hidden_size)
    output_shape = (t, b, case.num_directions * case.hidden_size)
    if case.batch_first:
        output_shape = (b, t, output_shape[2])

    x = randn_double(*((b, t) if case.batch_first else (t, b)), case.input_size)
    x.requires_grad_(True)
    inputs = {"input": x}
    if case.has_initial_state:
        inputs["h0"] = randn_double(*state_shape).requires_grad_(True)
        if is_lstm:
            inputs["c0"] = randn_double(*state_shape).requires_grad_(True)
    upstream = {"grad_output": randn_double(*output_shape),
                "grad_h_n": randn_double(*state_shape)}
    if is_lstm:
        upstream["grad_c_n"] = randn_double(*state_shape)

    if not case.has_initial_state:
        output, state = module(x)
    elif is_lstm:
        output, state = module(x, (inputs["h0"], inputs["c0"]))
    else:
        output, state = module(x, inputs["h0"])
    results = {"output": output}
    if is_lstm:
        results["h_n"], results["c_n"] = state
    else:
        results["h_n"] = state

    loss = sum((results[name] * upstream["grad_" + name]).sum() for name in results)
    loss.backward()

    parameters = dict(module.named_parameters())
    assert list(parameters) == list(module.state_dict()), "state_dict != parameters"
    tensors = {}
    for group in (inputs, parameters, results, upstream):
        tensors.update({name: to_f32(value) for name, value in group.items()})
    for group in (inputs, parameters):
        tensors.update({"grad." + name: to_f32(value.grad) for name, value in group.items()})

    metadata = {
        "mode": case.mode,
        "input_size": str(case.input_size),
        "hidden_size": str(case.hidden_size),
        "num_layers": str(case.num_layers),
        "bidirectional": str(case.bidirectional).lower(),
        "batch_first": str(case.batch_first).lower(),
        "bias": "true",
        "has_initial_state": str(case.has_initial_state).lower(),
        "seq_len": str(t),
        "batch": str(b),
        "seed": str(case.seed),
        "torch_version": torch.__version__,
    }
    return tensors, metadata


class SineModel(torch.nn.Module):
    """LSTM followed by a Linear head; state_dict names are lstm.* and linear.*."""

    def __init__(self, input_size, hidden_size, num_layers):
        """Create the LSTM and the Linear(hidden_size, 1) head."""
        super().__init__()
        self.lstm = torch.nn.LSTM(input_size, hidden_size, num_layers)
        self.linear = torch.nn.Linear(hidden_size, 1)

    def forward(self, x):
        """Return (prediction, lstm output sequence) for a (T, B, I) input."""
        output, _ = self.lstm(x)
        return self.linear(output), output


def sine_windows(series, starts, seq_len, window):
    """Cut (T, B, window) inputs and (T, B, 1) next-value targets from `series`:
    the features at step t are (s[t], s[t-1], ..., s[t-window+1]), the target s[t+1]."""
    inputs, targets = [], []
    for start in starts:
        steps = range(start, start + seq_len)
        inputs.append([[series[t - k] for k in range(window)] for t in steps])
        targets.append([[series[t + 1]] for t in steps])
    return tuple(torch.tensor(np.array(rows, dtype=np.float32)).transpose(0, 1)
                 for rows in (inputs, targets))


def train_sine_model(seed=20240601, steps=200, train_len=20, train_batch=16):
    """Train SineModel(4, 16, 2) in float32 with Adam to predict the next value of
    a seeded sine-plus-noise series; return (tensors, metadata) for its file."""
    input_size, hidden_size, num_layers = 4, 16, 2
    probe_len, probe_batch = 10, 2
    torch.manual_seed(seed)
    model = SineModel(input_size, hidden_size, num_layers)
    length = 600
    phase = torch.arange(length, dtype=torch.float32) * (2 * math.pi / 25)
    series = (torch.sin(phase) + 0.1 * torch.randn(length)).tolist()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    first = input_size - 1
    last_start = length - 2 - train_len
    for _ in range(steps):
        starts = torch.randint(first, last_start, (train_batch,)).tolist()
        x, y = sine_windows(series, starts, train_len, input_size)
        loss = torch.nn.functional.mse_loss(model(x)[0], y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    probe_input, probe_target = sine_windows(series, [first, length // 2], probe_len, input_size)
    with torch.no_grad():
        prediction, output = model(probe_input)
    tensors = {name: to_f32(value) for name, value in model.state_dict().items()}
    tensors.update(probe_input=to_f32(probe_input), probe_output=to_f32(output),
                   probe_prediction=to_f32(prediction))
    metadata = {
        "mode": "LSTM",
        "input_size": str(input_size),
        "hidden_size": str(hidden_size),
        "num_layers": str(num_layers),
        "bidirectional": "false",
        "batch_first": "false",
        "bias": "true",
        "has_initial_state": "false",
        "seq_len": str(probe_len),
        "batch": str(probe_batch),
        "seed": str(seed),
        "torch_version": torch.__version__,
        "architecture": f"lstm = LSTM({input_size}, {hidden_size}, num_layers={num_layers}); "
                        f"linear = Linear({hidden_size}, 1) applied to every step of the LSTM output",
        "task": "predict s[t+1] from (s[t], s[t-1], s[t-2], s[t-3]); "
                "s = sin(2*pi*t/25) + 0.1*N(0,1)",
        "train_steps": str(steps),
        "train_final_loss": f"{loss.item():.6g}",
        "probe_mse": f"{torch.nn.functional.mse_loss(prediction, probe_target).item():.6g}",
    }
    return tensors, metadata


def write_and_verify(path, tensors, metadata):
    """Write a file, read it back with the hand-written reader and check that the
    values and metadata are identical and the layout canonical."""
    write_safetensors(path, tensors, metadata)
    read_tensors, read_metadata = read_safetensors(path)
    problems = canonical_layout_problems(path)
    if problems:
        raise AssertionError(f"{path}: {'; '.join(problems)}")
    if read_metadata != metadata:
        raise AssertionError(f"{path}: metadata differs after the round trip")
    if sorted(read_tensors) != sorted(tensors):
        raise AssertionError(f"{path}: tensor names differ after the round trip")
    for name, value in tensors.items():
        if value.shape != read_tensors[name].shape or not np.array_equal(
                value.view(np.uint32), read_tensors[name].view(np.uint32)):
            raise AssertionError(f"{path}: {name} differs after the round trip")


def main():
    """Generate every golden file into the output directory and list them."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"output directory (default {DEFAULT_OUT.relative_to(REPO_ROOT)})")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)

    jobs = [(case.name, lambda case=case: run_case(case)) for case in CASES]
    jobs.append(("lstm_trained_state_dict", train_sine_model))
    total = 0
    for name, job in jobs:
        path = args.out / f"{name}.safetensors"
        write_and_verify(path, *job())
        size = path.stat().st_size
        total += size
        print(f"{size:8d}  {path.name}")
    print(f"{total:8d}  total ({len(jobs)} files) in {args.out}")


if __name__ == "__main__":
    main()
