"""`check_prediction`: a prediction question's verdict, the usual mistakes named."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.checks import check_prediction

SAME = {(28, 28, 32): "that is padding 'same'; 'valid' adds no zeros"}


def test_a_right_prediction_passes(capsys):
    assert check_prediction((26, 26, 32), (26, 26, 32), "the output shape", SAME)
    assert capsys.readouterr().out.startswith("✅ the output shape: correct")
    assert check_prediction([26, 26, 32], np.zeros((26, 26, 32)).shape, "the shape")
    assert check_prediction(0.25, 0.25, "the probability")
    assert check_prediction("  Edges ", "edges", "what the kernel finds")


def test_a_usual_mistake_is_named(capsys):
    assert not check_prediction((28, 28, 32), (26, 26, 32), "the output shape", SAME,
                                hint="count the positions")
    out = capsys.readouterr().out
    assert out.startswith("❌ the output shape: you predicted (28, 28, 32), a usual slip.")
    assert "'valid' adds no zeros" in out and "count the positions" not in out
    assert not check_prediction("b", "a", "the picture", {"B": "b is the kernel flipped"})
    assert "b is the kernel flipped" in capsys.readouterr().out


def test_any_other_wrong_prediction_gets_the_hint(capsys):
    assert not check_prediction((27, 27, 32), (26, 26, 32), "the output shape", SAME,
                                hint="count the positions")
    out = capsys.readouterr().out
    assert out.startswith("❌ the output shape") and "Hint: count the positions" in out
    assert "usual slip" not in out
    assert not check_prediction(5, 4, "the count")  # counts exactly
    assert not check_prediction(0.3, 0.25, "the probability")
    assert not check_prediction("c", "a", "the picture", hint="look at the corners")
    assert "the cell shows 'a'" in capsys.readouterr().out.split("❌")[-1]


@pytest.mark.parametrize("answer", [..., None, "26", [26, 26], object(),
                                    (x for x in iter(int, 1))])
def test_odd_or_missing_answers_never_pass_or_raise(answer, capsys):
    assert not check_prediction(answer, (26, 26, 32), "the output shape", SAME)
    out = capsys.readouterr().out
    assert out.startswith(("⏳", "❌")) and "Traceback" not in out


def test_a_number_for_a_choice_is_refused(capsys):
    assert not check_prediction(1, "a", "the picture")
    assert "as a string" in capsys.readouterr().out


def test_the_notebook_s_own_mistakes_raise_naming_the_argument():
    with pytest.raises(TypeError, match="`name`"):
        check_prediction(1, 1, "")
    with pytest.raises(TypeError, match="`mistakes`"):
        check_prediction(1, 1, "x", mistakes=[2])
    with pytest.raises(ValueError, match="`mistakes` lists the expected answer"):
        check_prediction(1, 1, "x", mistakes={1: "why"})
