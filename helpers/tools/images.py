"""Regenerate the diagrams in images/ from the plotting code: ``python -m helpers.tools.images``.

Every figure the notebooks' markdown shows is listed in `FIGURES`, made by a function of
`helpers.plots` on the worked examples, so a diagram can never drift from the code. A
test re-draws each one and fails when the committed PNG is missing or stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

IMAGES = Path(__file__).resolve().parents[2] / "images"


def _figures():
    """name -> function returning a matplotlib Figure. Add new diagrams here."""
    return {
        # ---- notebooks 01-02
        "conv_step.png": _conv_step,
        "cross_correlation_flip.png": _cross_correlation_flip,
        "padding_stride.png": _padding_stride,
        # ---- notebooks 05-06
        "max_pooling_2x2.png": _max_pooling_2x2,
        "cnn_pipeline.png": _cnn_pipeline,
    }


# ---- notebooks 01-02 ---------------------------------------------------------------
def _conv_step():
    """One step of notebook 01's convolution: window, kernel, product, sum."""
    from helpers import data, plots

    fig, axes = plt.subplots(1, 4, figsize=(10, 3.0))
    plots.show_conv_step(
        data.binary_image(), data.lesson_kernel(), 0, 1, axes=axes, with_kernel=True
    )
    fig.suptitle(
        "Step 2: multiply the window by the kernel cell by cell, add the "
        "products, write the sum in the feature map"
    )
    fig.tight_layout()
    return fig


def _cross_correlation_flip():
    """A kernel and its flip (both axes): true convolution uses the flipped one."""
    import numpy as np

    from helpers import plots

    kernel = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    fig, axes = plt.subplots(1, 2, figsize=(5.6, 3.0))
    plots.show_matrix(kernel, ax=axes[0], title="kernel K\n(cross-correlation)")
    plots.show_matrix(
        np.flip(kernel),
        ax=axes[1],
        title="np.flip(K): rotated 180°\n(true convolution)",
    )
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


def _padding_stride():
    """Notebook 01's 5x5 image, padding 0 or 1, stride 1 or 2, a 3x3 kernel."""
    from helpers import data, plots

    fig, axes = plt.subplots(1, 3, figsize=(10.5, 4.0))
    for ax, (padding, stride) in zip(axes, [(0, 1), (1, 1), (1, 2)], strict=True):
        plots.show_padding_stride(data.binary_image(), 3, stride, padding, ax=ax)
    fig.suptitle(
        "Shaded: padding zeros. Solid: first window; dashed: the next one, "
        "one stride to the right"
    )
    fig.tight_layout(rect=(0, 0, 1, 0.93))
    return fig


# ---- notebooks 05-06 ---------------------------------------------------------------
def _max_pooling_2x2():
    """2x2 max pooling, stride 2, of the 4x4 map of notebook 05: windows and outputs."""
    from helpers import data, plots

    fig, axes = plt.subplots(
        1, 2, figsize=(6.2, 3.3), gridspec_kw={"width_ratios": [4, 2]}
    )
    plots.show_pooling(data.pooling_example(), size=2, stride=2, axes=axes)
    fig.suptitle("2x2 max pooling, stride 2: each window keeps its largest number")
    fig.tight_layout()
    return fig


def _cnn_pipeline():
    """The layers of notebook 06's small CNN with the shape each one outputs."""
    import numpy as np

    from helpers import layers, plots

    image = np.zeros((8, 8, 1))
    kernels = np.zeros((3, 3, 1, 2))
    maps = layers.conv2d_layer(image[None], kernels, np.zeros(2))[0]
    pooled = layers.max_pool2d(maps, 2)
    flat = layers.flatten(pooled)
    scores = layers.dense(flat, np.zeros((flat.size, 3)), np.zeros(3))
    stages = [
        ("image", image.shape),
        ("conv 3x3\n2 filters", maps.shape),
        ("ReLU", maps.shape),
        ("max pool\n2x2", pooled.shape),
        ("flatten", flat.shape),
        ("dense\n3 units", scores.shape),
        ("softmax", scores.shape),
    ]
    fig, ax = plt.subplots(figsize=(12, 1.9))
    plots.show_pipeline(
        stages, ax=ax, title="A small CNN: what each layer outputs (H, W, C)"
    )
    return fig


def render(name: str, folder: Path) -> Path:
    """Draw figure `name` into `folder`/`name` (a PNG without timestamps)."""
    matplotlib.rcParams["svg.hashsalt"] = "cnn-course"
    fig = _figures()[name]()
    path = folder / name
    fig.savefig(path, dpi=100, metadata={"Software": None}, bbox_inches="tight")
    plt.close(fig)
    return path


def main(argv: list[str]) -> int:
    IMAGES.mkdir(exist_ok=True)
    names = argv or sorted(_figures())
    for name in names:
        print(render(name, IMAGES).relative_to(IMAGES.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
