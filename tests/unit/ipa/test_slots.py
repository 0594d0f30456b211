import threading
import time

import pytest

from novajoin.ipa import deadline as deadline_mod
from novajoin.ipa import slots as slots_mod


def _deadline(seconds):
    return deadline_mod.Deadline(seconds)


def _queued(slots, count, timeout=5.0):
    end = time.monotonic() + timeout
    while len(slots._queue) < count:
        assert time.monotonic() < end, 'calls never queued'
        time.sleep(0.005)


class Blocker(object):
    """A call that runs until released."""

    def __init__(self):
        self.started = threading.Event()
        self.release = threading.Event()

    def __call__(self):
        self.started.set()
        assert self.release.wait(10)
        return 'blocked'


def _in_thread(slots, seconds, function, results):
    def run():
        try:
            results.append(slots.run(_deadline(seconds), function)[0])
        except slots_mod.NoSlot:
            results.append('no slot')
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_calls_run_in_a_slot_and_return_result_or_raise():
    slots = slots_mod.DeadlineSlots(2)
    try:
        assert slots.run(_deadline(1), lambda: 42)[0] == 42

        def fail():
            raise ValueError('boom')

        with pytest.raises(ValueError, match='boom'):
            slots.run(_deadline(1), fail)
    finally:
        slots.close()


def test_a_call_that_finds_no_slot_before_its_deadline_gives_up():
    slots = slots_mod.DeadlineSlots(1)
    blocker = Blocker()
    results = []
    holder = _in_thread(slots, 10, blocker, results)
    try:
        assert blocker.started.wait(5)
        with pytest.raises(slots_mod.NoSlot):
            slots.run(_deadline(0.05), lambda: 'never')
        assert slots._queue == []
    finally:
        blocker.release.set()
        holder.join(10)
        slots.close()
    assert results == ['blocked']


def test_freed_slot_goes_to_the_earliest_deadline_not_the_first_caller():
    slots = slots_mod.DeadlineSlots(1)
    blocker = Blocker()
    served = []
    threads = [_in_thread(slots, 10, blocker, [])]
    try:
        assert blocker.started.wait(5)
        threads.append(_in_thread(slots, 30, lambda: served.append('late'),
                                  []))
        _queued(slots, 1)
        threads.append(_in_thread(slots, 20,
                                  lambda: served.append('early'), []))
        _queued(slots, 2)
    finally:
        blocker.release.set()
        for thread in threads:
            thread.join(10)
        slots.close()
    assert served == ['early', 'late']


def test_a_busy_slot_is_held_for_the_calls_alone():
    now = [100.0]
    slots = slots_mod.DeadlineSlots(1, clock=lambda: now[0])
    blocker = Blocker()
    results = []
    holder = _in_thread(slots, 10, blocker, results)
    try:
        assert blocker.started.wait(5)
        now[0] = 101.0
        got = []

        def queued_call():
            now[0] = 103.0
            return 'second'

        waiter = threading.Thread(target=lambda: got.append(
            slots.run(_deadline(10), queued_call)))
        waiter.start()
        _queued(slots, 1)
        now[0] = 102.0
        blocker.release.set()
        waiter.join(10)
    finally:
        blocker.release.set()
        holder.join(10)
        slots.close()
    # The slot was free for the second call when the first one ended (at
    # 102); it ran until 103: held 1 s, though queued since 101.
    assert got == [('second', 1.0)]


def _queued_behind_a_blocker(slots, name):
    blocker = Blocker()
    results = []
    holder = _in_thread(slots, 10, blocker, [])
    assert blocker.started.wait(5)
    waiter = _in_thread(slots, 10, lambda: name, results)
    _queued(slots, 1)
    blocker.release.set()
    holder.join(10)
    waiter.join(10)
    return results


def test_a_free_slot_runs_the_call_in_the_callers_thread():
    slots = slots_mod.DeadlineSlots(1)
    try:
        assert slots.run(_deadline(1), threading.current_thread)[0] is \
            threading.current_thread()
        assert slots._workers == []
    finally:
        slots.close()


def test_workers_start_again_in_a_forked_process(monkeypatch):
    slots = slots_mod.DeadlineSlots(1)
    try:
        assert _queued_behind_a_blocker(slots, 'parent') == ['parent']
        first = slots._workers
        assert first
        monkeypatch.setattr(slots_mod.os, 'getpid', lambda: -1)
        assert _queued_behind_a_blocker(slots, 'child') == ['child']
        assert slots._workers is not first
    finally:
        slots.close()
