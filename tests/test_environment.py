"""The environment check of notebook 00 says what is wrong instead of failing."""

from importlib import metadata

from helpers import data, environment


def test_report_is_ready_here(capsys):
    assert environment.report() is True
    out = capsys.readouterr().out
    assert "❌" not in out and out.strip().endswith("Ready to go!")


def test_missing_package_is_reported_with_the_fix(monkeypatch):
    real = metadata.version

    def fake(name):
        if name == "tensorflow":
            raise metadata.PackageNotFoundError(name)
        return "0.1" if name == "numpy" else real(name)

    monkeypatch.setattr(environment.metadata, "version", fake)
    lines = dict((line.split()[0], (ok, line)) for ok, line in environment.check_versions())
    assert lines["tensorflow"] == (False, f"tensorflow is not installed: {environment.FIX}")
    ok, line = lines["numpy"]
    assert not ok and "expected 2.4.x" in line


def test_missing_data_is_reported(monkeypatch, capsys):
    def missing(**kwargs):
        raise data.DataNotFoundError("no copy anywhere")

    monkeypatch.setattr(data, "load_fashion_mnist", missing)
    assert environment.report() is False
    out = capsys.readouterr().out
    assert "❌ Fashion-MNIST not found: run `python -m helpers.data`" in out
    assert "Something is missing" in out
