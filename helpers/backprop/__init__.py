"""Backward passes: the gradient of the loss for every layer of the series' CNN.

Each layer of `helpers.layers` that the CNN uses gets a ``*_backward`` function. It
takes what the forward pass took (the layer's input and weights) and ``grad_out``, the
gradient of the loss with respect to the layer's output (same shape as that output),
and returns the gradient with respect to the layer's input (and to its weights). The
chain rule does the rest: the network's backward pass calls them in reverse order.

- `backprop.convolution`: `conv2d_layer_backward` (input, kernel, bias), as a plain loop
  (`conv2d_layer_backward_loops`) and vectorized with im2col / col2im and one matmul
- `backprop.pooling`: `max_pool2d_layer_backward` (loop and vectorized): the gradient
  goes to the position of each window's maximum; on a tie, to the first one in
  row-major order (top-left first), as TensorFlow does
- `backprop.activations`: `relu_backward` (a mask), `softmax_cross_entropy` and its
  gradient ``(p - y) / N``
- `backprop.dense`: `flatten_backward`, `dense_backward`
- `backprop.blas`: `blas_threads`, how many threads numpy's matmul may use (one is
  many times faster on a busy 2-core machine)
- `backprop.network`: a chain of these layers read from a Keras ``Sequential``: forward,
  backward, one SGD step (used by the benchmark and to confirm notebook 11)

Every function checks its arguments like the forward layers do, and an upstream
gradient whose shape does not match the layer's output is refused with both shapes.
"""

from helpers.backprop import network  # noqa: E402  (after the layers it chains)
from helpers.backprop.activations import (
    relu_backward,
    softmax_cross_entropy,
    softmax_cross_entropy_backward,
)
from helpers.backprop.blas import blas_threads
from helpers.backprop.convolution import (
    conv2d_layer_backward,
    conv2d_layer_backward_loops,
)
from helpers.backprop.dense import dense_backward, flatten_backward
from helpers.backprop.pooling import (
    max_pool2d_layer_backward,
    max_pool2d_layer_backward_loops,
)

__all__ = [
    "blas_threads",
    "conv2d_layer_backward",
    "conv2d_layer_backward_loops",
    "dense_backward",
    "flatten_backward",
    "max_pool2d_layer_backward",
    "max_pool2d_layer_backward_loops",
    "network",
    "relu_backward",
    "softmax_cross_entropy",
    "softmax_cross_entropy_backward",
]
