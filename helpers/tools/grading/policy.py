"""What a solution cell may use, read from its text before anything runs.

A solution earns nothing when it calls the shipped reference implementation of what it
is asked to write, or reads the answer key. The rule is taken from the answer key itself:
of the lesson's own functions and ``helpers``, a solution may use what the solved
notebook's solution uses there (02's `feature_stack` may call `conv2d`, 04's `my_relu`
may call nothing of `helpers`); numpy, math and plain Python are always allowed. The
tools that reach around a name check (``eval``, ``getattr``, ``__dict__``, ``open``,
``import os``...) are refused: no solution in this series needs them.

The sandbox is the second wall: for a notebook whose answers use nothing of `helpers`,
the learner's process cannot import it at all, and it never sees the notebooks.
"""

from __future__ import annotations

import ast
import importlib
import threading
from dataclasses import dataclass, field

REFUSED_NAMES = {
    "eval", "exec", "compile", "__import__", "getattr", "setattr", "delattr",
    "globals", "locals", "vars", "open", "input", "breakpoint", "exit", "quit",
    "memoryview", "help", "__builtins__", "__loader__", "__spec__",
}
REFUSED_ATTRIBUTES = {
    "modules", "sys", "os", "builtins", "subprocess", "importlib", "system", "popen",
    "inspect", "gc", "types", "getmodule", "import_module", "reload", "attrgetter",
    "methodcaller", "f_globals", "f_locals", "f_builtins", "f_back", "f_code",
    "gi_frame", "gi_code", "cr_frame", "tb_frame", "co_consts", "ctypes", "ctypeslib",
    "fromfile", "loadtxt", "genfromtxt", "memmap", "load", "open", "pickle",
}
FREE_MODULES = {"numpy", "math", "cmath", "itertools", "functools", "collections",
                "typing", "fractions", "decimal", "statistics", "matplotlib", "copy",
                "random", "time", "dataclasses", "string", "heapq", "bisect", "re"}
"""Modules a solution may import (and lesson imports a solution may use freely): none
reaches `helpers` or a file without an attribute refused above."""


# The room grades learners in threads, and CPython 3.11's ast.parse is not thread-safe:
# two at once can raise "SystemError: AST constructor recursion depth mismatch" (seen in
# a loaded test run, where an honest learner then scored 0). One parse at a time.
_PARSE_LOCK = threading.Lock()


def parse(source: str) -> ast.Module:
    """`ast.parse`, where any text that cannot be read is a SyntaxError: a learner's
    cell nested 100,000 deep (RecursionError, MemoryError) or holding a NUL byte.
    One call at a time (`_PARSE_LOCK`)."""
    try:
        with _PARSE_LOCK:
            return ast.parse(source)
    except SyntaxError:
        raise
    except (RecursionError, MemoryError, ValueError, TypeError) as exc:
        raise SyntaxError(f"unreadable code ({type(exc).__name__})") from None


@dataclass
class Lesson:
    """What the lesson's own cells (never the learner's) bind at the top level."""

    imports: dict[str, str] = field(default_factory=dict)  # name -> "helpers.relu"
    functions: set[str] = field(default_factory=set)  # lesson `def`s, classes, aliases
    data: set[str] = field(default_factory=set)  # everything else: arrays, numbers


def read_lesson(sources: list[str]) -> Lesson:
    lesson = Lesson()
    for source in sources:
        try:
            tree = parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                lesson.imports.update(_imported(node))
            elif isinstance(node, ast.FunctionDef | ast.ClassDef):
                lesson.functions.add(node.name)
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = {n.id for t in targets for n in ast.walk(t)
                         if isinstance(n, ast.Name)}
                alias = isinstance(node.value, ast.Name | ast.Attribute | ast.Lambda)
                (lesson.functions if alias else lesson.data).update(names)
            elif isinstance(node, ast.For):
                lesson.data.update(n.id for n in ast.walk(node.target)
                                   if isinstance(n, ast.Name))
    lesson.data -= lesson.functions | set(lesson.imports)
    return lesson


def _imported(node) -> dict[str, str]:
    out = {}
    for alias in node.names:
        if isinstance(node, ast.Import):
            name = alias.asname or alias.name.split(".")[0]
            out[name] = alias.name if alias.asname else alias.name.split(".")[0]
        else:
            module = "." * node.level + (node.module or "")
            out[alias.asname or alias.name] = f"{module}.{alias.name}"
    return out


