"""Decide what a reconciliation pass does with the owned hosts it found.

The decisions of :mod:`novajoin.hosts.reconcile` (which explains them),
kept apart from the IPA and nova lookups that feed them and from the IPA
writes that follow: everything here is a function of its arguments alone,
so the grace period, the unenrolled-host TTL and the mass-delete guard can
be read and tested without IPA, nova or a clock.
"""

import collections
import datetime

from novajoin.hosts import inventory
from novajoin.hosts import ownership

INSTANCE_GONE = 'instance-gone'
UNENROLLED_EXPIRED = 'unenrolled-expired'
NO_CREATION_TIME = 'no-creation-time'
DELETED_RECENTLY = 'deleted-recently'
# A floating IP record (ownership's floating_ips) whose floating IP neutron
# no longer has, or no longer binds to the instance.
FLOATING_IP_GONE = 'floating-ip-gone'
FLOATING_IP_MOVED = 'floating-ip-moved'

DELETE = 'delete'
START_TTL = 'start-ttl'
KEEP = 'keep'
REMOVE_RECORD = 'remove-record'

# Deleting this many hosts is never refused as too many.
_ALWAYS_ALLOWED_DELETES = 10

# address: the floating IP address of a REMOVE_RECORD plan.
Plan = collections.namedtuple('Plan', ['step', 'fqdn', 'instance_id',
                                       'project_id', 'reason', 'record',
                                       'address'], defaults=(None,))


class TooManyDeletes(Exception):
    """The pass would delete a suspicious share of the owned hosts."""


def by_instance(hosts):
    """The owned hosts grouped by the instance id of their owner record."""
    grouped = collections.defaultdict(list)
    for host in hosts:
        grouped[host.record.instance_id].append(host)
    return grouped


def pending(owned, server):
    """(host, project id) of each host of a living instance not known to
    be enrolled (the owner listing does not say: every one of them).
    """
    return [(host, server.project_id) for host in owned
            if not inventory.is_enrolled(host.entry)]


def keep_all(instance_id, owned, server):
    """Keep every host of an instance deleted within the grace period."""
    return _each_host(KEEP, DELETED_RECENTLY, instance_id, owned, server)


def delete_all(instance_id, owned, server):
    """Delete every host of an instance nova confirmed gone."""
    return _each_host(DELETE, INSTANCE_GONE, instance_id, owned, server)


def _each_host(step, reason, instance_id, owned, server):
    project = server.project_id if server else None
    return [Plan(step, host.fqdn, instance_id, project, reason, host.record)
            for host in owned]


class Planner(object):
    """The limits of a pass: grace period, TTL and share of deletes."""

    def __init__(self, grace, ttl, max_delete_percent=100):
        self._grace = datetime.timedelta(seconds=grace)
        # None: unenrolled hosts never expire.
        self.ttl = datetime.timedelta(seconds=ttl) if ttl else None
        self._max_delete_percent = max_delete_percent

    def within_grace(self, owned, server, now):
        """Whether a missing instance's delete notification may still come.

        ``server`` is nova's record of the deleted instance, or None when
        nova no longer shows it; then the newest ``created`` of its hosts
        stands in for the time it was deleted.
        """
        if server is not None:
            gone_since = server.deleted_at
        else:
            created = [h.record.created for h in owned if h.record.created]
            gone_since = max(created) if created else None
        return gone_since is not None and now - gone_since < self._grace

    def ttl_candidates(self, pending, now):
        """The pending (host, project) pairs worth a fresh ``host_show``.

        Those whose owner record, as the search found it, is older than
        the TTL or has no ``created`` time.
        """
        return [(host, project) for host, project in pending
                if host.record.created is None
                or now - host.record.created >= self.ttl]

    def unenrolled(self, candidates, entries, now):
        """The plans for the TTL candidates, from their ``host_show``.

        ``entries`` holds each candidate's fresh entry, None for one that
        is gone. Only an entry that still has its one-time password, no
        keytab, and the same instance's owner record is acted on.
        """
        plans = []
        for (host, project), entry in zip(candidates, entries):
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
            elif now - record.created >= self.ttl:
                plans.append(Plan(DELETE, host.fqdn, record.instance_id,
                                  project, UNENROLLED_EXPIRED, record))
        return plans

    def refuse_too_many_records(self, plans, listed_count):
        """:raises TooManyDeletes: if ``plans`` remove too many of the
        ``listed_count`` floating IP records.
        """
        self._refuse_over_share(
            plans, REMOVE_RECORD, listed_count,
            'would remove %d of %d floating IP records, more than %d%%; '
            'check that [service_credentials] can read the floating IPs of '
            'every project in the right region, look at the plan with '
            '--dry-run, then use --force')

    def refuse_too_many(self, plans, owned_count):
        """:raises TooManyDeletes: if ``plans`` delete too many hosts."""
        self._refuse_over_share(
            plans, DELETE, owned_count,
            'would delete %d of %d owned hosts, more than %d%%; check that '
            '[service_credentials] can list the servers of every project '
            'in the right region (novajoin-manage check), look at the plan '
            'with --dry-run, then use --force')

    def _refuse_over_share(self, plans, step, total, message):
        """The mass-change guard: at most ``max_delete_percent`` of
        ``total`` (or ``_ALWAYS_ALLOWED_DELETES``) plans of ``step``.
        """
        count = sum(1 for plan in plans if plan.step == step)
        allowed = max(_ALWAYS_ALLOWED_DELETES,
                      total * self._max_delete_percent // 100)
        if count > allowed:
            raise TooManyDeletes(
                message % (count, total, self._max_delete_percent))
