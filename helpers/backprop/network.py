"""A chain of layers read from a Keras ``Sequential``, run forward and backward in numpy.

Notebook 11 assembles the CNN's backward pass itself, layer by layer; this module holds
the same chain so that the benchmark (`helpers.tools.bench_backprop`) and the tests can
run it, and the notebook can confirm its own version against it.

A network is a list of layer *specs* (plain dicts read from the Keras layers) and a
list of *params*, the weight arrays in the order of ``model.get_weights()``::

    conv:    {"kind": "conv", "activation": "relu", "stride": 1, "padding": "same"}
    maxpool: {"kind": "maxpool", "size": 2, "stride": 2}
    flatten, dropout (rate 0 only: training must be deterministic to compare),
    dense:   {"kind": "dense", "activation": "relu" | "softmax"}

The last layer must be a dense layer with a softmax (or no) activation: its scores go
into `softmax_cross_entropy`, mean over the batch (Keras'
``SparseCategoricalCrossentropy``).
"""

from __future__ import annotations

import time

import numpy as np

from helpers.backprop.activations import (
    relu_backward,
    softmax_cross_entropy,
    softmax_cross_entropy_backward,
)
from helpers.backprop.blas import blas_threads
from helpers.backprop.convolution import conv2d_layer_backward
from helpers.backprop.dense import dense_backward, flatten_backward
from helpers.backprop.pooling import max_pool2d_layer_backward
from helpers.layers import conv2d_layer, max_pool2d_layer

__all__ = [
    "keras_twin", "layer_specs", "forward", "backward", "loss_and_gradients", "sgd_step",
]


