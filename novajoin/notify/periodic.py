"""The listener's periodic reconciliation, in the replica holding the lock.

Every ``[notify] reconcile_interval`` seconds (the first run one interval
after start, so a restart storm does not reconcile at once) the listener
that holds the lock (:mod:`novajoin.notify.leader`) runs
:class:`novajoin.hosts.reconcile.Reconciler`; the others log that they skipped.
A failed run (IPA or nova unavailable) is logged and tried again at the
next interval.
"""

import logging
import threading

from novajoin.hosts import inventory
from novajoin.hosts import reconcile
from novajoin.ipa import errors as ipa_errors
from novajoin.openstack import neutron
from novajoin.openstack import nova

LOG = logging.getLogger(__name__)

# Failures that end a run with nothing more changed; the next run tries
# again.
_OUTAGES = (ipa_errors.IPAError, nova.NovaUnavailable,
            neutron.NeutronUnavailable, inventory.SearchTruncated,
            reconcile.TooManyDeletes)


class PeriodicReconciliation(object):

    def __init__(self, reconciler, keeper, interval):
        self._reconciler = reconciler
        self._keeper = keeper
        self._interval = interval
        self._stop = threading.Event()
        self._thread = None

    def start(self):
        self._keeper.start()
        self._thread = threading.Thread(target=self._run, name='reconcile',
                                        daemon=True)
        self._thread.start()
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
        try:
            report = self._reconciler.run()
        except _OUTAGES as exc:
            LOG.error('reconcile failed reason=%s: %s', type(exc).__name__,
                      exc)
            return None
        LOG.info('reconcile done owned_hosts=%d instances=%d actions=%d',
                 report.owned_hosts, report.instances,
                 sum(1 for row in report.rows if row.action != 'kept'))
        return report
