"""Learning one kernel: the MSE loss, its gradient, gradient descent, their checks and widget.

Oracles: numbers worked by hand (notebook 08's 3x3 example), centred finite differences,
and TensorFlow's automatic differentiation of the same loss (float64).
"""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers import gradcheck, kernel_descent, layers, plots  # noqa: E402
from helpers.checks import check_step, check_weight_gradient  # noqa: E402

# The worked example of notebook 08, section 3.
X = np.array([[1, 2, 0], [0, 1, 3], [2, 0, 1]], dtype=float)
K = np.array([[1, 0], [0, 0]], dtype=float)
K_HIDDEN = np.array([[0, 1], [-1, 0]], dtype=float)


def problem(seed, n=3, h=7, w=6, kh=3, kw=2):
    rng = np.random.default_rng(seed)
    images = rng.normal(size=(n, h, w))
    hidden = rng.normal(size=(kh, kw))
    kernel = rng.normal(size=(kh, kw))
    return images, kernel, kernel_descent.feature_maps(images, hidden), hidden


# ---------------------------------------------------------------- the loss and gradient
def test_worked_example_by_hand():
    targets = kernel_descent.feature_maps(X, K_HIDDEN)
    assert np.array_equal(targets[0], [[2, -1], [-1, 3]])
    assert kernel_descent.kernel_loss(X, K, targets) == 3.75
    expected = [[1.5, -3.5], [2.5, 3.0]]  # (2 / 4) * sums worked out by hand
    assert np.allclose(kernel_descent.kernel_gradient_loop(X, K, targets), expected)
    assert np.allclose(kernel_descent.kernel_gradient(X, K, targets), expected)


@pytest.mark.parametrize("seed", range(4))
def test_feature_maps_equal_conv2d(seed):
    images, kernel, _, _ = problem(seed)
    maps = kernel_descent.feature_maps(images, kernel)
    for image, feature_map in zip(images, maps, strict=True):
        assert np.allclose(feature_map, layers.conv2d(image, kernel))


