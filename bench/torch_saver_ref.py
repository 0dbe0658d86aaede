#!/usr/bin/python3
"""Reference for bench/saver_bench: torch.save / torch.load of the same
tensors (a dict of `count` float32 tensors, `mib` MiB in total).

usage: torch_saver_ref.py DIR MIB COUNT REPS  -> prints "save_s load_s"
(medians after one warm-up). Uses Debian's python3-torch.
"""
import os
import statistics
import sys
import time

import torch

d, mib, count, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
per = mib * (1 << 20) // 4 // count
tensors = {"v%03d" % i: torch.rand(per, dtype=torch.float32) for i in range(count)}
path = os.path.join(d, "torch.pt")


def timed(f):
    f()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


save_s = timed(lambda: torch.save(tensors, path))
load_s = timed(lambda: torch.load(path))
os.remove(path)
print("%.6f %.6f" % (save_s, load_s))
