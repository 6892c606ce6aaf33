"""Read a Keras model as a chain of steps: the operations of `helpers.layers` it runs.

One reader for everything that takes a Keras model apart: `numpy_forward` runs the
steps, the training chain of `helpers.layers.network` runs them forward and backward,
and the ledger of `helpers.cnn` counts their weights. A `Step` is one operation; a Keras
layer gives one or two (a ``Conv2D`` with ``activation="relu"`` is a "conv" step then a
"relu" step, both named after the layer)::

    Conv2D(32, 3, padding="same", activation="relu", name="conv1")
        -> Step("conv", "conv1", size=(3, 3), stride=(1, 1), padding="same",
                weights=(kernel, bias)),  Step("relu", "conv1")

What no layer of the package computes (dilation, groups, channels first, an ELU, a
BatchNormalization...) is refused here, with the layer's name and the setting. What only
one user cannot do (numpy_forward: non-square strides; training: an average pooling) is
refused by that user. `chain_of_layers` and `check_images` decide which models and
images can be run at all: one chain of layers from one input to one output, fed images
of the shape its input expects; for any other graph (a layer used twice, a merge, two
outputs, a subclassed model's Python `call`) running the layers in order would give
silently wrong numbers. Nothing here imports TensorFlow: the model is only inspected.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers.validation import as_array

__all__ = ["Step", "read_layer", "read_model", "check_images"]

KINDS = ("conv", "maxpool", "avgpool", "flatten", "dense", "relu", "sigmoid", "softmax",
         "identity")
ACTIVATIONS = ("linear", "relu", "sigmoid", "softmax")  # a Conv2D's, a Dense's


@dataclass(frozen=True, eq=False)  # eq=False: numpy arrays inside have no truth value
class Step:
    """One operation of a model read from Keras (a Keras layer gives one or two)."""

    # one of KINDS; "softmax" is along the last axis, "identity" a Dropout at inference
    # or an Activation("linear")
    kind: str
    name: str  # the Keras layer's name (a layer and its activation: two steps)
    layer_type: str  # the Keras layer's class, e.g. "Conv2D"
    # (kernel, bias), or (kernel,) without bias, as in model.get_weights(): a conv
    # kernel (kh, kw, C, F), a dense kernel (inputs, units); empty for the other kinds
    weights: tuple = ()
    size: tuple[int, int] = (1, 1)  # the window: (kh, kw) of a conv, (ph, pw) of a pool
    stride: tuple[int, int] = (1, 1)  # (sh, sw) of a conv or a pooling
    padding: str = "valid"  # "valid" or "same", of a conv or a pooling
    rate: float = 0.0  # a Dropout's rate (off at inference: its step is "identity")


def read_layer(layer) -> list[Step]:
    """The steps that compute one Keras layer with its weights, or raise saying why not.

    Parameters
    ----------
    layer : keras.layers.Layer, built
        Conv2D, MaxPooling2D, AveragePooling2D, Flatten, Dense, Dropout, ReLU,
        Activation, Softmax (or an InputLayer: one "identity" step), channels last.

    Returns
    -------
    list of Step
        One step, or two for a Conv2D or a Dense with a non-linear activation.
    """
    layer_type = type(layer).__name__
    config = layer.get_config()
    if layer_type not in _READERS:
        supported = ", ".join(name for name in _READERS if name != "InputLayer")
        raise ValueError(f"layer {layer.name!r} is a {layer_type}, which "
                         f"helpers.layers does not support (supported: {supported})")
    if config.get("data_format", "channels_last") != "channels_last":
        raise _unsupported(layer, f"data_format={config['data_format']!r}")
    return _READERS[layer_type](layer, config)


def read_model(model) -> list[Step]:
    """The steps of `model`, in the order they run: `read_layer` along `chain_of_layers`.

    Parameters
    ----------
    model : keras.Sequential, or a functional keras.Model that is one chain, built

    Returns
    -------
    list of Step
    """
    return [step for layer in chain_of_layers(model) for step in read_layer(layer)]


# ------------------------------------------------------------------ one reader a kind
def _unsupported(layer, setting):
    return ValueError(
        f"layer {layer.name!r} ({type(layer).__name__}): {setting} is not supported by "
        "helpers.layers"
    )


def _activation_steps(layer) -> list[Step]:
    """The step of the layer's activation ("linear": none), or raise."""
    name = getattr(layer.activation, "__name__", str(layer.activation))
    if name not in ACTIVATIONS:
        raise ValueError(f"layer {layer.name!r}: activation {name!r} is not supported "
                         f"by helpers.layers (supported: {sorted(ACTIVATIONS)})")
    return [] if name == "linear" else [Step(name, layer.name, type(layer).__name__)]


