#!/usr/bin/python3
"""Check a recurrent model written by Recur against PyTorch (the "and back" direction).

Usage, from the repository root, with Debian's interpreter (apt-get install python3-torch):

    /usr/bin/python3 tools/check_roundtrip.py FILE.safetensors [--prefix PREFIX]

FILE is a safetensors file (F32 tensors) written by Recur holding
  * the state dict of one torch.nn.RNN / LSTM / GRU under PyTorch's names
    (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, ..._reverse, ..._l1, ...),
  * probe_input: the input Recur ran, (T, B, I), or (B, T, I) when batch_first,
  * probe_output: Recur's output sequence on it (zero initial state),
  * metadata "mode" (RNN_TANH, RNN_RELU, LSTM, GRU), "input_size", "hidden_size",
    "num_layers", "bidirectional" and "batch_first" ("true"/"false"); "bias",
    if present, must be "true".
With --prefix (e.g. "lstm."), the module's parameters are the tensors named
PREFIX<name> and other tensors are ignored; without it, every tensor other than
probe_input and probe_output must be a parameter of the module.

The file is read with the hand-written reader in tools/safetensors_io.py, which
validates the format; the parameters are loaded strictly (no missing, unexpected
or mis-shaped tensor) into the torch module, which runs probe_input in float64.
Prints the maximum difference relative to the magnitude of the PyTorch output,
max|recur - torch| / max|torch|, and exits 0 if it is at most 1e-5, 1 if it is
larger, 2 if the file is invalid.
"""

import argparse
import sys

import numpy as np
import torch

from safetensors_io import SafetensorsError, canonical_layout_problems, read_safetensors

TOLERANCE = 1e-5
PROBES = ("probe_input", "probe_output")
REQUIRED_METADATA = ("mode", "input_size", "hidden_size", "num_layers",
                     "bidirectional", "batch_first")


def parse_bool(metadata, key):
    """Read a "true"/"false" metadata value."""
    value = metadata[key]
    if value not in ("true", "false"):
        raise SafetensorsError(f"metadata {key!r} is {value!r}, expected 'true' or 'false'")
    return value == "true"


def build_module(metadata):
    """Create the torch module the metadata describes (float64)."""
    missing = [key for key in REQUIRED_METADATA if key not in metadata]
    if missing:
        raise SafetensorsError(f"metadata lacks {', '.join(missing)}")
    if metadata.get("bias", "true") != "true":
        raise SafetensorsError("only bias=true modules are supported")
    kwargs = dict(input_size=int(metadata["input_size"]),
                  hidden_size=int(metadata["hidden_size"]),
                  num_layers=int(metadata["num_layers"]),
                  bidirectional=parse_bool(metadata, "bidirectional"),
                  batch_first=parse_bool(metadata, "batch_first"))
    mode = metadata["mode"]
    constructors = {
        "RNN_TANH": lambda: torch.nn.RNN(nonlinearity="tanh", **kwargs),
        "RNN_RELU": lambda: torch.nn.RNN(nonlinearity="relu", **kwargs),
        "LSTM": lambda: torch.nn.LSTM(**kwargs),
        "GRU": lambda: torch.nn.GRU(**kwargs),
    }
    if mode not in constructors:
        raise SafetensorsError(f"unknown mode {mode!r}")
    return constructors[mode]().double()


def select_parameters(tensors, prefix):
    """Return the module's state dict (prefix stripped) and the names of the
    other non-probe tensors, which are ignored (none when the prefix is empty)."""
    names = [name for name in tensors if name not in PROBES]
    chosen = [name for name in names if name.startswith(prefix)]
    ignored = sorted(set(names) - set(chosen))
    state = {name[len(prefix):]: torch.from_numpy(tensors[name]).double() for name in chosen}
    return state, ignored


def load_state(module, state):
    """Load `state` into `module` strictly, with a clear message on shape errors."""
    expected = module.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        raise SafetensorsError(f"state dict mismatch: missing {missing}, unexpected {unexpected}")
    for name, value in state.items():
        if value.shape != expected[name].shape:
            raise SafetensorsError(f"{name}: shape {list(value.shape)}, "
                                   f"expected {list(expected[name].shape)}")
    module.load_state_dict(state, strict=True)


def relative_difference(recur_output, torch_output):
    """max|recur - torch| / max|torch| (the absolute difference if torch is all zero)."""
    scale = float(np.abs(torch_output).max(initial=0.0)) or 1.0
    return float(np.abs(recur_output - torch_output).max(initial=0.0)) / scale


def check(path, prefix):
    """Validate `path`, rerun its probe in PyTorch and return the relative difference."""
    tensors, metadata = read_safetensors(path)
    for problem in canonical_layout_problems(path):
        print(f"note: {problem} (valid, but not the canonical layout)")
    missing = [name for name in PROBES if name not in tensors]
    if missing:
        raise SafetensorsError(f"missing tensors {', '.join(missing)}")
    module = build_module(metadata)
    state, ignored = select_parameters(tensors, prefix)
    if ignored:
        print(f"ignored (no prefix {prefix!r}): {', '.join(ignored)}")
    load_state(module, state)
    probe_input = torch.from_numpy(tensors["probe_input"]).double()
    with torch.no_grad():
        torch_output = module(probe_input)[0].numpy()
    recur_output = tensors["probe_output"].astype(np.float64)
    if recur_output.shape != torch_output.shape:
        raise SafetensorsError(f"probe_output shape {list(recur_output.shape)}, "
                               f"PyTorch gives {list(torch_output.shape)}")
    return relative_difference(recur_output, torch_output)


def main():
    """Command-line entry point; see the module docstring."""
    parser = argparse.ArgumentParser(
        description="Run a Recur-written RNN/LSTM/GRU state dict in PyTorch and compare probe_output.")
    parser.add_argument("file", help="safetensors file written by Recur")
    parser.add_argument("--prefix", default="",
                        help="name prefix of the module's parameters, e.g. 'lstm.'")
    args = parser.parse_args()
    try:
        difference = check(args.file, args.prefix)
    except (ValueError, OSError, RuntimeError) as error:  # SafetensorsError is a ValueError
        print(f"invalid: {error}", file=sys.stderr)
        return 2
    verdict = "OK" if difference <= TOLERANCE else "FAIL"
    print(f"max relative difference {difference:.3e} (tolerance {TOLERANCE:g}): {verdict}")
    return 0 if difference <= TOLERANCE else 1


if __name__ == "__main__":
    sys.exit(main())
