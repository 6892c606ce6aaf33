"""Drawing, one module per kind of figure; ``from helpers import plots`` gives them all.

- `plots.describe`: what a figure shows, in words (its alt text), and `show`, which
  displays a figure with it: ``plots.show(fig)`` instead of ``plt.show()``
- `plots.style`: the colour policy (colour maps, shared scales, colour-blind-safe
  categorical colours, never colour alone) and shared utilities
- `plots.matrices`: small matrices with their numbers, images, outlined windows, grids
- `plots.convolution`: a convolution step by step, kernels and their feature maps,
  padding and stride
- `plots.channels`: RGB channels, a (kh, kw, C) kernel as a 3-D block, per-channel maps
  adding up, a conv layer's input, kernels and output as boxes
- `plots.activations`: activation functions, a feature map before and after ReLU
- `plots.pooling`: pooling windows and their outputs
- `plots.dense`: flatten order, the pipeline of layer shapes, the cross-entropy curve
- `plots.gradients`: learning a kernel: target maps, loss curves, kernel snapshots,
  learning rates
- `plots.architecture`: dense vs conv weights, shift equivariance, receptive fields
- `plots.backprop`: where ReLU and max pooling send a gradient, numpy vs Keras training
- `plots.training`: learning curves, confusion matrix, items and predictions, learned
  kernels

The colour policy is stated in `helpers.plots.style`: one colour map per kind of
quantity (`IMAGE_CMAP`, `VALUE_CMAP`, `COUNT_CMAP`), one colour scale and a colour bar
for panels that compare, Okabe-Ito colours for categories (`CORRECT`, `WRONG`,
`WINDOW_COLORS`), and never colour alone.

Every function takes ``ax=None`` (a new figure when None) and returns the Axes (or the
Figure for grids), so figures compose; each describes what it drew (`describe`). No
function shows its figure: ``plots.show(fig)`` does, with the description as alt text.
"""

from helpers.plots.activations import plot_activations, show_rectified
from helpers.plots.architecture import (
    show_receptive_fields,
    show_shift_equivariance,
    show_weight_sharing,
)
from helpers.plots.backprop import (
    plot_training_match,
    show_pool_gradient,
    show_relu_mask,
)
from helpers.plots.channels import (
    show_channel_sum,
    show_conv_volumes,
    show_kernel_block,
    show_rgb_channels,
)
from helpers.plots.convolution import (
    show_conv_step,
    show_conv_steps,
    show_kernel_effect,
    show_kernels_and_maps,
    show_output_size,
    show_padding_stride,
    show_patch_vs_kernel,
)
from helpers.plots.dense import plot_cross_entropy, show_flatten, show_pipeline
from helpers.plots.describe import describe, description, show
from helpers.plots.gradients import (
    plot_learning_rates,
    plot_loss_curve,
    show_descent,
    show_kernel_snapshots,
    show_targets,
)
from helpers.plots.matrices import highlight_window, show_grid, show_image, show_matrix
from helpers.plots.pooling import show_pooling
from helpers.plots.style import (
    CORRECT,
    COUNT_CMAP,
    HIGHLIGHT,
    IMAGE_CMAP,
    LINE_STYLES,
    MARKERS,
    OKABE_ITO,
    PADDING_COLOR,
    VALUE_CMAP,
    WINDOW_COLORS,
    WRONG,
)
from helpers.plots.training import (
    plot_confusion,
    plot_histories,
    plot_history,
    show_items,
    show_learned_kernels,
    show_predictions,
)

__all__ = [
    "describe", "description", "show",
    "plot_cross_entropy", "show_targets",
    "LINE_STYLES", "MARKERS", "OKABE_ITO",
    "plot_training_match", "show_pool_gradient", "show_relu_mask",
    "CORRECT", "COUNT_CMAP", "HIGHLIGHT", "IMAGE_CMAP", "PADDING_COLOR", "VALUE_CMAP",
    "WINDOW_COLORS",
    "WRONG", "highlight_window", "plot_learning_rates", "plot_loss_curve",
    "show_descent", "show_kernel_snapshots", "plot_activations", "plot_confusion",
    "plot_histories", "plot_history", "show_learned_kernels",
    "show_conv_step", "show_conv_steps", "show_flatten", "show_grid", "show_image",
    "show_items", "show_kernel_effect", "show_kernels_and_maps", "show_matrix",
    "show_output_size", "show_padding_stride", "show_patch_vs_kernel", "show_pipeline",
    "show_pooling", "show_predictions", "show_rectified",
    "show_receptive_fields", "show_shift_equivariance", "show_weight_sharing",
    "show_channel_sum", "show_conv_volumes", "show_kernel_block", "show_rgb_channels",
]
