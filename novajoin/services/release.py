"""Take an instance's services away: at delete, and when metadata drops them.

What an instance holds is found from IPA, never from metadata: its subhosts
by their ownership record, its principals by ``service_find`` over the
services its host manages. Principals on its subhosts go with the subhost
(``host_del`` deletes a host's services). A managed principal is shared:
the instance's host is removed from its managers, and the principal is
deleted only when no other host manages it and its host is a service host
novajoin created; that host goes too once no service is left on it.
Nothing another live instance still manages is deleted.

A request to add an instance as manager can slip in between the check and
the delete of a principal; it then finds the principal gone and the next
vendordata request or update of that instance creates it again.
"""

import logging

from novajoin.hosts import ownership
from novajoin.ipa import errors as ipa_errors
from novajoin.services import metadata
from novajoin.services import state as ipa_state

LOG = logging.getLogger(__name__)


class Holdings(object):
    """The principals an instance's host manages, split by where they are.

    ``compact``: principals on the instance's subhosts; ``managed``:
    principals on any other host except the instance's own.
    """

    def __init__(self, fqdn, subhosts):
        self.fqdn = fqdn
        self.subhosts = set(subhosts)
        self.compact = set()
        self.managed = set()


def find_holdings(ipa, fqdn, subhosts, timeout=None):
    """:class:`Holdings` of the host ``fqdn`` with its ``subhosts``."""
    holdings = Holdings(fqdn, subhosts)
    found = ipa.service_find(man_by_host=[fqdn], timeout=timeout,
                             sizelimit=0)
    for entry in found.get('result') or ():
        principal = ipa_state.principal_of(entry)
        if principal.host == fqdn:
            continue
        if principal.host in holdings.subhosts:
            holdings.compact.add(principal)
        else:
            holdings.managed.add(principal)
    return holdings


def release_managed(ipa, instance_id, fqdn, principals, timeout=None):
    """Stop ``fqdn`` managing ``principals``; delete what nobody manages.

    :returns: the principals (str) deleted.
    """
    principals = sorted(principals)
    if not principals:
        return []
    hosts = sorted({p.host for p in principals})
    calls = [('service_remove_host', [str(p)], {'host': [fqdn]})
             for p in principals]
    calls += [('service_show', [str(p)], {}) for p in principals]
    calls += [('host_show', [host], {}) for host in hosts]
    items = ipa.batch(calls, timeout=timeout)
    removals = items[:len(principals)]
    shows = items[len(principals):2 * len(principals)]
    service_hosts = {host for host, item in zip(hosts,
                                                items[2 * len(principals):])
                     if item.error is None and _is_service_host(item.result)}
    for principal, item in zip(principals, removals):
        if item.error is not None and not isinstance(item.error,
                                                     ipa_errors.NotFound):
            LOG.warning('instance=%s item=%s decision=failed '
                        'command=service_remove_host reason=%s: %s',
                        instance_id, principal, type(item.error).__name__,
                        item.error)
    orphans = []
    for principal, item in zip(principals, shows):
        if item.error is not None or principal.host not in service_hosts:
            continue
        others = ipa_state.managers(item.result.get('result')) - {
            principal.host, fqdn}
        if others:
            LOG.info('instance=%s item=%s decision=kept reason=still '
                     'managed by %d other host(s)', instance_id, principal,
                     len(others))
        else:
            orphans.append(principal)
    _delete_orphans(ipa, instance_id, orphans, timeout)
    return [str(p) for p in orphans]


def _is_service_host(show_output):
    record = ownership.owner_of(show_output.get('result') or {})
    return record is not None and record.role == ownership.ROLE_SERVICE_HOST


def _delete_orphans(ipa, instance_id, orphans, timeout):
    if not orphans:
        return
    hosts = sorted({p.host for p in orphans})
    calls = [('service_del', [str(p)], {}) for p in orphans]
    calls += [('service_find', [], {'man_by_host': [host], 'sizelimit': 0,
                                    'pkey_only': True})
              for host in hosts]
    items = ipa.batch(calls, timeout=timeout)
    for principal, item in zip(orphans, items):
        if item.error is None or isinstance(item.error, ipa_errors.NotFound):
            LOG.info('instance=%s item=%s decision=deleted reason=no other '
                     'host manages it', instance_id, principal)
        else:
            LOG.warning('instance=%s item=%s decision=failed '
                        'command=service_del reason=%s: %s', instance_id,
                        principal, type(item.error).__name__, item.error)
    empty = [host for host, item in zip(hosts, items[len(orphans):])
             if item.error is None and not (item.result.get('result'))]
    if not empty:
        return
    for host, item in zip(empty, ipa.batch(
            [('host_del', [host], {}) for host in empty], timeout=timeout)):
        if item.error is None or isinstance(item.error, ipa_errors.NotFound):
            LOG.info('instance=%s item=%s decision=deleted reason=service '
                     'host without services', instance_id, host)
        else:
            LOG.warning('instance=%s item=%s decision=failed '
                        'command=host_del reason=%s: %s', instance_id, host,
                        type(item.error).__name__, item.error)


def stale_compact(holdings, request, subhost_of):
    """(subhosts, principals) on subhosts that ``request`` no longer asks
    for; never those of a compact key that could not be read.

    ``subhost_of(network)`` is the subhost name of a network.
    """
    wanted = {metadata.Principal(service, subhost_of(network))
              for service, network in request.compact}
    kept_hosts = {p.host for p in wanted}
    stale = set()
    for principal in holdings.compact:
        if principal in wanted or request.compact_unreadable(
                principal.service):
            kept_hosts.add(principal.host)
        else:
            stale.add(principal)
    stale_hosts = holdings.subhosts - kept_hosts
    if request.unreadable_services is None:
        return set(), set()
    return stale_hosts, {p for p in stale if p.host not in stale_hosts}


def stale_managed(holdings, request):
    """Managed principals ``request`` no longer names.

    None when a managed key could not be read: it may name any of them.
    """
    if request.managed_unreadable:
        return set()
    return holdings.managed - set(request.managed)