@pytest.mark.parametrize(
    "shape", [(1, 5, 5, 3, 3), (3, 7, 6, 3, 2), (2, 4, 9, 1, 4), (4, 6, 6, 2, 2)]
)
def test_loop_and_vectorized_gradients_agree(shape):
    n, h, w, kh, kw = shape
    images, kernel, targets, _ = problem(sum(shape), n, h, w, kh, kw)
    loop = kernel_descent.kernel_gradient_loop(images, kernel, targets)
    fast = kernel_descent.kernel_gradient(images, kernel, targets)
    assert loop.shape == (kh, kw)
    assert np.allclose(loop, fast, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_gradient_matches_finite_differences(seed):
    images, kernel, targets, _ = problem(seed)
    numerical = gradcheck.numerical_gradient(
        lambda k: kernel_descent.kernel_loss(images, k, targets), kernel
    )
    derived = kernel_descent.kernel_gradient(images, kernel, targets)
    assert gradcheck.relative_error(derived, numerical) < 1e-6


@pytest.mark.parametrize("seed", range(3))
def test_gradient_matches_tensorflow(tf, seed):
    images, kernel, targets, _ = problem(seed, n=4, h=9, w=8, kh=3, kw=3)
    x = tf.constant(images[..., None], dtype=tf.float64)  # (N, H, W, 1)
    t = tf.constant(targets, dtype=tf.float64)
    k = tf.Variable(kernel[:, :, None, None], dtype=tf.float64)  # (kh, kw, 1, 1)
    with tf.GradientTape() as tape:
        maps = tf.nn.conv2d(x, k, strides=1, padding="VALID")[..., 0]
        loss = tf.reduce_mean(tf.square(maps - t))
    tf_gradient = tape.gradient(loss, k).numpy()[:, :, 0, 0]
    assert np.isclose(float(loss), kernel_descent.kernel_loss(images, kernel, targets))
    ours = kernel_descent.kernel_gradient(images, kernel, targets)
    assert gradcheck.relative_error(ours, tf_gradient) < 1e-10


def test_gradient_is_the_correlation_of_image_and_error():
    images, kernel, targets, _ = problem(7)
    error = kernel_descent.feature_maps(images, kernel) - targets
    by_conv = sum(layers.conv2d(x, e) for x, e in zip(images, error, strict=True))
    assert np.allclose(kernel_descent.kernel_gradient(images, kernel, targets),
                       2 * by_conv / error.size)


def test_zero_gradient_at_the_hidden_kernel():
    images, _, targets, hidden = problem(3)
    assert np.allclose(kernel_descent.kernel_gradient(images, hidden, targets), 0,
                       atol=1e-12)
    assert kernel_descent.kernel_loss(images, hidden, targets) < 1e-25


def test_bad_input_names_the_argument():
    images, kernel, targets, _ = problem(0)
    with pytest.raises(ValueError, match="targets"):
        kernel_descent.kernel_loss(images, kernel, targets[:, 1:])
    with pytest.raises(ValueError, match="kernel"):
        kernel_descent.kernel_gradient(images, np.ones((9, 9)), targets)
    with pytest.raises(ValueError, match="kernel"):
        kernel_descent.kernel_gradient(images, np.ones(3), targets)
    with pytest.raises(TypeError, match="images"):
        kernel_descent.feature_maps("not an image", kernel)
    with pytest.raises(ValueError, match="learning_rate"):
        kernel_descent.gradient_descent(images, targets, kernel, -0.1, 5)
    with pytest.raises(TypeError, match="`learning_rate` must be a number > 0"):
        kernel_descent.gradient_descent(images, targets, kernel, True, 5)
    with pytest.raises(TypeError, match="`learning_rate` must be a number > 0"):
        kernel_descent.gradient_descent(images, targets, kernel, "0.1", 5)
    with pytest.raises(ValueError, match="`learning_rate` must be a finite number > 0"):
        kernel_descent.gradient_descent(images, targets, kernel, float("nan"), 5)
    with pytest.raises((TypeError, ValueError), match="steps"):
        kernel_descent.gradient_descent(images, targets, kernel, 0.1, 0)


# ---------------------------------------------------------------- one step of Adam
def test_adam_first_step_by_hand():
    """At t = 1, m = 0.1 g and v = 0.001 g**2; corrected, m_hat = g and v_hat = g**2,
    so every weight moves by learning_rate * g / (|g| + 1e-7): the learning rate."""
    g = np.array([[2.0, -0.5], [1e-3, -4.0]])
    kernel, m, v = kernel_descent.adam_step(np.ones((2, 2)), g, np.zeros((2, 2)),
                                            np.zeros((2, 2)), 1, 0.1)
    assert np.allclose(m, [[0.2, -0.05], [1e-4, -0.4]])
    assert np.allclose(v, [[0.004, 0.00025], [1e-9, 0.016]])
    expected = 1 - 0.1 * g / (np.abs(g) + 1e-7)  # 0.9, 1.1, 0.90001, 1.1
    assert np.allclose(kernel, expected, rtol=0, atol=1e-15)
    assert np.allclose(np.abs(kernel - 1), 0.1, atol=1e-5)


def test_adam_second_step_by_hand():
    """A second gradient of 1 after a first of 1: m = 0.19, v = 0.001999; the
    corrections 1 - 0.9**2 = 0.19 and 1 - 0.999**2 = 0.001999 give m_hat = v_hat = 1."""
    one = np.ones(1)
    kernel, m, v = kernel_descent.adam_step(np.zeros(1), one, 0.1 * one, 0.001 * one,
                                            2, 0.5)
    assert np.allclose(m, 0.19) and np.allclose(v, 0.001999)
    assert np.allclose(kernel, -0.5 / (1 + 1e-7), rtol=0, atol=1e-12)


def test_adam_step_matches_keras_adam(keras):
    """Ten steps on a 3x2 kernel with changing gradients, against keras.optimizers.Adam
    (float32; Keras puts epsilon after the bias correction of the step size, which
    differs from the paper's formula by less than 1e-6 here)."""
    rng = np.random.default_rng(5)
    start = rng.normal(size=(3, 2))
    gradients = rng.normal(size=(10, 3, 2))
    variable = keras.Variable(start.astype(np.float32))
    optimizer = keras.optimizers.Adam(learning_rate=0.01, beta_1=0.9, beta_2=0.999,
                                      epsilon=1e-7)
    kernel, m, v = start, np.zeros((3, 2)), np.zeros((3, 2))
    for t, g in enumerate(gradients, start=1):
        optimizer.apply_gradients([(g.astype(np.float32), variable)])
        kernel, m, v = kernel_descent.adam_step(kernel, g, m, v, t, 0.01)
        assert np.allclose(np.asarray(variable), kernel, rtol=0, atol=1e-5), t
    assert np.max(np.abs(kernel - start)) > 0.05  # the steps did move it


def test_adam_step_leaves_its_inputs_alone_and_names_bad_arguments():
    kernel, g, m, v = np.ones((2, 2)), np.ones((2, 2)), np.zeros((2, 2)), np.zeros((2, 2))
    copies = [a.copy() for a in (kernel, g, m, v)]
    kernel_descent.adam_step(kernel, g, m, v, 1, 0.1)
    assert all(np.array_equal(a, b) for a, b in zip((kernel, g, m, v), copies,
                                                    strict=True))
    with pytest.raises(ValueError, match="`m`"):
        kernel_descent.adam_step(kernel, g, np.zeros(3), v, 1, 0.1)
    with pytest.raises(ValueError, match="`v`"):
        kernel_descent.adam_step(kernel, g, m, -np.ones((2, 2)), 1, 0.1)
    with pytest.raises((TypeError, ValueError), match="`t`"):
        kernel_descent.adam_step(kernel, g, m, v, 0, 0.1)
    with pytest.raises((TypeError, ValueError), match="`learning_rate`"):
        kernel_descent.adam_step(kernel, g, m, v, 1, -1)
    with pytest.raises(ValueError, match="`beta1`"):
        kernel_descent.adam_step(kernel, g, m, v, 1, 0.1, beta1=1.0)
    with pytest.raises(TypeError, match="`gradient`"):
        kernel_descent.adam_step(kernel, "steep", m, v, 1, 0.1)


def test_adam_check_accepts_the_reference_and_names_a_missing_correction(capsys):
    from helpers.checks import check_adam_step

    assert check_adam_step(kernel_descent.adam_step)
    assert capsys.readouterr().out.startswith("✅")

    def uncorrected(kernel, g, m, v, t, rate):
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g**2
        return kernel - rate * m / (np.sqrt(v) + 1e-7), m, v

    assert not check_adam_step(uncorrected)
    assert "bias correction is missing" in capsys.readouterr().out


# ---------------------------------------------------------------- gradient descent
def test_gradient_descent_takes_the_notebook_steps():
    images, kernel, targets, _ = problem(1)
    kernels, losses = kernel_descent.gradient_descent(images, targets, kernel, 0.05, 3)
    by_hand = [kernel]
    for _ in range(3):
        k = by_hand[-1]
        by_hand.append(k - 0.05 * kernel_descent.kernel_gradient_loop(images, k, targets))
    assert np.allclose(kernels, by_hand)
    assert np.allclose(losses, [kernel_descent.kernel_loss(images, k, targets)
                                for k in by_hand])


def test_gradient_descent_does_not_modify_start():
    images, kernel, targets, _ = problem(2)
    before = kernel.copy()
    kernel_descent.gradient_descent(images, targets, kernel, 0.05, 10)
    assert np.array_equal(kernel, before)


def test_recovers_the_hidden_kernel_below_the_limit_and_diverges_above():
    images, kernel, targets, hidden = problem(4, n=4, h=8, w=8, kh=3, kw=3)
    limit = kernel_descent.largest_stable_rate(images)
    kernels, losses = kernel_descent.gradient_descent(images, targets, kernel,
                                                      0.9 * limit, 3000)
    assert np.max(np.abs(kernels[-1] - hidden)) < 1e-6
    _, losses_up = kernel_descent.gradient_descent(images, targets, kernel, 1.1 * limit,
                                                   300)
    assert losses_up[-1] > 1e3 * losses_up[0]


def test_largest_stable_rate_is_two_over_the_largest_curvature():
    images = np.random.default_rng(5).normal(size=(2, 6, 6))
    # The loss is quadratic: its Hessian from finite differences of the gradient.
    zero_targets = np.zeros((2, 4, 4))
    hessian = np.stack([
        gradcheck.numerical_gradient(
            lambda k, i=i: kernel_descent.kernel_gradient(images, k,
                                                          zero_targets).flat[i],
            np.zeros((3, 3)),
        ).ravel()
        for i in range(9)
    ])
    expected = 2 / np.linalg.eigvalsh((hessian + hessian.T) / 2)[-1]
    assert np.isclose(kernel_descent.largest_stable_rate(images), expected, rtol=1e-6)


# ---------------------------------------------------------------- the learner's checks
def weight_gradient_loops(images, kernel, targets, p, q):
    """A right answer written with plain Python loops, returning a Python float."""
    images, kernel, targets = (np.asarray(a).tolist() for a in (images, kernel, targets))
    kh, kw = len(kernel), len(kernel[0])
    total, count = 0.0, 0
    for n, image in enumerate(images):
        for i in range(len(image) - kh + 1):
            for j in range(len(image[0]) - kw + 1):
                y = sum(kernel[a][b] * image[i + a][j + b]
                        for a in range(kh) for b in range(kw))
                total += (y - targets[n][i][j]) * image[i + p][j + q]
                count += 1
    return 2 * total / count


def right_gradient(images, kernel, targets, p, q):
    return kernel_descent.kernel_gradient(images, kernel, targets)[p, q]


RIGHT_WEIGHT_GRADIENTS = {
    "plain loops, Python float": weight_gradient_loops,
    "numpy, 0-d array": lambda *a: np.array(right_gradient(*a)),
    "float32": lambda *a: np.float32(right_gradient(*a)),
    "one-element list": lambda *a: [right_gradient(*a)],
}

WRONG_WEIGHT_GRADIENTS = {
    "sign error (targets - maps)": lambda *a: -right_gradient(*a),
    "missing factor 2": lambda *a: right_gradient(*a) / 2,
    "missing 1 / M (a sum, not a mean)": lambda i, k, t, p, q:
        right_gradient(i, k, t, p, q) * np.size(t),
    "divided by the number of positions of one image only": lambda i, k, t, p, q:
        right_gradient(i, k, t, p, q) * len(i),
    "flipped kernel (true convolution)": lambda i, k, t, p, q: right_gradient(
        i, k[::-1, ::-1], t, k.shape[0] - 1 - p, k.shape[1] - 1 - q),
    "flipped error map": lambda i, k, t, p, q:
        right_gradient(i, k, t, k.shape[0] - 1 - p, k.shape[1] - 1 - q),
    "rows and columns swapped": lambda i, k, t, p, q:
        right_gradient(i, k, t, q, p) if q < k.shape[0] and p < k.shape[1] else 0.0,
    "first image only": lambda i, k, t, p, q: right_gradient(i[:1], k, t[:1], p, q),
    "hard-coded case 1": lambda *a: -3.5,
    "the whole gradient": lambda i, k, t, p, q: kernel_descent.kernel_gradient(i, k, t),
    "the loss instead": lambda i, k, t, p, q: kernel_descent.kernel_loss(i, k, t),
    "None": lambda *a: None,
    "a string": lambda *a: "-3.5",
    "NaN": lambda *a: float("nan"),
}


@pytest.mark.parametrize("name", RIGHT_WEIGHT_GRADIENTS)
def test_weight_gradient_check_accepts_right_answers(name, capsys):
    assert check_weight_gradient(RIGHT_WEIGHT_GRADIENTS[name])
    assert "✅" in capsys.readouterr().out


@pytest.mark.parametrize("name", WRONG_WEIGHT_GRADIENTS)
def test_weight_gradient_check_rejects_wrong_answers(name, capsys):
    assert not check_weight_gradient(WRONG_WEIGHT_GRADIENTS[name])
    assert "❌" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, reason", [
    ("sign error (targets - maps)", "sign"),
    ("missing factor 2", "factor 2"),
    ("missing 1 / M (a sum, not a mean)", "division by M"),
    ("flipped kernel (true convolution)", "flipped"),
])
def test_weight_gradient_check_names_the_slip(wrong, reason, capsys):
    check_weight_gradient(WRONG_WEIGHT_GRADIENTS[wrong])
    assert reason in capsys.readouterr().out


