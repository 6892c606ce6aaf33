"""Data: the worked examples of the lessons, Fashion-MNIST (offline or online), a photo.

The worked examples are functions that return fresh arrays, so a learner who changes one
cannot spoil the next cell.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import hashlib
import os
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from helpers.validation import positive_int


# ---------------------------------------------------------------------- worked examples
def binary_image() -> np.ndarray:
    """The 5x5 black-and-white image of notebook 01 (pixels 0 or 1), shape (5, 5)."""
    return np.array(
        [
            [1, 1, 1, 0, 0],
            [0, 1, 1, 1, 0],
            [0, 0, 1, 1, 1],
            [0, 0, 1, 1, 0],
            [0, 1, 1, 0, 0],
        ],
        dtype=float,
    )


def lesson_kernel() -> np.ndarray:
    """The 3x3 filter of notebook 01 (an "X" of ones), shape (3, 3)."""
    return np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]], dtype=float)


def pooling_example() -> np.ndarray:
    """The 4x4 rectified feature map of notebook 05, shape (4, 4)."""
    return np.array(
        [
            [1, 1, 2, 4],
            [5, 6, 7, 8],
            [3, 2, 1, 0],
            [1, 2, 3, 4],
        ],
        dtype=float,
    )


# ------------------------------------------------------------------------ Fashion-MNIST
# Fashion-MNIST (Zalando, MIT licence): 70,000 28x28 grayscale photos of clothes in 10
# classes. Four places can hold a copy, searched in this order:
#
# 1. the folder named by the environment variable FASHION_MNIST_DIR (a USB stick);
# 2. the Keras cache, $KERAS_HOME/datasets/fashion-mnist (default ~/.keras/...);
# 3. Debian's package dataset-fashion-mnist, /usr/share/datasets/fashion-mnist;
# 4. Keras's own download, which saves the files into the Keras cache.
#
# Every file is checked before use: its decompressed size and sha256. The decompressed
# bytes, not the .gz bytes: Debian recompressed the files, the contents are the same.
# A damaged file is never used. Its folder is skipped, with a note in the source report,
# and the search goes on, so a bad USB stick does not stop a learner who has another
# copy; if no copy is good, the error names every damaged file and how to fix it.

CLASS_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
"""The 10 class names, indexed by label: ``CLASS_NAMES[9] == "Ankle boot"``."""

# file name -> (size in bytes after decompression, sha256 of the decompressed bytes)
FILES = {
    "train-images-idx3-ubyte.gz": (
        47040016,
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    ),
    "train-labels-idx1-ubyte.gz": (
        60008,
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    ),
    "t10k-images-idx3-ubyte.gz": (
        7840016,
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    ),
    "t10k-labels-idx1-ubyte.gz": (
        10008,
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    ),
}
ENV_VAR = "FASHION_MNIST_DIR"
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
DEBIAN_PACKAGE = "dataset-fashion-mnist"
APT_GET = Path("/usr/bin/apt-get")


class DataNotFoundError(RuntimeError):
    """No good copy of Fashion-MNIST anywhere; the message lists all ways to get one."""


class CorruptFileError(RuntimeError):
    """A Fashion-MNIST file is truncated or damaged; the message names it."""


@dataclass(frozen=True)
class DataSource:
    """Where Fashion-MNIST was found.

    Attributes
    ----------
    name : str
        ``"FASHION_MNIST_DIR"``, ``"Keras cache"``, ``"Debian package"`` or
        ``"Keras download"``.
    folder : pathlib.Path
        The folder holding the four verified .gz files.
    skipped : tuple of str
        Earlier places that held a damaged or incomplete copy, with what was wrong.
    """

    name: str
    folder: Path
    skipped: tuple[str, ...] = ()

    def __str__(self) -> str:
        labels = {
            "Keras cache": "the Keras cache",
            "Debian package": f"the Debian package {DEBIAN_PACKAGE}",
            "Keras download": "a Keras download into the Keras cache",
        }
        return f"{labels.get(self.name, self.name)} ({_short(self.folder)})"


_last_source: DataSource | None = None


def keras_cache_dir() -> Path:
    """Where Keras keeps Fashion-MNIST: ``$KERAS_HOME/datasets/fashion-mnist``.

    Without ``KERAS_HOME``: ``~/.keras/datasets/fashion-mnist``, or
    ``/tmp/.keras/datasets/fashion-mnist`` if the home folder is read-only, as in Keras.
    """
    home = os.environ.get("KERAS_HOME")
    if not home:
        base = Path.home() if os.access(Path.home(), os.W_OK) else Path("/tmp")
        home = base / ".keras"
    return Path(home).expanduser() / "datasets" / "fashion-mnist"


def load_folder(folder):
    """Verify and read the four Fashion-MNIST files in one folder.

    Parameters
    ----------
    folder : str or pathlib.Path
        A folder holding ``train-images-idx3-ubyte.gz``, ``train-labels-idx1-ubyte.gz``,
        ``t10k-images-idx3-ubyte.gz`` and ``t10k-labels-idx1-ubyte.gz``.

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        As `load_fashion_mnist`.

    Raises
    ------
    FileNotFoundError
        If the folder or any of the four files is missing (the message names them).
    NotADirectoryError
        If `folder` is a file (e.g. one of the four .gz files), not a folder.
    PermissionError
        If the folder or a file cannot be read by this user.
    CorruptFileError
        If a file is not valid gzip or decompresses to the wrong bytes.
    """
    if not isinstance(folder, str | os.PathLike):
        raise TypeError(f"`folder` must be a path (str or pathlib.Path), got "
                        f"{type(folder).__name__}: {folder!r:.60}")
    folder = Path(folder)
    if folder.is_file():
        raise NotADirectoryError(
            f"{_short(folder)} is a file, not a folder: name the folder that holds the "
            f"four .gz files (here perhaps {_short(folder.parent)})"
        )
    if not folder.is_dir():
        raise FileNotFoundError(f"folder {_short(folder)} does not exist")
    if not os.access(folder, os.R_OK | os.X_OK):
        raise PermissionError(
            f"folder {_short(folder)} cannot be read (permission denied): allow it "
            f"(chmod a+rx {_short(folder)}) or copy the files to a folder of yours"
        )
    missing = [name for name in FILES if not (folder / name).is_file()]
    if len(missing) == len(FILES):
        raise FileNotFoundError(f"no Fashion-MNIST files in {_short(folder)}")
    if missing:
        raise FileNotFoundError(f"{_short(folder)} lacks {', '.join(missing)}: copy "
                                "the missing file(s) into it")
    raw = {name: _verified_bytes(folder / name) for name in FILES}
    # Parsed exactly as keras.datasets.fashion_mnist.load_data() does: skip the idx
    # header (16 bytes for images, 8 for labels). As in Keras, the arrays are read-only.
    y_train = np.frombuffer(raw["train-labels-idx1-ubyte.gz"], np.uint8, offset=8)
    x_train = np.frombuffer(
        raw["train-images-idx3-ubyte.gz"], np.uint8, offset=16
    ).reshape(len(y_train), 28, 28)
    y_test = np.frombuffer(raw["t10k-labels-idx1-ubyte.gz"], np.uint8, offset=8)
    x_test = np.frombuffer(
        raw["t10k-images-idx3-ubyte.gz"], np.uint8, offset=16
    ).reshape(len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)


def _verified_bytes(path: Path) -> bytes:
    """The decompressed, verified contents of `path`, or raise CorruptFileError
    (or PermissionError, checked first, so that a fixed permission is seen at once)."""
    if not os.access(path, os.R_OK):
        raise PermissionError(
            f"{_short(path)} cannot be read (permission denied): allow it "
            f"(chmod a+r {_short(path)}) or copy the files to a folder of yours"
        )
    stat = path.stat()
    size, sha256 = FILES[path.name]
    # The key holds size, mtime and inode, so a replaced file is checked again,
    # and the expected values, so tests that change FILES are honoured.
    result = _check_file(
        str(path.resolve()), stat.st_size, stat.st_mtime_ns, stat.st_ino, size, sha256
    )
    if isinstance(result, CorruptFileError):
        raise CorruptFileError(f"{_short(path)} {result}") from None
    return result


@functools.lru_cache(maxsize=8)
def _check_file(
    path: str, file_size: int, mtime_ns: int, inode: int, size: int, sha256: str
) -> bytes | CorruptFileError:
    """Decompress and check one file. Cached, failures too (returned, not raised)."""
    remedy = "delete it, or copy it again from a good source, then run again"
    try:
        with gzip.open(path, "rb") as stream:
            content = stream.read()
    except (OSError, EOFError, zlib.error) as exc:
        return CorruptFileError(f"is not a complete gzip file ({exc}): {remedy}")
    if len(content) != size:
        return CorruptFileError(
            f"decompresses to {len(content)} bytes instead of {size} "
            f"(truncated or a different file): {remedy}"
        )
    if hashlib.sha256(content).hexdigest() != sha256:
        return CorruptFileError(
            f"has the right size but the wrong contents (sha256 differs): {remedy}"
        )
    return content


def _short(path: Path) -> str:
    """`path` with the home folder written as ``~``, for messages that learners read."""
    path = Path(path)
    try:
        return str(Path("~") / path.relative_to(Path.home()))
    except ValueError:
        return str(path)


def _holds_some_files(folder: Path) -> bool:
    try:
        return any((folder / file).exists() for file in FILES)
    except OSError:  # e.g. a folder this user may not list
        return True


def _download_with_keras() -> Path:
    """Let Keras download Fashion-MNIST into its cache; return that folder."""
    from helpers.keras_setup import import_keras

    import_keras().datasets.fashion_mnist.load_data()
    return keras_cache_dir()


def _find(download: bool):
    """Search every source in order; return (DataSource, data) or raise."""
    global _last_source
    env_folder = os.environ.get(ENV_VAR)
    places = [
        (ENV_VAR, Path(env_folder).expanduser() if env_folder else None),
        ("Keras cache", keras_cache_dir()),
        ("Debian package", DEBIAN_DIR),
    ]
    looked = []  # one line per place, for the error message
    skipped = []  # places that held something unusable, for the source report
    for name, folder in places:
        if folder is None:
            looked.append(f"{name}: not set")
            continue
        try:
            data = load_folder(folder)
        except (OSError, CorruptFileError) as exc:
            text = f"{name}: {exc}"  # exc names the folder or file, and the remedy
            if name == ENV_VAR and type(exc) is FileNotFoundError \
                    and "does not exist" in str(exc):
                text += f" (set {ENV_VAR} to the folder that holds the files, or unset it)"
            looked.append(text)
            # worth a note: a folder the learner named, one with some of the files, or
            # one this user may not read
            if name == ENV_VAR or isinstance(exc, PermissionError | CorruptFileError) \
                    or _holds_some_files(folder):
                skipped.append(looked[-1])
            continue
        _last_source = DataSource(name, folder, tuple(skipped))
        return _last_source, data

    if download:
        try:
            folder = _download_with_keras()
            data = load_folder(folder)
        except Exception as exc:  # Keras raises a bare Exception when a fetch fails
            looked.append(f"Keras download: failed ({type(exc).__name__}: {exc})")
        else:
            _last_source = DataSource("Keras download", folder, tuple(skipped))
            return _last_source, data
    else:
        looked.append("Keras download: not tried (offline)")
    raise DataNotFoundError(_not_found_message(looked))


def _not_found_message(looked: list[str]) -> str:
    names = ", ".join(FILES)
    cache = _short(keras_cache_dir())
    lines = [
        "Fashion-MNIST was not found. Places looked at:",
        *(f"  {number}. {line}" for number, line in enumerate(looked, start=1)),
        "Any one of these gets the data:",
        "  - copy the four files into a folder (from a workshop USB stick, say) and",
        f"    set the environment variable {ENV_VAR} to that folder;",
        f"  - or put the four files into the Keras cache folder {cache}/;",
        f"  - or, on Debian/Ubuntu: sudo apt-get install {DEBIAN_PACKAGE}",
        f"    (it installs them into {DEBIAN_DIR}/);",
        "  - or connect to the internet and run again: Keras downloads the files",
        f"    (about 30 MB) into {cache}/.",
        f"The four files: {names}.",
    ]
    return "\n".join(lines)


def find_fashion_mnist(download: bool = True) -> DataSource:
    """Find and verify a copy of Fashion-MNIST; say where it is.

    Parameters
    ----------
    download : bool
        Whether to let Keras download the data when no local copy is good
        (this imports TensorFlow).

    Returns
    -------
    DataSource
        ``source.name`` and ``source.folder``; ``str(source)`` is a one-line
        description such as ``the Debian package dataset-fashion-mnist
        (/usr/share/datasets/fashion-mnist)``.

    Raises
    ------
    DataNotFoundError
        If no good copy exists anywhere; the message lists every way to get one.
    """
    return _find(download)[0]


def where_from() -> DataSource | None:
    """The source of the last `load_fashion_mnist` / `find_fashion_mnist` (or None)."""
    return _last_source


def load_fashion_mnist(verbose: bool = False, download: bool = True):
    """Fashion-MNIST as ``keras.datasets.fashion_mnist.load_data()`` returns it.

    Looks in ``$FASHION_MNIST_DIR``, the Keras cache, Debian's package
    ``dataset-fashion-mnist``, then lets Keras download (see the module comments).
    Every file is verified once per process; later calls take milliseconds.

    Parameters
    ----------
    verbose : bool
        Print one line saying where the data came from. A copy that was skipped
        (damaged, incomplete, unreadable, or a `FASHION_MNIST_DIR` that is not a
        folder) is always reported, one line each, with the file and the remedy.
    download : bool
        Whether Keras may download the data if no local copy is good.

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        Read-only uint8 arrays, as Keras returns them: ``x_train`` (60000, 28, 28) and
        ``x_test`` (10000, 28, 28) hold pixels 0..255; ``y_train`` (60000,) and
        ``y_test`` (10000,) hold labels 0..9 (names in `CLASS_NAMES`).

    Raises
    ------
    DataNotFoundError
        If no good copy exists anywhere; the message lists every way to get one.
    """
    source, data = _find(download)
    if verbose:
        (x_train, _), (x_test, _) = data
        print(
            f"Fashion-MNIST: {len(x_train)} training and {len(x_test)} test images "
            f"from {source}"
        )
    for note in source.skipped:  # always: a damaged copy must not go unnoticed
        print(f"  (skipped {note})")
    return data


# ------------------------------------------------------------------------- command line
def install_debian_package(run=subprocess.run) -> bool:
    """Install Debian's ``dataset-fashion-mnist`` with apt-get, if possible.

    Only as root on a system with ``/usr/bin/apt-get``; otherwise does nothing.

    Parameters
    ----------
    run : callable
        Runs a command given as a list, like `subprocess.run` (replaceable in tests);
        its result needs a ``returncode``.

    Returns
    -------
    bool
        True if ``apt-get update`` and ``apt-get install -y dataset-fashion-mnist``
        both succeeded.
    """
    if not APT_GET.exists() or getattr(os, "geteuid", lambda: -1)() != 0:
        return False
    print(f"Trying apt-get install -y {DEBIAN_PACKAGE} ...", flush=True)
    commands = [
        [str(APT_GET), "update"],
        [str(APT_GET), "install", "-y", DEBIAN_PACKAGE],
    ]
    for command in commands:
        if run(command, check=False).returncode != 0:
            return False
    return True


def main(argv: list[str] | None = None, run=subprocess.run) -> int:
    """``python -m helpers.data``: find and verify Fashion-MNIST, say where it is.

    Returns the exit status: 0 if a good copy was found, 1 otherwise (after printing
    every way to get one). As root on Debian, when every source fails, installs the
    package ``dataset-fashion-mnist`` and looks again (not with ``--offline``).
    """
    parser = argparse.ArgumentParser(
        prog="python -m helpers.data",
        description="Find and verify Fashion-MNIST; print where it is.",
    )
    parser.add_argument(
        "--offline",
        action="store_true",
        help="only look at local copies: no Keras download, no apt-get",
    )
    args = parser.parse_args(argv)
    try:
        source = find_fashion_mnist(download=not args.offline)
    except DataNotFoundError as exc:
        source = None
        if not args.offline and install_debian_package(run):
            try:
                source = find_fashion_mnist(download=False)
            except DataNotFoundError:
                pass  # the first message says more (it has the download's error)
        if source is None:
            print(exc, file=sys.stderr)
            return 1
    print(f"Fashion-MNIST OK, from {source}")
    for note in source.skipped:
        print(f"  (skipped {note})")
    return 0


# ------------------------------------------------------------------------- sample photo
LUMINANCE = (0.299, 0.587, 0.114)
"""Weights of red, green and blue in a pixel's brightness (ITU-R BT.601)."""


