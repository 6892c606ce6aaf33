"""Interactive explorers (ipywidgets): controls wired to functions of `helpers.plots`,
`helpers.layers` and `helpers.kernel_descent`, with no math of their own.

Each explorer returns a widget to display in a notebook: an ``ipywidgets.interactive``
(`pooling_explorer`, `conv_stepper`, `learning_rate_explorer`) or a small VBox
(`KernelExplorer`, so that a preset filling nine boxes redraws once; `OutputSizeExplorer`
and `ReceptiveFieldExplorer`, whose sliders' ranges follow the other controls). Tests drive them
without a browser by setting ``ui.children[k].value`` (or ``.preset.value`` /
``.boxes[k].value``); ``ui.result`` holds what the last update returned.
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from helpers import data, kernel_descent, layers, plots


# ---- notebook 05: pooling ------------------------------------------------------------
def pooling_explorer(x=None):
    """Sliders for the window size and stride of 2-D pooling, max or average.

    Parameters
    ----------
    x : (H, W) array or None
        The feature map to pool; defaults to `helpers.data.pooling_example()`.

    Returns
    -------
    ipywidgets.interactive
        Children: size slider, stride slider, kind dropdown, output. ``ui.result`` is
        the pooled map of the current settings.
    """
    from helpers.validation import as_array, small_enough

    x = data.pooling_example() if x is None else as_array(x, "x", (2,))
    small_enough(x.shape, "x", 40, "pool a corner, e.g. x[:16, :16]")
    largest = int(min(x.shape[:2]))

    def update(size=2, stride=2, kind="max"):
        pool = layers.max_pool2d if kind == "max" else layers.avg_pool2d
        pooled = pool(x, size, stride)
        plots.show_pooling(x, size, stride, kind=kind, numbers=largest <= 12)
        plt.show()
        return pooled

    return widgets.interactive(
        update,
        size=widgets.IntSlider(value=min(2, largest), min=1, max=largest,
                               description="size"),
        stride=widgets.IntSlider(value=min(2, largest), min=1, max=largest,
                                 description="stride"),
        kind=widgets.Dropdown(options=["max", "avg"], value="max",
                              description="kind"),
    )


# ---- notebooks 01-02: the convolution stepper and the kernel explorer ---------------
def conv_stepper(image=None, kernel=None):
    """A slider that steps the kernel through every position of a convolution.

    Each step draws `plots.show_conv_step`: the window on the image, the kernel, their
    product and its sum, and the feature map filled up to that position.

    Parameters
    ----------
    image : (H, W) array or None
        Defaults to the 5x5 image of notebook 01.
    kernel : (kh, kw) array or None
        Defaults to the 3x3 "X" kernel of notebook 01.

    Returns
    -------
    ipywidgets.interactive
        ``ui.children[0]`` is the slider (steps 1 .. H' * W'); ``ui.result`` holds
        the Axes of the last drawing.
    """
    from helpers.validation import as_array, small_enough

    image = data.binary_image() if image is None else as_array(image, "image", (2,))
    kernel = data.lesson_kernel() if kernel is None else as_array(kernel, "kernel", (2,))
    small_enough(image.shape, "image", 40, "step through a corner, e.g. image[:12, :12]")
    if kernel.shape[0] > image.shape[0] or kernel.shape[1] > image.shape[1]:
        raise ValueError(f"`kernel` {kernel.shape} is larger than `image` "
                         f"{image.shape}: it has no position to step through")
    out_w = layers.output_size(image.shape[1], kernel.shape[1])
    n_steps = layers.output_size(image.shape[0], kernel.shape[0]) * out_w

    def draw(step):
        row, col = divmod(step - 1, out_w)
        axes = plots.show_conv_step(image, kernel, row, col, with_kernel=True)
        # Needed inside `interactive` (matplotlib-inline does not flush by itself).
        plt.show()
        return axes

    slider = widgets.IntSlider(value=1, min=1, max=n_steps, description="step")
    return widgets.interactive(draw, step=slider)


class KernelExplorer(widgets.VBox):
    """Nine number boxes holding a 3x3 kernel, a menu of presets, and the feature map.

    Attributes
    ----------
    preset : ipywidgets.Dropdown
        Picking a name copies that kernel of `helpers.kernels.classic_kernels` into
        the boxes.
    boxes : list of 9 ipywidgets.FloatText
        The kernel in reading order; editing any box redraws the feature map.
    result : dict
        ``{"kernel": (3, 3) array, "feature_map": (H - 2, W - 2) array}`` of the last
        drawing.
    """

    def __init__(self, image, preset: str = "vertical edge"):
        from helpers import kernels
        from helpers.validation import as_array

        self.image = as_array(image, "image", (2,))
        if min(self.image.shape) < 3:
            raise ValueError(f"`image` must be at least 3x3 for a 3x3 kernel, got "
                             f"shape {self.image.shape}")
        self.presets = kernels.classic_kernels()
        if not isinstance(preset, str) or preset not in self.presets:
            raise ValueError(f"`preset` must be one of {list(self.presets)}, "
                             f"got {preset!r}")
        self.preset = widgets.Dropdown(options=list(self.presets), value=preset,
                                       description="preset")
        self.boxes = [
            widgets.FloatText(value=float(v), step=0.1,
                              layout=widgets.Layout(width="80px"))
            for v in self.presets[preset].flat
        ]
        grid = widgets.GridBox(
            self.boxes, layout=widgets.Layout(grid_template_columns="repeat(3, 85px)")
        )
        self.output = widgets.Output()
        self.result = None
        self._loading = False
        self.preset.observe(self._on_preset, names="value")
        for box in self.boxes:
            box.observe(self._on_box, names="value")
        label = widgets.Label("kernel (type a number, then Enter):")
        super().__init__([self.preset, label, grid, self.output])
        self.update()

    @property
    def kernel(self) -> np.ndarray:
        """The (3, 3) kernel currently in the boxes."""
        return np.array([box.value for box in self.boxes], dtype=float).reshape(3, 3)

    def _on_preset(self, change):
        # Fill all nine boxes first, then draw once (not nine times).
        self._loading = True
        try:
            for box, value in zip(self.boxes, self.presets[change["new"]].flat,
                                  strict=True):
                box.value = float(value)
        finally:
            self._loading = False
        self.update()

    def _on_box(self, change):
        if not self._loading:
            self.update()

    def update(self) -> dict:
        """Convolve the image with the boxes' kernel and redraw; return `result`."""
        kernel = self.kernel
        feature_map = layers.conv2d(self.image, kernel)
        name = self.preset.value
        if not np.array_equal(kernel, self.presets[name]):
            name = "your own"
        fig = plots.show_kernel_effect(self.image, kernel, feature_map, name=name)
        # Replace the Output's contents through its state rather than `with output:`,
        # which routes messages by id and can misfire outside a live frontend.
        self.output.outputs = ()
        self.output.append_display_data(fig)
        plt.close(fig)
        self.result = {"kernel": kernel, "feature_map": feature_map, "name": name}
        return self.result


