"""Moved: the backward passes now sit beside their forward passes in `helpers.layers`.

A copy of the backpropagation notebook (then 11) made before the move imports this
module; it gets an ImportError that says what to do instead of a confusing
AttributeError further down.
"""

raise ImportError(
    "helpers.backprop has moved into helpers.layers, where each layer's forward and "
    "backward passes sit side by side (e.g. helpers.layers.relu_forward / relu_backward, "
    "helpers.layers.network for the whole CNN). Your copy of the backpropagation "
    "notebook is older than the helpers: make a fresh learner copy (`make learner`) or "
    "open notebooks/12_backprop_layer_by_layer.ipynb and "
    "notebooks/13_backprop_through_a_cnn.ipynb."
)
