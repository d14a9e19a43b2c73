"""Times torch.mm for the GEMM shapes given as JSON on argv[1]; prints JSON timings (seconds per call).

Same protocol as bench/Recur.Bench/Timing.cs: warm up, size a sample to >= min_sample seconds, time `samples`
samples and print them all (the C# side pools rounds and takes the median). Run with /usr/bin/python3 (Debian's torch 1.13) and OMP_NUM_THREADS=2.
"""
import json
import sys

import torch

from timing import sample


def main():
    request = json.loads(sys.argv[1])
    torch.set_num_threads(request.get("threads", 2))
    torch.manual_seed(0)
    results = {}
    for shape in request["shapes"]:
        m, n, k = shape["m"], shape["n"], shape["k"]
        # Stored like the C# operands: A is k x m when trans_a, B is n x k when trans_b; op() is a view.
        a = torch.rand(k, m) if shape["trans_a"] else torch.rand(m, k)
        b = torch.rand(n, k) if shape["trans_b"] else torch.rand(k, n)
        opa = a.t() if shape["trans_a"] else a
        opb = b.t() if shape["trans_b"] else b
        c = torch.empty(m, n)
        results[shape["name"]] = {"samples": sample(lambda: torch.mm(opa, opb, out=c), request.get("samples", 21))}
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "results": results}))


if __name__ == "__main__":
    main()
