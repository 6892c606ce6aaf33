"""Draw or upload your own item and watch the trained CNN, layer by layer (notebook 11).

`Sketchpad` is a widget: a 28 x 28 canvas shown 280 px wide (pen, eraser, clear; an
ipycanvas ``Canvas``), an upload button for a photo, and a menu of test items. Every
change (the end of a stroke, an upload, a pick) runs the trained model with the
series' numpy layers (`helpers.layers.read_model` once, then `network.step_outputs`)
and redraws the input as the model sees it (`helpers.own_item.fashion_item`), the
strongest feature maps of each conv and pool layer, and the ten probabilities.

The drawing is small pictures and HTML (PNG bytes in ``ipywidgets.Image``, bars in an
``HTML``), not matplotlib, so that a stroke redraws in a few tens of milliseconds.
Tests drive it without a browser: ``pad.stroke([(x, y), ...])`` is what the mouse
does, ``pad.upload(data)`` and ``pad.pick(index)`` what the other controls do;
``pad.result`` holds the last run.
"""

from __future__ import annotations

import html
import io
import time

import ipywidgets as widgets
import numpy as np

from helpers import own_item
from helpers.plots.style import IMAGE_CMAP, VALUE_CMAP

CELL = 10  # screen pixels per item pixel: the canvas is 280 x 280
MAPS_PER_LAYER = 4


_LUTS: dict[str, np.ndarray] = {}


