"""PyTorch peer of the `rnn` bench: times nn.LSTM / nn.GRU / nn.RNN training steps and inference on request.

Runs as a long-lived process so the C# bench can interleave its rounds with Recur's and ONNX Runtime's: it reads
one JSON request per line on stdin and answers one JSON line on stdout.
  {"cmd": "info"}  -> torch version, threads, the BLAS library actually mapped into the process
  {"cmd": "time", "name": ..., "cell": "lstm|gru|rnn", "mode": "train|infer", "B": .., "T": .., "I": .., "H": ..,
   "samples": n, "warmup": seconds}  -> {"samples": [seconds per call, ...]}
Same protocol as bench/Recur.Bench/Timing.cs (warm up, samples of >= 10 ms). Run with /usr/bin/python3 (Debian's
torch 1.13) and OMP_NUM_THREADS=2.
"""
import json
import sys

import torch

from timing import sample


def blas_libraries():
    # After a matmul, whichever BLAS torch resolved is mapped; this is the ground truth, not the build info.
    torch.mm(torch.rand(64, 64), torch.rand(64, 64))
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "blas" in line or "libgomp" in line or "mkl" in line}
    return sorted(paths)


_ops = {}


def build(req):
    modules = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}
    torch.manual_seed(0)
    net = modules[req["cell"]](req["I"], req["H"], num_layers=1)
    x = torch.rand(req["T"], req["B"], req["I"])
    if req["mode"] == "train":
        x.requires_grad_(True)
        grad = torch.rand(req["T"], req["B"], req["H"])

        def train_step():
            # Gradients w.r.t. all weights and the input, written fresh each step (as Recur's ZeroGrad + Backward).
            net.zero_grad(set_to_none=True)
            x.grad = None
            out, _ = net(x)
            out.backward(grad)

        return train_step

    net.eval()

    def infer():
        with torch.no_grad():
            net(x)

    return infer


def main():
    torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
    for line in sys.stdin:
        req = json.loads(line)
        if req["cmd"] == "info":
            reply = {"torch": torch.__version__, "threads": torch.get_num_threads(), "blas": blas_libraries()}
        else:
            op = _ops.get(req["name"])
            if op is None:
                op = _ops[req["name"]] = build(req)
            reply = {"samples": sample(op, req["samples"], req["warmup"])}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