def _weights(layer, config) -> tuple:
    kernel = np.asarray(layer.kernel)
    return (kernel, np.asarray(layer.bias)) if config["use_bias"] else (kernel,)


def _conv(layer, config):
    if tuple(config["dilation_rate"]) != (1, 1):
        raise _unsupported(layer, f"dilation_rate={config['dilation_rate']}")
    if config.get("groups", 1) != 1:
        raise _unsupported(layer, f"groups={config['groups']}")
    conv = Step("conv", layer.name, type(layer).__name__, weights=_weights(layer, config),
                size=tuple(config["kernel_size"]), stride=tuple(config["strides"]),
                padding=config["padding"])
    return [conv, *_activation_steps(layer)]


def _pool(layer, config):
    size = tuple(config["pool_size"])
    kind = "maxpool" if type(layer).__name__ == "MaxPooling2D" else "avgpool"
    return [Step(kind, layer.name, type(layer).__name__, size=size,
                 stride=tuple(config["strides"] or size), padding=config["padding"])]


def _dense(layer, config):
    dense = Step("dense", layer.name, "Dense", weights=_weights(layer, config))
    return [dense, *_activation_steps(layer)]


def _relu(layer, config):
    if config.get("max_value") is not None or config.get("negative_slope", 0) != 0:
        raise _unsupported(layer, "max_value / negative_slope")
    if config.get("threshold", 0) != 0:
        raise _unsupported(layer, f"threshold={config['threshold']}")
    return [Step("relu", layer.name, "ReLU")]


def _softmax(layer, config):
    if config.get("axis", -1) != -1:
        raise _unsupported(layer, f"axis={config['axis']}")
    return [Step("softmax", layer.name, "Softmax")]


def _activation(layer, config):
    return _activation_steps(layer) or [Step("identity", layer.name, "Activation")]


_READERS = {
    "InputLayer": lambda layer, config: [Step("identity", layer.name, "InputLayer")],
    "Conv2D": _conv,
    "MaxPooling2D": _pool,
    "AveragePooling2D": _pool,
    "Flatten": lambda layer, config: [Step("flatten", layer.name, "Flatten")],
    "Dense": _dense,
    # dropout is off at inference time; its rate stays in the step for training
    "Dropout": lambda layer, config: [Step("identity", layer.name, "Dropout",
                                           rate=float(config["rate"]))],
    "ReLU": _relu,
    "Activation": _activation,
    "Softmax": _softmax,
}
KERAS_LAYERS = tuple(_READERS)  # the Keras classes `read_layer` reads


