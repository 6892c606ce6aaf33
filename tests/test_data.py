"""helpers.data: Fashion-MNIST from every source, file verification, the sample photo.

No test touches the network, the real Keras cache or apt-get: every test runs with HOME
and KERAS_HOME in a temporary folder, a Keras download that fails like a failed URL
fetch, and an apt-get path that does not exist. The real files come from Debian's
package dataset-fashion-mnist (linked, not copied); tests that need it skip without it.
"""

import gzip
import hashlib
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from helpers import data

REAL_DEBIAN_DIR = data.DEBIAN_DIR
ROOT = Path(__file__).resolve().parents[1]
needs_debian = pytest.mark.skipif(
    not all((REAL_DEBIAN_DIR / name).is_file() for name in data.FILES),
    reason=f"Debian package {data.DEBIAN_PACKAGE} not installed ({REAL_DEBIAN_DIR})",
)


def failed_download():
    # what keras.utils.get_file raises without a network (a bare Exception)
    raise Exception(
        "URL fetch failure on https://storage.googleapis.com/...: no network"
    )


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Fresh HOME and KERAS_HOME, no FASHION_MNIST_DIR, no network, no apt-get."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.delenv(data.ENV_VAR, raising=False)
    monkeypatch.setattr(data, "_download_with_keras", failed_download)
    monkeypatch.setattr(data, "APT_GET", tmp_path / "no-apt-get")
    (tmp_path / "home").mkdir()
    return tmp_path


