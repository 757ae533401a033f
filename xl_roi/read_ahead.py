"""Items of an iterator produced on a thread of their own, a few ahead of their use.

Screening a large file is two jobs in turn: parsing the next chunk (pandas' C parser, or
DuckDB for Parquet) and screening the last (numpy). Both spend most of their time outside
Python's global lock, so on two cores the parsing of one chunk can run while the one before it
is screened. The items come out in their order, exactly as the iterator gives them; an error
raised while producing one is raised where that item would have been taken.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

__all__ = ["read_ahead"]

T = TypeVar("T")

_WAIT_SECONDS = 0.1
"""How often a producer blocked on a full queue looks whether it is still wanted."""


class _End:
    """The producer's last word: the iterator is exhausted."""


def read_ahead(items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """``items`` in their order, each produced on a thread of its own up to ``depth`` ahead.

    Parameters
    ----------
    items : iterator
        What to produce; it is run on the producing thread only, and closed there when done
        or no longer wanted.
    depth : int
        Items produced but not yet taken, at most (their memory is held meanwhile).

    Raises
    ------
    Exception
        Whatever producing an item raised, when that item is taken.

    Examples
    --------
    >>> list(read_ahead(iter(range(5))))
    [0, 1, 2, 3, 4]
    >>> def failing():
    ...     yield 1
    ...     raise ValueError("line 3 cannot be read")
    >>> taken = read_ahead(failing())
    >>> next(taken)
    1
    >>> next(taken)
    Traceback (most recent call last):
    ...
    ValueError: line 3 cannot be read
    """
    if depth < 1:
        raise ValueError(f"depth must be at least 1, got {depth}")
    ready: queue.Queue[tuple[bool, object]] = queue.Queue(maxsize=depth)
    unwanted = threading.Event()

    def hand_over(ok: bool, item: object) -> bool:
        """Queue an item; False once the consumer has stopped taking them."""
        while not unwanted.is_set():
            try:
                ready.put((ok, item), timeout=_WAIT_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not hand_over(True, item):
                    return
            hand_over(True, _End())
        except BaseException as error:  # handed to the consumer, raised there
            hand_over(False, error)
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    return _taken(ready, unwanted, threading.Thread(target=produce, daemon=True))


def _taken(
    ready: queue.Queue[tuple[bool, object]], unwanted: threading.Event, producer: threading.Thread
) -> Iterator[T]:
    producer.start()
    try:
        while True:
            ok, item = ready.get()
            if not ok:
                assert isinstance(item, BaseException)
                raise item
            if isinstance(item, _End):
                return
            yield item  # type: ignore[misc]
    finally:
        unwanted.set()
        producer.join()
