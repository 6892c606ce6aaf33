"""helpers: the reference code behind the CNN-from-first-principles notebooks.

One topic per module:

- `helpers.layers`: the reference math (a package): convolution, pooling, activations,
  flatten, dense and the loss, each layer's forward and backward side by side (loops
  first, then the batched Keras-layout layers); a Keras model read once as steps, run by
  `numpy_forward` and notebook 13's training chain
- `helpers.validation`: argument checks shared by all modules (errors name the argument)
- `helpers.losses`: the cross-entropy loss (notebook 06)
- `helpers.kernel_descent`: one kernel learned by gradient descent: loss, gradient, steps (08)
- `helpers.architecture`: parameter counts and receptive fields of layer stacks (07)
- `helpers.data`: the worked examples, Fashion-MNIST (offline or online), a sample photo
- `helpers.plots`: matrices with their numbers, sliding windows, grids of kernels and maps
- `helpers.checks`: self-checks for the exercises
- `helpers.widgets`: ipywidgets explorers (they only wire controls to the functions above)
- `helpers.sketchpad`: draw or upload your own item and watch the trained CNN (11)
- `helpers.shifting`: images moved by whole pixels, what a shift costs a trained model (10)
- `helpers.own_item`: a photo or a drawing made a Fashion-MNIST item
- `helpers.kernels`: classic 3x3 filters (edges, blur, sharpen) as fresh arrays
- `helpers.cnn`: the series' Fashion-MNIST CNN (build, train, save/load, layer ledger)
- `helpers.environment`: the environment check of notebook 00
- `helpers.keras_setup`: a quiet, seeded TensorFlow/Keras import (imported only on demand)
- `helpers.tools`: maintenance commands (execute, navigation, images, student, bench) and
  the workshop kit (student: learner copies; grading: nbgrader; slides: reveal.js decks)

``import helpers`` is light: it never imports TensorFlow.
"""

from helpers.layers import (
    avg_pool2d,
    avg_pool2d_layer,
    conv2d,
    conv2d_layer,
    dense,
    flatten,
    max_pool2d,
    max_pool2d_layer,
    numpy_forward,
    output_size,
    relu,
    sigmoid,
    softmax,
)

__all__ = ["avg_pool2d", "avg_pool2d_layer", "conv2d", "conv2d_layer", "dense", "flatten",
           "max_pool2d", "max_pool2d_layer", "numpy_forward", "output_size", "relu",
           "sigmoid", "softmax"]
__version__ = "0.1.0"