def bound_names(tree) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update(_imported(node))
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names


def top_level_names(source: str) -> list[str]:
    """The names a solution cell defines at the top level (its answers), in order."""
    out: list[str] = []
    for node in parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            new = [node.name]
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            new = [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
        else:
            continue
        out += [n for n in new if n not in out]
    return out


def _dotted(node) -> list[str] | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id, *reversed(parts)]
    return None


def canonical(qualified: str) -> str:
    """One name per object: `helpers.layers.relu` and `helpers.relu` are one function."""
    if not qualified.startswith("helpers"):
        return qualified
    parts = qualified.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except Exception:
            continue
        try:
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return qualified
        module = getattr(obj, "__name__", None) if cut == len(parts) else None
        if module:
            return module
        name = getattr(obj, "__qualname__", None)
        owner = getattr(obj, "__module__", None)
        return f"{owner}.{name}" if isinstance(name, str) and owner else qualified
    return qualified


def references(source: str, lesson: Lesson, own_imports: dict[str, str]) -> set[str]:
    """The lesson functions and `helpers` objects a solution's text refers to."""
    tree = parse(source)
    local = bound_names(tree)
    imports = {"helpers": "helpers", **lesson.imports, **own_imports}
    found = set()
    chains = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):  # `import helpers`: its uses count below
            for qualified in _imported(node).values():
                if qualified.split(".")[0] not in FREE_MODULES:
                    found.add(canonical(qualified))
        if not isinstance(node, ast.Attribute | ast.Name) or id(node) in chains:
            continue
        dotted = _dotted(node)
        if not dotted:
            continue
        root = dotted[0]
        if root in local and root not in own_imports:
            continue
        if root in imports:
            qualified = imports[root]
            if qualified.split(".")[0] in FREE_MODULES:
                continue
            found.add(canonical(".".join([qualified, *dotted[1:]])))
        elif root in lesson.functions:
            found.add(f"lesson.{root}")
    return found


def problems(source: str, answer_key: str, lesson: Lesson,
             own_imports: dict[str, str]) -> list[str]:
    """Why this solution earns nothing whatever it returns; [] when it may be checked."""
    try:
        tree = parse(source)
    except SyntaxError as error:
        return [f"syntax error: {error.msg} (line {error.lineno})"]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and (node.id in REFUSED_NAMES
                                           or node.id.startswith("__")):
            out.append(f"uses `{node.id}`, which a solution here never needs")
        elif isinstance(node, ast.Attribute) and (node.attr.startswith("_")
                                                  or node.attr in REFUSED_ATTRIBUTES):
            out.append(f"uses `.{node.attr}`, which a solution here never needs")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            if isinstance(node, ast.ImportFrom) and node.level:
                out.append("a relative import, which a solution here never needs")
            for qualified in _imported(node).values():
                root = qualified.split(".")[0]
                if root not in FREE_MODULES and root != "helpers":
                    out.append(f"imports `{root}`, which a solution here never needs "
                               "(numpy, math and the like are fine)")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and (
                ".ipynb" in node.value or "notebooks" in node.value):
            out.append("names a notebook file: the answer key is not a solution")
        elif isinstance(node, ast.Global | ast.Nonlocal):
            out.append("a `global` statement, which a solution here never needs")
    if out:
        return list(dict.fromkeys(out))
    allowed = references(answer_key, lesson, {})
    for ref in sorted(references(source, lesson, own_imports) - allowed):
        what = ref.removeprefix("lesson.")
        kind = "the lesson's function" if ref.startswith("lesson.") else "the shipped"
        out.append(f"uses {kind} `{what}`: the exercise is to write it, not to call "
                   "a reference (the answer key needs none of it here)")
    return out


def own_imports(sources: list[str]) -> dict[str, str]:
    """Names a learner's solution cells import, across all of them."""
    out = {}
    for source in sources:
        try:
            tree = parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                out.update(_imported(node))
    return out


def free_names(source: str) -> set[str]:
    try:
        tree = parse(source)
    except SyntaxError:
        return set()
    local = bound_names(tree)
    return {n.id for n in ast.walk(tree)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - local
