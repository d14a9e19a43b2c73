"""The timing protocol shared by the PyTorch peers, the same as bench/Recur.Bench/Timing.cs: warm up, size a sample
to at least `min_sample` seconds so timer resolution does not matter, and return every sample (seconds per call);
the C# side pools the rounds and takes the median."""
import time


def sample(op, samples, warmup=0.3, min_sample=0.01):
    """Seconds per call of `op` for each of `samples` samples, after `warmup` seconds of calls."""
    start = time.perf_counter()
    calls = 0
    while calls < 3 or time.perf_counter() - start < warmup:
        op()
        calls += 1
    per_call = (time.perf_counter() - start) / calls
    inner = max(1, int(-(-min_sample // per_call)))
    times = []
    for _ in range(samples):
        t0 = time.perf_counter()
        for _ in range(inner):
            op()
        times.append((time.perf_counter() - t0) / inner)
    return times
