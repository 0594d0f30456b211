"""TLS services of instances, for the enrollment API and the listener.

:meth:`TLSServices.ensure` gives an instance what its metadata asks for and
may have: one IPA ``batch`` to read, one to write (plus, rarely, one to
undo a lost creation race). :meth:`TLSServices.update` first takes away what
the metadata no longer names, then ensures the rest. :meth:`TLSServices.
release` is the delete side. The create path is :class:`_Creation`'s,
the release path (update, delete) :class:`_Releases`'s.

Refusals are per item, one log line each, and never fail the enrollment:
the main host's OTP answer does not depend on its services.

On the vendordata path (:meth:`TLSServices.ensure_for_enrollment`) a
repeat whose services metadata was satisfied costs no IPA call
(:mod:`.records`); what one instance can make IPA do is bounded per
request (``[services] max_principals``, ``max_hosts``) and per hour
(``max_reads_per_hour``). Only the instance's first request (the one that
created its host) is judged on nova's boot-roles for managed services;
later ones, like metadata updates, add a managed service only when the
policy allows it without boot-roles.
"""

import logging
import time

from novajoin.hosts import nonce_cache
from novajoin.hosts import ownership
from novajoin.hosts import reserved_names
from novajoin.ipa import errors as ipa_errors
from novajoin.policies import services as services_policy
from novajoin.services import confinement
from novajoin.services import metadata as service_metadata
from novajoin.services import records
from novajoin.services import release as releases
from novajoin.services import rules as service_rules
from novajoin.services import state as ipa_state
from novajoin.services import writes

LOG = logging.getLogger(__name__)

Instance = service_rules.Instance

LATER_REFUSAL = ('added after the instance\'s first vendordata request: '
                 'like a metadata update, it needs policy '
                 'join:managed_services without boot-roles ([services] '
                 'managed_service_projects)')


class Summary(object):
    """What one ensure did, for logs and tests."""

    def __init__(self, granted=None, refusals=(), written=0, failed=(),
                 ipa_calls=0, skipped=None, settled=False):
        self.granted = dict(granted or {})
        self.refusals = list(refusals)
        self.written = written
        self.failed = list(failed)
        self.ipa_calls = ipa_calls
        self.skipped = skipped
        # Every item decided on what IPA showed, no write failed: the
        # same metadata would get the same answer.
        self.settled = settled

    def __repr__(self):
        return ('Summary(granted=%d, refused=%d, written=%d, failed=%d, '
                'ipa_calls=%d, skipped=%r)'
                % (len(self.granted), len(self.refusals), self.written,
                   len(self.failed), self.ipa_calls, self.skipped))


