"""DeadlinePool: answers by the deadline, bounded, never queues late work."""

import threading
import time

import pytest

from novajoin.api import deadline_pool


@pytest.fixture
def pool():
    return deadline_pool.DeadlinePool(2, 'test')


def _soon(seconds=1.0):
    return time.monotonic() + seconds


def test_result_of_a_call_in_time(pool):
    assert pool.call(_soon(), lambda a, b: a + b, 2, 3) == 5


def test_exception_of_a_call_in_time_is_raised(pool):
    def fail():
        raise ValueError('no')
    with pytest.raises(ValueError):
        pool.call(_soon(), fail)


def test_timeout_error_raised_by_the_call_is_not_a_missed_deadline(pool):
    def time_out():
        raise TimeoutError('socket')
    with pytest.raises(TimeoutError):
        pool.call(_soon(), time_out)


def test_deadline_passes_while_the_call_goes_on():
    pool = deadline_pool.DeadlinePool(1, 'test')
    release = threading.Event()
    finished = threading.Event()

    def slow():
        release.wait(5)
        finished.set()
    started = time.monotonic()
    with pytest.raises(deadline_pool.DeadlineExceeded):
        pool.call(_soon(0.2), slow)
    assert time.monotonic() - started < 1.0
    assert not finished.is_set()
    release.set()
    assert finished.wait(5)
    # Its slot is free again.
    assert pool.call(_soon(), lambda: 'next') == 'next'


def test_no_slot_before_the_deadline_starts_nothing():
    pool = deadline_pool.DeadlinePool(1, 'test')
    release = threading.Event()
    calls = []
    with pytest.raises(deadline_pool.DeadlineExceeded):
        pool.call(_soon(0.1), release.wait, 5)
    started = time.monotonic()
    with pytest.raises(deadline_pool.PoolSaturated):
        pool.call(_soon(0.2), calls.append, 'late')
    assert time.monotonic() - started < 1.0
    release.set()
    time.sleep(0.1)
    assert calls == []


def test_a_slot_freed_before_the_deadline_is_used():
    pool = deadline_pool.DeadlinePool(1, 'test')
    with pytest.raises(deadline_pool.DeadlineExceeded):
        pool.call(_soon(0.05), time.sleep, 0.3)
    assert pool.call(_soon(2.0), lambda: 'waited') == 'waited'


def test_failed_calls_free_their_slot():
    pool = deadline_pool.DeadlinePool(1, 'test')

    def fail():
        raise ValueError('no')
    for _ in range(3):
        with pytest.raises(ValueError):
            pool.call(_soon(), fail)
    assert pool.call(_soon(), lambda: 'ok') == 'ok'
