import threading
import time

from novajoin.ipa import deadline as deadline_mod
from novajoin.ipa import slots as slots_mod


def _deadline(seconds):
    return deadline_mod.Deadline(seconds)


def _waiting(slots, count, timeout=5.0):
    end = time.monotonic() + timeout
    while len(slots._waiters) < count:
        assert time.monotonic() < end, 'waiters never queued'
        time.sleep(0.005)


def test_free_slots_are_taken_at_once_then_callers_time_out():
    slots = slots_mod.DeadlineSlots(2)
    assert slots.acquire(_deadline(1))
    assert slots.acquire(_deadline(1))
    assert not slots.acquire(_deadline(0.05))
    assert slots._waiters == []
    slots.release()
    assert slots.acquire(_deadline(0.05))


def test_freed_slot_goes_to_the_earliest_deadline_not_the_first_waiter():
    slots = slots_mod.DeadlineSlots(1)
    assert slots.acquire(_deadline(10))
    served = []

    def wait(name, seconds):
        if slots.acquire(_deadline(seconds)):
            served.append(name)
            slots.release()

    late = threading.Thread(target=wait, args=('late', 30))
    late.start()
    _waiting(slots, 1)
    early = threading.Thread(target=wait, args=('early', 20))
    early.start()
    _waiting(slots, 2)
    slots.release()
    late.join(10)
    early.join(10)
    assert served == ['early', 'late']


def test_newcomer_does_not_take_a_slot_freed_for_a_waiter():
    slots = slots_mod.DeadlineSlots(1)
    assert slots.acquire(_deadline(10))
    got = []
    waiter = threading.Thread(
        target=lambda: got.append(slots.acquire(_deadline(10))))
    waiter.start()
    _waiting(slots, 1)
    slots.release()
    # The slot was handed over: a newcomer finds none free.
    assert not slots.acquire(_deadline(0.05))
    waiter.join(10)
    assert len(got) == 1 and got[0] is not None


def test_a_waiter_holds_the_slot_from_the_moment_it_is_handed_over():
    now = [100.0]
    slots = slots_mod.DeadlineSlots(1, clock=lambda: now[0])
    assert slots.acquire(_deadline(10)) == 100.0
    got = []
    waiter = threading.Thread(
        target=lambda: got.append(slots.acquire(_deadline(10))))
    waiter.start()
    _waiting(slots, 1)
    now[0] = 101.0
    slots.release()
    now[0] = 105.0
    waiter.join(10)
    # Its wake-up after the hand-over counts as holding the slot.
    assert got == [101.0]
    assert slots.busy() == 1
