"""Read a value from the learner's code as plain data, before a check looks at it.

A check compares, converts and prints what the learner gave, and each of those steps
can run the learner's code again: a generator's body, or the ``__iter__``, ``__len__``,
``__array__`` or ``__repr__`` of the learner's own class. An endless generator read by
``list()`` outside the time limit hangs the notebook and fills the memory. So every
value is first copied by `plain` into lists, tuples, dicts, sets, numbers, strings and
numpy arrays; `plain` runs inside the time limit (see `core._call` and
`core.read_answer`), and stops after `MAX_VALUES` items with `TooManyValues`.

What cannot be copied as plain data (a generator, an object of the learner's own
class) becomes a `StandIn`: it keeps the items it yielded (so ``list()`` of it works as
on the original) and a printable text, and it is no number, sequence or array, so the
checks refuse it as before.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, MutableSequence, Sequence
from decimal import Decimal
from fractions import Fraction

import numpy as np

MAX_VALUES = 100_000
"""Most items `plain` reads from one value (nested lists count every item). The
largest answer of an exercise, a feature map as nested lists, has a few thousand."""

MAX_DEPTH = 32
"""Deepest nesting of lists `plain` follows (a list that contains itself never ends)."""

_SCALARS = (type(None), type(Ellipsis), bool, int, float, complex, str, bytes,
            Fraction, Decimal)
_CONTAINERS = (list, tuple, set, frozenset)


class TooManyValues(Exception):
    """The learner's value holds more than `MAX_VALUES` items (an endless generator?)."""

    def __init__(self, limit: int = MAX_VALUES):
        self.limit = limit
        super().__init__(f"more than {limit:,} values")


class StandIn:
    """What a check sees instead of a value that is not plain data.

    Iterating it gives the items the original yielded (None if it was not iterable);
    its repr is the original's, read in time. Each original type gets a subclass of
    the same name, so a verdict still says "got generator", not "got StandIn".
    """

    __slots__ = ("_items", "_text")

    def __init__(self, items, text: str):
        self._items = items
        self._text = text

    def __iter__(self):
        if self._items is None:
            raise TypeError(f"'{type(self).__name__}' object is not iterable")
        return iter(self._items)

    def __repr__(self):
        return self._text


_stand_in_types: dict[str, type] = {}


def _stand_in(value, items) -> StandIn:
    name = type(value).__name__
    name = name if isinstance(name, str) and name.isidentifier() else "object"
    if name not in _stand_in_types:
        _stand_in_types[name] = type(name, (StandIn,), {"__slots__": ()})
    try:
        text = repr(value)[:200]
    except Exception:  # a repr that fails: the type name is enough
        text = f"a {name}"
    return _stand_in_types[name](items, text if isinstance(text, str) else f"a {name}")


def plain(value):
    """`value` as plain data: builtin containers, numbers, strings, numpy arrays.

    Runs the learner's code (iteration, ``__array__``, ``__repr__``), so call it under
    the time limit. Raises `TooManyValues` after `MAX_VALUES` items.
    """
    return _plain(value, [MAX_VALUES], 0)


def _spend(left: list, count: int) -> None:
    left[0] -= count
    if left[0] < 0:
        raise TooManyValues()


def _items(iterable, left: list) -> list:
    """At most the items left in the budget, then `TooManyValues` if there are more."""
    items = list(itertools.islice(iterable, max(left[0], 0) + 1))
    _spend(left, len(items))
    return items


def _plain(value, left: list, depth: int):
    kind = type(value)
    if kind in _SCALARS or (isinstance(value, np.generic) and kind.__module__ == "numpy"
                            and not isinstance(value, np.object_)):
        return value
    for base in (int, float, complex, str, bytes):
        if isinstance(value, base):  # a subclass: its plain base value
            return base(value)
    if isinstance(value, np.ndarray):
        return _plain_array(np.asarray(value), left, depth)
    if depth >= MAX_DEPTH:
        return _stand_in(value, None)
    if isinstance(value, dict | Mapping):
        pairs = _items(iter(value.items()), left)
        try:
            return {_plain(k, left, depth + 1): _plain(v, left, depth + 1)
                    for k, v in pairs}
        except TypeError:  # a key that is no longer hashable
            return _stand_in(value, None)
    if isinstance(value, _CONTAINERS + (Sequence,)):  # a range: a tuple; a deque: a list
        base = next((base for base in _CONTAINERS if isinstance(value, base)),
                    list if isinstance(value, MutableSequence) else tuple)
        items = [_plain(item, left, depth + 1) for item in _items(iter(value), left)]
        try:
            return base(items)
        except TypeError:  # an unhashable item for a set
            return _stand_in(value, items)
    if hasattr(value, "__array__") or hasattr(value, "__array_interface__"):
        try:  # a tensor or a data frame of another library
            return _plain_array(np.asarray(value), left, depth)
        except TooManyValues:
            raise
        except Exception:  # it refuses to be an array: try it as an iterable
            pass
    try:
        iterator = iter(value)
    except Exception:  # not iterable
        return _stand_in(value, None)
    items = [_plain(item, left, depth + 1) for item in _items(iterator, left)]
    return _stand_in(value, items)


def _plain_array(array: np.ndarray, left: list, depth: int) -> np.ndarray:
    """A numeric array as it is (its size is already bounded by the memory); an array
    of Python objects with each object made plain."""
    if not array.dtype.hasobject:
        return array
    _spend(left, array.size)
    out = np.empty(array.shape, dtype=object)
    flat = out.reshape(-1)
    for i, item in enumerate(array.reshape(-1)):
        flat[i] = _plain(item, left, depth + 1)
    return out
