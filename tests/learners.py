"""Fake learner code and a runner, shared by the tests of the exercise checks."""

from helpers import checks


def run_check(check, learner, capsys):
    """Run a check and return (passed, printed text); the check must never raise."""
    result = check(learner)
    text = capsys.readouterr().out
    assert isinstance(result, checks.CheckResult)
    assert text.strip(), "a check must print a verdict"
    return bool(result), text


def not_done(*args, **kwargs):
    raise NotImplementedError


def returns_none(*args, **kwargs):
    return None