# --------------------------------------------------------------------------- the chain
def chain_of_layers(model) -> list:
    """The layers of `model` in the order they run, or raise saying why `model` is not
    one chain from its input to its output.

    A ``Sequential`` is a chain by construction (its `layers`, in order; a layer listed
    twice runs twice, as in Keras). A functional model is walked back from its output
    to its input through the graph Keras recorded: every layer on the way must take
    exactly one input and be used only once.
    """
    names = {cls.__name__ for cls in type(model).__mro__}
    kind = type(model).__name__
    if not getattr(model, "built", True):
        raise ValueError(f"`model` ({kind}) has not been built yet, so it has no "
                         "weights: start it with keras.Input(shape=...) (e.g. "
                         "keras.Input(shape=(28, 28, 1))), or call "
                         "model.build((None, 28, 28, 1)), or train it first")
    if "Sequential" in names:
        return [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    if "Functional" not in names:
        raise ValueError(f"`model` is a subclassed model (class {kind}): its call() "
                         "method is Python code that numpy_forward cannot follow. "
                         "Build the same layers as a keras.Sequential (or a "
                         "functional model that is one chain)")
    inputs, outputs = list(model.inputs), list(model.outputs)
    if len(inputs) != 1 or len(outputs) != 1:
        raise ValueError(f"`model` has {len(inputs)} input(s) and {len(outputs)} "
                         "output(s): numpy_forward runs only a chain of layers from "
                         "one input to one output")
    chain, tensor = [], outputs[0]
    while True:
        layer, node_index, _ = tensor._keras_history
        if type(layer).__name__ == "InputLayer":
            break
        node = layer._inbound_nodes[node_index]
        parents = list(node.input_tensors)
        if len(parents) != 1:
            raise ValueError(f"layer {layer.name!r} ({type(layer).__name__}) takes "
                             f"{len(parents)} inputs: the model is not one chain of "
                             "layers, which is all numpy_forward can run")
        if any(earlier is layer for earlier in chain):
            raise ValueError(f"layer {layer.name!r} is used twice in `model` (shared "
                             "weights): numpy_forward runs only a chain in which "
                             "every layer is used once")
        chain.append(layer)
        tensor = parents[0]
    # No check that the walk ended at `inputs[0]` or passed every layer: Keras 3 refuses
    # to build a model whose output is not connected to its input, and leaves a branch
    # that does not lead to the output out of `model.layers`; the walk is the whole
    # computation of the output either way.
    return chain[::-1]


def check_images(images, model) -> np.ndarray:
    """`images` as a float32 array matching the model's input shape, or raise.

    Parameters
    ----------
    images : (N, H, W, C) array (or (N, features))
        The batch to run; one image without its batch axis gets an error that says
        to pass ``image[None]``.
    model : keras.Model
        Its ``inputs[0].shape``, e.g. ``(None, 28, 28, 1)``, is the expected shape.

    Returns
    -------
    images : float32 array of the same shape

    Raises
    ------
    ValueError
        Naming `images`, the shape that came and the ``(N, ...)`` shape expected
        (wrong size, wrong channel count, a missing batch axis).
    """
    try:
        expected = tuple(model.inputs[0].shape)
    except (AttributeError, IndexError, ValueError, TypeError):
        expected = None
    images = as_array(images, "images", (2, 3, 4, 5)).astype(np.float32, copy=False)
    if expected is None:
        return images
    wanted = "(N, " + ", ".join(str(n) for n in expected[1:]) + ")"
    sizes_fit = len(expected) - 1 == images.ndim and all(
        e is None or e == n for e, n in zip(expected[1:], images.shape, strict=True))
    if sizes_fit:
        raise ValueError(f"`images` has shape {images.shape}: that is one image "
                         "without the batch axis; the model expects a batch "
                         f"{wanted}: pass images[None] (or np.expand_dims(image, 0))")
    if images.ndim != len(expected):
        raise ValueError(f"`images` has shape {images.shape} ({images.ndim} "
                         f"dimensions) but the model expects a batch of shape {wanted}")
    for axis, (e, n) in enumerate(zip(expected[1:], images.shape[1:], strict=True)):
        if e is not None and e != n:
            what = "channels" if axis == len(expected) - 2 and len(expected) == 4 \
                else "size"
            raise ValueError(f"`images` has shape {images.shape} but the model "
                             f"expects {wanted}: wrong {what} ({n} instead of {e} "
                             f"along axis {axis + 1})")
    return images


# ---- the door: argument checks
def keras_model(model):
    """`model` if it is a Keras model (it has layers), or a TypeError."""
    if not hasattr(model, "layers"):
        raise TypeError(f"`model` must be a Keras model, got {type(model).__name__}")
    return model


def check_read_layer(layer) -> dict:
    """`layer`: a Keras layer that has its weights (built)."""
    if not hasattr(layer, "get_config"):
        raise TypeError(f"`layer` must be a Keras layer, got {type(layer).__name__}")
    if not getattr(layer, "built", True):
        raise ValueError(f"layer {layer.name!r} has not been built yet, so it has no "
                         "weights: build its model (keras.Input(shape=...) first) or "
                         "call it on a batch")
    return {"layer": layer}


def check_read_model(model) -> dict:
    """`model`: a Keras model (whether it is one chain, `chain_of_layers` says)."""
    return {"model": keras_model(model)}
