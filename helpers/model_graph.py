"""What `helpers.numpy_forward` can run: a Keras model that is one chain of layers, fed
images of the shape its input expects.

`numpy_forward` applies one numpy function per layer, in order. That is right only when
the layers form one chain from the input to the output; for any other graph (a layer
used twice, a merge, two outputs, a subclassed model's Python `call`) it would give
silently wrong numbers, so these functions refuse such a model and say why. Nothing
here imports TensorFlow: the model object is only inspected.
"""

from __future__ import annotations

import numpy as np

from helpers.validation import as_array


def _class_names(model) -> set[str]:
    return {cls.__name__ for cls in type(model).__mro__}


def chain_of_layers(model) -> list:
    """The layers of `model` in the order they run, or raise saying why `model` is not
    one chain from its input to its output.

    A ``Sequential`` is a chain by construction (its `layers`, in order; a layer listed
    twice runs twice, as in Keras). A functional model is walked back from its output
    to its input through the graph Keras recorded: every layer on the way must take
    exactly one input and be used only once.
    """
    names = _class_names(model)
    kind = type(model).__name__
    if not getattr(model, "built", True):
        raise ValueError(
            f"`model` ({kind}) has not been built yet, so it has no weights: start it "
            "with keras.Input(shape=...) (e.g. keras.Input(shape=(28, 28, 1))), or "
            "call model.build((None, 28, 28, 1)), or train it first"
        )
    if "Sequential" in names:
        return [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    if "Functional" not in names:
        raise ValueError(
            f"`model` is a subclassed model (class {kind}): its call() method is Python "
            "code that numpy_forward cannot follow. Build the same layers as a "
            "keras.Sequential (or a functional model that is one chain)"
        )
    inputs, outputs = list(model.inputs), list(model.outputs)
    if len(inputs) != 1 or len(outputs) != 1:
        raise ValueError(
            f"`model` has {len(inputs)} input(s) and {len(outputs)} output(s): "
            "numpy_forward runs only a chain of layers from one input to one output"
        )
    chain, tensor = [], outputs[0]
    while True:
        layer, node_index, _ = tensor._keras_history
        if type(layer).__name__ == "InputLayer":
            break
        node = layer._inbound_nodes[node_index]
        parents = list(node.input_tensors)
        if len(parents) != 1:
            raise ValueError(
                f"layer {layer.name!r} ({type(layer).__name__}) takes {len(parents)} "
                "inputs: the model is not one chain of layers, which is all "
                "numpy_forward can run"
            )
        if any(earlier is layer for earlier in chain):
            raise ValueError(
                f"layer {layer.name!r} is used twice in `model` (shared weights): "
                "numpy_forward runs only a chain in which every layer is used once"
            )
        chain.append(layer)
        tensor = parents[0]
    if tensor is not inputs[0]:
        raise ValueError("`model`'s output does not come from its input through one "
                         "chain of layers")
    branches = [layer.name for layer in model.layers
                if type(layer).__name__ != "InputLayer"
                and not any(layer is link for link in chain)]
    if branches:
        raise ValueError(
            f"layers {branches} of `model` are not on the chain from its input to its "
            "output: numpy_forward runs only a chain of layers"
        )
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
    images = as_array(images, "images", (2, 3, 4, 5))
    if images.dtype != np.float32:
        images = images.astype(np.float32)
    if expected is None:
        return images
    wanted = "(N, " + ", ".join(str(n) for n in expected[1:]) + ")"
    sizes_fit = len(expected) - 1 == images.ndim and all(
        e is None or e == n for e, n in zip(expected[1:], images.shape, strict=True))
    if sizes_fit:
        raise ValueError(
            f"`images` has shape {images.shape}: that is one image without the batch "
            f"axis; the model expects a batch {wanted}: pass images[None] "
            "(or np.expand_dims(image, 0))"
        )
    if images.ndim != len(expected):
        raise ValueError(
            f"`images` has shape {images.shape} ({images.ndim} dimensions) but the "
            f"model expects a batch of shape {wanted}"
        )
    for axis, (e, n) in enumerate(zip(expected[1:], images.shape[1:], strict=True)):
        if e is not None and e != n:
            what = "channels" if axis == len(expected) - 2 and len(expected) == 4 \
                else "size"
            raise ValueError(
                f"`images` has shape {images.shape} but the model expects {wanted}: "
                f"wrong {what} ({n} instead of {e} along axis {axis + 1})"
            )
    return images