class TLSServices(object):
    """One per process; thread-safe.

    Ties the create path (:class:`_Creation`) and the release path
    (:class:`_Releases`) together for the API and the listener.
    """

    def __init__(self, ipa, enforcer, rules, allowed_roles=(),
                 allowed_projects=(), max_principals=64,
                 server_cache_ttl=600, min_call_time=0.25,
                 clock=time.monotonic, max_hosts=16, max_reads_per_hour=10,
                 record_ttl=3600, cache=None):
        self._ipa = ipa
        self._enforcer = enforcer
        self._rules = rules
        self._creation = _Creation(
            ipa, enforcer, rules, allowed_roles, allowed_projects,
            (max_principals, max_hosts),
            ipa_state.Reader(ipa, rules, server_cache_ttl, clock),
            min_call_time, clock)
        self._releases = _Releases(ipa, rules)
        self._records = records.Records(
            cache or nonce_cache.NoNonceCache(), record_ttl)
        self._budget = records.HourlyBudget(max_reads_per_hour, clock)

    @classmethod
    def from_conf(cls, conf, ipa, enforcer):
        group = conf.services
        return cls(ipa, enforcer,
                   service_rules.Rules(
                       conf.domain or ipa.domain,
                       host_allow_list=group.managed_service_hosts,
                       reserved_names=reserved_names.ReservedNames.from_conf(
                           conf)),
                   allowed_roles=group.managed_service_roles,
                   allowed_projects=group.managed_service_projects,
                   max_principals=group.max_principals,
                   server_cache_ttl=group.server_cache_ttl,
                   min_call_time=conf.enrollment.min_call_time,
                   max_hosts=group.max_hosts,
                   max_reads_per_hour=group.max_reads_per_hour,
                   record_ttl=group.record_ttl,
                   cache=nonce_cache.NonceCache.from_conf(conf))

    def ensure_for_enrollment(self, instance, metadata, boot_roles,
                              deadline, first=False):
        """The vendordata request's :meth:`ensure`: never raises.

        ``first``: the request created the instance's host. Only then do
        ``boot_roles`` decide on managed services; on later requests a
        managed service the instance does not manage yet needs the policy
        without them (as for :meth:`update`), unless the boot-roles
        allowed it at the first request. A repeat of satisfied metadata
        costs no IPA call; beyond ``[services] max_reads_per_hour`` the
        services are refused. An IPA failure or a deadline too close is
        logged and the services are left for the next request of the boot.
        """
        try:
            return self._ensure_for_enrollment(instance, metadata,
                                               boot_roles, deadline, first)
        except (ipa_errors.IPAError, _NoTimeLeft) as exc:
            LOG.error('instance=%s fqdn=%s services decision=error '
                      'reason=%s: %s', instance.instance_id, instance.fqdn,
                      type(exc).__name__, exc)
            return Summary(skipped=str(exc))
        # The instance's OTP is already in IPA: whatever goes wrong with its
        # services must not turn the answer into a 500 that nova would
        # store as an empty join. Logged with its traceback, as a bug.
        except Exception as exc:
            LOG.exception('instance=%s fqdn=%s services decision=error '
                          'reason=unexpected %s', instance.instance_id,
                          instance.fqdn, type(exc).__name__)
            return Summary(skipped=type(exc).__name__)

    def _ensure_for_enrollment(self, instance, metadata, boot_roles,
                               deadline, first):
        request = service_metadata.parse(metadata, self._rules.domain,
                                         self._ipa.realm)
        if not request:
            return None
        metadata_digest = records.digest(instance.fqdn, metadata)
        if not first and self._records.satisfied(instance, metadata_digest):
            LOG.info('instance=%s fqdn=%s services decision=unchanged '
                     'ipa_calls=0', instance.instance_id, instance.fqdn)
            return Summary(settled=True)
        if not first:
            boot_managed = self._records.boot_managed(instance)
        else:
            boot_managed = None
            if request.managed and self._creation.may_manage(instance,
                                                             boot_roles):
                self._records.remember_boot_managed(instance,
                                                    request.managed)
        summary = self._creation.ensure(
            instance, request, boot_roles, deadline,
            boot_managed=boot_managed,
            take_read=lambda: self._budget.take(instance.instance_id),
            read_limit=self._budget.limit)
        if summary.settled:
            self._records.remember_satisfied(instance, metadata_digest)
        return summary

    def ensure(self, instance, metadata, boot_roles=(), deadline=None):
        """Give ``instance`` what ``metadata`` asks for and it may have.

        :returns: :class:`Summary`, or None when nothing is asked for.
        :raises novajoin.ipa.errors.IPAError: IPA could not be used.
        """
        request = service_metadata.parse(metadata, self._rules.domain,
                                         self._ipa.realm)
        if not request:
            return None
        return self._creation.ensure(instance, request, boot_roles,
                                     deadline)

    def update(self, instance, metadata, subhosts):
        """Make an enrolled instance's services match changed metadata.

        ``subhosts`` are the instance's subhosts found by their ownership
        record. Takes away what the metadata dropped, then ensures the rest;
        nova sends no boot-roles with updates, so new managed services need
        a rule that does not depend on them.
        """
        request = service_metadata.parse(metadata, self._rules.domain,
                                         self._ipa.realm)
        held = self._releases.take_away_dropped(instance, request, subhosts)
        # Managed principals it manages already were allowed when they were
        # added; only new ones need the policy.
        request.managed -= held
        if not request:
            return None
        # The instance's host is read in the same batch: if it is gone
        # (the instance was deleted meanwhile), nothing is created.
        return self._creation.ensure(instance, request, (), None,
                                     host_must_exist=True)

    def release(self, instance_id, fqdn, subhosts):
        """Delete side: stop ``fqdn`` managing the managed principals.

        Subhosts and their principals are deleted with the instance's hosts
        by the caller.
        """
        return self._releases.release(instance_id, fqdn, subhosts)


