"""Tests of xl_roi.read_ahead: items produced on a thread of their own come out as the
iterator gives them, errors where they arose, and an abandoned producer stops and is closed."""

from __future__ import annotations

import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xl_roi.read_ahead import read_ahead


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers()), st.integers(1, 4))
def test_items_in_their_order(items, depth):
    assert list(read_ahead(iter(items), depth)) == items


def test_error_raised_where_the_item_would_have_been():
    def source():
        yield "chunk 1"
        yield "chunk 2"
        raise ValueError("line 500001 cannot be read")

    taken = []
    with pytest.raises(ValueError, match="line 500001"):
        for item in read_ahead(source()):
            taken.append(item)
    assert taken == ["chunk 1", "chunk 2"]


def test_produced_on_another_thread_at_most_depth_ahead():
    produced = []
    threads = set()

    def source():
        for index in range(20):
            threads.add(threading.get_ident())
            produced.append(index)
            yield index

    taken = read_ahead(source(), depth=2)
    assert next(taken) == 0
    time.sleep(0.3)  # time enough for the producer to run ahead as far as it may
    # taken: 1; queued: 2; the producer holds one more it cannot hand over yet
    assert len(produced) <= 1 + 2 + 1
    assert threads and threading.get_ident() not in threads
    taken.close()


def test_abandoned_source_is_closed_and_its_thread_ends():
    closed = threading.Event()

    def source():
        try:
            index = 0
            while True:
                yield index
                index += 1
        finally:
            closed.set()  # a file handle closed here, for instance

    before = threading.active_count()
    taken = read_ahead(source())
    assert [next(taken) for _ in range(3)] == [0, 1, 2]
    taken.close()
    assert closed.wait(2)
    assert threading.active_count() == before


def test_depth_below_one_is_refused():
    with pytest.raises(ValueError, match="depth must be at least 1"):
        read_ahead(iter([1]), depth=0)
