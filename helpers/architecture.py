"""Why a CNN is built the way it is: parameter counts and receptive fields of layers.

Notebook 07 compares a dense layer on an image with a convolution layer, and measures how
far a unit of a stack of conv and pool layers can "see". Notebook 11 draws the receptive
fields of the trained CNN with the same functions.

A *stack* is a list of layers, each a tuple ``(kind, kernel, stride)`` or
``(kind, kernel, stride, pad)``:

- ``kind``: ``"conv"`` or ``"pool"`` (only a label: both slide a window);
- ``kernel``: the side of the square window (3 for a 3x3 convolution, 2 for 2x2 pooling);
- ``stride``: how far the window moves between neighbouring outputs;
- ``pad``: zeros added above and to the left of the input (default 0); Keras's
  ``padding="same"`` with stride 1 and an odd kernel adds ``(kernel - 1) // 2``.
  Padding moves a window; it never changes its size.

The series' CNN (`helpers.cnn`) is ``[("conv", 3, 1, 1), ("pool", 2, 2),
("conv", 3, 1, 1), ("pool", 2, 2)]``: its units see 3, 4, 8 and 10 pixels across.
"""

from __future__ import annotations

from helpers.validation import int_arg

__all__ = ["conv_params", "dense_params", "receptive_fields", "input_window", "SERIES_STACK"]

# The conv and pool layers of the series' CNN (helpers.cnn), "same" convolutions.
SERIES_STACK = [("conv", 3, 1, 1), ("pool", 2, 2), ("conv", 3, 1, 1), ("pool", 2, 2)]

def conv_params(kh, kw, c_in, filters, bias: bool = True) -> int:
    """Number of parameters (weights and biases) of a convolution layer.

    Each of the `filters` kernels is a (kh, kw, c_in) block of weights, plus one bias:

        (kh * kw * c_in + 1) * filters      (without bias: kh * kw * c_in * filters)

    The count does not depend on the image size: the same kernels slide over every
    position (weight sharing).

    Parameters
    ----------
    kh, kw : int >= 1
        Kernel height and width.
    c_in : int >= 1
        Channels of the input (1 for a grey image, 3 for RGB).
    filters : int >= 1
        Number of kernels, i.e. channels of the output.
    bias : bool
        Whether each filter has a bias (Keras's ``use_bias``, default True).

    Returns
    -------
    int
    """
    kh, kw = int_arg(kh, "kh", minimum=1), int_arg(kw, "kw", minimum=1)
    c_in = int_arg(c_in, "c_in", minimum=1)
    filters = int_arg(filters, "filters", minimum=1)
    # one filter counts as one dense unit with kh * kw * c_in inputs (and a bias)
    return dense_params(kh * kw * c_in, filters, bias)


def dense_params(inputs, units, bias: bool = True) -> int:
    """Number of parameters of a dense (fully connected) layer.

    Every unit has one weight per input, plus one bias:

        (inputs + 1) * units                (without bias: inputs * units)

    For an image, `inputs` is H * W * C: every pixel reaches every unit.

    Parameters
    ----------
    inputs : int >= 1
        Length of the (flattened) input vector.
    units : int >= 1
        Number of outputs.
    bias : bool
        Whether each unit has a bias (default True).

    Returns
    -------
    int
    """
    inputs = int_arg(inputs, "inputs", minimum=1)
    units = int_arg(units, "units", minimum=1)
    if not isinstance(bias, bool):
        raise TypeError(f"`bias` must be True or False, got {bias!r}")
    return (inputs + int(bias)) * units


def _layers(stack) -> list[tuple[str, int, int, int]]:
    """Validate `stack`; return it as a list of (kind, kernel, stride, pad)."""
    if isinstance(stack, (str, bytes)) or not hasattr(stack, "__iter__"):
        raise TypeError(
            "`stack` must be a list of (kind, kernel, stride) tuples, e.g. "
            f'[("conv", 3, 1), ("pool", 2, 2)], got {type(stack).__name__}'
        )
    layers = []
    for number, layer in enumerate(stack):
        where = f"`stack[{number}]`"
        if not isinstance(layer, (tuple, list)) or len(layer) not in (3, 4):
            raise ValueError(
                f"{where} must be (kind, kernel, stride) or (kind, kernel, stride, pad),"
                f" e.g. (\"conv\", 3, 1), got {layer!r}"
            )
        kind = layer[0]
        if kind not in ("conv", "pool"):
            raise ValueError(f'{where}: kind must be "conv" or "pool", got {kind!r}')
        kernel = int_arg(layer[1], f"{where} kernel", minimum=1)
        stride = int_arg(layer[2], f"{where} stride", minimum=1)
        pad = int_arg(layer[3], f"{where} pad") if len(layer) == 4 else 0
        layers.append((kind, kernel, stride, pad))
    if not layers:
        raise ValueError("`stack` is empty: give at least one layer")
    return layers


def _walk(stack):
    """(start, size, jump) after each layer of `stack`, from the input's (0, 1, 1): the
    recurrences of `receptive_fields` and `input_window`."""
    start, size, jump = 0, 1, 1
    for _kind, kernel, stride, pad in _layers(stack):
        start = start - pad * jump
        size = size + (kernel - 1) * jump
        jump = jump * stride
        yield start, size, jump


def receptive_fields(stack) -> list[tuple[int, int]]:
    """Receptive field size and jump after each layer of a stack.

    A unit's *receptive field* is the square of input pixels it depends on; its side
    is `size`. The *jump* is how many input pixels apart two neighbouring units of
    the layer are. Starting from the input (size 1, jump 1), a layer with a window of
    `kernel` pixels and stride `stride` gives::

        size_out = size_in + (kernel - 1) * jump_in
        jump_out = jump_in * stride

    Parameters
    ----------
    stack : list of (kind, kernel, stride) or (kind, kernel, stride, pad)
        See the module docstring; `pad` does not change the size.

    Returns
    -------
    list of (size, jump) int pairs, one per layer

    Examples
    --------
    >>> receptive_fields([("conv", 3, 1), ("pool", 2, 2), ("conv", 3, 1), ("pool", 2, 2)])
    [(3, 1), (4, 2), (8, 2), (10, 4)]
    """
    return [(size, jump) for _start, size, jump in _walk(stack)]


def input_window(stack, row, col) -> tuple[int, int, int]:
    """Where in the input the unit (`row`, `col`) of the stack's last layer looks.

    The first unit of a layer looks at input pixels from `start` on; each layer moves
    `start` up and left by its padding (in input pixels: ``pad * jump_in``), and unit
    ``o`` starts ``o * jump`` pixels further::

        start_out = start_in - pad * jump_in        (start = 0 for the input)
        top  = start + row * jump,   left = start + col * jump

    Parameters
    ----------
    stack : list of (kind, kernel, stride[, pad])
    row, col : int >= 0
        The unit's position in the last layer's output (no check against its size).

    Returns
    -------
    (top, left, size) : ints
        The receptive field is rows ``top .. top + size - 1`` and columns
        ``left .. left + size - 1`` of the input. Near the border they can be negative
        or past the image: those pixels are padding zeros.
    """
    row, col = int_arg(row, "row"), int_arg(col, "col")
    start, size, jump = list(_walk(stack))[-1]
    return start + row * jump, start + col * jump, size