def keras_twin(keras, model, shrink: int = 1, seed: int | None = 0,
               logits: bool = True):
    """A copy of `model`'s architecture that trains deterministically.

    Every layer is rebuilt from its config, with dropout rate 0 (random masks cannot be
    matched by a second implementation) and, if ``shrink > 1``, every conv layer's
    filters and every hidden dense layer's units divided by `shrink` (at least 1) so a
    numpy training run stays quick. The output layer keeps its size. New random
    weights (seeded); not compiled.

    With ``logits=True`` the output layer has no activation: it returns the scores
    and the softmax belongs in the loss, ``SparseCategoricalCrossentropy(
    from_logits=True)``, as in `softmax_cross_entropy`. Keras' cross-entropy of
    *probabilities* clips them to [1e-7, 1 - 1e-7], which sets the gradient of a very
    confident wrong answer to 0 instead of ``(p - y) / N``; a numpy twin would drift
    away from it at the first such answer.

    Parameters
    ----------
    keras : module
    model : keras.Sequential
    shrink : int >= 1
    seed : int or None
    """
    if not hasattr(model, "layers"):
        raise TypeError(f"`model` must be a Keras model, got {type(model).__name__}")
    if isinstance(shrink, bool) or not isinstance(shrink, int) or shrink < 1:
        raise ValueError(f"`shrink` must be an int >= 1, got {shrink!r}")
    if seed is not None:
        keras.utils.set_random_seed(seed)
    layers = []
    last = len(model.layers) - 1
    for index, layer in enumerate(model.layers):
        config = layer.get_config()
        kind = type(layer).__name__
        if kind == "Conv2D":
            config["filters"] = max(1, config["filters"] // shrink)
        elif kind == "Dense" and index != last:
            config["units"] = max(1, config["units"] // shrink)
        elif kind == "Dropout":
            config["rate"] = 0.0
        if index == last and logits:
            config["activation"] = "linear"
        layers.append(type(layer).from_config(config))
    return keras.Sequential([keras.Input(shape=model.input_shape[1:]), *layers],
                            name=f"{model.name}_twin")


def _activation(layer):
    act = getattr(layer, "activation", None)
    name = getattr(act, "__name__", "linear")
    if name not in ("relu", "linear", "softmax"):
        raise ValueError(f"layer {layer.name!r}: activation {name!r} is not supported")
    return name


def layer_specs(model) -> list[dict]:
    """The specs of a Keras ``Sequential`` made of Conv2D, MaxPooling2D, Flatten,
    Dropout (rate 0) and Dense layers, ending in a dense softmax layer."""
    if not hasattr(model, "layers"):
        raise TypeError(f"`model` must be a Keras model, got {type(model).__name__}")
    specs = []
    for layer in model.layers:
        kind, config = type(layer).__name__, layer.get_config()
        spec = {"name": layer.name}
        if kind == "Conv2D":
            if tuple(config["strides"])[0] != tuple(config["strides"])[1] or tuple(
                config["dilation_rate"]
            ) != (1, 1) or not config["use_bias"]:
                raise ValueError(f"layer {layer.name!r}: only square strides, no "
                                 "dilation and a bias are supported")
            spec.update(kind="conv", activation=_activation(layer),
                        stride=config["strides"][0], padding=config["padding"])
        elif kind == "MaxPooling2D":
            (ph, pw), (sh, sw) = config["pool_size"], config["strides"] or config[
                "pool_size"]
            if ph != pw or sh != sw or config["padding"] != "valid":
                raise ValueError(f"layer {layer.name!r}: only square 'valid' pooling "
                                 "is supported")
            spec.update(kind="maxpool", size=ph, stride=sh)
        elif kind == "Flatten":
            spec.update(kind="flatten")
        elif kind == "Dropout":
            if config["rate"] != 0:
                raise ValueError(
                    f"layer {layer.name!r}: dropout rate {config['rate']} draws random "
                    "masks; build the model with rate 0 to train it deterministically"
                )
            spec.update(kind="dropout")
        elif kind == "Dense":
            if not config["use_bias"]:
                raise ValueError(f"layer {layer.name!r}: a bias is required")
            spec.update(kind="dense", activation=_activation(layer))
        else:
            raise ValueError(f"layer {layer.name!r} is a {kind}: not supported")
        specs.append(spec)
    if not specs or specs[-1]["kind"] != "dense" or specs[-1]["activation"] == "relu":
        raise ValueError("the last layer must be a Dense layer with a softmax activation "
                         "(or none: scores, with the softmax in the loss)")
    return specs


def forward(specs, params, x):
    """Run the network; return the last layer's scores (before softmax) and the cache.

    Parameters
    ----------
    specs : list of dict, from `layer_specs`
    params : list of arrays, ``model.get_weights()`` order (kernel, bias per layer)
    x : (N, H, W, C) array

    Returns
    -------
    scores : (N, classes) array
    cache : list of (input, pre-activation) pairs, one per layer
    """
    with blas_threads(1):
        return _forward(specs, params, x)


def _forward(specs, params, x):
    cache, k = [], 0
    for spec in specs:
        kind, inp = spec["kind"], x
        z = None
        if kind == "conv":
            z = conv2d_layer(x, params[k], params[k + 1], spec["stride"], spec["padding"])
            k += 2
        elif kind == "dense":
            z = x @ params[k] + params[k + 1]
            k += 2
        elif kind == "maxpool":
            x = max_pool2d_layer(x, spec["size"], spec["stride"])
        elif kind == "flatten":
            x = x.reshape(x.shape[0], -1)
        if z is not None:
            x = np.maximum(z, 0) if spec["activation"] == "relu" else z
        cache.append((inp, z))
    return x, cache  # the last dense layer's softmax is left to the loss


def backward(specs, params, cache, grad_scores, timings: dict | None = None):
    """Backward pass from the gradient of the loss with respect to the scores.

    Returns the gradients in the order of `params`. If `timings` is a dict, the
    seconds spent in each layer's backward pass are added to it, by layer name.
    """
    with blas_threads(1):
        return _backward(specs, params, cache, grad_scores, timings)


def _backward(specs, params, cache, grad_scores, timings):
    grads = [None] * len(params)
    k = len(params)
    grad = grad_scores
    for index in range(len(specs) - 1, -1, -1):
        spec, (inp, z) = specs[index], cache[index]
        start = time.perf_counter()
        kind = spec["kind"]
        if kind in ("conv", "dense") and spec["activation"] == "relu":
            grad = relu_backward(z, grad)
        if kind == "conv":
            k -= 2
            grad, grads[k], grads[k + 1] = conv2d_layer_backward(
                inp, params[k], grad, spec["stride"], spec["padding"])
        elif kind == "dense":
            k -= 2
            grad, grads[k], grads[k + 1] = dense_backward(inp, params[k], grad)
        elif kind == "maxpool":
            grad = max_pool2d_layer_backward(inp, grad, spec["size"], spec["stride"])
        elif kind == "flatten":
            grad = flatten_backward(inp, grad)
        if timings is not None:
            timings[spec["name"]] = timings.get(spec["name"], 0.0) + (
                time.perf_counter() - start)
    return grads


def loss_and_gradients(specs, params, x, y, timings: dict | None = None):
    """Mean cross-entropy of the network on (x, y) and its gradient for every param.

    The matrix multiplies run on one OpenBLAS thread (`blas_threads`): on a busy
    2-core machine that is many times faster than OpenBLAS's default.
    """
    with blas_threads(1):
        scores, cache = forward(specs, params, x)
        loss = softmax_cross_entropy(scores, y)
        grad_scores = softmax_cross_entropy_backward(scores, y).astype(scores.dtype)
        return loss, backward(specs, params, cache, grad_scores, timings)


def sgd_step(specs, params, x, y, learning_rate: float) -> float:
    """One step of plain SGD, ``w -= learning_rate * grad``, in place; returns the loss
    before the step (what Keras' ``train_on_batch`` returns)."""
    loss, grads = loss_and_gradients(specs, params, x, y)
    for w, g in zip(params, grads, strict=True):
        w -= learning_rate * g.astype(w.dtype, copy=False)
    return loss