def test_weight_gradient_check_never_raises(capsys):
    def raises(*a):
        raise ZeroDivisionError("oops")

    def not_done(*a):
        raise NotImplementedError

    assert not check_weight_gradient(raises)
    assert "ZeroDivisionError" in capsys.readouterr().out
    assert not check_weight_gradient(not_done)
    assert "not done yet" in capsys.readouterr().out
    assert not check_weight_gradient("my_weight_gradient")
    assert not check_weight_gradient(lambda *a: object())


def right_step(images, kernel, targets, learning_rate):
    gradient = kernel_descent.kernel_gradient(images, kernel, targets)
    return kernel - learning_rate * gradient


def step_with_loops(images, kernel, targets, learning_rate):
    new = [[0.0] * kernel.shape[1] for _ in range(kernel.shape[0])]
    for p in range(kernel.shape[0]):
        for q in range(kernel.shape[1]):
            g = weight_gradient_loops(images, kernel, targets, p, q)
            new[p][q] = kernel[p, q] - learning_rate * g
    return new  # a list of lists


def step_on_a_copy(images, kernel, targets, learning_rate):
    kernel = kernel.copy()
    kernel -= learning_rate * kernel_descent.kernel_gradient(images, kernel, targets)
    return kernel


def step_in_place(images, kernel, targets, learning_rate):
    kernel -= learning_rate * kernel_descent.kernel_gradient(images, kernel, targets)
    return kernel