class _Creation(object):
    """The create path, in one direction.

    The policy and the names to read, one read batch (:mod:`.state`), the
    plan (:mod:`.confinement`, pure), one write batch (:mod:`.writes`), the
    report. Nothing is decided after the writes but a lost creation race.
    """

    def __init__(self, ipa, enforcer, rules, allowed_roles,
                 allowed_projects, limits, reader, min_call_time, clock):
        self._ipa = ipa
        self._enforcer = enforcer
        self._rules = rules
        self._allowed_roles = {role.lower() for role in allowed_roles}
        self._allowed_projects = set(allowed_projects)
        self._max_principals, self._max_hosts = limits
        self._reader = reader
        self._min_call_time = min_call_time
        self._clock = clock

    def ensure(self, instance, request, boot_roles, deadline,
               boot_managed=None, take_read=None, read_limit=None,
               host_must_exist=False):
        """Give ``instance`` what ``request`` asks for and it may have.

        ``boot_managed`` None: ``boot_roles`` decide on managed services
        (an instance's first vendordata request, or an update with no
        roles). Else a later request: managed services need the policy
        without roles, or to be managed by the instance already, or in
        ``boot_managed`` (str, allowed at the first request) with the
        boot-roles still allowed. ``take_read()`` False: over the budget.
        ``host_must_exist``: create nothing unless ``instance.fqdn`` is
        still the instance's own host (read in the same batch).

        :returns: :class:`Summary`
        """
        later = boot_managed is not None
        managed_allowed = bool(request.managed) and (
            later or self.may_manage(instance, boot_roles))
        hosts, principals = ipa_state.names_to_read(instance, request,
                                                    managed_allowed)
        refusal = self._over_limits(hosts, principals)
        if refusal is None and (hosts or principals) and not (
                take_read is None or take_read()):
            refusal = ('%d IPA reads in the last hour for this instance '
                       'already ([services] max_reads_per_hour)'
                       % read_limit)
        if refusal is not None:
            return _report(instance, Summary(refusals=request.refusals + [
                service_metadata.Refusal('metadata', refusal)]))
        if host_must_exist:
            hosts.add(instance.fqdn)
        state, read_calls = ipa_state.IPAState(), 0
        if hosts or principals:
            state, read_calls = self._reader.read(
                hosts, principals, timeout=self._time_left(deadline))
        if host_must_exist and not _still_owned(instance, state):
            LOG.warning('instance=%s fqdn=%s services decision=refused '
                        'reason=the instance\'s host is gone from IPA; '
                        'nothing is created', instance.instance_id,
                        instance.fqdn)
            return Summary(ipa_calls=read_calls, skipped='host gone')
        if later:
            plan = confinement.plan(
                instance, request, state, self._rules,
                self._later_managed(instance, request, boot_roles,
                                    boot_managed, state), LATER_REFUSAL)
        else:
            plan = confinement.plan(
                instance, request, state, self._rules,
                request.managed if managed_allowed else ())
        if plan.writes:
            outcome = writes.apply(self._ipa, instance, plan, self._rules,
                                   timeout=self._time_left(deadline))
        else:
            outcome = writes.Outcome()
        return _report(instance, Summary(
            {principal: kind for principal, kind in plan.granted.items()
             if principal not in outcome.revoked},
            request.refusals + plan.refusals + outcome.refusals,
            outcome.written, outcome.failed,
            read_calls + outcome.ipa_calls,
            settled=not (outcome.failed or state.unreadable)))

    def _over_limits(self, hosts, principals):
        if len(principals) > self._max_principals:
            return ('asks for %d principals; at most %d are allowed '
                    '([services] max_principals)'
                    % (len(principals), self._max_principals))
        if len(hosts) > self._max_hosts:
            return ('asks for %d hosts; at most %d are allowed ([services] '
                    'max_hosts)' % (len(hosts), self._max_hosts))
        return None

    def _later_managed(self, instance, request, boot_roles, boot_managed,
                       state):
        """The managed principals a later request may have."""
        if not request.managed:
            return set()
        if self.may_manage(instance, ()):
            return set(request.managed)
        by_boot = bool(boot_managed) and self.may_manage(instance,
                                                         boot_roles)
        return {principal for principal in request.managed
                if (by_boot and str(principal) in boot_managed)
                or (principal not in state.unreadable
                    and instance.fqdn in ipa_state.managers(
                        state.service(principal)))}

    def may_manage(self, instance, boot_roles):
        roles = list(boot_roles)
        credentials = {
            'roles': roles,
            'project_id': instance.project_id,
            'boot_role_allowed': any(role.lower() in self._allowed_roles
                                     for role in roles),
            'project_allowed': instance.project_id in self._allowed_projects,
        }
        return self._enforcer.authorize(
            services_policy.MANAGED_SERVICES,
            {'project_id': instance.project_id}, credentials)

    def _time_left(self, deadline):
        if deadline is None:
            return None
        left = deadline - self._clock()
        if left < self._min_call_time:
            raise _NoTimeLeft('not enough time left before the answer to '
                              'nova is due')
        return left


