"""Self-checks for the exercises, one module per topic; ``from helpers import checks``
gives them all.

Each ``check_*`` function takes the learner's function or answer, tests the shape first
and then the values on several cases (edge cases included), prints one verdict, and
returns a `CheckResult` that is truthy when everything passed. A function that still
raises ``NotImplementedError`` gets "not done yet". A check given nothing to test, or
arguments from the notebook that do not fit together, raises TypeError or ValueError
naming the argument: the caller's mistake is never blamed on the learner.

- `checks.core`: `check_function`, `check_answer`, `compare`, the verdicts;
  `compare_exact` and `check_count` for counts and shapes (exact integers)
- `checks.timeout`: every call of the learner's function has a time limit (10 s), so
  an endless loop gets "took too long" instead of hanging the notebook
- `checks.plain`: every value from the learner (a result, an answer) is read as plain
  data inside that time limit and a size bound, so an endless generator cannot hang a
  check either
- `checks.convolution`, `checks.relu`, `checks.pooling`, `checks.dense`: the layers by hand
- `checks.prediction`: `check_prediction`, a prediction question (a number, a shape or
  a choice written before the cell shows it), naming the usual mistake it matches
- `checks.shapes`: predicted output shapes and parameter counts, compared exactly
- `checks.loss`: the cross-entropy of one example, from its probabilities or its
  scores (notebook 06)
- `checks.gradients`: one kernel weight's gradient, one descent step and one Adam
  step (notebook 08)
- `checks.architecture`: receptive fields and parameter counts (why convolution)
- `checks.trained_cnn`: the Keras CNN and the trained model (and notebook 11's
  debugging task, `check_fixed_forward`)
- `checks.backprop`: backward passes of a convolution (kernel, input, stride), ReLU, max
  pooling and a dense layer (notebooks 12 and 13)
"""

from helpers.checks.architecture import check_layer_counts, check_receptive_fields
from helpers.checks.backprop import (
    check_conv_input_grad,
    check_conv_input_grad_strided,
    check_conv_kernel_grad,
    check_dense_weight_grad,
    check_max_pool_backward,
    check_relu_backward,
    conv_input_grad_answer,
    conv_kernel_grad_answer,
)
from helpers.checks.convolution import (
    check_conv2d,
    check_feature_maps,
    check_feature_stack,
    check_line_detector,
    check_window_sum,
    check_window_value,
)
from helpers.checks.core import (
    FAIL,
    PASS,
    TODO,
    CheckResult,
    check_answer,
    check_count,
    check_function,
    compare,
    compare_exact,
)
from helpers.checks.dense import check_conv_params, check_dense, check_dense_params
from helpers.checks.gradients import (
    check_adam_step,
    check_step,
    check_weight_gradient,
)
from helpers.checks.loss import check_cross_entropy, check_cross_entropy_from_scores
from helpers.checks.pooling import check_max_pool2d, check_pooled_shape
from helpers.checks.prediction import check_prediction
from helpers.checks.relu import check_combined_kernel, check_relu
from helpers.checks.shapes import (
    CONV_LAYER_QUESTIONS,
    OUTPUT_SHAPE_QUESTIONS,
    check_conv_layer_prediction,
    check_output_shapes,
    conv_layer_answer,
    output_shape_answers,
)
from helpers.checks.trained_cnn import (
    check_fixed_forward,
    check_kernel_feature_map,
    check_layer_predictions,
    check_loop_forward,
    check_most_confused,
    check_most_similar,
    loop_forward_answer,
    most_confused_answer,
    most_similar_answer,
)

__all__ = [
    "check_conv_input_grad", "check_conv_input_grad_strided", "check_conv_kernel_grad",
    "check_dense_weight_grad", "check_max_pool_backward", "check_relu_backward",
    "FAIL", "OUTPUT_SHAPE_QUESTIONS", "PASS", "TODO", "CheckResult", "check_answer",
    "check_combined_kernel", "check_conv2d", "check_cross_entropy", "check_step",
    "check_weight_gradient", "check_conv_params", "check_dense",
    "check_dense_params", "check_feature_maps", "check_function",
    "check_kernel_feature_map", "check_layer_predictions", "check_loop_forward",
    "loop_forward_answer", "most_confused_answer", "most_similar_answer", "check_max_pool2d",
    "check_most_confused", "check_most_similar", "check_output_shapes",
    "check_pooled_shape", "check_relu", "check_window_sum", "check_window_value",
    "compare", "output_shape_answers", "check_count", "compare_exact",
    "CONV_LAYER_QUESTIONS", "check_conv_layer_prediction", "check_feature_stack",
    "check_line_detector", "conv_layer_answer",
    "check_layer_counts", "check_receptive_fields", "check_prediction",
    "check_adam_step", "check_cross_entropy_from_scores",
    "check_fixed_forward", "conv_kernel_grad_answer", "conv_input_grad_answer",
]