WRONG_STEPS = {
    "uphill (+)": lambda i, k, t, r: k + r * kernel_descent.kernel_gradient(i, k, t),
    "learning rate forgotten": lambda i, k, t, r:
        k - kernel_descent.kernel_gradient(i, k, t),
    "divided by the learning rate": lambda i, k, t, r:
        k - kernel_descent.kernel_gradient(i, k, t) / r,
    "only the change": lambda i, k, t, r: -r * kernel_descent.kernel_gradient(i, k, t),
    "the gradient": lambda i, k, t, r: kernel_descent.kernel_gradient(i, k, t),
    "the kernel unchanged": lambda i, k, t, r: k,
    "changes the caller's kernel": step_in_place,
    "flipped gradient": lambda i, k, t, r:
        k - r * kernel_descent.kernel_gradient(i, k, t)[::-1, ::-1],
    "None": lambda *a: None,
}


@pytest.mark.parametrize("fn", [right_step, step_with_loops, step_on_a_copy])
def test_step_check_accepts_right_answers(fn, capsys):
    assert check_step(fn)
    assert "✅" in capsys.readouterr().out


@pytest.mark.parametrize("name", WRONG_STEPS)
def test_step_check_rejects_wrong_answers(name, capsys):
    assert not check_step(WRONG_STEPS[name])
    assert "❌" in capsys.readouterr().out


