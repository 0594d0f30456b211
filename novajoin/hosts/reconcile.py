"""Reconciliation: remove from IPA what lost notifications left behind.

Problem: the listener deletes an instance's hosts when nova says the
instance was deleted. Notifications get lost (notifications turned off for
a while, a purged queue, a listener down during a mass delete), and an
instance that never boots far enough to enroll leaves a host whose one-time
password stays valid. Each such loss would stay in IPA forever.

Design: compare what novajoin owns in IPA with what nova has, and act only
on hosts with novajoin's owner record (:mod:`novajoin.hosts.ownership`):

- **instance gone**: nova does not list the instance, and it was deleted
  longer than ``grace`` seconds ago (the time nova shows for a deleted
  instance; for one nova no longer shows, the newest ``created`` of its
  hosts), and a direct ``GET`` confirms it is gone (a paged list can miss
  an instance that changed while it was read). All of the instance's hosts
  go, as the delete notification would have done. Within the grace period
  the delete notification may still be on its way; the host is kept.
- **unenrolled, expired**: the host still has its one-time password
  (``has_password``) and got it longer than ``[enrollment]
  unenrolled_host_ttl`` seconds ago. It is deleted, not merely stripped of
  its password: an entry without a password would be given one again by
  the next vendordata request, while a deleted one is added afresh with a
  new random nonce, hence an OTP nobody has seen; a living instance that
  asks again (a reboot) is enrolled as new. An entry whose owner record has
  no ``created`` time (novajoin 1.3.0's) gets one, with its nonce kept, so
  its TTL starts now.
- everything else is left alone: hosts of living instances (enrolled, or
  pending within the TTL), entries without novajoin's record, subhosts
  without a password, and service hosts of managed TLS services (deleting
  an instance releases them, as its delete notification would).

IPA is read before nova, so a host added after nova was listed cannot look
like one of a missing instance. A pass that would delete more than
``max_delete_percent`` of the owned hosts (and more than a handful) stops
before changing anything (:class:`TooManyDeletes`): that is what nova
credentials limited to one project, or pointed at another region, look
like. ``force`` overrides it. :func:`render_table` prints what was done
(or, with ``dry_run``, what would be done).
"""

import collections
import datetime
import logging

import prettytable

from novajoin.hosts import cleanup
from novajoin.hosts import inventory
from novajoin.hosts import nonce_cache
from novajoin.hosts import ownership
from novajoin.hosts import rearm
from novajoin.ipa import errors as ipa_errors
from novajoin import metrics

LOG = logging.getLogger(__name__)

INSTANCE_GONE = 'instance-gone'
UNENROLLED_EXPIRED = 'unenrolled-expired'
NO_CREATION_TIME = 'no-creation-time'
DELETED_RECENTLY = 'deleted-recently'

DELETE = 'delete'
START_TTL = 'start-ttl'
KEEP = 'keep'

# A batch of host_show calls per round trip.
_SHOW_BATCH = 50
# Deleting this many hosts is never refused as too many.
_ALWAYS_ALLOWED_DELETES = 10

Plan = collections.namedtuple('Plan', ['step', 'fqdn', 'instance_id',
                                       'project_id', 'reason', 'record'])

Row = collections.namedtuple('Row', ['action', 'fqdn', 'instance_id',
                                     'project_id', 'reason'])

Report = collections.namedtuple('Report', ['rows', 'owned_hosts',
                                           'instances'])

# Past-tense and dry-run wording of each step in the table.
_DONE = {DELETE: 'deleted', START_TTL: 'ttl-started', KEEP: 'kept'}
_WOULD = {DELETE: 'would-delete', START_TTL: 'would-start-ttl',
          KEEP: 'kept'}


class TooManyDeletes(Exception):
    """The pass would delete a suspicious share of the owned hosts."""