def linked_copy(folder: Path, skip: tuple[str, ...] = ()) -> Path:
    """A folder of symlinks to the real Debian files (all but `skip`)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in data.FILES:
        if name not in skip:
            (folder / name).symlink_to(REAL_DEBIAN_DIR / name)
    return folder


def no_debian(monkeypatch, tmp_path):
    monkeypatch.setattr(data, "DEBIAN_DIR", tmp_path / "no-debian")


def labels_bytes() -> bytes:
    with gzip.open(REAL_DEBIAN_DIR / "train-labels-idx1-ubyte.gz") as stream:
        return stream.read()


# ---------------------------------------------------------------------- the data itself
def test_class_names_in_label_order():
    assert len(data.CLASS_NAMES) == 10
    assert data.CLASS_NAMES[0] == "T-shirt/top"
    assert data.CLASS_NAMES[5] == "Sandal"
    assert data.CLASS_NAMES[9] == "Ankle boot"


@needs_debian
def test_debian_copy_loads_with_keras_shapes_and_known_labels():
    (x_train, y_train), (x_test, y_test) = data.load_fashion_mnist()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    np.testing.assert_array_equal(y_train[:10], [9, 0, 0, 3, 0, 2, 7, 2, 5, 5])
    # Published facts: balanced classes, 6000 per class to train and 1000 to test.
    np.testing.assert_array_equal(np.bincount(y_train), [6000] * 10)
    np.testing.assert_array_equal(np.bincount(y_test), [1000] * 10)
    assert x_train.min() == 0 and x_train.max() == 255
    assert data.where_from().name == "Debian package"
    assert data.where_from().folder == REAL_DEBIAN_DIR


@needs_debian
def test_same_arrays_as_keras_own_loader(keras, monkeypatch):
    # Keras's loader, pointed at the same files, is the oracle for the parsing.
    module = sys.modules[keras.datasets.fashion_mnist.load_data.__module__]
    monkeypatch.setattr(
        module, "get_file", lambda fname, **kwargs: str(REAL_DEBIAN_DIR / fname)
    )
    expected = keras.datasets.fashion_mnist.load_data()
    got = data.load_fashion_mnist()
    for got_array, expected_array in zip(
        (*got[0], *got[1]), (*expected[0], *expected[1]), strict=True
    ):
        np.testing.assert_array_equal(got_array, expected_array)
        assert got_array.dtype == expected_array.dtype
        assert got_array.flags.writeable == expected_array.flags.writeable


@needs_debian
def test_repeated_loads_do_not_decompress_again(monkeypatch):
    first = data.load_fashion_mnist()

    def no_gzip(*args, **kwargs):
        raise AssertionError("a repeated load decompressed a file again")

    monkeypatch.setattr(data.gzip, "open", no_gzip)
    second = data.load_fashion_mnist()
    np.testing.assert_array_equal(second[0][1], first[0][1])


# -------------------------------------------------------------------- sources, in order
@needs_debian
def test_keras_cache_source(isolated):
    folder = linked_copy(isolated / "keras" / "datasets" / "fashion-mnist")
    source = data.find_fashion_mnist()
    assert (source.name, source.folder) == ("Keras cache", folder)
    assert source.skipped == ()
    assert "Keras cache" in str(source)


@needs_debian
def test_default_keras_cache_is_under_home(isolated, monkeypatch):
    monkeypatch.delenv("KERAS_HOME")
    expected = isolated / "home" / ".keras" / "datasets" / "fashion-mnist"
    assert data.keras_cache_dir() == expected
    linked_copy(expected)
    source = data.find_fashion_mnist()
    assert (source.name, source.folder) == ("Keras cache", expected)
    assert "~/.keras/datasets/fashion-mnist" in str(source)  # home shown as ~


@needs_debian
def test_env_var_beats_keras_cache_beats_debian(isolated, monkeypatch):
    stick = linked_copy(isolated / "usb-stick")
    cache = linked_copy(isolated / "keras" / "datasets" / "fashion-mnist")
    monkeypatch.setenv(data.ENV_VAR, str(stick))
    assert data.find_fashion_mnist().folder == stick
    assert data.where_from().name == data.ENV_VAR
    monkeypatch.delenv(data.ENV_VAR)
    assert data.find_fashion_mnist().folder == cache
    for name in data.FILES:
        (cache / name).unlink()
    assert data.find_fashion_mnist().folder == REAL_DEBIAN_DIR


@needs_debian
def test_keras_download_is_the_last_resort_and_is_verified(isolated, monkeypatch):
    no_debian(monkeypatch, isolated)
    calls = []

    def fake_download():
        calls.append(1)
        return linked_copy(data.keras_cache_dir())

    monkeypatch.setattr(data, "_download_with_keras", fake_download)
    (_, y_train), _ = data.load_fashion_mnist()
    assert calls == [1]
    assert data.where_from().name == "Keras download"
    np.testing.assert_array_equal(y_train[:10], [9, 0, 0, 3, 0, 2, 7, 2, 5, 5])
    # the next load finds the downloaded files in the Keras cache
    assert data.find_fashion_mnist().name == "Keras cache"
    assert calls == [1]


@needs_debian
def test_a_bad_download_is_not_used(isolated, monkeypatch):
    no_debian(monkeypatch, isolated)

    def bad_download():
        folder = linked_copy(
            data.keras_cache_dir(), skip=("t10k-labels-idx1-ubyte.gz",)
        )
        content = gzip.compress(b"\0" * 10008)  # right size, wrong bytes
        (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(content)
        return folder

    monkeypatch.setattr(data, "_download_with_keras", bad_download)
    with pytest.raises(data.DataNotFoundError) as caught:
        data.load_fashion_mnist()
    message = str(caught.value)
    assert "Keras download: failed (CorruptFileError" in message
    assert (
        "t10k-labels-idx1-ubyte.gz has the right size but the wrong contents" in message
    )


def test_offline_does_not_try_the_download(isolated, monkeypatch):
    no_debian(monkeypatch, isolated)
    monkeypatch.setattr(data, "_download_with_keras", lambda: pytest.fail("downloaded"))
    with pytest.raises(data.DataNotFoundError, match=r"Keras download: not tried"):
        data.find_fashion_mnist(download=False)


# ------------------------------------------------------------------------ damaged files
def damaged_labels(folder: Path, how: str) -> Path:
    """`folder` with real image links and a damaged train-labels file."""
    linked_copy(folder, skip=("train-labels-idx1-ubyte.gz",))
    target = folder / "train-labels-idx1-ubyte.gz"
    good = (REAL_DEBIAN_DIR / "train-labels-idx1-ubyte.gz").read_bytes()
    if how == "truncated":  # a copy that stopped half way
        target.write_bytes(good[: len(good) // 2])
    elif how == "not gzip":
        target.write_bytes(b"<html>404 Not Found</html>")
    elif how == "short":  # valid gzip, one byte missing
        target.write_bytes(gzip.compress(labels_bytes()[:-1]))
    elif how == "changed":  # valid gzip, right size, one label changed
        content = bytearray(labels_bytes())
        content[8] = (content[8] + 1) % 10
        target.write_bytes(gzip.compress(bytes(content)))
    return folder


DAMAGE = {
    "truncated": "is not a complete gzip file",
    "not gzip": "is not a complete gzip file",
    "short": "decompresses to 60007 bytes instead of 60008",
    "changed": "has the right size but the wrong contents",
}


@needs_debian
@pytest.mark.parametrize("how", DAMAGE)
def test_damaged_file_is_named_and_never_used(isolated, monkeypatch, how):
    stick = damaged_labels(isolated / "usb-stick", how)
    with pytest.raises(data.CorruptFileError) as caught:
        data.load_folder(stick)
    message = str(caught.value)
    assert str(stick / "train-labels-idx1-ubyte.gz") in message
    assert DAMAGE[how] in message and "delete it" in message

    # in the search, the stick is skipped (with a note) and Debian's copy is used
    monkeypatch.setenv(data.ENV_VAR, str(stick))
    (_, y_train), _ = data.load_fashion_mnist()
    source = data.where_from()
    assert source.name == "Debian package"
    assert (
        len(source.skipped) == 1 and "train-labels-idx1-ubyte.gz" in source.skipped[0]
    )
    np.testing.assert_array_equal(y_train[:10], [9, 0, 0, 3, 0, 2, 7, 2, 5, 5])

    # with no other copy, the final error names the damaged file and the remedy
    no_debian(monkeypatch, isolated)
    with pytest.raises(data.DataNotFoundError) as caught:
        data.load_fashion_mnist()
    assert "train-labels-idx1-ubyte.gz" in str(caught.value)
    assert DAMAGE[how] in str(caught.value)


@needs_debian
def test_a_file_damaged_after_a_good_load_is_caught(isolated):
    stick = linked_copy(isolated / "usb-stick")
    data.load_folder(stick)
    (stick / "train-labels-idx1-ubyte.gz").unlink()
    damaged_labels(isolated / "other", "changed")
    (isolated / "other" / "train-labels-idx1-ubyte.gz").rename(
        stick / "train-labels-idx1-ubyte.gz"
    )
    with pytest.raises(data.CorruptFileError, match="train-labels-idx1-ubyte.gz"):
        data.load_folder(stick)


@needs_debian
def test_incomplete_folder_names_the_missing_files(isolated, monkeypatch):
    stick = linked_copy(isolated / "usb-stick", skip=("t10k-images-idx3-ubyte.gz",))
    with pytest.raises(FileNotFoundError, match="lacks t10k-images-idx3-ubyte.gz"):
        data.load_folder(stick)
    monkeypatch.setenv(data.ENV_VAR, str(stick))
    source = data.find_fashion_mnist()
    assert source.name == "Debian package"
    assert source.skipped == (
        f"{data.ENV_VAR}: {stick} lacks t10k-images-idx3-ubyte.gz: copy the missing "
        "file(s) into it",
    )


def test_idx_files_are_parsed_like_keras(isolated, monkeypatch):
    # Small fake files (and their own table) check the parsing without the real data:
    # images skip a 16-byte header, labels an 8-byte one, 28x28 per image.
    rng = np.random.default_rng(0)
    folder = isolated / "fake"
    folder.mkdir()
    table = {}
    arrays = {}
    for name, count in [("train", 3), ("t10k", 2)]:
        images = rng.integers(0, 256, (count, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, count, dtype=np.uint8)
        for suffix, header, array in [
            ("images-idx3-ubyte.gz", b"I" * 16, images),
            ("labels-idx1-ubyte.gz", b"L" * 8, labels),
        ]:
            content = header + array.tobytes()
            (folder / f"{name}-{suffix}").write_bytes(gzip.compress(content))
            table[f"{name}-{suffix}"] = (
                len(content),
                hashlib.sha256(content).hexdigest(),
            )
        arrays[name] = (images, labels)
    monkeypatch.setattr(data, "FILES", table)
    (x_train, y_train), (x_test, y_test) = data.load_folder(folder)
    np.testing.assert_array_equal(x_train, arrays["train"][0])
    np.testing.assert_array_equal(y_train, arrays["train"][1])
    np.testing.assert_array_equal(x_test, arrays["t10k"][0])
    np.testing.assert_array_equal(y_test, arrays["t10k"][1])


# --------------------------------------------------------------------- nothing anywhere
def test_missing_everywhere_lists_every_way_and_every_place(isolated, monkeypatch):
    no_debian(monkeypatch, isolated)
    with pytest.raises(data.DataNotFoundError) as caught:
        data.load_fashion_mnist()
    message = str(caught.value)
    assert isinstance(caught.value, RuntimeError)
    cache = isolated / "keras" / "datasets" / "fashion-mnist"
    for expected in [
        f"{data.ENV_VAR}: not set",
        f"Keras cache: folder {cache} does not exist",
        f"Debian package: folder {isolated / 'no-debian'} does not exist",
        "Keras download: failed (Exception: URL fetch failure",
        f"set the environment variable {data.ENV_VAR}",
        f"into the Keras cache folder {cache}/",
        "apt-get install dataset-fashion-mnist",
        f"into {isolated / 'no-debian'}/",
        "connect to the internet",
        *data.FILES,
    ]:
        assert expected in message, expected


def test_env_var_naming_a_missing_folder_is_reported(isolated, monkeypatch):
    no_debian(monkeypatch, isolated)
    monkeypatch.setenv(data.ENV_VAR, str(isolated / "unplugged"))
    with pytest.raises(data.DataNotFoundError, match="unplugged does not exist"):
        data.find_fashion_mnist()


# ------------------------------------------------------------------------- command line
@needs_debian
def test_main_prints_the_source_and_returns_0(capsys):
    assert data.main([]) == 0
    expected = f"the Debian package dataset-fashion-mnist ({REAL_DEBIAN_DIR})"
    assert capsys.readouterr().out == f"Fashion-MNIST OK, from {expected}\n"


def test_main_without_data_prints_the_ways_and_returns_1(isolated, monkeypatch, capsys):
    no_debian(monkeypatch, isolated)
    assert data.main(["--offline"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "apt-get install dataset-fashion-mnist" in captured.err


class FakeApt:
    """Records apt-get commands; 'installs' the package by linking the real files."""

    def __init__(self, debian_dir: Path, fail_on: str | None = None, works=True):
        self.debian_dir = debian_dir
        self.fail_on = fail_on
        self.works = works
        self.commands = []

    def __call__(self, command, check=False):
        self.commands.append(command)
        if self.fail_on in command:
            return SimpleNamespace(returncode=100)
        if "install" in command and self.works:
            linked_copy(self.debian_dir)
        return SimpleNamespace(returncode=0)


@pytest.fixture
def root_with_apt(isolated, monkeypatch):
    apt_get = isolated / "apt-get"
    apt_get.touch()
    monkeypatch.setattr(data, "APT_GET", apt_get)
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    no_debian(monkeypatch, isolated)
    return apt_get


@needs_debian
def test_main_installs_the_debian_package_as_root(root_with_apt, capsys):
    runner = FakeApt(data.DEBIAN_DIR)
    assert data.main([], run=runner) == 0
    assert runner.commands == [
        [str(root_with_apt), "update"],
        [str(root_with_apt), "install", "-y", "dataset-fashion-mnist"],
    ]
    out = capsys.readouterr().out
    assert "Trying apt-get install -y dataset-fashion-mnist" in out
    assert "Fashion-MNIST OK, from the Debian package" in out


def test_main_stops_when_apt_get_fails(root_with_apt, capsys):
    runner = FakeApt(data.DEBIAN_DIR, fail_on="update")
    assert data.main([], run=runner) == 1
    assert runner.commands == [[str(root_with_apt), "update"]]
    assert "connect to the internet" in capsys.readouterr().err


def test_main_reports_the_first_search_when_the_install_brings_nothing(
    root_with_apt, capsys
):
    runner = FakeApt(data.DEBIAN_DIR, works=False)
    assert data.main([], run=runner) == 1
    assert len(runner.commands) == 2
    assert "Keras download: failed (Exception: URL fetch" in capsys.readouterr().err


def test_no_apt_get_when_offline_not_root_or_not_debian(root_with_apt, monkeypatch):
    runner = FakeApt(data.DEBIAN_DIR)
    assert data.main(["--offline"], run=runner) == 1
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert data.main([], run=runner) == 1
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(data, "APT_GET", root_with_apt.parent / "missing")
    assert data.main([], run=runner) == 1
    assert runner.commands == []


def run_python(args, isolated):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, *args],
        cwd=isolated,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@needs_debian
def test_python_m_helpers_data_exit_0(isolated, monkeypatch):
    stick = linked_copy(isolated / "usb-stick")
    monkeypatch.setenv(data.ENV_VAR, str(stick))
    result = run_python(["-m", "helpers.data", "--offline"], isolated)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Fashion-MNIST OK, from {data.ENV_VAR} ({stick})\n"
    assert result.stderr == ""
    assert not (isolated / "home" / ".keras").exists()  # nothing written to HOME


def test_python_m_helpers_data_exit_1(isolated):
    # A subprocess cannot be monkeypatched: move the Debian folder out of the way here.
    code = (
        "import sys, helpers.data as d; from pathlib import Path; "
        f"d.DEBIAN_DIR = Path({str(isolated / 'no-debian')!r}); "
        "sys.exit(d.main(['--offline']))"
    )
    result = run_python(["-c", code], isolated)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Fashion-MNIST was not found" in result.stderr
    assert "Traceback" not in result.stderr
    assert run_python(["-m", "helpers.data", "--bogus"], isolated).returncode == 2


def test_importing_and_loading_does_not_import_tensorflow(isolated):
    code = (
        "import sys, helpers.data as d\n"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules\n"
        "if d.DEBIAN_DIR.is_dir():\n"
        "    d.load_fashion_mnist(download=False)\n"
        "    d.sample_photo(128)\n"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules\n"
    )
    result = run_python(["-c", code], isolated)
    assert result.returncode == 0, result.stderr


# ------------------------------------------------------------------------- sample photo
def test_sample_photo_shape_range_and_luminance():
    gray = data.sample_photo()
    rgb = data.sample_photo_rgb()
    assert gray.shape == (600, 512) and gray.dtype == np.float64
    assert rgb.shape == (600, 512, 3) and rgb.dtype == np.float64
    assert 0.0 <= gray.min() < 0.1 and 0.9 < gray.max() <= 1.0
    assert 0.0 <= rgb.min() and rgb.max() <= 1.0
    r, g, b = rgb[100, 200]
    assert gray[100, 200] == pytest.approx(0.299 * r + 0.587 * g + 0.114 * b)


def test_sample_photo_downsampled_by_block_averaging():
    full = data.sample_photo_rgb()
    small = data.sample_photo_rgb(128)
    assert small.shape == (150, 128, 3)
    np.testing.assert_allclose(small[0, 0], full[:4, :4].mean(axis=(0, 1)))
    np.testing.assert_allclose(small[-1, -1], full[596:600, 508:512].mean(axis=(0, 1)))
    assert data.sample_photo(100).shape == (120, 102)  # blocks of 5: at least 100 wide
    assert data.sample_photo(512).shape == (600, 512)


def test_sample_photo_is_a_fresh_copy_each_time():
    photo = data.sample_photo()
    photo[:] = 0
    assert data.sample_photo().max() > 0.9


@pytest.mark.parametrize(
    ("size", "error", "match"),
    [
        (0, ValueError, "`size` must be >= 1"),
        (513, ValueError, "`size` must be at most 512"),
        ("big", TypeError, "`size` must be an integer"),
        (2.5, TypeError, "`size` must be an integer"),
    ],
)
def test_sample_photo_bad_size_names_the_argument(size, error, match):
    with pytest.raises(error, match=match):
        data.sample_photo(size)


# ------------------------------------------------------------- skipped copies, reported
@needs_debian
def test_a_skipped_copy_is_reported_even_without_verbose(isolated, monkeypatch, capsys):
    stick = damaged_labels(isolated / "usb-stick", "not gzip")
    monkeypatch.setenv(data.ENV_VAR, str(stick))
    data.load_fashion_mnist()
    out = capsys.readouterr().out
    assert out.startswith("  (skipped FASHION_MNIST_DIR: ")
    assert str(stick / "train-labels-idx1-ubyte.gz") in out  # the file
    assert "is not a complete gzip file" in out  # why
    assert "delete it, or copy it again" in out  # the remedy
    data.load_fashion_mnist(verbose=True)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Fashion-MNIST: 60000 training and 10000 test images "
                               "from the Debian package")
    assert lines[1].startswith("  (skipped FASHION_MNIST_DIR:") and len(lines) == 2


@needs_debian
def test_main_names_the_skipped_copy_and_the_remedy(isolated, monkeypatch, capsys):
    stick = linked_copy(isolated / "usb-stick", skip=("t10k-labels-idx1-ubyte.gz",))
    monkeypatch.setenv(data.ENV_VAR, str(stick))
    assert data.main(["--offline"]) == 0
    out = capsys.readouterr().out
    assert "Fashion-MNIST OK, from the Debian package" in out
    assert f"(skipped FASHION_MNIST_DIR: {stick} lacks t10k-labels-idx1-ubyte.gz: " \
           "copy the missing file(s) into it)" in out


def test_a_file_given_as_the_folder_is_reported_as_a_file(isolated, monkeypatch):
    no_debian(monkeypatch, isolated)
    gz = isolated / "train-images-idx3-ubyte.gz"
    gz.write_bytes(b"")
    monkeypatch.setenv(data.ENV_VAR, str(gz))
    with pytest.raises(data.DataNotFoundError) as caught:
        data.find_fashion_mnist(download=False)
    message = str(caught.value)
    assert f"{gz} is a file, not a folder" in message
    line = message.splitlines()[1]
    assert line.startswith("  1. FASHION_MNIST_DIR: ") and "does not exist" not in line
    assert f"perhaps {isolated})" in line
    with pytest.raises(NotADirectoryError, match="is a file, not a folder"):
        data.load_folder(gz)


def test_a_missing_env_folder_names_the_remedy(isolated, monkeypatch):
    no_debian(monkeypatch, isolated)
    monkeypatch.setenv(data.ENV_VAR, str(isolated / "unplugged"))
    with pytest.raises(data.DataNotFoundError,
                       match=r"unplugged does not exist \(set FASHION_MNIST_DIR to the "
                             r"folder that holds the files, or unset it\)"):
        data.find_fashion_mnist(download=False)


def _deny(paths):
    """os.access that refuses reading `paths` (tests run as root, where chmod is
    not enough to take a permission away)."""
    real = os.access

    def access(path, mode, *args, **kwargs):
        if Path(path) in paths:
            return False
        return real(path, mode, *args, **kwargs)
    return access


@needs_debian
def test_an_unreadable_file_is_named_as_a_permission_problem(isolated, monkeypatch,
                                                              capsys):
    stick = linked_copy(isolated / "usb-stick")
    locked = stick / "t10k-images-idx3-ubyte.gz"
    monkeypatch.setattr(data.os, "access", _deny({locked}))
    with pytest.raises(PermissionError, match=r"t10k-images-idx3-ubyte.gz cannot be "
                                              r"read \(permission denied\).*chmod a\+r"):
        data.load_folder(stick)
    monkeypatch.setenv(data.ENV_VAR, str(stick))
    data.load_fashion_mnist()
    out = capsys.readouterr().out
    assert "permission denied" in out and "gzip" not in out
    assert data.where_from().name == "Debian package"


def test_an_unreadable_folder_is_named_as_a_permission_problem(isolated, monkeypatch):
    no_debian(monkeypatch, isolated)
    stick = isolated / "usb-stick"
    stick.mkdir()
    monkeypatch.setattr(data.os, "access", _deny({stick}))
    monkeypatch.setenv(data.ENV_VAR, str(stick))
    with pytest.raises(data.DataNotFoundError,
                       match=r"usb-stick cannot be read \(permission denied\)"):
        data.find_fashion_mnist(download=False)