# Here rather than in release.py so that its log lines keep their logger,
# novajoin.services.manager.
class _Releases(object):
    """The release path: take an instance's services away (update, delete).

    What it holds is found from IPA (:mod:`.release`), never from the
    metadata.
    """

    def __init__(self, ipa, rules):
        self._ipa = ipa
        self._rules = rules

    def take_away_dropped(self, instance, request, subhosts):
        """Take away what ``request`` no longer names.

        :returns: the managed principals ``instance`` managed before;
            those ``request`` still names need no new policy check.
        """
        holdings = releases.find_holdings(self._ipa, instance.fqdn,
                                          subhosts)
        stale_hosts, stale_principals = releases.stale_compact(
            holdings, request,
            lambda net: service_rules.subhost_name(instance, net))
        self._delete_compact(instance, stale_hosts, stale_principals)
        stale_managed = self._releasable(
            releases.stale_managed(holdings, request))
        releases.release_managed(self._ipa, instance.instance_id,
                                 instance.fqdn, stale_managed)
        return holdings.managed

    def release(self, instance_id, fqdn, subhosts):
        """Stop ``fqdn`` managing its managed principals (delete side)."""
        holdings = releases.find_holdings(self._ipa, fqdn, subhosts)
        return releases.release_managed(self._ipa, instance_id, fqdn,
                                        holdings.managed)

    def _releasable(self, principals):
        """Those of ``principals`` whose relation novajoin may take back.

        Principals on hosts novajoin created or the operator listed;
        relations on other hosts were not made by novajoin.
        """
        hosts = {p.host for p in principals}
        if not hosts:
            return set()
        state, _ = ipa_state.read(self._ipa, hosts, (), False, None)
        keep = set()
        for host in hosts:
            entry = state.hosts.get(host)
            if (host in state.unreadable or entry is ipa_state.ABSENT
                    or (ownership.owner_of(entry) is None
                        and not self._rules.allow_listed(host))):
                keep.add(host)
        return {p for p in principals if p.host not in keep}

    def _delete_compact(self, instance, stale_hosts, stale_principals):
        calls = [('host_del', [host], {'updatedns': True})
                 for host in sorted(stale_hosts)]
        calls += [('service_del', [str(p)], {})
                  for p in sorted(stale_principals)]
        if not calls:
            return
        for call, item in zip(calls, self._ipa.batch(calls)):
            if item.error is None or isinstance(item.error,
                                                ipa_errors.NotFound):
                LOG.info('instance=%s item=%s decision=deleted reason=no '
                         'longer in the metadata', instance.instance_id,
                         call[1][0])
            else:
                LOG.warning('instance=%s item=%s decision=failed command=%s '
                            'reason=%s: %s', instance.instance_id,
                            call[1][0], call[0], type(item.error).__name__,
                            item.error)


def _report(instance, summary):
    for refusal in summary.refusals:
        LOG.warning('instance=%s item=%s decision=refused reason=%s',
                    instance.instance_id, refusal.key, refusal.reason)
    LOG.info('instance=%s fqdn=%s services granted=%d refused=%d '
             'written=%d failed=%d ipa_calls=%d', instance.instance_id,
             instance.fqdn, len(summary.granted), len(summary.refusals),
             summary.written, len(summary.failed), summary.ipa_calls)
    return summary


def _still_owned(instance, state):
    entry = state.hosts.get(instance.fqdn, ipa_state.ABSENT)
    return (entry is not ipa_state.ABSENT
            and ownership.is_owned_by(entry, instance.instance_id))


class _NoTimeLeft(Exception):
    pass