def _png(array: np.ndarray, cmap: str, vmin: float, vmax: float, scale: int) -> bytes:
    """`array` (H, W) coloured with `cmap` on [vmin, vmax], each pixel `scale` wide."""
    import matplotlib
    from PIL import Image

    if cmap not in _LUTS:  # the colour map's 256 colours, looked up once
        _LUTS[cmap] = matplotlib.colormaps[cmap](np.linspace(0, 1, 256), bytes=True)
    span = (vmax - vmin) or 1.0
    levels = np.round((np.clip(array, vmin, vmax) - vmin) / span * 255).astype(np.uint8)
    picture = Image.fromarray(_LUTS[cmap][levels]).resize(
        (array.shape[1] * scale, array.shape[0] * scale), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


def probability_bars(probabilities, class_names) -> str:
    """The ten probabilities as an HTML table of bars, the most probable in bold with
    an arrow (never colour alone)."""
    best = int(np.argmax(probabilities))
    rows = []
    for index, (name, p) in enumerate(zip(class_names, probabilities, strict=True)):
        weight = "bold" if index == best else "normal"
        mark = " ◀" if index == best else ""
        rows.append(
            f"<tr style='font-weight:{weight}'><td style='text-align:right;"
            f"padding-right:6px'>{html.escape(name)}</td><td style='width:160px'>"
            f"<div style='background:#0072b2;height:12px;width:{100 * p:.1f}%'></div>"
            f"</td><td style='padding-left:6px'>{100 * p:5.1f}%{mark}</td></tr>")
    return ("<table style='font-size:12px;border-collapse:collapse' "
            "aria-label='class probabilities'>" + "".join(rows) + "</table>")


class Sketchpad(widgets.HBox):
    """Your own item through the trained CNN. See the module docstring.

    Parameters
    ----------
    model : keras.Model
        The series' trained CNN (input (28, 28, 1), softmax over 10 classes).
    gallery : (N, 28, 28) array, optional
        Items to pick from the menu (e.g. a few test images, 0..1 or 0..255).
    class_names : sequence of 10 str
        Defaults to `helpers.data.CLASS_NAMES`.

    Attributes
    ----------
    drawing : (28, 28) float array
        The canvas, 0 (black) to 1 (white).
    result : dict
        ``{"item": (28, 28), "probabilities": (10,), "maps": {layer: (H, W, C)},
        "seconds": float}`` of the last run, or ``{"error": message}``.
    """

    def __init__(self, model, gallery=None, class_names=None):
        from helpers import data
        from helpers.layers import keras_reader, read_model

        self.steps = read_model(model)
        try:
            keras_reader.check_images(np.zeros((1, 28, 28, 1)), model)
        except ValueError:
            raise ValueError(
                "`model` must take 28 x 28 x 1 items, as the series' CNN does; its input "
                f"is {tuple(model.inputs[0].shape)}") from None
        self.class_names = list(data.CLASS_NAMES if class_names is None else class_names)
        self.gallery = None if gallery is None else np.asarray(gallery, float)
        self.drawing = np.zeros((own_item.SIDE, own_item.SIDE))
        self.result = None
        self._down, self._last = False, None
        self._build()
        self.clear()

    # ---- the controls
    def _build(self):
        from ipycanvas import Canvas

        side = own_item.SIDE * CELL
        self.canvas = Canvas(width=side, height=side,
                             layout=widgets.Layout(width=f"{side}px", height=f"{side}px",
                                                   border="1px solid #888"))
        self.canvas.on_mouse_down(self._on_down)
        self.canvas.on_mouse_move(self._on_move)
        self.canvas.on_mouse_up(self._on_up)
        self.canvas.on_mouse_out(self._on_up)
        self.tool = widgets.ToggleButtons(options=["pen", "eraser"], value="pen",
                                          style={"button_width": "70px"})
        self.clear_button = widgets.Button(description="clear", icon="eraser")
        self.clear_button.on_click(lambda _: self.clear())
        self.uploader = widgets.FileUpload(accept="image/*", multiple=False,
                                           description="upload a photo",
                                           layout=widgets.Layout(width="160px"))
        self.uploader.observe(self._on_upload, names="value")
        options = [("(draw or upload)", -1)]
        if self.gallery is not None:
            options += [(f"test item {i}", i) for i in range(len(self.gallery))]
        self.menu = widgets.Dropdown(options=options, value=-1, description="pick")
        self.menu.observe(lambda change: self.pick(change["new"]), names="value")
        self.message = widgets.HTML()
        self.seen = widgets.Image(  # black until the first run: never an empty picture
            value=_png(np.zeros((own_item.SIDE, own_item.SIDE)), IMAGE_CMAP, 0.0, 1.0, 5),
            format="png", layout=widgets.Layout(width="140px", height="140px"))
        self.bars = widgets.HTML()
        self.maps = widgets.VBox()
        left = widgets.VBox([self.canvas, widgets.HBox([self.tool, self.clear_button]),
                             self.uploader, self.menu, self.message])
        right = widgets.VBox([widgets.HTML("<b>what the model sees</b>"), self.seen,
                              self.bars, self.maps])
        super().__init__([left, right])

    # ---- what the mouse, the upload and the menu do
    def _paint(self, x: float, y: float):
        """Paint from the last mouse position to (x, y): every cell the line crosses
        (the mouse reports a position every few pixels), then redraw those cells."""
        x0, y0 = self._last if self._last is not None else (x, y)
        self._last = (x, y)
        steps = int(max(abs(x - x0), abs(y - y0)) // (CELL / 2)) + 1
        touched = []
        for t in np.linspace(0.0, 1.0, steps + 1):
            row, col = int((y0 + t * (y - y0)) // CELL), int((x0 + t * (x - x0)) // CELL)
            if 0 <= row < own_item.SIDE and 0 <= col < own_item.SIDE:
                self._paint_cell(row, col)
                touched.append((row, col))
        if touched:
            top, left = (int(v) for v in np.min(touched, 0))
            bottom, right = (int(v) for v in np.max(touched, 0))
            self._draw_cells(slice(max(top - 1, 0), bottom + 2),
                             slice(max(left - 1, 0), right + 2))

    def _paint_cell(self, row: int, col: int):
        rows = slice(max(row - 1, 0), row + 2)
        cols = slice(max(col - 1, 0), col + 2)
        if self.tool.value == "eraser":
            self.drawing[rows, cols] = 0.0
        else:  # a soft pen: the cell white, its neighbours grey
            self.drawing[rows, cols] = np.maximum(self.drawing[rows, cols], 0.6)
            self.drawing[row, col] = 1.0

    def _draw_cells(self, rows: slice, cols: slice):
        from ipycanvas import hold_canvas

        block = self.drawing[rows, cols]
        grey = np.uint8(np.round(block * 255))
        pixels = np.repeat(np.repeat(grey, CELL, 0), CELL, 1)
        with hold_canvas():
            self.canvas.put_image_data(np.stack([pixels] * 3, axis=-1),
                                       cols.start * CELL, rows.start * CELL)

    def _on_down(self, x, y):
        self._down, self._last = True, None
        self._paint(x, y)

    def _on_move(self, x, y):
        if self._down:
            self._paint(x, y)

    def _on_up(self, x, y):
        if self._down:
            self._down = False
            self.update(self.drawing)

    def stroke(self, points):
        """Draw through `points` [(x, y) in canvas pixels], as the mouse would."""
        points = list(points)
        self._on_down(*points[0])
        for x, y in points[1:]:
            self._on_move(x, y)
        self._on_up(*points[-1])
        return self.result

    def clear(self):
        """Black canvas; the model is not run on an empty picture."""
        self.drawing[:] = 0.0
        self._draw_cells(slice(0, own_item.SIDE), slice(0, own_item.SIDE))
        self.message.value = "Draw an item with the mouse, upload a photo or pick one."
        self.result = None

    def _on_upload(self, change):
        if change["new"]:
            self.upload(change["new"][0]["content"])

    def upload(self, data):
        """Run the model on an uploaded file's bytes (or say why not)."""
        try:
            picture = own_item.read_upload(data)
        except (TypeError, ValueError) as exc:
            return self._refuse(str(exc))
        return self.update(picture)

    def pick(self, index: int):
        """Run the model on item `index` of the gallery (-1: nothing)."""
        if index < 0 or self.gallery is None:
            return self.result
        item = self.gallery[index]
        self.drawing[:] = item / 255.0 if item.max() > 1 else item
        self._draw_cells(slice(0, own_item.SIDE), slice(0, own_item.SIDE))
        return self.update(self.drawing, as_is=True)  # a Fashion-MNIST item already

    def _refuse(self, reason: str):
        self.message.value = f"❌ {html.escape(reason)}"
        self.result = {"error": reason}
        return self.result

    # ---- the model, layer by layer
    def update(self, picture, as_is: bool = False) -> dict:
        """Make `picture` an item (`as_is`: it is one, (28, 28) in 0..1), run every layer
        on it and redraw; return `result`."""
        from helpers.layers.network import step_outputs

        start = time.perf_counter()
        try:
            item = picture.copy() if as_is else own_item.fashion_item(picture)
        except ValueError as exc:
            return self._refuse(str(exc))
        outputs = step_outputs(self.steps, item[None, :, :, None].astype(np.float32))
        maps = {}
        for step, output in zip(self.steps, outputs, strict=True):
            if output.ndim == 4:  # the last step of a layer wins (conv, then its ReLU)
                maps[step.name] = output[0]
        probabilities = outputs[-1][0]
        self.seen.value = _png(item, IMAGE_CMAP, 0.0, 1.0, 5)
        self.bars.value = probability_bars(probabilities, self.class_names)
        if len(self.maps.children) != len(maps):  # built once, then only their values
            self.maps.children = [self._layer_row() for _ in maps]
        for row, (name, feature_maps) in zip(self.maps.children, maps.items(), strict=True):
            self._show_layer(row, name, feature_maps)
        best = int(np.argmax(probabilities))
        what = "your drawing" if picture is self.drawing and not as_is else (
            "the test item" if as_is else "your photo")
        self.message.value = (f"The model says <b>{html.escape(self.class_names[best])}"
                              f"</b> ({100 * probabilities[best]:.0f}%) for {what}.")
        self.result = {"item": item, "probabilities": probabilities, "maps": maps,
                       "seconds": time.perf_counter() - start}
        return self.result

    @staticmethod
    def _layer_row() -> widgets.VBox:
        """A title and `MAPS_PER_LAYER` pictures with captions, filled by `_show_layer`."""
        size = widgets.Layout(width="84px", height="84px")
        cells = [widgets.VBox([widgets.Image(format="png", layout=size), widgets.HTML()])
                 for _ in range(MAPS_PER_LAYER)]
        return widgets.VBox([widgets.HTML(), widgets.HBox(cells)])

    @staticmethod
    def _show_layer(row: widgets.VBox, name: str, feature_maps: np.ndarray):
        """The `MAPS_PER_LAYER` strongest maps of one layer, on the layer's shared
        scale, each titled with its channel and its largest value."""
        strongest = np.argsort(feature_maps.max(axis=(0, 1)))[::-1][:MAPS_PER_LAYER]
        top = float(np.abs(feature_maps).max()) or 1.0
        scale = max(1, 84 // feature_maps.shape[0])
        title, cells = row.children[0], row.children[1].children
        for (picture, caption), channel in zip((c.children for c in cells), strongest,
                                               strict=False):
            fm = feature_maps[:, :, channel]
            picture.value = _png(fm, VALUE_CMAP, -top, top, scale)
            caption.value = f"<small>map {channel}, max {fm.max():.2f}</small>"
        height, width, channels = feature_maps.shape
        title.value = (f"<b>{html.escape(name)}</b> {height}x{width}x{channels}: the "
                       f"{min(MAPS_PER_LAYER, channels)} strongest maps (one scale: "
                       f"±{top:.2f})")
