"""Plain data on the wire between the grader and a learner's sandboxed process.

One JSON object per line. Only plain data crosses: numbers, strings, None, ``...``, lists,
tuples, dicts, numpy arrays and scalars of numeric or boolean dtype. Nothing is ever
unpickled, so the grader's side runs no code of the learner's while reading a reply.
This file imports nothing of `helpers`: it is also loaded inside the sandbox.
"""

from __future__ import annotations

import base64
import json

import numpy as np

MAX_LINE = 64 * 2**20
"""Bytes of one message; a longer reply is refused (an answer is never that big)."""

KINDS = "biufc"  # bool, int, unsigned, float, complex: no object or string arrays


class NotPlainData(TypeError):
    """A value that is not plain data (a generator, a module, a learner's class)."""


def encode(value, depth: int = 0):
    if depth > 50:
        raise NotPlainData("nested more than 50 levels deep")
    if value is None or isinstance(value, bool | str):
        return value
    if value is Ellipsis:  # a blank answer, `name = ...`: "not done yet"
        return {"ellipsis": True}
    if type(value) is int:
        return value if abs(value) < 2**63 else {"int": str(value)}
    if type(value) is float:
        return {"float": repr(value)}
    if type(value) is complex:
        return {"complex": [repr(value.real), repr(value.imag)]}
    if isinstance(value, np.generic) and type(value).__module__ == "numpy":
        if value.dtype.kind not in KINDS:
            raise NotPlainData(f"a numpy {value.dtype} scalar")
        return {"scalar": _bytes(np.asarray(value)), "dtype": value.dtype.str}
    if type(value) is np.ndarray:
        if value.dtype.kind not in KINDS:
            raise NotPlainData(f"an array of dtype {value.dtype}")
        return {"array": _bytes(value), "dtype": value.dtype.str,
                "shape": list(value.shape)}
    if type(value) in (list, tuple):
        items = [encode(v, depth + 1) for v in value]
        return {"list": items} if type(value) is list else {"tuple": items}
    if type(value) is dict:
        return {"dict": [[encode(k, depth + 1), encode(v, depth + 1)]
                         for k, v in value.items()]}
    raise NotPlainData(f"a {type(value).__name__}")


def _bytes(array) -> str:
    return base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")


def decode(data):
    if data is None or isinstance(data, bool | str | int):
        return data
    if isinstance(data, list):
        raise ValueError("a bare list on the wire")
    if not isinstance(data, dict) or len(data) not in (1, 2, 3):
        raise ValueError("not a wire value")
    if "ellipsis" in data:
        return Ellipsis
    if "int" in data:
        return int(data["int"])
    if "float" in data:
        return float(data["float"])
    if "complex" in data:
        real, imag = data["complex"]
        return complex(float(real), float(imag))
    if "list" in data:
        return [decode(v) for v in data["list"]]
    if "tuple" in data:
        return tuple(decode(v) for v in data["tuple"])
    if "dict" in data:
        out = {}
        for key, value in data["dict"]:
            key = decode(key)
            hash(key)  # a list as a key is not plain data
            out[key] = decode(value)
        return out
    dtype = np.dtype(str(data["dtype"]))
    if dtype.kind not in KINDS or dtype.hasobject:
        raise ValueError(f"dtype {dtype} refused")
    raw = base64.b64decode(data.get("array", data.get("scalar", "")), validate=True)
    if "scalar" in data:
        return np.frombuffer(raw, dtype=dtype, count=1)[0]
    shape = tuple(int(n) for n in data["shape"])
    if any(n < 0 for n in shape) or int(np.prod(shape)) * dtype.itemsize != len(raw):
        raise ValueError("array bytes do not match the shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def dumps(message: dict) -> bytes:
    return json.dumps(message, allow_nan=False).encode() + b"\n"


def loads(line: bytes) -> dict:
    if len(line) > MAX_LINE:
        raise ValueError("message too long")
    message = json.loads(line)
    if not isinstance(message, dict):
        raise ValueError("not a message")
    return message
