"""Remove from IPA everything a deleted instance owns.

Ownership is what enrollment recorded in the host's description (see
:mod:`novajoin.hosts.ownership`); hosts are found by that instance id,
never by a name computed from the instance, so a host another instance
owns is never touched. Deleting is idempotent: what is already gone counts
as deleted.

An instance's subhosts (TLS services, :mod:`novajoin.services`) carry the
same record with the role ``subhost`` and go with it; the managed services
its host was a manager of are released first (the principal stays while
another host manages it).
"""

import logging

from novajoin.hosts import inventory
from novajoin.hosts import ownership
from novajoin.ipa import errors as ipa_errors

LOG = logging.getLogger(__name__)


class OwnedResources(object):
    """What IPA holds for one instance: its host(s) and subhosts.

    Service hosts (of managed principals) are not listed: they outlive the
    instance that created them while other hosts manage their services.
    """

    def __init__(self, instance_id, host_fqdns, subhost_fqdns=()):
        self.instance_id = instance_id
        self.host_fqdns = list(host_fqdns)
        self.subhost_fqdns = list(subhost_fqdns)

    def __bool__(self):
        return bool(self.host_fqdns or self.subhost_fqdns)


host_fqdn = inventory.host_fqdn


def find_owned_hosts(ipa, instance_id):
    """IPA host entries whose recorded owner is ``instance_id``."""
    return [entry for entry in inventory.instance_entries(ipa, instance_id)
            if ownership.is_owned_by(entry, instance_id)]


def find_owned_resources(ipa, instance_id):
    """:class:`OwnedResources` of ``instance_id``: one ``host_find``.

    :raises novajoin.hosts.inventory.SearchTruncated: IPA cut the search off.
    """
    hosts, subhosts = [], []
    for entry in inventory.instance_entries(ipa, instance_id):
        if ownership.is_owned_by(entry, instance_id):
            hosts.append(host_fqdn(entry))
        elif ownership.is_service_entry_of(entry, instance_id,
                                           ownership.ROLE_SUBHOST):
            subhosts.append(host_fqdn(entry))
    return OwnedResources(instance_id, hosts, subhosts)


def delete_hosts(ipa, fqdns):
    """``host_del --updatedns`` of each name in one ``batch`` round trip:
    the error of each (None where it was deleted). A refused batch is the
    error of every name.
    """
    calls = [('host_del', [fqdn], {'updatedns': True}) for fqdn in fqdns]
    try:
        return [item.error for item in ipa.batch(calls)]
    except ipa_errors.IPACommandError as exc:
        return [exc] * len(calls)


def delete_owned_resources(ipa, owned, services=None):
    """Delete what :func:`find_owned_resources` found, DNS records included.

    With ``services`` (a :class:`novajoin.services.manager.TLSServices`)
    the hosts' managed services are released first. IPA's ``host_del``
    also removes the host's services and revokes their certificates;
    ``updatedns`` removes its A/AAAA/SSHFP/PTR records, including floating
    IP records added under the host's name. A host that is already gone
    counts as deleted, so repeating this is harmless.

    Several names go in one ``batch`` round trip (subhosts first). A
    batch is not a transaction: when one delete fails, the others stand
    and the first failure is raised, so the notification is retried and
    finds only what is left.

    Returns the fqdns this call deleted, without those already gone.
    """
    if services is not None:
        for fqdn in owned.host_fqdns:
            services.release(owned.instance_id, fqdn, owned.subhost_fqdns)
    fqdns = owned.subhost_fqdns + owned.host_fqdns
    if len(fqdns) == 1:
        try:
            ipa.host_del(fqdns[0], updatedns=True)
            errors = [None]
        except ipa_errors.NotFound as exc:
            errors = [exc]
    else:
        errors = delete_hosts(ipa, fqdns)
    deleted = []
    failure = None
    for fqdn, error in zip(fqdns, errors):
        if error is None:
            deleted.append(fqdn)
        elif isinstance(error, ipa_errors.NotFound):
            LOG.debug('instance=%s fqdn=%s already deleted',
                      owned.instance_id, fqdn)
        elif failure is None:
            failure = error
    if failure is not None:
        LOG.warning('instance=%s deleted=%s; a delete failed, the '
                    'notification will be retried: %s', owned.instance_id,
                    ','.join(deleted) or '-', failure)
        raise failure
    return deleted
