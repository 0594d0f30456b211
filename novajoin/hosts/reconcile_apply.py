"""Carry out a reconciliation plan in IPA, or, in a dry run, only report it.

Each plan of :mod:`novajoin.hosts.reconcile_plan` becomes one row of the
table (:mod:`novajoin.hosts.reconcile_report`), one log line and, for a
change, one count in ``novajoin_reconcile_actions_total``. An IPA command
error fails that plan alone; the pass goes on with the next.

Deletes go first, in ``batch`` calls of at most :data:`DELETE_BATCH`
``host_del``: the hosts the plans name (what the owner listing found), an
instance's subhosts before its own host, and nothing searched again. A
host already gone counts as deleted; an error fails the plan of that host
(every plan of its instance, for an instance gone).
"""

import logging

from novajoin.hosts import cleanup
from novajoin.hosts import floating_ip_records
from novajoin.hosts import nonce_cache
from novajoin.hosts import ownership
from novajoin.hosts import rearm
from novajoin.hosts import reconcile_plan
from novajoin.hosts import reconcile_report
from novajoin.ipa import errors as ipa_errors
from novajoin import metrics

# host_del calls per batch round trip.
DELETE_BATCH = 100

# The logger reconciliation has always logged its actions under.
LOG = logging.getLogger('novajoin.hosts.reconcile')

# Past-tense and dry-run wording of each step in the table.
_DONE = {reconcile_plan.DELETE: 'deleted',
         reconcile_plan.START_TTL: 'ttl-started',
         reconcile_plan.KEEP: 'kept',
         reconcile_plan.REMOVE_RECORD: 'record-removed'}
_WOULD = {reconcile_plan.DELETE: 'would-delete',
          reconcile_plan.START_TTL: 'would-start-ttl',
          reconcile_plan.KEEP: 'kept',
          reconcile_plan.REMOVE_RECORD: 'would-remove-record'}


class Applier(object):
    """Makes the changes a plan asks for in IPA."""

    def __init__(self, ipa, nonces=None, tls_services=None,
                 clock=ownership.utcnow, zone=None):
        self._ipa = ipa
        # The DNS zone of the floating IP records.
        self._zone = zone
        # Releases the managed services of a deleted instance's host.
        self._tls_services = tls_services
        # Deleted hosts' nonces are dropped from the API's shared cache.
        self._nonces = nonces or nonce_cache.NoNonceCache()
        self._clock = clock

    def apply(self, plans, dry_run=False):
        """Act on each plan in order; the table row of each."""
        cleaned = {} if dry_run else self._delete_all(plans)
        return [self._carry_out(plan, dry_run, cleaned) for plan in plans]

    def _carry_out(self, plan, dry_run, cleaned):
        """Act on one plan; the table row of what was done.

        ``cleaned`` is what :meth:`_delete_all` did: the error (or None)
        of each instance gone, by id, and of each other deleted host, by
        fqdn.
        """
        words = _WOULD if dry_run else _DONE
        reason = plan.reason
        if plan.address is not None:
            reason = '%s %s' % (plan.reason, plan.address)
        row = reconcile_report.Row(words[plan.step], plan.fqdn,
                                   plan.instance_id, plan.project_id,
                                   reason)
        if dry_run or plan.step == reconcile_plan.KEEP:
            return row
        if plan.reason == reconcile_plan.INSTANCE_GONE:
            error = cleaned[plan.instance_id]
        elif plan.step == reconcile_plan.REMOVE_RECORD:
            error = self._attempt(self._remove_record, plan)
        elif plan.step == reconcile_plan.DELETE:
            error = cleaned[plan.fqdn]
        else:
            error = self._attempt(self._start_ttl, plan)
        if error is not None:
            LOG.error('reconcile fqdn=%s instance=%s action=failed '
                      'reason=%s: %s', plan.fqdn, plan.instance_id,
                      reason, error)
            metrics.RECONCILE_ACTIONS.labels(action='failed').inc()
            return row._replace(action='failed',
                                reason='%s: %s' % (reason, error.name))
        LOG.info('reconcile fqdn=%s instance=%s action=%s reason=%s',
                 plan.fqdn, plan.instance_id, row.action, reason)
        metrics.RECONCILE_ACTIONS.labels(action=row.action).inc()
        return row

    @staticmethod
    def _attempt(act, plan):
        try:
            act(plan)
        except ipa_errors.IPACommandError as exc:
            return exc
        return None

    def _delete_all(self, plans):
        """Delete what the DELETE plans name, in batches.

        Returns the error (or None) of each instance gone, by instance id,
        and of each other deleted host, by fqdn.
        """
        outcome = {}
        gone = {}
        calls = []
        for plan in plans:
            if plan.step != reconcile_plan.DELETE:
                continue
            if plan.reason == reconcile_plan.INSTANCE_GONE:
                gone.setdefault(plan.instance_id, []).append(plan)
            else:
                calls.append(plan)
        deletes = []
        for instance_id, owned in gone.items():
            outcome[instance_id] = self._attempt(self._release, owned)
            if outcome[instance_id] is None:
                # Subhosts first, as the delete notification does.
                deletes += sorted(owned, key=lambda plan: (
                    plan.record.role != ownership.ROLE_SUBHOST, plan.fqdn))
        deletes += calls
        for start in range(0, len(deletes), DELETE_BATCH):
            chunk = deletes[start:start + DELETE_BATCH]
            errors = cleanup.delete_hosts(
                self._ipa, [plan.fqdn for plan in chunk])
            for plan, error in zip(chunk, errors):
                if isinstance(error, ipa_errors.NotFound):
                    error = None
                if error is None:
                    rearm.forget_host(self._nonces, plan.instance_id,
                                      plan.fqdn)
                if plan.reason == reconcile_plan.INSTANCE_GONE:
                    if outcome.get(plan.instance_id) is None:
                        outcome[plan.instance_id] = error
                else:
                    outcome[plan.fqdn] = error
        return outcome

    def _release(self, owned):
        """Release the managed services of a gone instance's own hosts."""
        if self._tls_services is None:
            return
        subhosts = [plan.fqdn for plan in owned
                    if plan.record.role == ownership.ROLE_SUBHOST]
        for plan in owned:
            if plan.record.role is None:
                self._tls_services.release(plan.instance_id, plan.fqdn,
                                           subhosts)

    def _remove_record(self, plan):
        # Read again: only a record still listed for the same floating IP
        # goes (the listener may have changed it since the search).
        try:
            entry = self._ipa.host_show(plan.fqdn)['result']
        except ipa_errors.NotFound:
            return
        record = ownership.owner_of(entry)
        if (record is None or record.instance_id != plan.instance_id
                or plan.address not in record.floating_ips
                or record.floating_ips[plan.address]
                != plan.record.floating_ips.get(plan.address)):
            return
        floating_ip_records.remove_listed(self._ipa, self._zone, plan.fqdn,
                                          record, plan.address)

    def _start_ttl(self, plan):
        record = plan.record
        description = ownership.build_description(
            plan.instance_id, record.otp_nonce, role=record.role,
            project_id=record.project_id, created=self._clock(),
            floating_ips=record.floating_ips)
        try:
            self._ipa.host_mod(plan.fqdn, description=description)
        except (ipa_errors.NotFound, ipa_errors.EmptyModlist):
            pass