def test_step_check_names_uphill_and_a_changed_kernel(capsys):
    check_step(WRONG_STEPS["uphill (+)"])
    assert "uphill" in capsys.readouterr().out
    check_step(step_in_place)
    assert "changed" in capsys.readouterr().out


# ---------------------------------------------------------------- widget and plots
def test_learning_rate_widget_runs_when_its_slider_moves():
    from helpers import widgets

    rng = np.random.default_rng(6)
    images = rng.uniform(0, 1, size=(3, 8, 8))  # pixels 0..1, as in notebook 08
    hidden, start = rng.normal(size=(2, 3, 3))
    targets = kernel_descent.feature_maps(images, hidden)
    limit = kernel_descent.largest_stable_rate(images)
    assert limit < 1.0
    ui = widgets.learning_rate_explorer(images, targets, start, hidden, steps=50)
    slider = ui.children[0]
    _, losses_default = ui.result
    assert np.allclose(losses_default,
                       kernel_descent.gradient_descent(images, targets, start, 0.1,
                                                       50)[1])
    slider.value = 0.001
    _, slow = ui.result
    slider.value = 0.9 * limit
    _, fast = ui.result
    assert slow[-1] > fast[-1]
    slider.value = 1.0  # above the limit for these images: diverges, still draws
    _, diverged = ui.result
    assert not np.all(np.isfinite(diverged)) or diverged[-1] > 1e6 * diverged[0]


def test_plots_draw_and_refuse_bad_input():
    images, start, targets, hidden = problem(8, n=2, h=6, w=6, kh=3, kw=3)
    kernels, losses = kernel_descent.gradient_descent(images, targets, start, 0.05, 20)
    ax = plots.plot_loss_curve(losses)
    assert ax.get_yscale() == "log"
    fig = plots.show_kernel_snapshots(kernels, [0, 10, 20], hidden=hidden)
    limits = {im.get_clim() for a in fig.axes for im in a.images}
    assert len(limits) == 1  # one shared colour scale
    (low, high), = limits
    assert low == -high  # centred on zero
    runs = {0.01: losses, 10.0: kernel_descent.gradient_descent(images, targets, start,
                                                                10.0, 20)[1]}
    ax = plots.plot_learning_rates(runs, limit=losses[0])
    assert any("diverges" in t.get_text() for t in ax.get_legend().get_texts())
    plots.show_descent(kernels, losses, hidden, 0.05)
    with pytest.raises(ValueError, match="steps"):
        plots.show_kernel_snapshots(kernels, [0, 99])
    with pytest.raises(ValueError, match="losses"):
        plots.plot_loss_curve([1.0])
    with pytest.raises(ValueError, match="runs"):
        plots.plot_learning_rates({})