def kernel_explorer(image=None, preset: str = "vertical edge") -> KernelExplorer:
    """Edit a 3x3 kernel (or pick a classic one) and see its feature map live.

    Parameters
    ----------
    image : (H, W) array or None
        Defaults to ``data.sample_photo(128)``, a (150, 128) photo.
    preset : str
        The kernel shown first, a key of `helpers.kernels.classic_kernels()`.
    """
    image = data.sample_photo(128) if image is None else image
    return KernelExplorer(image, preset)


# ---- notebook 03: padding, stride and the output size --------------------------------
class OutputSizeExplorer(widgets.VBox):
    """Kernel size, stride and padding controls, a step slider, and the output-size
    formula filled in live (`plots.show_output_size`).

    Attributes
    ----------
    kernel_size, stride : ipywidgets.IntSlider
    padding : ipywidgets.Dropdown
        0, 1, 2, "valid" or "same".
    step : ipywidgets.IntSlider
        Output cell 1 .. H' * W' in reading order; its maximum follows the other
        controls.
    result : dict
        ``{"output_shape": (H', W'), "position": (row, col), "pads": (top, bottom,
        left, right)}`` of the last drawing, or ``{"error": message}`` when the kernel
        does not fit the padded image.
    """

    def __init__(self, image):
        from helpers.validation import as_array, small_enough

        self.image = as_array(image, "image", (2,))
        small_enough(self.image.shape, "image", 12, "use a corner, e.g. image[:8, :8]")
        style = {"description_width": "initial"}
        self.kernel_size = widgets.IntSlider(value=3, min=1, max=5, description="kernel",
                                             style=style)
        self.stride = widgets.IntSlider(value=1, min=1, max=3, description="stride",
                                        style=style)
        self.padding = widgets.Dropdown(options=[0, 1, 2, "valid", "same"], value=0,
                                        description="padding", style=style)
        self.step = widgets.IntSlider(value=1, min=1, max=1, description="output cell",
                                      style=style)
        self.message = widgets.HTML()
        self.output = widgets.Output()
        self.result = None
        for control in (self.kernel_size, self.stride, self.padding, self.step):
            control.observe(self._redraw, names="value")
        controls = widgets.HBox([self.kernel_size, self.stride, self.padding])
        super().__init__([controls, self.step, self.message, self.output])
        self.update()

    def _redraw(self, change):
        self.update()

    def update(self) -> dict:
        """Redraw for the controls' values; return `result`."""
        H, W = self.image.shape
        k, s, p = self.kernel_size.value, self.stride.value, self.padding.value
        try:
            out_h, out_w = (layers.output_size(H, k, s, p), layers.output_size(W, k, s, p))
        except ValueError:  # the kernel is larger than the padded image
            self.message.value = (f"❌ a {k}x{k} kernel does not fit in the {H}x{W} image "
                                  f"with padding {p!r}: make the kernel smaller or pad more")
            self.output.outputs = ()
            self.result = {"error": self.message.value}
            return self.result
        self.message.value = ""
        with self.step.hold_trait_notifications():
            self.step.max = out_h * out_w  # may move the value down: one redraw below
        row, col = divmod(self.step.value - 1, out_w)
        axes = plots.show_output_size(self.image, k, s, p, (row, col))
        self.output.outputs = ()
        self.output.append_display_data(axes[0].figure)
        plt.close(axes[0].figure)
        self.result = {"output_shape": (out_h, out_w), "position": (row, col),
                       "pads": layers.pad_amounts(H, k, s, p) + layers.pad_amounts(W, k, s, p)}
        return self.result


