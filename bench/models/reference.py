#!/usr/bin/python3
"""References for bench/models: OpenCV's dnn on the same frozen .pb files
tfport runs, and PyTorch (Debian python3-torch) on torch.nn equivalents of
the same architectures, traced with TorchScript.

Called by models_bench with the directory it wrote; prints one JSON object:
  {"opencv": {"<model>": {"<batch>x<threads>": ms}},
   "torch": {...}, "torch_opt": {...},
   "opencv_check": {"<model>": max |opencv - tfport| on tfport's batch-1 input}}
Times are medians of `runs` runs after `warmup` runs, in milliseconds.
"""
import argparse
import json
import os
import sys
import time

import numpy as np


def median_ms(fn, runs, warmup):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    times.sort()
    return times[len(times) // 2]


# ---------------------------------------------------------------- OpenCV

def run_opencv(args, result):
    import cv2
    result["opencv"] = {}
    result["opencv_check"] = {}
    for model in args.models:
        pb = os.path.join(args.dir, model + ".pb")
        size = args.size
        result["opencv"][model] = {}
        try:
            net = cv2.dnn.readNetFromTensorflow(pb)
            net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
            net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
        except cv2.error as e:
            result["opencv"][model] = {"error": str(e).strip().splitlines()[-1]}
            continue
        # tfport's batch-1 input and output, written by models_bench.
        x_path = os.path.join(args.dir, model + ".input.f32")
        y_path = os.path.join(args.dir, model + ".output.f32")
        if os.path.exists(x_path) and os.path.exists(y_path):
            x = np.fromfile(x_path, dtype=np.float32).reshape(1, size, size, 3)
            want = np.fromfile(y_path, dtype=np.float32).reshape(1, -1)
            net.setInput(x.transpose(0, 3, 1, 2).copy())
            got = net.forward().reshape(1, -1)
            result["opencv_check"][model] = float(np.abs(got - want).max())
        for threads in args.threads:
            cv2.setNumThreads(threads)
            for batch in args.batches:
                blob = np.random.RandomState(7).uniform(
                    -1, 1, (batch, 3, size, size)).astype(np.float32)

                def fn():
                    net.setInput(blob)
                    net.forward()
                result["opencv"][model]["%dx%d" % (batch, threads)] = median_ms(
                    fn, args.runs, args.warmup)


# ---------------------------------------------------------------- PyTorch

def torch_models():
    import torch
    from torch import nn

    def conv_bn(cin, cout, k, stride, act, groups=1, bias=False):
        layers = [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=bias),
                  nn.BatchNorm2d(cout, eps=1e-3)]
        if act == "relu":
            layers.append(nn.ReLU())
        elif act == "relu6":
            layers.append(nn.ReLU6())
        return nn.Sequential(*layers)

    class Head(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.fc = nn.Linear(c, 1000)

        def forward(self, x):
            return torch.softmax(self.fc(x.mean((2, 3))), dim=1)

    def mobilenet_v1():
        layers = [conv_bn(3, 32, 3, 2, "relu6")]
        c = 32
        for out, s in [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1),
                       (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]:
            layers += [conv_bn(c, c, 3, s, "relu6", groups=c), conv_bn(c, out, 1, 1, "relu6")]
            c = out
        return nn.Sequential(*layers, Head(c))

    class InvertedResidual(nn.Module):
        def __init__(self, cin, cout, s, t):
            super().__init__()
            hidden = cin * t
            layers = []
            if t != 1:
                layers.append(conv_bn(cin, hidden, 1, 1, "relu6"))
            layers += [conv_bn(hidden, hidden, 3, s, "relu6", groups=hidden),
                       conv_bn(hidden, cout, 1, 1, "")]
            self.body = nn.Sequential(*layers)
            self.residual = s == 1 and cin == cout

        def forward(self, x):
            y = self.body(x)
            return x + y if self.residual else y

    def mobilenet_v2():
        layers = [conv_bn(3, 32, 3, 2, "relu6")]
        c = 32
        for t, out, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                             (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]:
            for r in range(n):
                layers.append(InvertedResidual(c, out, s if r == 0 else 1, t))
                c = out
        layers.append(conv_bn(c, 1280, 1, 1, "relu6"))
        return nn.Sequential(*layers, Head(1280))

    class Bottleneck(nn.Module):
        def __init__(self, cin, filters, stride, project):
            super().__init__()
            # Keras ResNet50 v1: stride in the first 1x1, convolutions with bias.
            self.body = nn.Sequential(conv_bn(cin, filters, 1, stride, "relu", bias=True),
                                      conv_bn(filters, filters, 3, 1, "relu", bias=True),
                                      conv_bn(filters, filters * 4, 1, 1, "", bias=True))
            self.shortcut = (conv_bn(cin, filters * 4, 1, stride, "", bias=True)
                             if project else nn.Identity())

        def forward(self, x):
            return torch.relu(self.shortcut(x) + self.body(x))

    def resnet50():
        layers = [conv_bn(3, 64, 7, 2, "relu", bias=True), nn.MaxPool2d(3, 2, 1)]
        c = 64
        for stage, depth in enumerate([3, 4, 6, 3]):
            filters = 64 << stage
            for blk in range(depth):
                stride = 2 if blk == 0 and stage > 0 else 1
                layers.append(Bottleneck(c, filters, stride, blk == 0))
                c = filters * 4
        return nn.Sequential(*layers, Head(c))

    class Mixed(nn.Module):
        def __init__(self, cin, b1, b3r, b3, b5r, b5, bp):
            super().__init__()
            self.p1 = conv_bn(cin, b1, 1, 1, "relu")
            self.p3 = nn.Sequential(conv_bn(cin, b3r, 1, 1, "relu"), conv_bn(b3r, b3, 3, 1, "relu"))
            self.p5 = nn.Sequential(conv_bn(cin, b5r, 1, 1, "relu"), conv_bn(b5r, b5, 5, 1, "relu"))
            self.pp = nn.Sequential(nn.MaxPool2d(3, 1, 1), conv_bn(cin, bp, 1, 1, "relu"))

        def forward(self, x):
            return torch.cat([self.p1(x), self.p3(x), self.p5(x), self.pp(x)], 1)

    def inception_blocks():
        return nn.Sequential(
            conv_bn(3, 64, 7, 2, "relu"), nn.MaxPool2d(3, 2, 1), conv_bn(64, 64, 1, 1, "relu"),
            conv_bn(64, 192, 3, 1, "relu"), nn.MaxPool2d(3, 2, 1),
            Mixed(192, 64, 96, 128, 16, 32, 32), Mixed(256, 128, 128, 192, 32, 96, 64),
            nn.MaxPool2d(3, 2, 1), Mixed(480, 192, 96, 208, 16, 48, 64), Head(512))

    return {"mobilenet_v1": mobilenet_v1, "mobilenet_v2": mobilenet_v2,
            "resnet50_v1": resnet50, "inception_blocks": inception_blocks}


def run_torch(args, result):
    import torch
    builders = torch_models()
    result["torch"] = {}
    result["torch_opt"] = {}
    result["torch_version"] = torch.__version__
    torch.manual_seed(0)
    for model in args.models:
        result["torch"][model] = {}
        result["torch_opt"][model] = {}
        net = builders[model]().eval()
        for threads in args.threads:
            torch.set_num_threads(threads)
            for batch in args.batches:
                x = torch.rand(batch, 3, args.size, args.size) * 2 - 1
                with torch.no_grad():
                    traced = torch.jit.freeze(torch.jit.trace(net, x))  # folds batch norm
                    fn = lambda: traced(x)
                    result["torch"][model]["%dx%d" % (batch, threads)] = median_ms(
                        fn, args.runs, args.warmup)
                    opt = torch.jit.optimize_for_inference(torch.jit.trace(net, x))
                    fn = lambda: opt(x)
                    result["torch_opt"][model]["%dx%d" % (batch, threads)] = median_ms(
                        fn, args.runs, args.warmup)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--models", required=True)
    p.add_argument("--batches", default="1,8")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--runs", type=int, default=30)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--skip", default="", help="comma list of opencv,torch")
    args = p.parse_args()
    args.models = args.models.split(",")
    args.batches = [int(v) for v in args.batches.split(",")]
    args.threads = [int(v) for v in args.threads.split(",")]
    skip = set(filter(None, args.skip.split(",")))
    result = {}
    if "opencv" not in skip:
        try:
            run_opencv(args, result)
        except ImportError as e:
            result["opencv_error"] = str(e)
    if "torch" not in skip:
        try:
            run_torch(args, result)
        except ImportError as e:
            result["torch_error"] = str(e)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
