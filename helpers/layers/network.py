"""A Keras model run in numpy: forward for inference, forward and backward for training.

Both read the model with `helpers.layers.keras_reader.read_model` and run its steps
with the layers of `helpers.layers`, nothing else.

`numpy_forward` runs a trained model on images (what notebook 11 does with the
learner's layers). The training chain is notebook 13's backward pass, held once for
the benchmark (`helpers.tools.bench_backprop`), the tests and the notebook's
confirmation::

    steps, params = trainable(model)  # the steps up to the scores; weight copies
    scores, caches = forward(steps, params, x)  # each step's *_forward, caches kept
    grads = backward(steps, caches, grad_scores)  # each step's *_backward, in reverse
    loss, grads = loss_and_gradients(steps, params, x, y)  # forward, loss, backward
    loss = sgd_step(steps, params, x, y, learning_rate)  # w -= rate * grad, in place

`params` and `grads` are in the order of ``model.get_weights()`` (kernel, bias, kernel,
bias, ...). The last layer's softmax belongs to the loss, `softmax_cross_entropy`
(mean over the batch, Keras' ``SparseCategoricalCrossentropy``): the chain ends with
the last dense layer's scores.

`numpy_forward`'s and the training chain's matrix products run on one BLAS thread
(``_BLAS.limit(limits=1, user_api="blas")``): on a busy 2-core machine one SGD step of
the series' CNN took 0.62 s with OpenBLAS's default threads, 0.08 s with one, and
`numpy_forward` on the 10,000 test images 21 s with the default, 6.6 s with one (its
matrix products are small, one piece of the batch at a time: two threads spent 2.9
times the CPU time of one, so even on an idle machine they could not be faster). The
controller is made once: ``threadpool_limits(1, ...)`` looks up the loaded libraries
again on every call, about 2 ms, twice per step.
"""

from __future__ import annotations

import functools
import time

import numpy as np
from threadpoolctl import ThreadpoolController

from helpers.layers import activations, convolution, flatten_dense, loss, pooling
from helpers.layers.keras_reader import Step, check_images, keras_model, read_model
from helpers.validation import (
    as_array,
    class_labels,
    kernel_channels,
    positive_int,
    positive_number,
)

__all__ = ["numpy_forward", "trainable", "forward", "backward", "loss_and_gradients",
           "sgd_step"]


# --------------------------------------------------------------------------- the layers
def _bias(weights: tuple) -> np.ndarray:
    """The bias of (kernel, bias), or zeros for a layer built with ``use_bias=False``."""
    kernel, *bias = weights
    return bias[0] if bias else np.zeros(kernel.shape[-1], kernel.dtype)


def _bare(function):
    """A forward pass without a backward here: (out, no cache)."""
    return lambda x, s, w: (function(x, s).astype(x.dtype, copy=False), None), None


# kind -> (forward(x, step, weights) -> (out, cache), backward(grad_out, cache) ->
# grad_x or (grad_x, grad_kernel, grad_bias)): each layer's pair, side by side.
# Inference keeps only `out`; training runs the kinds that have a backward.
_PAIRS = {
    "conv": (lambda x, s, w: convolution.conv2d_layer_forward(x, w[0], _bias(w),
                                                              s.stride[0], s.padding),
             convolution.conv2d_layer_backward),
    "dense": (lambda x, s, w: flatten_dense.dense_forward(x, w[0], _bias(w)),
              flatten_dense.dense_backward),
    "maxpool": (lambda x, s, w: pooling.max_pool2d_layer_forward(x, s.size[0],
                                                                 s.stride[0]),
                pooling.max_pool2d_layer_backward),
    "flatten": (lambda x, s, w: flatten_dense.flatten_forward(x),
                flatten_dense.flatten_backward),
    "relu": (lambda x, s, w: activations.relu_forward(x), activations.relu_backward),
    "identity": (lambda x, s, w: (x, None), lambda grad, cache: grad),  # Dropout
    "avgpool": _bare(lambda x, s: pooling.avg_pool2d_layer(x, s.size[0], s.stride[0])),
    "sigmoid": _bare(lambda x, s: activations.sigmoid(x)),
    "softmax": _bare(lambda x, s: activations.softmax(x)),
}


