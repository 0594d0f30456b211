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
- **stale floating IP record**: an A record novajoin added for a floating
  IP under the host of a living instance (the owner record's
  ``floating_ips``), whose floating IP neutron no longer has
  (``floating-ip-gone``) or no longer binds to that instance
  (``floating-ip-moved``: not associated, or to another port's instance).
  Only the address goes, from the record and from the list; a pass that
  would remove more than ``max_delete_percent`` of the listed records (and
  more than a handful) stops like one that deletes too many hosts.
  Nova-network's records have no floating IP id to ask about and stay.
- everything else is left alone: hosts of living instances (enrolled, or
  pending within the TTL), entries without novajoin's record, subhosts
  without a password, and service hosts of managed TLS services (deleting
  an instance releases them, as its delete notification would).

Cost: one owner listing (:mod:`novajoin.hosts.inventory`: 17 searches up
to about 22,000 hosts, 258 up to 350,000, without ``all``), nova's
servers in pages, ``host_show`` in batches of
:data:`~novajoin.hosts.inventory.SHOW_BATCH` for the pending hosts past
the TTL (the listing does not say which hosts hold a keytab), at most
:data:`GONE_CHECKS` direct nova ``GET`` at a time for the missing
instances, and ``host_del`` in ``batch`` calls of at most
:data:`reconcile_apply.DELETE_BATCH` (what the listing found is deleted;
nothing is searched again). With a floating IP lookup, one neutron
``GET`` per floating IP listed on a living instance's own host, and for
each stale one a ``host_show``, ``dnsrecord_del`` and ``host_mod``
(:mod:`novajoin.hosts.reconcile_apply`). A pass keeps one small record
per owned host.

IPA is read before nova, so a host added after nova was listed cannot look
like one of a missing instance. A pass that would delete more than
``max_delete_percent`` of the owned hosts (and more than a handful) stops
before changing anything (:class:`TooManyDeletes`): that is what nova
credentials limited to one project, or pointed at another region, look
like. ``force`` overrides it. :func:`render_table` prints what was done
(or, with ``dry_run``, what would be done).

Code: :class:`Reconciler` makes the lookups and runs a pass;
:mod:`novajoin.hosts.reconcile_plan` decides, from what they found, what
to do (:mod:`novajoin.hosts.reconcile_floating_ips` asks neutron about the
floating IP records); :mod:`novajoin.hosts.reconcile_apply` does it in IPA
and :mod:`novajoin.hosts.reconcile_report` shows it.
"""

from concurrent import futures

from novajoin.hosts import inventory
from novajoin.hosts import ownership
from novajoin.hosts import reconcile_apply
from novajoin.hosts import reconcile_floating_ips
from novajoin.hosts import reconcile_plan
from novajoin.hosts import reconcile_report
from novajoin.ipa import errors as ipa_errors
from novajoin import metrics

# The names callers and tests have always used, from the modules that now
# hold them.
INSTANCE_GONE = reconcile_plan.INSTANCE_GONE
UNENROLLED_EXPIRED = reconcile_plan.UNENROLLED_EXPIRED
NO_CREATION_TIME = reconcile_plan.NO_CREATION_TIME
DELETED_RECENTLY = reconcile_plan.DELETED_RECENTLY
DELETE = reconcile_plan.DELETE
REMOVE_RECORD = reconcile_plan.REMOVE_RECORD
FLOATING_IP_GONE = reconcile_plan.FLOATING_IP_GONE
FLOATING_IP_MOVED = reconcile_plan.FLOATING_IP_MOVED
START_TTL = reconcile_plan.START_TTL
KEEP = reconcile_plan.KEEP
Plan = reconcile_plan.Plan
TooManyDeletes = reconcile_plan.TooManyDeletes
Row = reconcile_report.Row
Report = reconcile_report.Report
render_table = reconcile_report.render_table


def _skipped_rows(skipped):
    """A ``skipped`` row, and count, per search IPA cut off."""
    rows = []
    for instance_id in skipped:
        metrics.RECONCILE_ACTIONS.labels(action='skipped').inc()
        rows.append(Row('skipped', '-', instance_id, None,
                        'IPA cut off the search for its hosts'))
    return rows


# host_show calls per batch round trip.
# Direct nova GETs of missing instances at a time.
GONE_CHECKS = 8


class Reconciler(object):
    """One reconciliation pass; stateless between passes."""

    def __init__(self, ipa, servers, instances, grace, ttl,
                 max_delete_percent=100, nonces=None, tls_services=None,
                 clock=ownership.utcnow, floating_ips=None, zone=None):
        self._ipa = ipa
        self._servers = servers
        self._instances = instances
        # novajoin.openstack.neutron.FloatingIPLookup; None: floating IP
        # records are not checked.
        self._floating_ips = floating_ips
        self._planner = reconcile_plan.Planner(grace, ttl,
                                               max_delete_percent)
        self._applier = reconcile_apply.Applier(ipa, nonces, tls_services,
                                                clock, zone=zone)
        self._clock = clock

    def run(self, dry_run=False, force=False):
        """Plan and (unless ``dry_run``) act; returns a :class:`Report`.

        :raises TooManyDeletes: (unless ``dry_run`` or ``force``) nothing
            was changed.
        :raises novajoin.openstack.nova.NovaUnavailable: nova could not be
            listed; nothing was changed.
        :raises novajoin.ipa.errors.IPAError: IPA could not be searched.
        :raises novajoin.openstack.neutron.NeutronUnavailable: nothing was
            changed.
        """
        # Service hosts outlive the instance that made them; deleting an
        # instance releases them (novajoin.services), as on delete.
        found = inventory.OwnerListing(self._ipa)
        hosts = [host for host in found
                 if host.record.role != ownership.ROLE_SERVICE_HOST]
        hosts.sort(key=lambda host: host.fqdn)
        live = self._servers.live()
        deleted = self._servers.deleted()
        by_instance = reconcile_plan.by_instance(hosts)
        plans = []
        pending = []
        missing = []
        for instance_id, owned in sorted(by_instance.items()):
            if instance_id in live:
                pending += reconcile_plan.pending(owned, live[instance_id])
            else:
                missing.append((instance_id, owned,
                                deleted.get(instance_id)))
        plans += self._plan_missing(missing)
        plans += self._plan_unenrolled(pending)
        records, listed = self._plan_floating_ips(hosts, live)
        if not (dry_run or force):
            self._planner.refuse_too_many(plans, len(hosts))
            self._planner.refuse_too_many_records(records, listed)
        plans += records
        rows = self._applier.apply(plans, dry_run)
        return Report(rows + _skipped_rows(found.skipped), len(hosts),
                      len(by_instance))

    def _plan_floating_ips(self, hosts, live):
        """(plans, records checked): see :mod:`reconcile_floating_ips`."""
        if self._floating_ips is None:
            return [], 0
        return reconcile_floating_ips.plan(self._floating_ips, hosts, live)

    def _plan_missing(self, missing):
        """The plans for the instances nova did not list as living."""
        plans = []
        now = self._clock()
        candidates = []
        for instance_id, owned, server in missing:
            if self._planner.within_grace(owned, server, now):
                plans += reconcile_plan.keep_all(instance_id, owned, server)
            else:
                candidates.append((instance_id, owned, server))
        # Listed neither live nor deleted: ask once more before deleting.
        gone = self._confirm_gone([instance_id
                                   for instance_id, _, _ in candidates])
        for instance_id, owned, server in candidates:
            if instance_id in gone:
                plans += reconcile_plan.delete_all(instance_id, owned,
                                                   server)
        return plans

    def _confirm_gone(self, instance_ids):
        """The ids nova confirms gone, asking :data:`GONE_CHECKS` at once.

        :raises novajoin.openstack.nova.NovaUnavailable: nova did not
            answer for one of them.
        """
        if not instance_ids:
            return set()
        workers = min(GONE_CHECKS, len(instance_ids))
        with futures.ThreadPoolExecutor(
                max_workers=workers,
                thread_name_prefix='reconcile-nova') as pool:
            answers = list(pool.map(self._instances.is_gone, instance_ids))
        return {instance_id for instance_id, is_gone
                in zip(instance_ids, answers) if is_gone}

    def _plan_unenrolled(self, pending):
        if self._planner.ttl is None or not pending:
            return []
        now = self._clock()
        candidates = self._planner.ttl_candidates(pending, now)
        entries = self._show_all([host.fqdn for host, _ in candidates])
        return self._planner.unenrolled(candidates, entries, now)

    def _show_all(self, fqdns):
        """The host_show result of each name (None if it is gone)."""
        entries = []
        for chunk in inventory.in_show_batches(fqdns):
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
