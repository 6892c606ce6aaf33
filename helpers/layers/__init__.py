"""The reference math of the series: every layer of the CNN, forward and backward.

One module per topic; each layer's forward and backward passes sit side by side::

    geometry       output_size, pad_amounts: one geometry for every layer (and strided,
                   the slice of every window's entry, used inside the layers)
    convolution    conv2d (one image, loops), conv2d_layer (a batch, Keras's Conv2D)
                   and its forward/backward pair
    pooling        max_pool2d, avg_pool2d (one image), the batched layers, max pooling's
                   forward/backward pair
    activations    relu, sigmoid, softmax; relu's forward/backward pair
    flatten_dense  flatten, dense and their forward/backward pairs
    loss           softmax_cross_entropy and its forward/backward pair
    keras_reader   a Keras model read once as a chain of `Step`s (read_layer, read_model,
                   check_images)
    network        numpy_forward (inference) and the training chain (trainable, forward,
                   backward, loss_and_gradients, sgd_step)

A pair is ``out, cache = f_forward(...)`` then ``grads = f_backward(grad_out, cache)``:
the cache keeps what the backward pass needs (the input, the argmax of each window...).

Validation happens once, at the door. The functions inside the modules are bare (they
trust their arguments and call each other directly). Each module lists its public
functions in its ``__all__``; exported here, each ``f`` that has a ``check_f`` beside it
is the same function behind ``validation.checked(f, check_f)``, which checks the
arguments of one call and names the argument that is wrong. Code outside `helpers.layers`
(the notebooks, the plots, the checks) calls these doors.
"""

from helpers.layers import (
    activations,
    convolution,
    flatten_dense,
    geometry,
    keras_reader,
    loss,
    network,
    pooling,
)
from helpers.validation import checked

_MODULES = (geometry, convolution, pooling, activations, flatten_dense, loss,
            keras_reader, network)


def _door(module, name: str):
    """``module.name`` behind its door ``module.check_name``, or as it is if none."""
    function, check = getattr(module, name), getattr(module, f"check_{name}", None)
    return function if check is None else checked(function, check)


globals().update({name: _door(module, name) for module in _MODULES
                  for name in module.__all__})
__all__ = [module.__name__.rsplit(".", 1)[-1] for module in _MODULES] + [
    name for module in _MODULES for name in module.__all__]