def output_size_explorer(image=None) -> OutputSizeExplorer:
    """Move the kernel size, stride and padding and watch the output grid and its
    formula change (notebook 03).

    Parameters
    ----------
    image : (H, W) array or None
        At most 12x12; defaults to the 5x5 image of notebook 01.
    """
    return OutputSizeExplorer(data.binary_image() if image is None else image)


# ---- notebook 07: the receptive field of any unit -------------------------------------
class ReceptiveFieldExplorer(widgets.VBox):
    """Pick a layer of a stack and one of its units; see the input pixels it depends on
    drawn over an item (`plots.show_receptive_fields` up to that layer).

    Attributes
    ----------
    layer : ipywidgets.Dropdown
        The layers' names.
    row, col : ipywidgets.IntSlider
        The unit, within that layer's output (their maximum follows the layer).
    result : dict
        ``{"layer": name, "unit": (row, col), "window": (top, left, size)}`` of the
        last drawing (`architecture.input_window`).
    """

    def __init__(self, item, stack, names):
        from helpers import architecture
        from helpers.validation import as_array

        self.item = as_array(item, "item", (2,))
        self.fields = architecture.receptive_fields(stack)  # validates `stack`
        self.stack = list(stack)
        names = list(names)
        if len(names) != len(self.stack):
            raise ValueError(f"`names` must give one name per layer of `stack` "
                             f"({len(self.stack)}), got {len(names)}")
        self.sizes = self._output_sizes()
        self.layer = widgets.Dropdown(options=names, value=names[-1], description="layer")
        self.row = widgets.IntSlider(min=0, description="unit row")
        self.col = widgets.IntSlider(min=0, description="unit column")
        self.output = widgets.Output()
        self.result = None
        for control in (self.layer, self.row, self.col):
            control.observe(self._redraw, names="value")
        super().__init__([self.layer, widgets.HBox([self.row, self.col]), self.output])
        self._limit_sliders()
        self.update()

    def _output_sizes(self) -> list[tuple[int, int]]:
        """(rows, columns) of each layer's output, for this item."""
        (h, w), sizes = self.item.shape, []
        for layer in self.stack:
            kernel, stride, pad = layer[1], layer[2], layer[3] if len(layer) == 4 else 0
            h, w = (layers.output_size(h, kernel, stride, pad),
                    layers.output_size(w, kernel, stride, pad))
            sizes.append((h, w))
        return sizes

    def _limit_sliders(self):
        for slider, side in zip((self.row, self.col), self.sizes[self.layer.index],
                                strict=True):
            with slider.hold_trait_notifications():
                slider.max = side - 1
                slider.value = min(slider.value, side - 1)

    def _redraw(self, change):
        if change["owner"] is self.layer:
            self._limit_sliders()
        self.update()

    def update(self) -> dict:
        """Redraw for the chosen layer and unit; return `result`."""
        from helpers import architecture

        index = self.layer.index
        stack, names = self.stack[: index + 1], list(self.layer.options)[: index + 1]
        unit = (self.row.value, self.col.value)
        ax = plots.show_receptive_fields(self.item, stack, names=names, unit=unit)
        ax.set_title(f"{names[-1]}, unit {unit}: what it sees")
        self.output.outputs = ()
        self.output.append_display_data(ax.figure)
        plt.close(ax.figure)
        self.result = {"layer": names[-1], "unit": unit,
                       "window": architecture.input_window(stack, *unit)}
        return self.result


