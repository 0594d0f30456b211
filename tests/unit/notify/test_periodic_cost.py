"""What a periodic reconciliation run cost IPA, in the metrics."""

from novajoin.hosts import reconcile
from novajoin.ipa import counting
from novajoin import metrics
from novajoin.notify import periodic


class FakeIPA(object):
    def __init__(self):
        self.closed = False

    def host_find(self, **options):
        return {'result': [], 'truncated': False}

    def batch(self, calls):
        return []

    def close(self):
        self.closed = True


class Reconciler(object):
    """Makes ``searches`` host_find and one batch per run."""

    def __init__(self, ipa, searches):
        self.ipa = ipa
        self.searches = searches

    def run(self):
        for _ in range(self.searches):
            self.ipa.host_find(criteria='x')
        self.ipa.batch([])
        return reconcile.Report([], 0, 0)


def _gauge(gauge):
    return gauge.labels(task=periodic.TASK)._value.get()


def test_each_run_publishes_its_own_round_trips_and_duration():
    ipa = counting.CountingIPA(FakeIPA())
    runs = periodic.PeriodicReconciliation(Reconciler(ipa, 3), None, 300,
                                           ipa_calls=ipa)
    runs.run_once()
    assert _gauge(metrics.BACKGROUND_IPA_ROUND_TRIPS) == 4
    runs.run_once()
    # Counted again from zero, not summed over runs.
    assert _gauge(metrics.BACKGROUND_IPA_ROUND_TRIPS) == 4
    assert _gauge(metrics.BACKGROUND_DURATION) >= 0


def test_counting_passes_attributes_and_close_through_uncounted():
    fake = FakeIPA()
    ipa = counting.CountingIPA(fake)
    ipa.close()
    assert fake.closed
    assert ipa.round_trips == 0
    ipa.host_find(criteria='x')
    assert ipa.reset() == 1
    assert ipa.round_trips == 0
