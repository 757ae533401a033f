"""Writing files safely: atomically, and never over a user's file unless asked."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path

__all__ = ["OverwriteRefusedError", "write_atomic"]


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
    if target.exists() and not force:
        raise OverwriteRefusedError(f"{target} exists already: use --force to replace it")
    folder = target.parent if str(target.parent) else Path(".")
    import tempfile  # here, not at the top: every command imports this module, few write

    handle, temporary_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    temporary = Path(temporary_name)
    try:
        if isinstance(write, bytes):
            with os.fdopen(handle, "wb") as stream:
                stream.write(write)
                stream.flush()
                os.fsync(stream.fileno())
        else:
            os.close(handle)
            write(temporary)
        if not force and target.exists():
            raise OverwriteRefusedError(f"{target} exists already: use --force to replace it")
        os.chmod(temporary, _mode_for(target))
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    return target


def _mode_for(target: Path) -> int:
    """The replaced file's permissions, or a new file's usual ones (mkstemp makes them 0600)."""
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