def _output(step: Step, x: np.ndarray) -> np.ndarray:
    """The step's output for the batch `x` (inference: the weights are the model's)."""
    step_forward, _ = _PAIRS[step.kind]
    return step_forward(x, step, step.weights)[0]


_BLAS = ThreadpoolController()  # the BLAS libraries, found once (the module says why)


def _on_one_blas_thread(function):
    """`function` with numpy's matrix products on one BLAS thread (the module says why)."""

    @functools.wraps(function)
    def run(*args, **kwargs):
        with _BLAS.limit(limits=1, user_api="blas"):
            return function(*args, **kwargs)

    return run


# --------------------------------------------------------------------------- inference
def _refuse_what_numpy_forward_cannot_run(steps: list[Step]) -> None:
    """The layers take one stride and one window side for both axes, pools no padding."""
    for step in steps:
        where = f"layer {step.name!r} ({step.layer_type})"
        if step.kind == "conv" and step.stride[0] != step.stride[1]:
            raise ValueError(f"{where}: strides={step.stride} is not supported by "
                             "numpy_forward")
        if step.kind in ("maxpool", "avgpool"):
            if step.padding != "valid":
                raise ValueError(f"{where}: padding={step.padding!r} is not supported "
                                 "by numpy_forward")
            if step.size[0] != step.size[1] or step.stride[0] != step.stride[1]:
                raise ValueError(f"{where}: pool_size={step.size}, strides={step.stride} "
                                 "is not supported by numpy_forward")


def step_outputs(steps: list[Step], x: np.ndarray) -> list[np.ndarray]:
    """Every step's output for the batch `x`, in order (what a viewer of the layers
    draws; `numpy_forward` keeps only the last). The steps come from `read_model`;
    bare: the caller checked `x` (e.g. with `check_images`)."""
    outputs = []
    for step in steps:
        x = _output(step, x)
        outputs.append(x)
    return outputs


@_on_one_blas_thread
def numpy_forward(model, images, batch_size: int = 256) -> np.ndarray:
    """Run a trained Keras model with the numpy layers of `helpers.layers`.

    Parameters
    ----------
    model : keras.Sequential, or a functional keras.Model that is one chain
        Made of Conv2D, MaxPooling2D, AveragePooling2D, Flatten, Dense, Dropout, ReLU,
        Activation and Softmax layers (channels last), built (it has weights). A model
        that is not one chain from input to output (a layer used twice, a merge, two
        outputs, a subclassed model) is refused with the reason.
    images : (N, H, W, C) array (or (N, features) for a model without convolutions)
        Already scaled the way the model was trained; the shape must match the model's
        input (one image needs its batch axis: ``image[None]``).
    batch_size : int
        Images run through the whole network at a time (bounds memory).

    Returns
    -------
    (N, outputs) float32 array: what ``model.predict(images)`` returns, to float32
    rounding.
    """
    steps = read_model(model)
    _refuse_what_numpy_forward_cannot_run(steps)
    outputs = []
    for start in range(0, images.shape[0], batch_size):
        x = images[start : start + batch_size]
        for step in steps:  # only the current step's output is kept (memory)
            x = _output(step, x)
        outputs.append(x)
    return np.concatenate(outputs).astype(np.float32)


# --------------------------------------------------------------------------- training
def _refuse_what_cannot_be_trained(steps: list[Step]) -> list[Step]:
    """The steps up to the scores (a last softmax goes into the loss), or raise (a
    layer used twice, for one, would need its weights' gradients summed)."""
    if [step.kind for step in steps[-2:]] == ["dense", "softmax"]:
        steps = steps[:-1]
    seen = set()
    for step in steps:
        where = f"layer {step.name!r}"
        if step.weights and step.name in seen:
            raise ValueError(f"{where} is used twice in `model` (shared weights): the "
                             "training chain needs every layer once")
        seen.add(step.name)
        if step.kind == "conv" and (step.stride[0] != step.stride[1]
                                    or len(step.weights) != 2):
            raise ValueError(f"{where}: only square strides, no dilation and a bias are "
                             "supported")
        if step.kind == "maxpool" and (step.size[0] != step.size[1] or step.stride[0]
                                       != step.stride[1] or step.padding != "valid"):
            raise ValueError(f"{where}: only square 'valid' pooling is supported")
        if step.kind == "dense" and len(step.weights) != 2:
            raise ValueError(f"{where}: a bias is required")
        if step.rate != 0:
            raise ValueError(f"{where}: dropout rate {step.rate} draws random masks; "
                             "build the model with rate 0 to train it "
                             "deterministically")
        if step.kind in ("sigmoid", "softmax"):
            raise ValueError(f"{where}: activation {step.kind!r} is not supported")
        if _PAIRS[step.kind][1] is None:
            raise ValueError(f"{where} is a {step.layer_type}: not supported")
    if not steps or steps[-1].kind != "dense":
        raise ValueError("the last layer must be a Dense layer with a softmax activation "
                         "(or none: scores, with the softmax in the loss)")
    return steps


