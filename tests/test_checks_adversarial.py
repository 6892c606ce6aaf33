"""Try to fool every self-check, as an adversarial learner would.

For each exercise: plausible wrong answers (off-by-one, transposed, flipped kernel, wrong
axis, float division, truncated, hard-coded for the first case, right only for square
inputs, mutating its input, returning the input) must all get ❌, and right answers
written in unusual ways (lists, other dtypes, a loop instead of numpy) must all get ✅.
No check may ever raise, and none may hang: a learner's endless loop gets "took too long".

The answer key of each wrong answer is independent of the check: the wrong answers are
written here, by hand, as a learner would write them.
"""

from __future__ import annotations

import math
import time
from types import SimpleNamespace

import numpy as np
import pytest

from helpers import checks, layers
from helpers.checks import core

# ---------------------------------------------------------------- right answers by hand


def conv_loop(image, kernel):
    image, kernel = np.asarray(image, float), np.asarray(kernel, float)
    kh, kw = kernel.shape[:2]
    out_h, out_w = image.shape[0] - kh + 1, image.shape[1] - kw + 1
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)
    return out


def conv_pure_python(image, kernel):
    """Lists in, a list of lists out: no numpy at all."""
    image, kernel = np.asarray(image).tolist(), np.asarray(kernel).tolist()
    kh, kw = len(kernel), len(kernel[0])
    rows, cols = len(image) - kh + 1, len(image[0]) - kw + 1
    return [[sum(image[i + a][j + b] * kernel[a][b] for a in range(kh) for b in range(kw))
             for j in range(cols)] for i in range(rows)]


def conv_views(image, kernel):
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    return np.einsum("ijkl,kl->ij", windows, kernel).astype(np.float32)


def full_convolution(k1, k2):
    """The full 2-D convolution of k1 and k2 by a loop (scatter form)."""
    h1, w1 = k1.shape
    h2, w2 = k2.shape
    out = np.zeros((h1 + h2 - 1, w1 + w2 - 1))
    for i in range(h1):
        for j in range(w1):
            out[i:i + h2, j:j + w2] += k1[i, j] * k2
    return out


def pool_loop(x, size, stride):
    x = np.asarray(x, float)
    out_h, out_w = (x.shape[0] - size) // stride + 1, (x.shape[1] - size) // stride + 1
    out = np.zeros((out_h, out_w) + x.shape[2:])
    for i in range(out_h):
        for j in range(out_w):
            out[i, j] = x[i * stride:i * stride + size,
                          j * stride:j * stride + size].max(axis=(0, 1))
    return out


def most_confused_loop(cm):
    best, where = -1, None
    for t in range(len(cm)):
        for p in range(len(cm)):
            if t != p and cm[t][p] > best:
                best, where = cm[t][p], (t, p)
    return where


def most_similar_loop(vectors, i):
    best, index = -math.inf, None
    for j, v in enumerate(vectors):
        if j == i:
            continue
        cos = float(v @ vectors[i]) / (np.linalg.norm(v) * np.linalg.norm(vectors[i]))
        if cos > best:
            best, index = cos, j
    return index


# ---------------------------------------------------------------- a fake Keras model
class _Layer(SimpleNamespace):
    def count_params(self):
        return self.params


def _layer(kind, name, shape, params):
    cls = type(kind, (_Layer,), {})
    return cls(name=name, output=SimpleNamespace(shape=(None, *shape)), params=params)


FAKE_MODEL = SimpleNamespace(layers=[
    _layer("Conv2D", "conv1", (26, 26, 32), 320),
    _layer("MaxPooling2D", "pool1", (13, 13, 32), 0),
    _layer("Conv2D", "conv2", (11, 11, 64), 18_496),
    _layer("MaxPooling2D", "pool2", (5, 5, 64), 0),
    _layer("Flatten", "flatten", (1600,), 0),
    _layer("Dense", "dense", (128,), 204_928),
    _layer("Dense", "output", (10,), 1_290),
])
LEDGER = {layer.name: (tuple(layer.output.shape[1:]), layer.params)
          for layer in FAKE_MODEL.layers}


def ledger_with(**changes):
    def answer():
        answers = dict(LEDGER)
        answers.update(changes)
        return answers
    return answer


# ---------------------------------------------------------------- the feature-map check
RNG = np.random.default_rng(11)
FM_IMAGE = RNG.random((9, 8, 1))
FM_KERNELS = RNG.normal(size=(3, 3, 1, 7))
FM_BIASES = RNG.normal(size=7) * 0.3
FM_EXPECTED = np.maximum(
    layers.conv2d_layer(FM_IMAGE[None], FM_KERNELS, FM_BIASES)[0], 0)


def run_kernel_feature_map(fn):
    return checks.check_kernel_feature_map(fn, FM_IMAGE, FM_KERNELS, FM_BIASES,
                                           FM_EXPECTED)


def one_map_right(image, kernels, biases, k):
    return np.maximum(layers.conv2d(image[:, :, 0], kernels[:, :, 0, k]) + biases[k], 0)


def one_map_loop(image, kernels, biases, k):
    return np.maximum(conv_loop(image[:, :, 0], kernels[:, :, 0, k]) + biases[k], 0)


# ---------------------------------------------------------------- answers, check by check
def _mutating(right, position=0):
    """A right function that also scribbles on its input `position` (a learner's
    in-place ``x[x < 0] = 0``, ``np.fill_diagonal(cm, 0)``, ...)."""
    def fn(*args):
        result = right(*[np.copy(a) if isinstance(a, np.ndarray) else a for a in args])
        target = args[position]
        if isinstance(target, np.ndarray):
            target.flat[0] = target.flat[0] - 1
        return result
    return fn


def _relu_in_place(x):
    x = np.asarray(x)
    x[x < 0] = 0  # changes the caller's array
    return x


def _fill_diagonal_in_place(cm):
    np.fill_diagonal(cm, -1)
    return tuple(int(v) for v in np.unravel_index(np.argmax(cm), cm.shape))


def _conv_square_only(image, kernel):
    k = kernel.shape[0]
    n = image.shape[0] - k + 1  # uses H for both sides
    return np.array([[np.sum(image[i:i + k, j:j + k] * kernel[:k, :k])
                      for j in range(n)] for i in range(n)])


def _combined_square_only(k1, k2):
    """Right when the combined kernel is square: the heights give both sides."""
    n = k1.shape[0] + k2.shape[0] - 1
    out = np.zeros((n, n))
    for i in range(k1.shape[0]):
        for j in range(k1.shape[1]):
            out[i:i + k2.shape[0], j:j + k2.shape[1]] += k1[i, j] * k2
    return out


def _pool_square_only(x, size, stride):
    n = (x.shape[0] - size) // stride + 1
    return np.array([[x[i * stride:i * stride + size, j * stride:j * stride + size]
                      .max(axis=(0, 1)) for j in range(n)] for i in range(n)])


def _pool_keeps_edges(x, size, stride):  # partial windows at the edges (ceil)
    out_h = math.ceil((x.shape[0] - size) / stride) + 1
    out_w = math.ceil((x.shape[1] - size) / stride) + 1
    return np.array([[x[i * stride:i * stride + size, j * stride:j * stride + size]
                      .max(axis=(0, 1)) for j in range(out_w)] for i in range(out_h)])


def _feature_maps_right(image, kernels):
    return np.stack([sum(conv_loop(image[:, :, c], kernels[:, :, c, f])
                         for c in range(image.shape[2]))
                     for f in range(kernels.shape[3])], axis=-1)


def _feature_stack_right(image, kernels):
    return np.dstack([conv_loop(image, kernels[:, :, f])
                      for f in range(kernels.shape[2])])


def _pooled_shape_right(shape, size, stride):
    return ((shape[0] - size) // stride + 1, (shape[1] - size) // stride + 1,
            *shape[2:])


def _window_sum_right(image, kernel, row, col):
    kh, kw = kernel.shape
    return sum(image[row + a, col + b] * kernel[a, b]
               for a in range(kh) for b in range(kw))


