"""Counting the IPA round trips a background task makes.

The listener's periodic tasks (reconciliation, the owned-host count) wrap
its IPA client in :class:`CountingIPA` and publish what each run cost
(``novajoin_background_ipa_round_trips``).
"""

import threading


class CountingIPA(object):
    """An IPA client whose public method calls (each one round trip, a
    ``batch`` included) are counted in ``round_trips``.
    """

    def __init__(self, ipa):
        self._ipa = ipa
        self._lock = threading.Lock()
        self.round_trips = 0

    def reset(self):
        """Start a new count; the previous one."""
        with self._lock:
            previous, self.round_trips = self.round_trips, 0
        return previous

    def __getattr__(self, name):
        attribute = getattr(self._ipa, name)
        if name.startswith('_') or name == 'close' or not callable(
                attribute):
            return attribute

        def counted(*args, **kwargs):
            with self._lock:
                self.round_trips += 1
            return attribute(*args, **kwargs)
        return counted