def trainable(model) -> tuple[list[Step], list[np.ndarray]]:
    """The steps of `model` that the training chain runs, and copies of its weights.

    Parameters
    ----------
    model : keras.Sequential (or a functional chain), built
        Conv2D (square strides, a bias), MaxPooling2D (square, "valid"), Flatten,
        Dropout (rate 0 only: training must be deterministic to compare with Keras),
        ReLU and Dense (with a bias) layers, activations ReLU or none, ending in a Dense
        layer with a softmax (or no) activation.

    Returns
    -------
    steps : list of Step
        The model's steps up to the last dense layer's scores (its softmax, if any,
        belongs to the loss).
    params : list of arrays
        Copies of the weights, in the order of ``model.get_weights()``; `sgd_step`
        updates them in place.
    """
    steps = _refuse_what_cannot_be_trained(read_model(model))
    return steps, [w.copy() for step in steps for w in step.weights]


@_on_one_blas_thread
def forward(steps: list[Step], params: list, x: np.ndarray):
    """Run the chain; return the scores (before the softmax) and every step's cache.

    Parameters
    ----------
    steps, params : from `trainable`
    x : (N, H, W, C) array (or (N, features))

    Returns
    -------
    scores : (N, classes) array
    caches : list, one per step: what its ``*_forward`` returned for its backward
    """
    caches, weights = [], iter(params)  # each step takes its share, in order
    for step in steps:
        step_forward, _ = _PAIRS[step.kind]
        x, cache = step_forward(x, step, [next(weights) for _ in step.weights])
        caches.append(cache)
    return x, caches


@_on_one_blas_thread
def backward(steps: list[Step], caches: list, grad_scores: np.ndarray,
             timings: dict | None = None) -> list[np.ndarray]:
    """Backward pass from the gradient of the loss with respect to the scores.

    Returns the gradients in the order of `params` (``model.get_weights()``). If
    `timings` is a dict, the seconds spent in each layer's backward pass are added to
    it, by layer name (a conv layer's ReLU counts with the conv layer). A first conv
    layer's gradient with respect to its input, the data, is not computed.
    """
    grads, grad = [], grad_scores
    for step, cache in zip(steps[::-1], caches[::-1], strict=True):
        start = time.perf_counter()
        # The first step's input is the data: nothing needs its gradient, so a first
        # conv layer skips it (grad_x None): 1.3 ms of conv1's 4 in an SGD step.
        if step is steps[0] and step.kind == "conv":
            result = (None, *convolution.conv2d_layer_weight_gradients(grad, cache))
        else:
            result = _PAIRS[step.kind][1](grad, cache)
        if isinstance(result, tuple):  # (grad_x, grad_kernel, grad_bias)
            grad, *weight_grads = result
            grads = weight_grads + grads
        else:
            grad = result
        if timings is not None:
            timings[step.name] = timings.get(step.name, 0.0) + (
                time.perf_counter() - start)
    return grads


def loss_and_gradients(steps: list[Step], params: list, x: np.ndarray, y: np.ndarray,
                       timings: dict | None = None):
    """Mean cross-entropy of the network on (x, y) and its gradient for every param.

    Returns
    -------
    loss : float
    grads : list of arrays, the order and shapes of `params`
    """
    scores, caches = forward(steps, params, x)
    mean_loss, loss_cache = loss.softmax_cross_entropy_forward(scores, y)
    grad_scores = loss.softmax_cross_entropy_backward(1.0, loss_cache)  # scores' dtype
    return mean_loss, backward(steps, caches, grad_scores, timings)