FUNCTION_CHECKS = {
    # name: (check, right answers, wrong answers)
    "check_conv2d": (checks.check_conv2d, {
        "the reference": layers.conv2d,
        "a loop": conv_loop,
        "pure Python lists": conv_pure_python,
        "sliding windows, float32": conv_views,
    }, {
        "flipped kernel (true convolution)": lambda im, k: conv_loop(im, k[::-1, ::-1]),
        "off by one (one output row too few)": lambda im, k: conv_loop(im, k)[:-1],
        "transposed output": lambda im, k: conv_loop(im, k).T,
        "right only for square inputs": _conv_square_only,
        "hard-coded for the lesson's image":
            lambda im, k: layers.conv2d(np.asarray([[1, 1, 1, 0, 0], [0, 1, 1, 1, 0],
                                                    [0, 0, 1, 1, 1], [0, 0, 1, 1, 0],
                                                    [0, 1, 1, 0, 0]]),
                                        [[1, 0, 1], [0, 1, 0], [1, 0, 1]]),
        "truncated to ints": lambda im, k: conv_loop(im, k).astype(int),
        "'same' padding": lambda im, k: layers.conv2d(im, k, padding="same"),
        "returns the image": lambda im, k: im,
        "mutates its image": _mutating(conv_loop),
        "kernel transposed": lambda im, k: conv_loop(im, k.T) if k.shape[0] == k.shape[1]
        else conv_loop(im, k),
    }),
    "check_window_sum": (checks.check_window_sum, {
        "the formula": lambda im, k, r, c: np.sum(im[r:r + k.shape[0], c:c + k.shape[1]]
                                                  * k),
        "a double loop": _window_sum_right,
        "a float32": lambda im, k, r, c: np.float32(_window_sum_right(im, k, r, c)),
    }, {
        "row and column swapped": lambda im, k, r, c: _window_sum_right(im, k, c, r)
        if c + k.shape[0] <= im.shape[0] and r + k.shape[1] <= im.shape[1] else 0.0,
        "window one too small": lambda im, k, r, c: np.sum(
            im[r:r + k.shape[0] - 1, c:c + k.shape[1] - 1] * k[:-1, :-1]),
        "flipped kernel": lambda im, k, r, c: _window_sum_right(im, k[::-1, ::-1], r, c),
        "square only": lambda im, k, r, c: np.sum(
            im[r:r + k.shape[0], c:c + k.shape[0]][:, :k.shape[1]] * k),
        "returns the products, not their sum": lambda im, k, r, c:
            im[r:r + k.shape[0], c:c + k.shape[1]] * k,
        "truncated": lambda im, k, r, c: int(_window_sum_right(im, k, r, c)),
    }),
    "check_feature_maps": (checks.check_feature_maps, {
        "a loop over filters and channels": _feature_maps_right,
        "float32 einsum": lambda im, ks: np.einsum(
            "ijhwc,hwcf->ijf",
            np.lib.stride_tricks.sliding_window_view(im, ks.shape[:2], axis=(0, 1))
            .transpose(0, 1, 3, 4, 2), ks).astype(np.float32),
        "nested lists": lambda im, ks: _feature_maps_right(im, ks).tolist(),
    }, {
        "only channel 0": lambda im, ks: np.stack(
            [conv_loop(im[:, :, 0], ks[:, :, 0, f]) for f in range(ks.shape[3])], -1),
        "filters first (F, H', W')": lambda im, ks: np.moveaxis(
            _feature_maps_right(im, ks), -1, 0),
        "flipped kernels": lambda im, ks: _feature_maps_right(im, ks[::-1, ::-1]),
        "channels averaged, not summed": lambda im, ks: _feature_maps_right(
            im, ks) / im.shape[2],
        "mutates the kernels": _mutating(_feature_maps_right, 1),
    }),
    "check_feature_stack": (checks.check_feature_stack, {
        "np.dstack of loops": _feature_stack_right,
        "lists": lambda im, ks: _feature_stack_right(im, ks).tolist(),
    }, {
        "stacked on axis 0": lambda im, ks: np.stack(
            [conv_loop(im, ks[:, :, f]) for f in range(ks.shape[2])]),
        "flipped kernels": lambda im, ks: _feature_stack_right(im, ks[::-1, ::-1]),
        "only the first kernel": lambda im, ks: conv_loop(im, ks[:, :, 0])[:, :, None],
        "returns the image": lambda im, ks: im,
    }),
    "check_dense": (checks.check_dense, {
        "x @ W + b": lambda x, W, b: x @ W + b,
        "a loop over units": lambda x, W, b: [sum(x[i] * W[i, u] for i in range(len(x)))
                                              + b[u] for u in range(W.shape[1])],
        "float32": lambda x, W, b: (x @ W + b).astype(np.float32),
    }, {
        "W transposed": lambda x, W, b: W.T @ x + b if W.shape[0] == W.shape[1]
        else x @ W + b * 0,
        "no bias": lambda x, W, b: x @ W,
        "bias subtracted": lambda x, W, b: x @ W - b,
        "hard-coded for case 1": lambda x, W, b: np.array([4.5, -1.5]),
        "np.dot(W, x) (raises)": lambda x, W, b: np.dot(W, x) + b,
        "truncated": lambda x, W, b: np.trunc(x @ W + b),
    }),
    "check_conv_params": (checks.check_conv_params, {
        "the formula": lambda k, c, f: (k * k * c + 1) * f,
        "numpy ints": lambda k, c, f: np.int64(k) ** 2 * c * f + np.int32(f),
        "a whole float": lambda k, c, f: float((k * k * c + 1) * f),
        "a loop": lambda k, c, f: sum(1 for _ in range(f) for _ in range(k * k * c + 1)),
    }, {
        "no biases": lambda k, c, f: k * k * c * f,
        "one bias per channel": lambda k, c, f: (k * k + 1) * c * f,
        "off by one": lambda k, c, f: (k * k * c + 1) * f + 1,
        "kernel_size not squared": lambda k, c, f: (k * c + 1) * f,
        "true division leaves a fraction": lambda k, c, f: (k * k * c + 1) * f / 3,
        "a bool": lambda k, c, f: True,
        "a string": lambda k, c, f: str((k * k * c + 1) * f),
        "a float a hair off": lambda k, c, f: (k * k * c + 1) * f * (1 + 1e-9),
    }),
    "check_dense_params": (checks.check_dense_params, {
        "the formula": lambda n, u: (n + 1) * u,
        "np.int16": lambda n, u: np.int64(n * u + u),
        "a 0-d array": lambda n, u: np.array((n + 1) * u),
    }, {
        "no biases": lambda n, u: n * u,
        "one bias in all": lambda n, u: n * u + 1,
        "off by one on 54,090": lambda n, u: (n + 1) * u - (n > 1000),
        "a list": lambda n, u: [(n + 1) * u],
        "a bool for 1 input, 1 unit": lambda n, u: True if n == 1 else (n + 1) * u,
        "a float with a fraction": lambda n, u: (n + 1) * u + 0.5,
    }),
    "check_max_pool2d": (checks.check_max_pool2d, {
        "a loop": pool_loop,
        "lists": lambda x, s, st: pool_loop(x, s, st).tolist(),
        "float32 sliding windows": lambda x, s, st: np.moveaxis(
            np.lib.stride_tricks.sliding_window_view(x, (s, s), axis=(0, 1)),
            (-2, -1), (2, 3))[::st, ::st].max(axis=(2, 3)).astype(np.float32),
    }, {
        "average pooling": lambda x, s, st: layers.avg_pool2d(x, s, st),
        "stride ignored (= size)": lambda x, s, st: pool_loop(x, s, s),
        "keeps partial edge windows": _pool_keeps_edges,
        "largest absolute value": lambda x, s, st: pool_loop(np.abs(x), s, st),
        "square only": _pool_square_only,
        "channels pooled together": lambda x, s, st: pool_loop(
            x.max(axis=2) if x.ndim == 3 else x, s, st),
        "returns the input": lambda x, s, st: x,
        "mutates its input": _mutating(pool_loop),
        "truncated": lambda x, s, st: pool_loop(x, s, st).astype(int),
    }),
    "check_pooled_shape": (checks.check_pooled_shape, {
        "a tuple": _pooled_shape_right,
        "a list": lambda shape, s, st: list(_pooled_shape_right(shape, s, st)),
        "an int array": lambda shape, s, st: np.array(_pooled_shape_right(shape, s, st)),
        "numpy ints": lambda shape, s, st: tuple(
            np.int64(v) for v in _pooled_shape_right(shape, s, st)),
    }, {
        "rounded up (ceil)": lambda shape, s, st: (
            math.ceil((shape[0] - s) / st) + 1, math.ceil((shape[1] - s) / st) + 1,
            *shape[2:]),
        "true division": lambda shape, s, st: (
            (shape[0] - s) / st + 1, (shape[1] - s) / st + 1, *shape[2:]),
        "channels dropped": lambda shape, s, st: _pooled_shape_right(shape, s, st)[:2],
        "no + 1": lambda shape, s, st: (
            (shape[0] - s) // st, (shape[1] - s) // st, *shape[2:]),
        "H and W swapped": lambda shape, s, st: _pooled_shape_right(
            (shape[1], shape[0], *shape[2:]), s, st),
        "halved always": lambda shape, s, st: (shape[0] // 2, shape[1] // 2, *shape[2:]),
        "strings": lambda shape, s, st: tuple(
            str(v) for v in _pooled_shape_right(shape, s, st)),
        "bools for ones": lambda shape, s, st: tuple(
            True if v == 1 else v for v in _pooled_shape_right(shape, s, st)),
        "returns the input": lambda shape, s, st: shape,
    }),
    "check_relu": (checks.check_relu, {
        "np.maximum": lambda x: np.maximum(x, 0),
        "np.where": lambda x: np.where(np.asarray(x) > 0, x, 0.0),
        "x * (x > 0)": lambda x: np.asarray(x) * (np.asarray(x) > 0),
        "(|x| + x) / 2": lambda x: (np.abs(x) + x) / 2,
        "a Python loop": lambda x: np.vectorize(lambda v: v if v > 0 else 0.0)(x),
    }, {
        "abs": lambda x: np.abs(x),
        "clipped at 1 too": lambda x: np.clip(x, 0, 1),
        "leaky": lambda x: np.where(np.asarray(x) > 0, x, 0.01 * np.asarray(x)),
        "truncated": lambda x: np.maximum(x, 0).astype(int),
        "in place (mutates its input)": _relu_in_place,
        "returns the input": lambda x: x,
        "builtin max (raises on arrays)": lambda x: max(x, 0),
        "negatives set to -0 then 1": lambda x: np.where(np.asarray(x) >= 0, 1.0, 0.0),
    }),
    "check_combined_kernel": (checks.check_combined_kernel, {
        "full convolution by a loop": full_convolution,
        "the other order (convolution commutes)": lambda a, b: full_convolution(b, a),
        "lists": lambda a, b: full_convolution(a, b).tolist(),
    }, {
        "k2 not flipped (full correlation)": lambda a, b: layers.conv2d(
            np.pad(a, ((b.shape[0] - 1,) * 2, (b.shape[1] - 1,) * 2)), b),
        "valid size only": lambda a, b: layers.conv2d(a, b) if a.shape[0] >= b.shape[0]
        and a.shape[1] >= b.shape[1] else layers.conv2d(b, a),
        "both flipped": lambda a, b: full_convolution(a[::-1, ::-1], b),
        "transposed": lambda a, b: full_convolution(a, b).T,
        "mutates k1": _mutating(full_convolution),
        "right only for square results": _combined_square_only,
    }),
    "check_layer_predictions": (
        lambda fn: checks.check_layer_predictions(fn, FAKE_MODEL), {
            "tuples of ints": lambda: dict(LEDGER),
            "lists and numpy ints": lambda: {
                name: (list(np.array(shape)), np.int64(params))
                for name, (shape, params) in LEDGER.items()},
            "whole floats": lambda: {name: (tuple(float(s) for s in shape), float(p))
                                     for name, (shape, p) in LEDGER.items()},
        }, {
            "a fractional shape": ledger_with(pool2=((5.5, 5.5, 64), 0)),
            "False as a parameter count": ledger_with(pool1=((13, 13, 32), False)),
            "off by one on 204,928": ledger_with(dense=((128,), 204_929)),
            "no biases": ledger_with(conv2=((11, 11, 64), 18_432)),
            "'same' padding": ledger_with(conv1=((28, 28, 32), 320)),
            "the batch axis included": ledger_with(conv1=((None, 26, 26, 32), 320)),
            "a string count": ledger_with(output=((10,), "1290")),
            "a missing layer": lambda: {k: v for k, v in LEDGER.items() if k != "flatten"},
            "shape and count swapped": ledger_with(output=(1_290, (10,))),
        }),
    "check_most_confused": (checks.check_most_confused, {
        "argmax off the diagonal": lambda cm: tuple(int(v) for v in np.unravel_index(
            np.argmax(cm - np.diag(np.diag(cm)) - np.eye(len(cm)) * 10**9), cm.shape)),
        "a loop": most_confused_loop,
        "a list of numpy ints": lambda cm: list(np.unravel_index(
            np.argmax(np.where(np.eye(len(cm), dtype=bool), -1, cm)), cm.shape)),
        "an int array": lambda cm: np.array(most_confused_loop(cm)),
    }, {
        "true division": lambda cm: (
            int(np.argmax(cm - np.diag(np.diag(cm)))) / len(cm),
            int(np.argmax(cm - np.diag(np.diag(cm)))) % len(cm)),
        "strings": lambda cm: tuple(str(v) for v in most_confused_loop(cm)),
        "floats": lambda cm: tuple(float(v) for v in most_confused_loop(cm)),
        "diagonal kept": lambda cm: tuple(int(v) for v in np.unravel_index(
            np.argmax(cm), cm.shape)),
        "transposed (predicted, true)": lambda cm: most_confused_loop(cm)[::-1],
        "the flat index": lambda cm: int(np.argmax(cm - np.diag(np.diag(cm)))),
        "fills the caller's diagonal": _fill_diagonal_in_place,
        "hard-coded for case 1": lambda cm: (1, 0),
        "bools": lambda cm: (True, False),
    }),
    "check_kernel_feature_map": (run_kernel_feature_map, {
        "conv2d + bias + ReLU": one_map_right,
        "a loop, float32": lambda im, ks, bs, k: one_map_loop(im, ks, bs, k).astype(
            np.float32),
    }, {
        "no ReLU": lambda im, ks, bs, k: layers.conv2d(im[:, :, 0], ks[:, :, 0, k])
        + bs[k],
        "no bias": lambda im, ks, bs, k: np.maximum(
            layers.conv2d(im[:, :, 0], ks[:, :, 0, k]), 0),
        "flipped kernel": lambda im, ks, bs, k: one_map_right(
            im, ks[::-1, ::-1], bs, k),
        "the next kernel": lambda im, ks, bs, k: one_map_right(
            im, ks, bs, (k + 1) % ks.shape[3]),
        "the bias of kernel 0": lambda im, ks, bs, k: np.maximum(
            layers.conv2d(im[:, :, 0], ks[:, :, 0, k]) + bs[0], 0),
        "mutates the image": _mutating(one_map_right),
    }),
    "check_most_similar": (checks.check_most_similar, {
        "normalized dot products": lambda v, i: int(np.argmax(np.where(
            np.arange(len(v)) == i, -np.inf,
            (v / np.linalg.norm(v, axis=1, keepdims=True))
            @ (v[i] / np.linalg.norm(v[i]))))),
        "a loop": most_similar_loop,
        "np.int64": lambda v, i: np.int64(most_similar_loop(v, i)),
    }, {
        "nearest by distance": lambda v, i: int(np.argmin(np.where(
            np.arange(len(v)) == i, np.inf, np.linalg.norm(v - v[i], axis=1)))),
        "itself included": lambda v, i: int(np.argmax(
            (v / np.linalg.norm(v, axis=1, keepdims=True)) @ v[i])),
        "dot product, not cosine": lambda v, i: int(np.argmax(np.where(
            np.arange(len(v)) == i, -np.inf, v @ v[i]))),
        "a float index": lambda v, i: float(most_similar_loop(v, i)),
        "a string": lambda v, i: str(most_similar_loop(v, i)),
        "the similarity, not the index": lambda v, i: 0.99,
        "mutates the vectors": _mutating(most_similar_loop),
    }),
}


# ---------------------------------------------------------------- checks added later
from helpers import kernel_descent as _descent  # noqa: E402
from helpers.checks import architecture as _arch_checks  # noqa: E402
from helpers.checks import backprop as _backprop_checks  # noqa: E402
from helpers.checks import gradients as _gradient_checks  # noqa: E402
from helpers.checks import loss as _loss_checks  # noqa: E402
from helpers.checks import trained_cnn as _trained_checks  # noqa: E402


def fields_loop(stack):
    sizes, size, jump = [], 1, 1
    for _kind, kernel, stride in stack:
        size += (kernel - 1) * jump
        jump *= stride
        sizes.append(size)
    return sizes


def fields_no_jump(stack):
    sizes, size = [], 1
    for _kind, kernel, _stride in stack:
        size += kernel - 1
        sizes.append(size)
    return sizes


def fields_jump_too_early(stack):
    sizes, size, jump = [], 1, 1
    for _kind, kernel, stride in stack:
        jump *= stride
        size += (kernel - 1) * jump
        sizes.append(size)
    return sizes


def weight_gradient_loop(images, kernel, targets, p, q):
    kh, kw = kernel.shape
    n, h, w = images.shape[0], images.shape[1] - kh + 1, images.shape[2] - kw + 1
    total = 0.0
    for k in range(n):
        for i in range(h):
            for j in range(w):
                value = sum(kernel[a, b] * images[k, i + a, j + b]
                            for a in range(kh) for b in range(kw))
                total += 2 * (value - targets[k, i, j]) * images[k, i + p, j + q]
    return total / (n * h * w)


def weight_gradient_scaled(scale=1.0, swap=False, flip=False, sign=1.0):
    def fn(images, kernel, targets, p, q):
        k = kernel[::-1, ::-1] if flip else kernel
        a, b = (q, p) if swap and q < kernel.shape[0] and p < kernel.shape[1] else (p, q)
        return sign * scale * weight_gradient_loop(images, k, targets, a, b)
    return fn


def step_right(images, kernel, targets, rate):
    return kernel - rate * _descent.kernel_gradient(images, kernel, targets)


def step_in_place(images, kernel, targets, rate):
    kernel -= rate * _descent.kernel_gradient(images, kernel, targets)
    return kernel


def adam_by_hand(kernel, g, m, v, t, rate, correct=True, eps_inside=False,
                 square=True, root=True, sign=-1):
    """One Adam step written out (Kingma and Ba), with switches for the usual slips."""
    m = 0.9 * m + 0.1 * g
    v = 0.999 * v + 0.001 * (g * g if square else g)
    m_hat = m / (1 - 0.9**t) if correct else m
    v_hat = v / (1 - 0.999**t) if correct else v
    if eps_inside:
        scale = np.sqrt(v_hat + 1e-7)
    else:
        scale = (np.sqrt(np.abs(v_hat)) if root else v_hat) + 1e-7
    return kernel + sign * rate * m_hat / scale, m, v


def adam_weight_by_weight(kernel, g, m, v, t, rate):
    """Pure Python, one weight at a time, lists out."""
    out = [[], [], []]
    for k1, g1, m1, v1 in zip(*(np.ravel(a).tolist() for a in (kernel, g, m, v)),
                              strict=True):
        m1 = 0.9 * m1 + 0.1 * g1
        v1 = 0.999 * v1 + 0.001 * g1 ** 2
        step = rate * (m1 / (1 - 0.9 ** t)) / (math.sqrt(v1 / (1 - 0.999 ** t)) + 1e-7)
        for part, value in zip(out, (k1 - step, m1, v1), strict=True):
            part.append(value)
    return tuple(np.reshape(part, np.shape(kernel)).tolist() for part in out)


def adam_in_place(kernel, g, m, v, t, rate):
    new_kernel, m_new, v_new = adam_by_hand(kernel, g, m, v, t, rate)
    m[...] = m_new  # changes the caller's m
    return new_kernel, m, v_new


def ce_right(p, label):
    return -np.log(p[label])


def ce_scores_right(scores, label):
    s = np.asarray(scores, float)
    m = s.max()
    return m - s[label] + np.log(np.sum(np.exp(s - m)))


def ce_scores_pure_python(scores, label):
    s = [float(v) for v in scores]
    m = max(s)
    return m - s[int(label)] + math.log(sum(math.exp(v - m) for v in s))


def ce_scores_naive(scores, label, shift=True):
    s = np.asarray(scores, float)
    with np.errstate(all="ignore"):
        e = np.exp(s - s.max() if shift else s)
        return -np.log((e / e.sum())[label])


def conv_kernel_grad_loop(x, grad_out):
    x, grad_out = np.asarray(x, float), np.asarray(grad_out, float)
    oh, ow = grad_out.shape
    grad = np.zeros((x.shape[0] - oh + 1, x.shape[1] - ow + 1))
    for a, b in np.ndindex(grad.shape):
        grad[a, b] = np.sum(grad_out * x[a:a + oh, b:b + ow])
    return grad


def conv_input_grad_loop(grad_out, kernel):
    grad_out, kernel = np.asarray(grad_out, float), np.asarray(kernel, float)
    kh, kw = kernel.shape
    grad = np.zeros((grad_out.shape[0] + kh - 1, grad_out.shape[1] + kw - 1))
    for i, j in np.ndindex(grad_out.shape):
        grad[i:i + kh, j:j + kw] += grad_out[i, j] * kernel
    return grad


def conv_input_grad_strided_loop(grad_out, kernel, stride, input_shape):
    grad_out, kernel = np.asarray(grad_out, float), np.asarray(kernel, float)
    kh, kw = kernel.shape
    grad = np.zeros(input_shape)
    for i, j in np.ndindex(grad_out.shape):
        grad[i * stride:i * stride + kh, j * stride:j * stride + kw] += (
            grad_out[i, j] * kernel)
    return grad


def _stride_on_rows_only(grad_out, kernel, stride, input_shape):
    grad_out, kernel = np.asarray(grad_out, float), np.asarray(kernel, float)
    kh, kw = kernel.shape
    grad = np.zeros(input_shape)
    for i, j in np.ndindex(grad_out.shape):
        grad[i * stride:i * stride + kh, j:j + kw] += grad_out[i, j] * kernel
    return grad


def conv_input_grad_spread(grad_out, kernel, stride, input_shape):
    """Zeros between the entries of grad_out, then the stride-1 gradient, then zeros
    for the rows and columns that no window reaches."""
    grad_out = np.asarray(grad_out, float)
    spread = np.zeros(((grad_out.shape[0] - 1) * stride + 1,
                       (grad_out.shape[1] - 1) * stride + 1))
    spread[::stride, ::stride] = grad_out
    grad = conv_input_grad_loop(spread, kernel)
    return np.pad(grad, ((0, input_shape[0] - grad.shape[0]),
                         (0, input_shape[1] - grad.shape[1])))


def pool_backward_loop(x, grad_out):
    x = np.asarray(x, float)
    grad = np.zeros_like(x)
    for i in range(grad_out.shape[0]):
        for j in range(grad_out.shape[1]):
            window = x[2 * i:2 * i + 2, 2 * j:2 * j + 2]
            a, b = np.unravel_index(np.argmax(window), window.shape)
            grad[2 * i + a, 2 * j + b] += grad_out[i, j]
    return grad


def pool_backward_all(x, grad_out):  # the gradient to every cell of the window
    grad = np.zeros_like(np.asarray(x, float))
    for i in range(grad_out.shape[0]):
        for j in range(grad_out.shape[1]):
            grad[2 * i:2 * i + 2, 2 * j:2 * j + 2] += grad_out[i, j]
    return grad


def pool_backward_last_tie(x, grad_out):
    x = np.asarray(x, float)
    grad = np.zeros_like(x)
    for i in range(grad_out.shape[0]):
        for j in range(grad_out.shape[1]):
            window = x[2 * i:2 * i + 2, 2 * j:2 * j + 2][::-1, ::-1]
            a, b = np.unravel_index(np.argmax(window), window.shape)
            grad[2 * i + 1 - a, 2 * j + 1 - b] += grad_out[i, j]
    return grad


# a small CNN in the series' shape for check_loop_forward: 8x8 -> 4x4 -> 2x2 -> 8 -> 4 -> 10
_W = np.random.default_rng(5)
LOOP_WEIGHTS = {"conv1": (_W.normal(size=(3, 3, 1, 2)), _W.normal(size=2) * 0.1),
                "conv2": (_W.normal(size=(3, 3, 2, 2)), _W.normal(size=2) * 0.1),
                "dense": (_W.normal(size=(8, 4)), _W.normal(size=4) * 0.1),
                "output": (_W.normal(size=(4, 10)), _W.normal(size=10) * 0.1)}
LOOP_IMAGES = _W.random((2, 8, 8, 1))
LOOP_EXPECTED = np.stack([_trained_checks.loop_forward_answer(im, LOOP_WEIGHTS)
                          for im in LOOP_IMAGES])


def run_loop_forward(fn):
    return checks.check_loop_forward(fn, LOOP_WEIGHTS, LOOP_IMAGES, LOOP_EXPECTED)


def loop_forward_variant(softmax=True, relu=True, flip=False, bias=True):
    def fn(image, weights):
        x = np.asarray(image, float)
        for name in ("conv1", "conv2"):
            kernels, biases = weights[name]
            k = kernels[::-1, ::-1] if flip else kernels
            x = layers.conv2d_layer(x[None], k, biases if bias else biases * 0,
                                    padding="same")[0]
            x = layers.max_pool2d(np.maximum(x, 0) if relu else x, 2)
        x = np.maximum(x.reshape(-1) @ weights["dense"][0] + weights["dense"][1], 0)
        z = x @ weights["output"][0] + weights["output"][1]
        return layers.softmax(z) if softmax else z
    return fn


def run_fixed_forward(fn):
    return checks.check_fixed_forward(fn, LOOP_WEIGHTS, LOOP_IMAGES, LOOP_EXPECTED)


def fixed_forward_variant(reorder=None, softmax=True):
    """A batched forward pass written by hand; `reorder` changes the order flatten
    reads the (N, H, W, C) maps in (the debugging task's bug and its cousins)."""
    def fn(images, weights):
        x = np.asarray(images, float)
        for name in ("conv1", "conv2"):
            x = layers.conv2d_layer(x, *weights[name], padding="same")
            x = layers.max_pool2d_layer(np.maximum(x, 0), 2)
        if reorder is not None:
            x = reorder(x)
        x = np.maximum(x.reshape(len(x), -1) @ weights["dense"][0] + weights["dense"][1], 0)
        z = x @ weights["output"][0] + weights["output"][1]
        return layers.softmax(z) if softmax else z
    return fn


LATER_FUNCTION_CHECKS = {
    "check_receptive_fields": (_arch_checks.check_receptive_fields, {
        "a loop": fields_loop,
        "numpy ints in a tuple": lambda stack: tuple(np.int64(v) for v in
                                                     fields_loop(stack)),
        "whole floats in an array": lambda stack: np.array(fields_loop(stack), float),
    }, {
        "jump left out": fields_no_jump,
        "jump multiplied too early": fields_jump_too_early,
        "(size, jump) pairs": lambda stack: [(v, 1) for v in fields_loop(stack)],
        "off by one": lambda stack: [v + 1 for v in fields_loop(stack)],
        "only the last size": lambda stack: fields_loop(stack)[-1],
        "true division": lambda stack: [v + 0.5 for v in fields_loop(stack)],
        "strings": lambda stack: [str(v) for v in fields_loop(stack)],
        "hard-coded for the series' CNN": lambda stack: [3, 4, 8, 10],
    }),
    "check_weight_gradient": (_gradient_checks.check_weight_gradient, {
        "a quadruple loop": weight_gradient_loop,
        "the vectorized helper": lambda im, k, t, p, q: _descent.kernel_gradient(
            im, k, t)[p, q],
        "a 1-element array, float32": lambda im, k, t, p, q: np.array(
            [weight_gradient_loop(im, k, t, p, q)], np.float32),
    }, {
        "sign flipped": weight_gradient_scaled(sign=-1),
        "factor 2 missing": weight_gradient_scaled(scale=0.5),
        "p and q swapped": weight_gradient_scaled(swap=True),
        "flipped kernel": weight_gradient_scaled(flip=True),
        "the whole gradient array": lambda im, k, t, p, q: _descent.kernel_gradient(
            im, k, t),
        "mutates the kernel": _mutating(weight_gradient_loop, 1),
    }),
    "check_step": (_gradient_checks.check_step, {
        "kernel - rate * gradient": step_right,
        "as lists": lambda im, k, t, r: step_right(im, k, t, r).tolist(),
    }, {
        "uphill": lambda im, k, t, r: k + r * _descent.kernel_gradient(im, k, t),
        "no learning rate": lambda im, k, t, r: k - _descent.kernel_gradient(im, k, t),
        "only the change": lambda im, k, t, r: -r * _descent.kernel_gradient(im, k, t),
        "in place (kernel -= ...)": step_in_place,
        "returns the kernel": lambda im, k, t, r: k,
    }),
    "check_adam_step": (_gradient_checks.check_adam_step, {
        "the formula": adam_by_hand,
        "weight by weight, lists": adam_weight_by_weight,
        "float32": lambda *a: tuple(np.float32(x) for x in adam_by_hand(*a)),
    }, {
        "no bias correction": lambda *a: adam_by_hand(*a, correct=False),
        "epsilon inside the root": lambda *a: adam_by_hand(*a, eps_inside=True),
        "v of the gradient, not its square": lambda *a: adam_by_hand(*a, square=False),
        "no square root": lambda *a: adam_by_hand(*a, root=False),
        "uphill": lambda *a: adam_by_hand(*a, sign=1),
        "returns m_hat and v_hat": lambda k, g, m, v, t, r: (
            adam_by_hand(k, g, m, v, t, r)[0], (0.9 * m + 0.1 * g) / (1 - 0.9**t),
            (0.999 * v + 0.001 * g * g) / (1 - 0.999**t)),
        "the kernel only": lambda *a: adam_by_hand(*a)[0],
        "t one too many": lambda k, g, m, v, t, r: adam_by_hand(k, g, m, v, t + 1, r),
        "plain gradient descent": lambda k, g, m, v, t, r: (k - r * g, m, v),
        "m changed in place": adam_in_place,
    }),
    "check_cross_entropy": (_loss_checks.check_cross_entropy, {
        "-log(p[label])": ce_right,
        "a loop over classes": lambda p, label: -sum(
            np.log(v) for i, v in enumerate(p) if i == label),
        "float32": lambda p, label: np.float32(-np.log(np.asarray(p)[label])),
    }, {
        "no minus sign": lambda p, label: np.log(p[label]),
        "log10": lambda p, label: -np.log10(p[label]),
        "the largest probability": lambda p, label: -np.log(max(p)),
        "summed over all classes": lambda p, label: -np.sum(np.log(p)),
        "1 - p": lambda p, label: 1 - p[label],
        "every class's loss": lambda p, label: -np.log(np.asarray(p)),
        "hard-coded for case 1": lambda p, label: 0.2231435513142097,
    }),
    "check_cross_entropy_from_scores": (_loss_checks.check_cross_entropy_from_scores, {
        "shifted log-sum-exp": ce_scores_right,
        "pure Python": ce_scores_pure_python,
        "float32 at the end": lambda s, y: np.float32(ce_scores_right(s, y)),
    }, {
        "log of the stable softmax (underflows to 0)": ce_scores_naive,
        "log of the naive softmax (overflows)": lambda s, y: ce_scores_naive(s, y, False),
        "no minus sign": lambda s, y: -ce_scores_right(s, y),
        "the largest score, not the label's": lambda s, y: ce_scores_right(
            s, int(np.argmax(s))),
        "probabilities clipped as Keras does": lambda s, y: -np.log(np.clip(
            np.exp(np.asarray(s, float) - np.max(s))[y]
            / np.sum(np.exp(np.asarray(s, float) - np.max(s))), 1e-7, 1 - 1e-7)),
        "the score itself": lambda s, y: -float(np.asarray(s)[y]),
        "every class's loss": lambda s, y: [ce_scores_right(s, k) for k in range(len(s))],
    }),
    "check_relu_backward": (_backprop_checks.check_relu_backward, {
        "np.where": lambda x, g: np.where(x > 0, g, 0.0),
        "a mask product, lists": lambda x, g: (g * (x > 0)).tolist(),
    }, {
        ">= 0": lambda x, g: np.where(x >= 0, g, 0.0),
        "mask from the gradient": lambda x, g: np.where(g > 0, g, 0.0),
        "relu of the gradient times the mask": lambda x, g: np.maximum(g, 0) * (x > 0),
        "the mask only": lambda x, g: (x > 0).astype(float),
        "returns grad_out": lambda x, g: g,
        "times the output values": lambda x, g: g * np.maximum(x, 0),
        "mutates grad_out": _mutating(lambda x, g: np.where(x > 0, g, 0.0), 1),
    }),
    "check_max_pool_backward": (_backprop_checks.check_max_pool_backward, {
        "a loop with argmax": pool_backward_loop,
    }, {
        "to every cell of the window": pool_backward_all,
        "the last of tied maxima": pool_backward_last_tie,
        "split between tied maxima": lambda x, g: pool_backward_all(x, g) / 4,
        "upsampled (np.kron)": lambda x, g: np.pad(
            np.kron(g, np.ones((2, 2))), ((0, x.shape[0] - 2 * g.shape[0]),
                                          (0, x.shape[1] - 2 * g.shape[1]))),
        "masked by x > 0 first": lambda x, g: pool_backward_loop(np.maximum(x, 0), g),
        "upsampled, no room for odd sizes": lambda x, g: np.kron(g, np.ones((2, 2))),
        "mutates x": _mutating(pool_backward_loop),
    }),
    "check_dense_weight_grad": (_backprop_checks.check_dense_weight_grad, {
        "x.T @ grad_out": lambda x, g: x.T @ g,
        "an einsum, float32": lambda x, g: np.einsum("ni,nu->iu", x, g).astype(
            np.float32),
        "a sum of outer products": lambda x, g: sum(np.outer(a, b) for a, b in
                                                    zip(x, g, strict=True)),
    }, {
        "transposed": lambda x, g: g.T @ x,
        "first image only": lambda x, g: np.outer(x[0], g[0]),
        "averaged over the batch": lambda x, g: x.T @ g / len(x),
        "grad_out left out": lambda x, g: x.T @ np.ones_like(g),
        "(x.T @ grad_out).T": lambda x, g: (x.T @ g).T,
        "elementwise (square only)": lambda x, g: x.T * g.T if x.shape == g.shape
        else x.T @ g * 2,
    }),
    "check_conv_kernel_grad": (_backprop_checks.check_conv_kernel_grad, {
        "a loop over the weights": conv_kernel_grad_loop,
        "the correlation of x with grad_out": lambda x, g: layers.conv2d(x, g),
        "lists": lambda x, g: conv_kernel_grad_loop(x, g).tolist(),
    }, {
        "flipped": lambda x, g: conv_kernel_grad_loop(x, g)[::-1, ::-1],
        "averaged": lambda x, g: conv_kernel_grad_loop(x, g) / np.size(g),
        "grad_out correlated with x": lambda x, g: layers.conv2d(g, x)
        if np.shape(g)[0] >= np.shape(x)[0] else np.zeros((1, 1)),
        "square kernels only": lambda x, g: conv_kernel_grad_loop(x, g)[
            : min(np.shape(x)[0] - np.shape(g)[0], np.shape(x)[1] - np.shape(g)[1]) + 1,
            : min(np.shape(x)[0] - np.shape(g)[0], np.shape(x)[1] - np.shape(g)[1]) + 1],
        "the kernel of section 2": lambda x, g: np.array([[1.0, 7.0], [4.0, 2.0]]),
        "mutates grad_out": _mutating(conv_kernel_grad_loop, 1),
    }),
    "check_conv_input_grad": (_backprop_checks.check_conv_input_grad, {
        "each output back onto its window": conv_input_grad_loop,
        "pad and correlate with the flipped kernel": lambda g, k: layers.conv2d(
            np.pad(g, ((len(k) - 1,) * 2, (len(k[0]) - 1,) * 2)), k[::-1, ::-1]),
    }, {
        "not flipped": lambda g, k: layers.conv2d(
            np.pad(g, ((len(k) - 1,) * 2, (len(k[0]) - 1,) * 2)), k),
        "flipped upside down only": lambda g, k: layers.conv2d(
            np.pad(g, ((len(k) - 1,) * 2, (len(k[0]) - 1,) * 2)), k[::-1]),
        "one ring of zeros for any kernel": lambda g, k: layers.conv2d(
            np.pad(g, 1), k[::-1, ::-1]) if min(np.shape(k)) <= 2 else np.zeros((1, 1)),
        "the transposed kernel": lambda g, k: conv_input_grad_loop(g, np.asarray(k).T)
        if np.shape(k)[0] == np.shape(k)[1] else conv_input_grad_loop(g, k)[::-1],
        "mutates the kernel": _mutating(conv_input_grad_loop, 1),
    }),
    "check_conv_input_grad_strided": (_backprop_checks.check_conv_input_grad_strided, {
        "each output back onto its window": conv_input_grad_strided_loop,
        "spread out, then exercise 5, cut to the input": conv_input_grad_spread,
    }, {
        "stride ignored": lambda g, k, s, shape: conv_input_grad_strided_loop(
            g, k, 1, shape),
        "the shape from grad_out": lambda g, k, s, shape: conv_input_grad_strided_loop(
            g, k, s, ((len(g) - 1) * s + len(k), (len(g[0]) - 1) * s + len(k[0]))),
        "the stride on the rows only": lambda g, k, s, shape: _stride_on_rows_only(
            g, k, s, shape),
        "mutates grad_out": _mutating(conv_input_grad_strided_loop, 0),
    }),
    "check_loop_forward": (run_loop_forward, {
        "the answer key": _trained_checks.loop_forward_answer,
        "conv2d_layer and numpy": loop_forward_variant(),
    }, {
        "no softmax": loop_forward_variant(softmax=False),
        "no relu": loop_forward_variant(relu=False),
        "flipped kernels": loop_forward_variant(flip=True),
        "no biases": loop_forward_variant(bias=False),
        "the same answer for every image": lambda image, weights: LOOP_EXPECTED[0],
    }),
    "check_fixed_forward": (run_fixed_forward, {
        "the fix: reshape keeps Keras's order": fixed_forward_variant(),
        "one image at a time with the loop layers": lambda images, weights: [
            _trained_checks.loop_forward_answer(im, weights) for im in images],
        "float32": lambda images, weights: fixed_forward_variant()(
            images, weights).astype(np.float32),
    }, {
        "the colleague's bug left in": fixed_forward_variant(
            lambda x: x.transpose(0, 3, 1, 2)),
        "rows and columns swapped": fixed_forward_variant(
            lambda x: x.transpose(0, 2, 1, 3)),
        "no softmax": fixed_forward_variant(softmax=False),
        "the classes, not the probabilities": lambda images, weights: np.argmax(
            fixed_forward_variant()(images, weights), axis=1),
        "the first image only": lambda images, weights: fixed_forward_variant()(
            images, weights)[:1],
    }),
}
FUNCTION_CHECKS.update(LATER_FUNCTION_CHECKS)


def _counts(dense=None, conv=None):
    from helpers import architecture
    right_dense = architecture.dense_params(32 * 32 * 3, 32 * 32 * 16)
    right_conv = architecture.conv_params(5, 5, 3, 16)
    return (right_dense if dense is None else dense, right_conv if conv is None else conv)


def run_layer_counts(pair):
    dense, conv = pair if isinstance(pair, tuple) and len(pair) == 2 else (pair, pair)
    return _arch_checks.check_layer_counts(dense, conv)


# ---------------------------------------------------------------- answers (not functions)
def _window_value():
    return float(layers.conv2d(checks_data().binary_image(),
                               checks_data().lesson_kernel())[1, 2])


def checks_data():
    from helpers import data
    return data


OUTPUT_SHAPES = checks.output_shape_answers()


def shapes_with(**changes):
    answers = dict(OUTPUT_SHAPES)
    answers.update(changes)
    return answers


CONV_LAYERS = {label: checks.conv_layer_answer(q)
               for label, q in checks.CONV_LAYER_QUESTIONS.items()}


def conv_layers_with(**changes):
    answers = dict(CONV_LAYERS)
    answers.update(changes)
    return answers


def _true_division_shapes():
    answers = {}
    for label, ((h, w), k, s, p) in checks.OUTPUT_SHAPE_QUESTIONS.items():
        pad = 0 if p == "valid" else (k // 2 if p == "same" else p)
        answers[label] = tuple((n + 2 * pad - k) / s + 1 for n in (h, w))
    return answers


ANSWER_CHECKS = {
    "check_layer_counts": (run_layer_counts, {
        "ints": _counts(),
        "numpy ints and a whole float": (np.int64(_counts()[0]), float(_counts()[1])),
    }, {
        "no biases (dense)": _counts(dense=_counts()[0] - 32 * 32 * 16),
        "off by one (conv)": _counts(conv=_counts()[1] + 1),
        "one bias per channel (conv)": _counts(conv=(5 * 5 + 1) * 3 * 16),
        "a bool": _counts(conv=True),
        "a string": _counts(dense=str(_counts()[0])),
        "a float a hair off": _counts(dense=_counts()[0] * (1 + 1e-12) + 0.25),
        "swapped": _counts()[::-1],
    }),
    "check_window_value": (checks.check_window_value, {
        "a float": _window_value(),
        "an int": int(round(_window_value())),
        "a 0-d float32 array": np.array(_window_value(), np.float32),
    }, {
        "off by one": _window_value() + 1,
        "the value at (2, 2)": float(layers.conv2d(
            checks_data().binary_image(), checks_data().lesson_kernel())[2, 2]),
        "a string": str(_window_value()),
        "a list of one": [_window_value()],
        "None": None,
        "NaN": float("nan"),
    }),
    "check_output_shapes": (checks.check_output_shapes, {
        "tuples": dict(OUTPUT_SHAPES),
        "lists of numpy ints": {k: [np.int64(n) for n in v]
                                for k, v in OUTPUT_SHAPES.items()},
        "whole floats": {k: tuple(float(n) for n in v) for k, v in OUTPUT_SHAPES.items()},
    }, {
        "true division": _true_division_shapes(),
        "H and W swapped in d": shapes_with(d=OUTPUT_SHAPES["d"][::-1]),
        "'same' taken as 'valid'": shapes_with(b=(26, 26)),
        "off by one": shapes_with(c=(OUTPUT_SHAPES["c"][0] + 1, OUTPUT_SHAPES["c"][1])),
        "strings": {k: tuple(str(n) for n in v) for k, v in OUTPUT_SHAPES.items()},
        "one number per question": {k: v[0] for k, v in OUTPUT_SHAPES.items()},
        "a missing question": {k: v for k, v in OUTPUT_SHAPES.items() if k != "e"},
        "a list, not a dict": list(OUTPUT_SHAPES.values()),
    }),
    "check_conv_layer_prediction": (checks.check_conv_layer_prediction, {
        "tuples": dict(CONV_LAYERS),
        "lists and numpy ints": {k: ([np.int32(n) for n in s], np.int64(p))
                                 for k, (s, p) in CONV_LAYERS.items()},
    }, {
        "no biases": conv_layers_with(a=((26, 26, 32), 288)),
        "one bias per channel": conv_layers_with(c=(CONV_LAYERS["c"][0],
                                                    (9 + 1) * 32 * 64)),
        "off by one": conv_layers_with(e=(CONV_LAYERS["e"][0], CONV_LAYERS["e"][1] + 1)),
        "H and W swapped": conv_layers_with(
            e=((CONV_LAYERS["e"][0][1], CONV_LAYERS["e"][0][0], 10), CONV_LAYERS["e"][1])),
        "a fractional size": conv_layers_with(b=((16.5, 16.5, 16), CONV_LAYERS["b"][1])),
        "True as a count": conv_layers_with(d=(CONV_LAYERS["d"][0], True)),
        "a string count": conv_layers_with(a=((26, 26, 32), "320")),
    }),
    "check_line_detector": (checks.check_line_detector, {
        "the classic kernel": np.array([[-1, -1, -1], [2, 2, 2], [-1, -1, -1]]),
        "scaled, as lists": [[-0.5] * 3, [1.0] * 3, [-0.5] * 3],
        "float32": np.array([[-1, -1, -1], [2, 2, 2], [-1, -1, -1]], np.float32) * 3,
    }, {
        "a vertical-line detector (transposed)":
            np.array([[-1, -1, -1], [2, 2, 2], [-1, -1, -1]]).T,
        "an edge detector": np.array([[1, 1, 1], [0, 0, 0], [-1, -1, -1]]),
        "weights do not sum to 0": np.array([[0, 0, 0], [1, 1, 1], [0, 0, 0]]),
        "negated (dark lines)": -np.array([[-1, -1, -1], [2, 2, 2], [-1, -1, -1]]),
        "2x2": np.array([[1, 1], [-1, -1]]),
        "bools": np.eye(3, dtype=bool),
        "NaN": np.full((3, 3), np.nan),
        "a string": "horizontal",
        "all zeros": np.zeros((3, 3)),
    }),
}


def _params(table):
    return [pytest.param(name, label, answer, expected,
                         id=f"{name}-{'right' if expected else 'wrong'}-{label}")
            for name, (_, rights, wrongs) in table.items()
            for expected, group in ((True, rights), (False, wrongs))
            for label, answer in group.items()]


CHECKS = {**FUNCTION_CHECKS, **ANSWER_CHECKS}


@pytest.mark.parametrize("name, label, answer, expected",
                         _params(FUNCTION_CHECKS) + _params(ANSWER_CHECKS))
def test_right_passes_and_wrong_fails(name, label, answer, expected, capsys):
    check = CHECKS[name][0]
    result = check(answer)
    out = capsys.readouterr().out
    assert bool(result) is expected, out
    if expected:
        assert out.startswith(core.PASS) and core.FAIL not in out, out
    else:
        assert core.FAIL in out and core.TODO not in out, out
    if not expected:
        assert len(out.strip()) > 20  # says why


# ---------------------------------------------------------------- garbage never raises
class _Hostile:
    """An object that breaks every conversion."""

    def __array__(self, *args, **kwargs):
        raise RuntimeError("no array for you")

    def __len__(self):
        raise RuntimeError("no len")

    def __iter__(self):
        raise RuntimeError("no iter")

    def __float__(self):
        raise RuntimeError("no float")

    def __eq__(self, other):
        raise RuntimeError("no eq")

    __hash__ = object.__hash__

    def __repr__(self):
        raise RuntimeError("no repr")


def _endless_generator(*args):
    while True:
        yield 3


class _EndlessList(list):
    """A list of the learner's own class whose iteration never ends."""

    def __iter__(self):
        while True:
            yield 1


class _EndlessArray:
    """An object whose conversion to an array, and whose repr, never end."""

    def __array__(self, *args, **kwargs):
        while True:
            pass

    def __repr__(self):
        while True:
            pass


GARBAGE = {
    "None": None, "a string": "abc", "an object": object(), "ragged lists": [[1, 2], [3]],
    "strings array": np.array(["a", "b"]), "complex": 1 + 2j, "a dict": {"a": 1},
    "a set": {1, 2}, "inf": float("inf"), "NaN array": np.full((3, 3), np.nan),
    "a huge array": np.zeros((300, 300)), "a hostile object": _Hostile(),
    "a generator": (i for i in range(3)), "Ellipsis": Ellipsis,
    "an object array": np.array([None, 1], dtype=object), "bytes": b"12",
    "a negative int": -1, "a big int": 10**30, "a bool array": np.ones((2, 2), bool),
    "an endless generator": _endless_generator(), "a list that never ends": _EndlessList(),
}

ENDLESS_ANSWERS = {  # stopped by the size bound (the first two) or the time limit
    "an endless generator": _endless_generator(),
    "a list that never ends": _EndlessList([1, 2]),
    "an array that never ends": _EndlessArray(),
}


class _Custom(BaseException):
    pass


def _returns(value):
    def fn(*args):
        return value
    return fn


def _raises(exc):
    def fn(*args):
        raise exc
    return fn


BAD_FUNCTIONS = {
    **{f"returns {label}": _returns(value) for label, value in GARBAGE.items()},
    "raises ValueError": _raises(ValueError("bad")),
    "calls sys.exit": _raises(SystemExit(3)),
    "raises a BaseException": _raises(_Custom()),
    "raises with a hostile message": _raises(ValueError(_Hostile())),
    "takes no arguments": lambda: 1,
    "takes too many": lambda a, b, c, d, e, f, g: 1,
    "not a function": 42,
    "a class": dict,
}


@pytest.mark.parametrize("name", sorted(FUNCTION_CHECKS))
def test_function_checks_never_raise_and_never_pass_garbage(name, capsys):
    check = FUNCTION_CHECKS[name][0]
    for label, fn in BAD_FUNCTIONS.items():
        result = check(fn)  # must not raise
        out = capsys.readouterr().out
        assert not result, f"{label}: {out}"
        assert core.FAIL in out, f"{label}: {out}"


@pytest.mark.parametrize("name", sorted(ANSWER_CHECKS))
def test_answer_checks_never_raise_and_never_pass_garbage(name, capsys):
    check = ANSWER_CHECKS[name][0]
    for label, value in GARBAGE.items():
        result = check(value)
        out = capsys.readouterr().out
        assert not result, f"{label}: {out}"
        wanted = core.TODO if value is Ellipsis else core.FAIL
        assert wanted in out, f"{label}: {out}"


@pytest.mark.parametrize("name", sorted(FUNCTION_CHECKS))
def test_not_done_yet_is_not_a_fail(name, capsys):
    assert not FUNCTION_CHECKS[name][0](_raises(NotImplementedError()))
    assert capsys.readouterr().out.startswith(core.TODO)


# ---------------------------------------------------------------- time limits
def _endless(*args):
    while True:
        pass


def _endless_numpy(*args):
    a = np.ones((60, 60))
    while True:
        a = np.tanh(a @ a.T)


def _endless_catching(*args):
    while True:
        try:
            while True:
                pass
        except BaseException:  # a learner's bare except: swallows the first stop
            pass


@pytest.mark.parametrize("name", sorted(FUNCTION_CHECKS))
def test_an_endless_loop_gets_took_too_long_and_the_kernel_goes_on(
        name, capsys, monkeypatch):
    monkeypatch.setattr(core, "TIME_LIMIT", 0.3)
    check, rights, _ = FUNCTION_CHECKS[name]
    for endless in (_endless, _endless_numpy):
        start = time.monotonic()
        assert not check(endless)
        out = capsys.readouterr().out
        assert "took too long" in out and "loop that never ends" in out, out
        assert time.monotonic() - start < 8  # 0.3 s (a small CNN's too) + grace
    monkeypatch.setattr(core, "TIME_LIMIT", 10)
    assert check(next(iter(rights.values())))  # still usable afterwards
    assert capsys.readouterr().out.startswith(core.PASS)


def test_a_bare_except_cannot_keep_a_check_waiting(capsys, monkeypatch):
    monkeypatch.setattr(core, "TIME_LIMIT", 0.3)
    start = time.monotonic()
    assert not checks.check_relu(_endless_catching)
    assert "took too long" in capsys.readouterr().out
    assert time.monotonic() - start < 5


def test_code_stuck_in_one_c_call_is_left_behind_with_a_note(capsys, monkeypatch):
    monkeypatch.setattr(core, "TIME_LIMIT", 0.2)
    monkeypatch.setattr("helpers.checks.timeout.GRACE_SECONDS", 0.3)
    start = time.monotonic()
    assert not checks.check_relu(lambda x: time.sleep(3))
    out = capsys.readouterr().out
    assert "took too long" in out and "still running in the background" in out
    assert time.monotonic() - start < 2


def test_print_inside_the_learners_function_reaches_the_cell(capsys):
    def chatty(x):
        print("hello from the learner")
        return np.maximum(x, 0)

    assert checks.check_relu(chatty)
    assert "hello from the learner" in capsys.readouterr().out


def test_time_limit_machinery_returns_values_and_reraises():
    from helpers.checks.timeout import TookTooLong, call_with_time_limit

    assert call_with_time_limit(lambda a, b=1: a + b, (2,), {"b": 3}, seconds=1) == 5
    assert call_with_time_limit(lambda: 7, seconds=None) == 7
    with pytest.raises(ZeroDivisionError):
        call_with_time_limit(lambda: 1 / 0, seconds=1)
    with pytest.raises(TookTooLong) as info:
        call_with_time_limit(_endless, seconds=0.2)
    assert info.value.still_running is False and info.value.seconds == 0.2


# ---------------------------------------------------------------- exact comparison
@pytest.mark.parametrize("got, expected, ok", [
    (26, 26, True), (np.int64(26), 26, True), (26.0, 26, True), (np.array(26), 26, True),
    (np.float32(26.0), 26, True), (25, 26, False), (26.5, 26, False), (True, 1, False),
    ("26", 26, False), (None, 26, False), (float("nan"), 26, False),
    (float("inf"), 26, False), ([26], 26, False), (5_000_001, 5_000_000, False),
    (5_000_000 * (1 + 1e-7), 5_000_000, False),
    ((26, 26, 32), (26, 26, 32), True), ([26, 26, 32], (26, 26, 32), True),
    (np.array([26, 26, 32]), (26, 26, 32), True), ((26, 26), (26, 26, 32), False),
    ((26, 26, 32.5), (26, 26, 32), False), ("(26, 26, 32)", (26, 26, 32), False),
    ((26, 26, True), (26, 26, 1), False), (np.zeros((2, 3)), (2, 3), False),
    ({26: 26}, (26,), False), (26, (26,), False),
])
def test_compare_exact(got, expected, ok):
    problem = core.compare_exact(got, expected)
    assert (problem is None) is ok, problem
    if not ok:
        assert problem  # a reason in words


def test_compare_exact_names_the_expected_type():
    assert "use // (floor division)" in core.compare_exact(12.5, 12)
    assert "a bool" in core.compare_exact(False, 0)
    assert "return the number itself, not a string" in core.compare_exact("3", 3)
    assert "an index must be an int" in core.compare_exact(1.0, 1, whole_floats=False)


def test_check_answer_compares_counts_exactly(capsys):
    assert not checks.check_answer(5_000_001, 5_000_000, "the count")
    assert not checks.check_answer(True, 1, "the count")
    assert not checks.check_answer((12.5, 12.5, 16), (12, 12, 16), "the shape")
    assert checks.check_answer((12, 12, 16), (12, 12, 16), "the shape")
    assert checks.check_answer(0.1 + 0.2, 0.3, "a float answer")  # tolerance stays
    out = capsys.readouterr().out
    assert out.count(core.FAIL) == 3 and out.count(core.PASS) == 2


def test_check_count(capsys):
    assert core.check_count(320, 320, "the parameters")
    assert not core.check_count(..., 320, "the parameters")
    assert not core.check_count(321, 320, "the parameters", hint="bias")
    out = capsys.readouterr().out
    assert core.TODO in out and "Hint: bias" in out


# ---------------------------------------------------------------- the fuzz report tool
def test_fuzz_report_counts_checks_and_functions(monkeypatch):
    import fuzz_report

    rows = fuzz_report.fuzz_checks(names=["check_relu", "check_pooled_shape",
                                          "check_output_shapes"], endless=True)
    assert sorted(r["name"] for r in rows) == ["check_output_shapes",
                                               "check_pooled_shape", "check_relu"]
    for row in rows:
        assert row["tried"] == row["right"] + row["wrong"] > 20
        assert row["right_passed"] == row["right"]
        assert row["wrong_accepted"] == row["raised"] == row["hangs"] == 0
    functions = fuzz_report.fuzz_functions(names=["layers.pad_amounts",
                                                  "plots.show_items"])
    for row in functions:
        assert row["good_call"] == "ran"
        assert row["tried"] == 13 * {"layers.pad_amounts": 4, "plots.show_items": 4}[
            row["name"]]
        assert row["unclear"] == row["hangs"] == 0, row["examples"]
    text = fuzz_report.table(rows, ["name", "tried", "wrong_accepted"])
    assert text.splitlines()[-1].startswith("| **total** | ")


def test_fuzz_report_sorts_calls(monkeypatch):
    import fuzz_report

    def clear(x):
        raise ValueError("`x` is bad")

    def raw(x):
        return np.zeros(3)[x + 10]

    monkeypatch.setattr(fuzz_report, "SECONDS", 0.3)
    assert fuzz_report._classify(clear, {"x": 1}, "x")[0] == "clear"
    assert fuzz_report._classify(raw, {"x": 1}, "x")[0] == "unclear"
    assert fuzz_report._classify(lambda x: x, {"x": 1}, "x")[0] == "ran"
    assert fuzz_report._classify(lambda x: _endless(), {"x": 1}, "x")[0] == "hang"


def test_deep_recursion_in_the_learners_code_is_as_deep_as_in_the_main_thread():
    import sys

    from helpers.checks.timeout import call_with_time_limit

    def depth(n):
        return 0 if n == 0 else 1 + depth(n - 1)

    limit = sys.getrecursionlimit()
    assert call_with_time_limit(depth, (limit - 100,), seconds=30) == limit - 100
    with pytest.raises(RecursionError):
        call_with_time_limit(depth, (limit + 100,), seconds=30)


def test_a_whole_cnn_run_gets_a_longer_time_limit_when_it_is_large(capsys, monkeypatch):
    monkeypatch.setattr(core, "TIME_LIMIT", 0.1)
    # as if the small CNN (1,800 multiply-adds) were large: 18 time limits per image
    monkeypatch.setattr(_trained_checks, "MULTIPLY_ADDS_PER_TIME_LIMIT", 100)

    def slow_but_right(image, weights):
        time.sleep(0.5)  # slower than 0.1 s, well within 18 x 0.1 s
        return _trained_checks.loop_forward_answer(image, weights)

    assert run_loop_forward(slow_but_right)
    assert not checks.check_relu(lambda x: time.sleep(0.5) or np.maximum(x, 0))
    assert "took too long (more than 0.1 s)" in capsys.readouterr().out


# ---------------------------------------------------------------- values read in time
def _outer_limit(check, *args, seconds=10.0):
    """Run a whole check under a time limit of its own: a check that hangs fails the
    test instead of hanging the suite."""
    from helpers.checks.timeout import call_with_time_limit

    return call_with_time_limit(check, args, seconds=seconds)


def test_an_endless_generator_is_read_inside_the_time_limit_with_a_size_bound(
        capsys, monkeypatch):
    start = time.monotonic()  # a fast one: stopped by the size bound, at once
    assert not _outer_limit(_arch_checks.check_receptive_fields, _endless_generator)
    out = capsys.readouterr().out
    assert core.FAIL in out and "more than 100,000 values" in out, out
    assert time.monotonic() - start < 5

    def slow_endless(stack):  # a slow one: stopped by the time limit
        while True:
            time.sleep(0.01)
            yield 3

    monkeypatch.setattr(core, "TIME_LIMIT", 0.3)
    start = time.monotonic()
    assert not _outer_limit(_arch_checks.check_receptive_fields, slow_endless)
    out = capsys.readouterr().out
    assert "took too long" in out and "more than 0.3 s" in out, out
    assert time.monotonic() - start < 3


@pytest.mark.parametrize("name", sorted(FUNCTION_CHECKS))
def test_a_returned_value_is_read_inside_the_time_limit(name, capsys, monkeypatch):
    monkeypatch.setattr(core, "TIME_LIMIT", 0.3)
    check = FUNCTION_CHECKS[name][0]
    for label, value in ENDLESS_ANSWERS.items():
        start = time.monotonic()
        assert not _outer_limit(check, _returns(value)), label
        out = capsys.readouterr().out
        assert core.FAIL in out and ("took too long" in out or "more than" in out), \
            f"{label}: {out}"
        assert time.monotonic() - start < 4, label


@pytest.mark.parametrize("name", sorted(ANSWER_CHECKS))
def test_an_answer_is_read_inside_the_time_limit(name, capsys, monkeypatch):
    monkeypatch.setattr(core, "TIME_LIMIT", 0.3)
    check = ANSWER_CHECKS[name][0]
    for label, value in ENDLESS_ANSWERS.items():
        start = time.monotonic()
        assert not _outer_limit(check, value), label
        assert core.FAIL in capsys.readouterr().out, label
        assert time.monotonic() - start < 4, label


class _EndlessMessage(Exception):
    """An exception of the learner's own class whose message never ends."""

    def __str__(self):
        while True:
            pass


def test_an_exception_message_is_read_inside_the_time_limit_and_cut(capsys,
                                                                    monkeypatch):
    monkeypatch.setattr(core, "TIME_LIMIT", 0.3)
    for check in (checks.check_relu, _arch_checks.check_receptive_fields):
        start = time.monotonic()
        assert not _outer_limit(check, _raises(_EndlessMessage()))
        out = capsys.readouterr().out
        assert core.FAIL in out and "raised _EndlessMessage" in out, out
        assert time.monotonic() - start < 4
    assert not checks.check_relu(_raises(ValueError("x" * 10**6)))
    out = capsys.readouterr().out
    assert "raised ValueError: xxx" in out and len(out) < 1000, out[:200]


def test_check_answer_names_an_answer_too_long_or_too_slow_to_read(capsys, monkeypatch):
    monkeypatch.setattr(core, "TIME_LIMIT", 0.3)
    assert not _outer_limit(checks.check_answer, _EndlessList([26, 26]), (26, 26), "shape")
    assert "more than 100,000 values" in capsys.readouterr().out
    assert not _outer_limit(checks.check_answer, _EndlessArray(), 5.0, "the value")
    assert "took too long" in capsys.readouterr().out


# ---------------------------------------------------------------- the caller's mistakes
def _kernel_feature_map_args(count):
    return (FM_IMAGE, FM_KERNELS[..., :count], FM_BIASES[:count],
            FM_EXPECTED[..., :count])


@pytest.mark.parametrize("count", [2, 3, 5, 6])
def test_check_kernel_feature_map_tests_only_kernels_that_exist(count, capsys):
    args = _kernel_feature_map_args(count)
    assert checks.check_kernel_feature_map(one_map_right, *args)
    assert capsys.readouterr().out.startswith(core.PASS)
    wrongs = FUNCTION_CHECKS["check_kernel_feature_map"][2]
    for label in ("the next kernel", "the bias of kernel 0", "no bias"):
        assert not checks.check_kernel_feature_map(wrongs[label], *args), label
        out = capsys.readouterr().out
        assert core.FAIL in out and "raised" not in out, f"{label}: {out}"


@pytest.mark.parametrize("change, argument", [
    ({"kernels": FM_KERNELS[..., :1], "biases": FM_BIASES[:1],
      "expected_maps": FM_EXPECTED[..., :1]}, "`kernels`"),
    ({"kernels": FM_KERNELS[..., :0], "biases": FM_BIASES[:0],
      "expected_maps": FM_EXPECTED[..., :0]}, "`kernels`"),
    ({"expected_maps": FM_EXPECTED[..., :5]}, "`expected_maps`"),
    ({"expected_maps": FM_EXPECTED[:, :, 0]}, "`expected_maps`"),
    ({"biases": FM_BIASES[:6]}, "`biases`"),
    ({"image": FM_IMAGE[:, :, 0]}, "`image`"),
    ({"kernels": FM_KERNELS[:, :, 0]}, "`kernels`"),
])
def test_check_kernel_feature_map_blames_the_caller_not_the_learner(change, argument,
                                                                   capsys):
    args = dict(image=FM_IMAGE, kernels=FM_KERNELS, biases=FM_BIASES,
                expected_maps=FM_EXPECTED)
    args.update(change)
    for learner in (one_map_right, lambda *a: None):
        with pytest.raises(ValueError, match=argument):
            checks.check_kernel_feature_map(learner, *args.values())
    assert capsys.readouterr().out == ""  # no verdict: the learner is not blamed


def test_a_check_with_nothing_to_test_refuses_to_pass(capsys):
    answer = _trained_checks.loop_forward_answer
    with pytest.raises(ValueError, match="`images`"):
        checks.check_loop_forward(answer, LOOP_WEIGHTS, LOOP_IMAGES[:0],
                                  LOOP_EXPECTED[:0])
    with pytest.raises(ValueError, match="`cases`"):
        checks.check_function(np.abs, np.abs, [], "my_abs")
    with pytest.raises(ValueError, match="`cases`"):
        checks.check_function(np.abs, np.abs, iter([]), "my_abs")
    with pytest.raises(ValueError, match="`model`"):
        checks.check_layer_predictions(lambda: {}, SimpleNamespace(layers=[]))
    only_input = SimpleNamespace(layers=[_layer("InputLayer", "image", (28, 28, 1), 0)])
    with pytest.raises(ValueError, match="`model`"):
        checks.check_layer_predictions(lambda: {}, only_input)
    assert capsys.readouterr().out == ""  # no ✅ for nothing tested


def _weights_with(**changes):
    weights = dict(LOOP_WEIGHTS)
    weights.update(changes)
    return {k: v for k, v in weights.items() if v is not None}


@pytest.mark.parametrize("weights, images, expected, error, argument", [
    (LOOP_WEIGHTS, LOOP_IMAGES, np.vstack([LOOP_EXPECTED, LOOP_EXPECTED[:1]]),
     ValueError, "`expected`"),  # 3 rows of probabilities for 2 images
    (LOOP_WEIGHTS, LOOP_IMAGES, LOOP_EXPECTED[:, :9], ValueError, "`expected`"),
    (LOOP_WEIGHTS, LOOP_IMAGES, LOOP_EXPECTED[0], ValueError, "`expected`"),
    (LOOP_WEIGHTS, LOOP_IMAGES, LOOP_EXPECTED[::-1], ValueError, "`expected`"),
    (_weights_with(output=None), LOOP_IMAGES, LOOP_EXPECTED, ValueError, "`weights`"),
    (_weights_with(dense=(LOOP_WEIGHTS["dense"][0],)), LOOP_IMAGES, LOOP_EXPECTED,
     ValueError, "`weights`"),
    (_weights_with(conv2=(LOOP_WEIGHTS["conv1"][0], LOOP_WEIGHTS["conv2"][1])),
     LOOP_IMAGES, LOOP_EXPECTED, ValueError, "`weights`"),
    (list(LOOP_WEIGHTS.values()), LOOP_IMAGES, LOOP_EXPECTED, TypeError, "`weights`"),
    (LOOP_WEIGHTS, LOOP_IMAGES[0], LOOP_EXPECTED, ValueError, "`images`"),
])
def test_check_loop_forward_blames_the_caller_not_the_learner(
        weights, images, expected, error, argument, capsys):
    for learner in (_trained_checks.loop_forward_answer, lambda image, w: None):
        with pytest.raises(error, match=argument):
            checks.check_loop_forward(learner, weights, images, expected)
    assert capsys.readouterr().out == ""  # no verdict: the learner is not blamed


# ---------------------------------------------------------------- Keras models as built
FUNCTIONAL_MODEL = SimpleNamespace(layers=[_layer("InputLayer", "image", (28, 28, 1), 0),
                                           *FAKE_MODEL.layers])


class _UnbuiltLayer(SimpleNamespace):
    """A layer of a Sequential that was never given an input shape (as Keras 3 says)."""

    @property
    def output(self):
        raise AttributeError(f"The layer {self.name} has never been called and thus "
                             "has no defined output.")

    def count_params(self):
        raise ValueError(f"You tried to call `count_params` on layer '{self.name}', "
                         "but the layer isn't built.")


def test_check_layer_predictions_leaves_out_the_input_layer(capsys):
    assert checks.check_layer_predictions(lambda: dict(LEDGER), FUNCTIONAL_MODEL)
    assert capsys.readouterr().out.startswith(core.PASS)
    assert checks.check_layer_predictions(
        lambda: {**LEDGER, "image": ((28, 28, 1), 0)}, FUNCTIONAL_MODEL)
    assert capsys.readouterr().out.startswith(core.PASS)
    assert not checks.check_layer_predictions(ledger_with(dense=((128,), 204_929)),
                                              FUNCTIONAL_MODEL)
    assert "❌ dense" in capsys.readouterr().out


def test_check_layer_predictions_names_an_unbuilt_model(capsys):
    unbuilt = SimpleNamespace(layers=[type("Conv2D", (_UnbuiltLayer,), {})(name="conv1"),
                                      type("Flatten", (_UnbuiltLayer,), {})(name="flat")])
    with pytest.raises(ValueError, match="`model`.*not built"):
        checks.check_layer_predictions(lambda: dict(LEDGER), unbuilt)
    with pytest.raises(TypeError, match="`model`"):
        checks.check_layer_predictions(lambda: dict(LEDGER), "model")
    assert capsys.readouterr().out == ""


def test_check_layer_predictions_on_keras_models(keras, capsys):
    L = keras.layers
    image = keras.Input((8, 8, 1), name="image")
    x = L.Conv2D(2, 3, name="conv1")(image)
    functional = keras.Model(image, L.Dense(3, name="output")(L.Flatten(name="flat")(x)))
    assert [type(layer).__name__ for layer in functional.layers][0] == "InputLayer"
    ledger = {"conv1": ((6, 6, 2), 20), "flat": ((72,), 0), "output": ((3,), 219)}
    assert checks.check_layer_predictions(lambda: ledger, functional)
    assert capsys.readouterr().out.startswith(core.PASS)
    unbuilt = keras.Sequential([L.Conv2D(2, 3, name="conv1"), L.Flatten(name="flat")])
    with pytest.raises(ValueError, match="`model`.*not built"):
        checks.check_layer_predictions(lambda: ledger, unbuilt)
    assert capsys.readouterr().out == ""


# ---------------------------------------------------------------- whole numbers as floats
def test_check_answer_compares_whole_floats_without_a_relative_tolerance(capsys):
    assert not checks.check_answer(5_000_020, 5e6, "the count")
    assert not checks.check_answer(5_000_001, 5e6, "the count")
    assert not checks.check_answer(5e6 + 0.5, 5e6, "the count")
    assert not checks.check_answer(True, 1.0, "the count")
    assert not checks.check_answer(np.array(4.001), np.float64(4.0), "the value")
    assert checks.check_answer(5_000_000, 5e6, "the count")
    assert checks.check_answer(np.float32(5e6), 5e6, "the count")
    assert checks.check_answer(0.1 * 3 * 10, 3.0, "round-off of float arithmetic")
    assert checks.check_answer(np.array(4.0, np.float32), np.float64(4.0), "the value")
    # a fraction keeps the relative tolerance
    assert checks.check_answer(0.3 * (1 + 1e-7), 0.3, "a probability")
    assert checks.check_answer(1234567.5 * (1 + 1e-7), 1234567.5, "a large fraction")
    out = capsys.readouterr().out
    assert out.count(core.FAIL) == 5 and out.count(core.PASS) == 6


# ---------------------------------------------------------------- loop_forward's time limit
NOTEBOOK_CNN_WEIGHTS = {  # the shapes of notebook 11's trained CNN, values unused
    "conv1": (np.zeros((3, 3, 1, 32)), np.zeros(32)),
    "conv2": (np.zeros((3, 3, 32, 64)), np.zeros(64)),
    "dense": (np.zeros((3136, 128)), np.zeros(128)),
    "output": (np.zeros((128, 10)), np.zeros(10)),
}


def test_check_loop_forward_stops_an_endless_loop_after_one_images_budget(
        capsys, monkeypatch):
    monkeypatch.setattr(core, "TIME_LIMIT", 0.5)
    start = time.monotonic()
    assert not run_loop_forward(_endless)
    elapsed = time.monotonic() - start
    out = capsys.readouterr().out
    assert "took too long (more than 0.5 s) on image 1 of 2" in out, out
    assert elapsed < 2.5, elapsed  # one time limit for the small CNN; 12 before


def test_a_whole_cnn_run_gets_a_time_limit_per_image_from_its_size(monkeypatch):
    monkeypatch.setattr(core, "TIME_LIMIT", 10.0)
    work = _trained_checks.forward_multiply_adds
    assert work((8, 8, 1), LOOP_WEIGHTS) == 8 * 8 * 9 * 2 + 4 * 4 * 9 * 2 * 2 + 32 + 40
    assert work((28, 28, 1), NOTEBOOK_CNN_WEIGHTS) == (
        28 * 28 * 9 * 32 + 14 * 14 * 9 * 32 * 64 + 3136 * 128 + 128 * 10)  # 4,241,152
    per_image = _trained_checks.time_limit_per_image
    assert per_image(LOOP_IMAGES[0], LOOP_WEIGHTS) == 10.0
    # 4.2 million multiply-adds: pure-Python loops take ~2.5 s; 12 x 10 s before
    assert 15.0 <= per_image(np.zeros((28, 28, 1)), NOTEBOOK_CNN_WEIGHTS) <= 30.0


def test_every_exercise_check_meets_right_and_wrong_answers_here():
    """A new self-check cannot ship without its right and wrong answers in this file
    (the generic `check_answer`, `check_count` and `check_function` are tested above,
    `check_prediction` in test_prediction_checks.py)."""
    exercise_checks = {name for name in checks.__all__ if name.startswith("check_")}
    generic = {"check_answer", "check_count", "check_function", "check_prediction"}
    assert exercise_checks - generic <= set(CHECKS), exercise_checks - generic - set(CHECKS)
    for name, (_, rights, wrongs) in CHECKS.items():
        assert rights or name in ANSWER_CHECKS, f"{name}: no right answer"
        assert wrongs, f"{name}: no wrong answer"
