"""Carry out a reconciliation plan in IPA, or, in a dry run, only report it.

Each plan of :mod:`novajoin.hosts.reconcile_plan` becomes one row of the
table (:mod:`novajoin.hosts.reconcile_report`), one log line and, for a
change, one count in ``novajoin_reconcile_actions_total``. An IPA command
error fails that plan alone; the pass goes on with the next.
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
        cleaned = {}
        return [self._carry_out(plan, dry_run, cleaned) for plan in plans]

    def _carry_out(self, plan, dry_run, cleaned):
        """Act on one plan; the table row of what was done.

        ``cleaned`` maps the instance ids whose footprint was removed in
        this pass to the error that failed (or None).
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
            if plan.instance_id not in cleaned:
                cleaned[plan.instance_id] = self._attempt(
                    self._delete_instance, plan)
            error = cleaned[plan.instance_id]
        elif plan.step == reconcile_plan.REMOVE_RECORD:
            error = self._attempt(self._remove_record, plan)
        elif plan.step == reconcile_plan.DELETE:
            error = self._attempt(self._delete_host, plan)
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

    def _delete_instance(self, plan):
        # The instance's whole footprint, as its delete notification would
        # have removed it; what is already gone counts as done.
        owned = cleanup.find_owned_resources(self._ipa, plan.instance_id)
        cleanup.delete_owned_resources(self._ipa, owned, self._tls_services)
        for fqdn in owned.host_fqdns:
            rearm.forget_host(self._nonces, plan.instance_id, fqdn)

    def _delete_host(self, plan):
        try:
            self._ipa.host_del(plan.fqdn, updatedns=True)
        except ipa_errors.NotFound:
            pass
        rearm.forget_host(self._nonces, plan.instance_id, plan.fqdn)

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