def receptive_field_explorer(item, stack, names) -> ReceptiveFieldExplorer:
    """Pick any unit of any layer of `stack` and see its receptive field on `item`
    (notebook 07).

    Parameters
    ----------
    item : (H, W) array
        A square image (a Fashion-MNIST item).
    stack : list of (kind, kernel, stride[, pad])
        See `helpers.architecture`.
    names : list of str
        One name per layer, shown in the menu.
    """
    return ReceptiveFieldExplorer(item, stack, names)


# ---- notebook 08: the learning rate ------------------------------------------------
def learning_rate_explorer(images, targets, start, hidden, steps: int = 300):
    """A slider for the learning rate of gradient descent on one kernel.

    Each move runs `helpers.kernel_descent.gradient_descent` from the same `start` and
    draws `plots.show_descent`: the loss curve, the last kernel and the hidden one.

    Parameters
    ----------
    images : (N, H, W) array
    targets : (N, H', W') array
        The hidden kernel's feature maps of `images`.
    start : (kh, kw) array
        The first guess.
    hidden : (kh, kw) array
        The kernel to recover (drawn for comparison).
    steps : int
        Steps per run.

    Returns
    -------
    ipywidgets.interactive
        ``ui.children[0]`` is the log-scale slider (0.001 .. 1); ``ui.result`` is
        ``(kernels, losses)`` of the last run.
    """

    from helpers.validation import as_array, positive_int

    images = as_array(images, "images", (2, 3))
    targets = as_array(targets, "targets", (2, 3))
    start = as_array(start, "start", (2,))
    hidden = as_array(hidden, "hidden", (2,))
    steps = positive_int(steps, "steps")
    if hidden.shape != start.shape:
        raise ValueError(f"`hidden` has shape {hidden.shape} but `start` {start.shape}: "
                         "expected two kernels of the same shape")
    kernel_descent.gradient_descent(images, targets, start, 0.001, 1)  # shapes checked

    def run(learning_rate=0.1):
        kernels, losses = kernel_descent.gradient_descent(images, targets, start,
                                                          learning_rate, steps)
        plots.show_descent(kernels, losses, hidden, learning_rate)
        plt.show()
        return kernels, losses

    slider = widgets.FloatLogSlider(value=0.1, base=10, min=-3, max=0, step=0.1,
                                    description="learning rate",
                                    readout_format=".3f",
                                    style={"description_width": "initial"})
    return widgets.interactive(run, learning_rate=slider)