@functools.lru_cache(maxsize=1)
def _grace_hopper() -> np.ndarray:
    import matplotlib.cbook
    import matplotlib.image

    path = matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    return matplotlib.image.imread(path)  # (600, 512, 3) uint8


def sample_photo_rgb(size: int | None = None) -> np.ndarray:
    """A colour photo (Grace Hopper, bundled with matplotlib), values in [0, 1].

    Parameters
    ----------
    size : int or None
        None for the full photo, (600, 512, 3). Otherwise the photo is shrunk by
        averaging blocks of ``b x b`` pixels, ``b = 512 // size``, to at least `size`
        pixels wide: ``size=128`` gives (150, 128, 3).

    Returns
    -------
    (H, W, 3) ndarray of float64
        Red, green and blue channels, channels last.
    """
    rgb = _grace_hopper().astype(np.float64) / 255.0
    if size is None:
        return rgb
    width = rgb.shape[1]
    size = positive_int(size, "size")
    if size > width:
        raise ValueError(f"`size` must be at most {width} (the width), got {size}")
    block = width // size
    h, w = rgb.shape[0] // block, width // block
    blocks = rgb[: h * block, : w * block].reshape(h, block, w, block, 3)
    return blocks.mean(axis=(1, 3))


def sample_photo(size: int | None = None) -> np.ndarray:
    """A grayscale photo (Grace Hopper, bundled with matplotlib), values in [0, 1].

    Brightness is ``0.299 R + 0.587 G + 0.114 B`` (`LUMINANCE`).

    Parameters
    ----------
    size : int or None
        As in `sample_photo_rgb`: None gives (600, 512); ``size=128`` gives (150, 128),
        small enough for the loop convolutions of the notebooks.

    Returns
    -------
    (H, W) ndarray of float64
    """
    return sample_photo_rgb(size) @ np.array(LUMINANCE)


if __name__ == "__main__":
    raise SystemExit(main())
