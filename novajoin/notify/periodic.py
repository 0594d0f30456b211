"""The listener's periodic reconciliation, in the replica holding the lock.

Every ``[notify] reconcile_interval`` seconds (the first run one interval
after start, so a restart storm does not reconcile at once) the listener
that holds the lock (:mod:`novajoin.notify.leader`) runs
:class:`novajoin.hosts.reconcile.Reconciler`; the others log that they skipped.
A failed run (IPA, nova or neutron unavailable) is logged and tried again at
the next interval.

Each run's IPA round trips and duration are published
(``novajoin_background_ipa_round_trips{task="reconcile"}``,
``novajoin_background_duration_seconds``), with the interval
(``novajoin_background_interval_seconds``); see
:mod:`novajoin.hosts.reconcile` for what a run costs.
"""

import logging
import threading
import time

from novajoin.hosts import inventory
from novajoin.hosts import reconcile
from novajoin.ipa import errors as ipa_errors
from novajoin import metrics
from novajoin.openstack import neutron
from novajoin.openstack import nova

LOG = logging.getLogger(__name__)

TASK = 'reconcile'

# Failures that end a run with nothing more changed; the next run tries
# again.
_OUTAGES = (ipa_errors.IPAError, nova.NovaUnavailable,
            neutron.NeutronUnavailable, inventory.SearchTruncated,
            reconcile.TooManyDeletes)


class PeriodicReconciliation(object):

    def __init__(self, reconciler, keeper, interval, ipa_calls=None):
        self._reconciler = reconciler
        self._keeper = keeper
        self._interval = interval
        # A novajoin.ipa.counting.CountingIPA the reconciler calls IPA
        # through, or None.
        self._ipa_calls = ipa_calls
        self._stop = threading.Event()
        self._thread = None

    def start(self):
        self._keeper.start()
        self._thread = threading.Thread(target=self._run, name='reconcile',
                                        daemon=True)
        self._thread.start()
        metrics.BACKGROUND_INTERVAL.labels(task=TASK).set(self._interval)
        LOG.info('periodic reconciliation every %ds', self._interval)

    def stop(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._keeper.stop()

    def _run(self):
        while not self._stop.wait(self._interval):
            if not self._keeper.is_held():
                LOG.info('reconcile skipped reason=another listener holds '
                         'the reconcile lock')
                continue
            self.run_once()

    def run_once(self):
        if self._ipa_calls is not None:
            self._ipa_calls.reset()
        started = time.monotonic()
        try:
            report = self._reconciler.run()
        except _OUTAGES as exc:
            LOG.error('reconcile failed reason=%s: %s', type(exc).__name__,
                      exc)
            return None
        finally:
            round_trips = self._publish_cost(time.monotonic() - started)
        LOG.info('reconcile done owned_hosts=%d instances=%d actions=%d '
                 'ipa_round_trips=%s', report.owned_hosts, report.instances,
                 sum(1 for row in report.rows if row.action != 'kept'),
                 round_trips)
        return report

    def _publish_cost(self, seconds):
        metrics.BACKGROUND_DURATION.labels(task=TASK).set(seconds)
        if self._ipa_calls is None:
            return None
        round_trips = self._ipa_calls.round_trips
        metrics.BACKGROUND_IPA_ROUND_TRIPS.labels(task=TASK).set(
            round_trips)
        return round_trips
