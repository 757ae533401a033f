"""Writing files safely: atomically, and never over a user's file unless asked.

A file is written to a temporary file beside its target, then moved into place: with
``force`` by :func:`os.replace`; without it by :func:`os.link`, which fails if the target
exists, so of two writers racing to create the same new file exactly one wins and the other is
refused. Temporary files still being written are remembered, so that a signal handler can
remove them (:func:`remove_temporaries`) before the program exits.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable, Iterator
from pathlib import Path

__all__ = ["OverwriteRefusedError", "remove_temporaries", "same_file", "write_atomic"]

_TEMPORARIES: set[Path] = set()
"""Temporary files being written now (removed by :func:`remove_temporaries` on a signal)."""


class OverwriteRefusedError(FileExistsError):
    """The target exists and overwriting it was not asked for."""


def write_atomic(
    path: str | Path, write: Callable[[Path], None] | bytes, *, force: bool = False
) -> Path:
    """Write a file whole or not at all: to a temporary file beside it, then rename.

    Parameters
    ----------
    path : str or Path
        The target.
    write : bytes or callable
        The content, or a function that writes the content to the temporary path it is given.
    force : bool, default False
        Whether an existing file may be replaced.

    Raises
    ------
    OverwriteRefusedError
        When the target exists and ``force`` is false; nothing is written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "case.toml"
    >>> write_atomic(target, b"name = 'x'\\n").read_text()
    "name = 'x'\\n"
    >>> write_atomic(target, b"other")
    Traceback (most recent call last):
    ...
    xl_roi.files.OverwriteRefusedError: ... exists already: use --force to replace it
    """
    target = Path(path)
    if target.is_dir():
        raise IsADirectoryError(f"{target} is a folder")
    if not force and os.path.lexists(target):
        raise OverwriteRefusedError(f"{target} exists already: use --force to replace it")
    folder = target.parent if str(target.parent) else Path(".")
    import tempfile  # here, not at the top: every command imports this module, few write

    handle, temporary_name = tempfile.mkstemp(
        prefix=f".{_shortened(target.name)}.", suffix=".tmp", dir=folder
    )
    temporary = Path(temporary_name)
    _TEMPORARIES.add(temporary)
    try:
        if isinstance(write, bytes):
            with os.fdopen(handle, "wb") as stream:
                stream.write(write)
                stream.flush()
                os.fsync(stream.fileno())
        else:
            os.close(handle)
            write(temporary)
        os.chmod(temporary, _mode_for(target))
        if force:
            os.replace(temporary, target)
        else:
            _create_exclusively(temporary, target)
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink()
        if error.filename is None and not isinstance(error, OverwriteRefusedError):
            # a full disk (ENOSPC) says which file it was writing
            raise OSError(error.errno, f"{error.strerror}: nothing written", str(target)) from None
        raise
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    finally:
        _TEMPORARIES.discard(temporary)
    return target


def _create_exclusively(temporary: Path, target: Path) -> None:
    """Move ``temporary`` to a ``target`` that must not exist: atomic, one winner in a race."""
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise OverwriteRefusedError(f"{target} exists already: use --force to replace it") from None
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
            raise
        # No hard links here (some network and FAT file systems): claim the name with
        # O_EXCL, then move the finished file over our own claim.
        try:
            os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            raise OverwriteRefusedError(
                f"{target} exists already: use --force to replace it"
            ) from None
        os.replace(temporary, target)
        return
    temporary.unlink()


def remove_temporaries() -> None:
    """Remove every temporary file still being written (for a signal handler, before exit).

    Examples
    --------
    >>> remove_temporaries()  # nothing being written: nothing to do
    """
    for temporary in list(_TEMPORARIES):
        with contextlib.suppress(OSError):
            temporary.unlink()
        _TEMPORARIES.discard(temporary)


@contextlib.contextmanager
def private_temporary_folder() -> Iterator[Path]:
    """Send every temporary file a library makes (openpyxl's sheet buffers) to a fresh folder,
    removed whole on the way out, however the command ends.

    openpyxl creates its temporary file before it records it for clean-up, so a signal landing
    in between would leave the file behind; a folder of our own is removed with whatever is in
    it.

    Examples
    --------
    >>> import tempfile
    >>> with private_temporary_folder() as folder:
    ...     inside = tempfile.gettempdir() == str(folder)
    >>> inside, folder.exists()
    (True, False)
    """
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="xl-roi.")
    previous = tempfile.tempdir
    tempfile.tempdir = folder
    try:
        yield Path(folder)
    finally:
        tempfile.tempdir = previous
        shutil.rmtree(folder, ignore_errors=True)


def same_file(first: str | Path, second: str | Path) -> bool:
    """Whether two paths name the same file (through links), without failing on odd paths.

    Examples
    --------
    >>> same_file("a/../b.xlsx", "b.xlsx"), same_file("a.xlsx", "b.xlsx")
    (True, False)
    """
    try:
        return os.path.samefile(first, second)
    except (OSError, ValueError):
        return os.path.realpath(first) == os.path.realpath(second)


NAME_BYTES = 255
"""The longest file name most file systems take (ext4, APFS, NTFS in UTF-16 units, XFS)."""

_TEMPORARY_EXTRA_BYTES = len(".") + len(".") + 8 + len(".tmp")
"""What a temporary name adds to the target's: ``.NAME.XXXXXXXX.tmp``."""


def _shortened(name: str) -> str:
    """The target's name, cut so that its temporary name stays within :data:`NAME_BYTES`.

    Examples
    --------
    >>> len(_shortened("x" * 250).encode()), _shortened("case.toml")
    (241, 'case.toml')
    """
    room = NAME_BYTES - _TEMPORARY_EXTRA_BYTES
    encoded = os.fsencode(name)
    if len(encoded) <= room:
        return name
    return encoded[:room].decode("utf-8", "ignore") or "xl-roi"


def _mode_for(target: Path) -> int:
    """The replaced file's permissions, or a new file's usual ones (mkstemp makes them 0600)."""
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
