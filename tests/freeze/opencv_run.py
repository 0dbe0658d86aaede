#!/usr/bin/python3
"""Runs a frozen TensorFlow GraphDef with OpenCV's dnn module (the real
cv2.dnn.readNetFromTensorflow from Debian's python3-opencv), for
tests/freeze/opencv_test.cc.

usage: opencv_run.py MODEL.pb INPUT.npy OUTPUT.npy [OUTPUT_LAYER [NAME=IN.npy ...]]
INPUT.npy is NHWC (as TensorFlow feeds it); OpenCV takes NCHW blobs. With
NAME=IN.npy arguments (INPUT.npy then "-") each input layer NAME is set. A 4-D
output is transposed back to NHWC. Exit code 3 = OpenCV could not import the
graph (its message on stderr).
"""
import sys

import cv2
import numpy as np

model, inp, outp = sys.argv[1], sys.argv[2], sys.argv[3]
layer = sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] else None
named = [a.split("=", 1) for a in sys.argv[5:]]
try:
    net = cv2.dnn.readNetFromTensorflow(model)
except cv2.error as e:
    sys.stderr.write("readNetFromTensorflow failed: %s\n" % e)
    sys.exit(3)
net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
def blob_of(path):
    x = np.load(path).astype(np.float32)
    return np.ascontiguousarray(x.transpose(0, 3, 1, 2)) if x.ndim == 4 else x


if named:
    for name, path in named:
        net.setInput(blob_of(path), name)
else:
    net.setInput(blob_of(inp))
try:
    y = net.forward(layer) if layer else net.forward()
except cv2.error as e:
    sys.stderr.write("forward failed: %s\n" % e)
    sys.exit(4)
if y.ndim == 4:
    y = y.transpose(0, 2, 3, 1)
np.save(outp, np.ascontiguousarray(y.astype(np.float32)))