def sgd_step(steps: list[Step], params: list, x: np.ndarray, y: np.ndarray,
             learning_rate: float) -> float:
    """One step of plain SGD, ``w -= learning_rate * grad``, in place; returns the loss
    before the step (what Keras' ``train_on_batch`` returns)."""
    mean_loss, grads = loss_and_gradients(steps, params, x, y)
    for w, g in zip(params, grads, strict=True):
        w -= learning_rate * g.astype(w.dtype, copy=False)
    return mean_loss


# ---- the door: argument checks
def check_numpy_forward(model, images, batch_size=256) -> dict:
    """`model` a Keras model, `batch_size` an int >= 1, `images` a float32 batch of the
    model's input shape (`check_images`); the model's layers are read in the body."""
    model, batch_size = keras_model(model), positive_int(batch_size, "batch_size")
    return {"model": model, "images": check_images(images, model),
            "batch_size": batch_size}


def check_trainable(model) -> dict:
    """`model`: a Keras model (what it is made of, the body says)."""
    return {"model": keras_model(model)}


def _steps(steps) -> None:
    if not isinstance(steps, list) or not all(isinstance(s, Step) for s in steps):
        raise TypeError("`steps` must be the list of steps that trainable(model) "
                        f"returned, got {type(steps).__name__}")


def _chain(steps, params) -> None:
    """`steps` and `params` as `trainable` returned them (`params` is checked, never
    copied or converted: `sgd_step` updates its arrays in place)."""
    _steps(steps)
    shapes = [(s.name, w.shape) for s in steps for w in s.weights]
    if not isinstance(params, list) or len(params) != len(shapes):
        raise ValueError(f"`params` must be a list of {len(shapes)} arrays (the weights "
                         "that trainable(model) returned)")
    for index, (w, (name, shape)) in enumerate(zip(params, shapes, strict=True)):
        if not isinstance(w, np.ndarray) or w.dtype.kind != "f" or w.shape != shape:
            raise ValueError(
                f"`params[{index}]` must be a float array of shape {shape} (layer "
                f"{name!r}), got {type(w).__name__} {getattr(w, 'shape', '')}")


def _timings(timings) -> dict | None:
    if timings is not None and not isinstance(timings, dict):
        raise TypeError(f"`timings` must be a dict or None, got {type(timings).__name__}")
    return timings


def check_forward(steps, params, x) -> dict:
    """`steps`, `params` from `trainable`; `x` a batch of numbers (with the first conv
    layer's channels)."""
    _chain(steps, params)
    x = as_array(x, "x", (2, 4))
    if steps and steps[0].kind == "conv":
        kernel_channels(steps[0].weights[0], x.shape[-1])
    return {"steps": steps, "params": params, "x": x}


def check_backward(steps, caches, grad_scores, timings=None) -> dict:
    """`caches` from `forward` with these `steps`; `grad_scores` an (N, classes) array."""
    _steps(steps)
    if not isinstance(caches, list) or len(caches) != len(steps):
        raise ValueError(f"`caches` must be the list of {len(steps)} caches that "
                         "forward(steps, params, x) returned")
    return {"steps": steps, "caches": caches, "timings": _timings(timings),
            "grad_scores": as_array(grad_scores, "grad_scores", (2,))}


def check_loss_and_gradients(steps, params, x, y, timings=None) -> dict:
    """As `forward`'s door; `y` one class number per item of `x`."""
    arguments = check_forward(steps, params, x)
    return {**arguments, "timings": _timings(timings),
            "y": class_labels(y, "y", params[-1].shape[-1], length=len(arguments["x"]))}


def check_sgd_step(steps, params, x, y, learning_rate) -> dict:
    """As `loss_and_gradients`' door; `learning_rate` a number > 0."""
    arguments = check_loss_and_gradients(steps, params, x, y)
    del arguments["timings"]
    return {**arguments, "learning_rate": positive_number(learning_rate, "learning_rate")}
