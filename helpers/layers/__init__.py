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
    keras_reader   a Keras model read once as a chain of `Step`s (read_layer, read_model)
    network        numpy_forward (inference) and the training chain (trainable, forward,
                   backward, loss_and_gradients, sgd_step)

A pair is ``out, cache = f_forward(...)`` then ``grads = f_backward(grad_out, cache)``:
the cache keeps what the backward pass needs (the input, the argmax of each window...).

Validation happens once, at the door. The functions inside the modules are bare (they
trust their arguments and call each other directly); the names exported here are the
same functions behind ``validation.checked(function, check_function)``, which checks the
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
from helpers.layers.keras_reader import Step, check_images
from helpers.validation import checked

# geometry
output_size = checked(geometry.output_size, geometry.check_output_size)
pad_amounts = checked(geometry.pad_amounts, geometry.check_pad_amounts)

# convolution
conv2d = checked(convolution.conv2d, convolution.check_conv2d)
conv2d_layer = checked(convolution.conv2d_layer, convolution.check_conv2d_layer)
conv2d_layer_forward = checked(convolution.conv2d_layer_forward,
                               convolution.check_conv2d_layer_forward)
conv2d_layer_backward = checked(convolution.conv2d_layer_backward,
                                convolution.check_conv2d_layer_backward)
conv2d_layer_backward_loops = checked(convolution.conv2d_layer_backward_loops,
                                      convolution.check_conv2d_layer_backward_loops)

# pooling
max_pool2d = checked(pooling.max_pool2d, pooling.check_max_pool2d)
avg_pool2d = checked(pooling.avg_pool2d, pooling.check_avg_pool2d)
max_pool2d_layer = checked(pooling.max_pool2d_layer, pooling.check_max_pool2d_layer)
avg_pool2d_layer = checked(pooling.avg_pool2d_layer, pooling.check_avg_pool2d_layer)
max_pool2d_layer_forward = checked(pooling.max_pool2d_layer_forward,
                                   pooling.check_max_pool2d_layer_forward)
max_pool2d_layer_backward = checked(pooling.max_pool2d_layer_backward,
                                    pooling.check_max_pool2d_layer_backward)
max_pool2d_layer_backward_loops = checked(pooling.max_pool2d_layer_backward_loops,
                                          pooling.check_max_pool2d_layer_backward_loops)

# activations
relu = checked(activations.relu, activations.check_relu)
sigmoid = checked(activations.sigmoid, activations.check_sigmoid)
softmax = checked(activations.softmax, activations.check_softmax)
relu_forward = checked(activations.relu_forward, activations.check_relu_forward)
relu_backward = checked(activations.relu_backward, activations.check_relu_backward)

# flatten and dense
flatten = checked(flatten_dense.flatten, flatten_dense.check_flatten)
dense = checked(flatten_dense.dense, flatten_dense.check_dense)
flatten_forward = checked(flatten_dense.flatten_forward, flatten_dense.check_flatten_forward)
flatten_backward = checked(flatten_dense.flatten_backward,
                           flatten_dense.check_flatten_backward)
dense_forward = checked(flatten_dense.dense_forward, flatten_dense.check_dense_forward)
dense_backward = checked(flatten_dense.dense_backward, flatten_dense.check_dense_backward)

# loss
softmax_cross_entropy = checked(loss.softmax_cross_entropy, loss.check_softmax_cross_entropy)
softmax_cross_entropy_forward = checked(loss.softmax_cross_entropy_forward,
                                        loss.check_softmax_cross_entropy_forward)
softmax_cross_entropy_backward = checked(loss.softmax_cross_entropy_backward,
                                         loss.check_softmax_cross_entropy_backward)

# a Keras model read and run
read_layer = checked(keras_reader.read_layer, keras_reader.check_read_layer)
read_model = checked(keras_reader.read_model, keras_reader.check_read_model)
chain_of_layers = checked(keras_reader.chain_of_layers, keras_reader.check_chain_of_layers)
numpy_forward = checked(network.numpy_forward, network.check_numpy_forward)
trainable = checked(network.trainable, network.check_trainable)
forward = checked(network.forward, network.check_forward)
backward = checked(network.backward, network.check_backward)
loss_and_gradients = checked(network.loss_and_gradients, network.check_loss_and_gradients)
sgd_step = checked(network.sgd_step, network.check_sgd_step)

__all__ = [
    # modules
    "activations", "convolution", "flatten_dense", "geometry", "keras_reader", "loss",
    "network", "pooling",
    # geometry
    "output_size", "pad_amounts",
    # one image and a batch, forward and backward
    "conv2d", "conv2d_layer", "conv2d_layer_forward", "conv2d_layer_backward",
    "conv2d_layer_backward_loops",
    "max_pool2d", "avg_pool2d", "max_pool2d_layer", "avg_pool2d_layer",
    "max_pool2d_layer_forward", "max_pool2d_layer_backward",
    "max_pool2d_layer_backward_loops",
    "relu", "sigmoid", "softmax", "relu_forward", "relu_backward",
    "flatten", "dense", "flatten_forward", "flatten_backward", "dense_forward",
    "dense_backward",
    "softmax_cross_entropy", "softmax_cross_entropy_forward",
    "softmax_cross_entropy_backward",
    # a Keras model
    "Step", "read_layer", "read_model", "chain_of_layers", "check_images",
    "numpy_forward", "trainable", "forward", "backward", "loss_and_gradients", "sgd_step",
]