class Reconciler(object):
    """One reconciliation pass; stateless between passes."""

    def __init__(self, ipa, servers, instances, grace, ttl,
                 max_delete_percent=100, nonces=None, tls_services=None,
                 clock=ownership.utcnow):
        self._ipa = ipa
        # Releases the managed services of a deleted instance's host.
        self._tls_services = tls_services
        # Deleted hosts' nonces are dropped from the API's shared cache.
        self._nonces = nonces or nonce_cache.NoNonceCache()
        self._servers = servers
        self._instances = instances
        self._grace = datetime.timedelta(seconds=grace)
        self._ttl = datetime.timedelta(seconds=ttl) if ttl else None
        self._max_delete_percent = max_delete_percent
        self._clock = clock

    def run(self, dry_run=False, force=False):
        """Plan and (unless ``dry_run``) act; returns a :class:`Report`.

        :raises TooManyDeletes: (unless ``dry_run`` or ``force``) nothing
            was changed.
        :raises novajoin.openstack.nova.NovaUnavailable: nova could not be
            listed; nothing was changed.
        :raises novajoin.ipa.errors.IPAError: IPA could not be searched.
        """
        # Service hosts outlive the instance that made them; deleting an
        # instance releases them (novajoin.services), as on delete.
        hosts = [host for host in inventory.owned_hosts(self._ipa, all=True)
                 if host.record.role != ownership.ROLE_SERVICE_HOST]
        live = self._servers.live()
        deleted = self._servers.deleted()
        by_instance = collections.defaultdict(list)
        for host in hosts:
            by_instance[host.record.instance_id].append(host)
        plans = []
        pending = []
        for instance_id, owned in sorted(by_instance.items()):
            if instance_id in live:
                project = live[instance_id].project_id
                pending += [(host, project) for host in owned
                            if not inventory.is_enrolled(host.entry)]
            else:
                plans += self._plan_missing(instance_id, owned,
                                            deleted.get(instance_id))
        plans += self._plan_unenrolled(pending)
        if not (dry_run or force):
            self._refuse_too_many(plans, len(hosts))
        cleaned = {}
        rows = [self._carry_out(plan, dry_run, cleaned) for plan in plans]
        return Report(rows, len(hosts), len(by_instance))

    def _refuse_too_many(self, plans, owned_count):
        deletes = sum(1 for plan in plans if plan.step == DELETE)
        allowed = max(_ALWAYS_ALLOWED_DELETES,
                      owned_count * self._max_delete_percent // 100)
        if deletes > allowed:
            raise TooManyDeletes(
                'would delete %d of %d owned hosts, more than %d%%; check '
                'that [service_credentials] can list the servers of every '
                'project in the right region (novajoin-manage check), look '
                'at the plan with --dry-run, then use --force'
                % (deletes, owned_count, self._max_delete_percent))

    def _plan_missing(self, instance_id, owned, server):
        now = self._clock()
        project = server.project_id if server else None
        if server is not None:
            gone_since = server.deleted_at
        else:
            created = [h.record.created for h in owned if h.record.created]
            gone_since = max(created) if created else None
        if gone_since is not None and now - gone_since < self._grace:
            return [Plan(KEEP, h.fqdn, instance_id, project,
                         DELETED_RECENTLY, h.record) for h in owned]
        # Listed neither live nor deleted: ask once more before deleting.
        if not self._instances.is_gone(instance_id):
            return []
        return [Plan(DELETE, h.fqdn, instance_id, project, INSTANCE_GONE,
                     h.record) for h in owned]

    def _plan_unenrolled(self, pending):
        if self._ttl is None or not pending:
            return []
        now = self._clock()
        candidates = [(host, project) for host, project in pending
                      if host.record.created is None
                      or now - host.record.created >= self._ttl]
        plans = []
        for (host, project), entry in zip(
                candidates, self._show_all([h.fqdn for h, _ in candidates])):
            if entry is None or not entry.get('has_password'):
                continue
            if entry.get('has_keytab'):
                continue
            record = ownership.owner_of(entry)
            if record is None or record.instance_id != host.record.instance_id:
                continue
            if record.created is None:
                plans.append(Plan(START_TTL, host.fqdn, record.instance_id,
                                  project, NO_CREATION_TIME, record))
            elif now - record.created >= self._ttl:
                plans.append(Plan(DELETE, host.fqdn, record.instance_id,
                                  project, UNENROLLED_EXPIRED, record))
        return plans

    def _show_all(self, fqdns):
        """The host_show result of each name (None if it is gone)."""
        entries = []
        for start in range(0, len(fqdns), _SHOW_BATCH):
            chunk = fqdns[start:start + _SHOW_BATCH]
            items = self._ipa.batch([('host_show', [fqdn], {})
                                     for fqdn in chunk])
            for item in items:
                if isinstance(item.error, ipa_errors.NotFound):
                    entries.append(None)
                elif item.error is not None:
                    raise item.error
                else:
                    entries.append(item.result['result'])
        return entries

    def _carry_out(self, plan, dry_run, cleaned):
        """Act on one plan; the table row of what was done.

        ``cleaned`` maps the instance ids whose footprint was removed in
        this pass to the error that failed (or None).
        """
        words = _WOULD if dry_run else _DONE
        row = Row(words[plan.step], plan.fqdn, plan.instance_id,
                  plan.project_id, plan.reason)
        if dry_run or plan.step == KEEP:
            return row
        if plan.reason == INSTANCE_GONE:
            if plan.instance_id not in cleaned:
                cleaned[plan.instance_id] = self._attempt(
                    self._delete_instance, plan)
            error = cleaned[plan.instance_id]
        elif plan.step == DELETE:
            error = self._attempt(self._delete_host, plan)
        else:
            error = self._attempt(self._start_ttl, plan)
        if error is not None:
            LOG.error('reconcile fqdn=%s instance=%s action=failed '
                      'reason=%s: %s', plan.fqdn, plan.instance_id,
                      plan.reason, error)
            metrics.RECONCILE_ACTIONS.labels(action='failed').inc()
            return row._replace(action='failed',
                                reason='%s: %s' % (plan.reason, error.name))
        LOG.info('reconcile fqdn=%s instance=%s action=%s reason=%s',
                 plan.fqdn, plan.instance_id, row.action, plan.reason)
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

    def _start_ttl(self, plan):
        record = plan.record
        description = ownership.build_description(
            plan.instance_id, record.otp_nonce, role=record.role,
            project_id=record.project_id, created=self._clock())
        try:
            self._ipa.host_mod(plan.fqdn, description=description)
        except (ipa_errors.NotFound, ipa_errors.EmptyModlist):
            pass


def render_table(report, dry_run=False):
    """The report as text: one table row per action, then a summary."""
    table = prettytable.PrettyTable(['action', 'fqdn', 'instance',
                                     'project', 'reason'])
    table.align = 'l'
    for row in sorted(report.rows, key=lambda row: row.fqdn):
        table.add_row([row.action, row.fqdn, row.instance_id,
                       row.project_id or '-', row.reason])
    counts = collections.Counter(row.action for row in report.rows)
    summary = ', '.join('%s %d' % item for item in sorted(counts.items()))
    lines = []
    if report.rows:
        lines.append(table.get_string())
    lines.append('%s%d owned hosts of %d instances checked; %s' % (
        'dry run: ' if dry_run else '', report.owned_hosts,
        report.instances, summary or 'nothing to do'))
    return '\n'.join(lines)
