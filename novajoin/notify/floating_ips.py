"""A records in IPA DNS for floating IPs of enrolled instances.

A floating IP gets an A record under the name of the host its instance owns,
and the host's owner record (:mod:`novajoin.hosts.ownership`) lists the
address with the floating IP's id, written before the record is added.
Records are only ever removed from names that are novajoin-enrolled hosts,
so records an operator made by hand stay; a deleted floating IP's record is
removed only from a host whose owner record lists that floating IP (or,
for a record added before novajoin kept the list, from the own host of the
instance neutron names), so a record the address got since, under another
instance's name, stays.
"""

import logging

from novajoin.hosts import floating_ip_records as records
from novajoin.hosts import inventory
from novajoin.hosts import ownership
from novajoin.ipa import errors as ipa_errors

LOG = logging.getLogger(__name__)


HostOutsideZone = records.HostOutsideZone
relative_name = records.relative_name


def _record_names(found):
    names = []
    for entry in found.get('result', []):
        for name in entry.get('idnsname', []):
            if isinstance(name, dict):  # JSON-RPC's DNSName encoding
                name = name.get('__dns_name__')
            if isinstance(name, str) and name != '@':
                names.append(name.rstrip('.'))
    return names


def _owner_record(ipa, fqdn):
    """The owner record of host ``fqdn``, or None (no host, not ours)."""
    try:
        shown = ipa.host_show(fqdn)
    except ipa_errors.NotFound:
        return None
    return ownership.owner_of(shown.get('result', shown))


def remove_address(ipa, zone, address, keep_name=None):
    """Remove ``address`` from the A records of enrolled hosts in ``zone``.

    ``keep_name`` is a record name to leave alone. Returns the fqdns whose
    record lost the address.
    """
    found = ipa.dnsrecord_find(zone, arecord=address)
    removed = []
    for name in _record_names(found):
        if name == keep_name:
            continue
        fqdn = '%s.%s' % (name, zone.rstrip('.'))
        record = _owner_record(ipa, fqdn)
        if record is None:
            LOG.info('zone=%s name=%s address=%s decision=kept '
                     'reason=not-an-enrolled-host', zone, name, address)
            continue
        records.remove_value(ipa, zone, name, address)
        records.forget(ipa, fqdn, record, address)
        removed.append(fqdn)
    return removed


def add_address(ipa, zone, fqdn, address, floatingip_id=None):
    """Point ``fqdn``'s A record at ``address`` (in addition to others).

    The owner record of ``fqdn`` lists the address with ``floatingip_id``
    first. A floating IP moved straight from one instance to another is
    first removed from the previous instance's record.
    """
    name = relative_name(fqdn, zone)
    remove_address(ipa, zone, address, keep_name=name)
    record = _owner_record(ipa, fqdn)
    if record is not None:
        listed = dict(record.floating_ips)
        listed[address] = floatingip_id
        records.write_list(ipa, fqdn, record, listed)
    try:
        ipa.dnsrecord_add(zone, name, arecord=[address])
    except (ipa_errors.EmptyModlist, ipa_errors.DuplicateEntry):
        LOG.debug('zone=%s name=%s address=%s already present', zone, name,
                  address)


def _listing_hosts(ipa, floatingip_id):
    """The own hosts (fqdn, record) whose owner record lists the id."""
    # The id only narrows the search (criteria also matches attributes
    # tenants choose): the owner record decides. No default size limit, so
    # entries naming the id cannot hide the one that lists it.
    output = ipa.host_find(criteria=floatingip_id, sizelimit=0)
    if output.get('truncated'):
        raise inventory.SearchTruncated(
            'IPA cut off the search for floating IP %s' % floatingip_id)
    hosts = []
    for entry in output.get('result', []):
        record = ownership.owner_of(entry)
        if (record is not None and record.role is None
                and floatingip_id in record.floating_ips.values()):
            hosts.append((inventory.host_fqdn(entry), record))
    return hosts


def remove_floating_ip(ipa, zone, deleted):
    """Remove the A record of the deleted floating IP ``deleted``
    (:class:`novajoin.notify.payloads.FloatingIPDelete`).

    Only from hosts whose owner record lists its id (with its address, when
    neutron sent it); a record added before novajoin kept the list is found
    under the own host of the instance neutron names, if that host does not
    list the address for another floating IP. Returns the fqdns whose A
    record lost the address.

    :raises novajoin.hosts.inventory.SearchTruncated: IPA cut the search
        for the floating IP's hosts off.
    """
    removed = []
    listing = _listing_hosts(ipa, deleted.floatingip_id)
    for fqdn, record in listing:
        if (deleted.instance_id is not None
                and record.instance_id != deleted.instance_id):
            LOG.warning('floating_ip=%s fqdn=%s decision=kept reason=the '
                        'host is instance %s\'s, neutron names %s',
                        deleted.floatingip_id, fqdn, record.instance_id,
                        deleted.instance_id)
            continue
        for address, floatingip_id in sorted(record.floating_ips.items()):
            if floatingip_id != deleted.floatingip_id or (
                    deleted.address not in (None, address)):
                continue
            if records.remove_listed(ipa, zone, fqdn, record, address):
                removed.append(fqdn)
    if not listing and deleted.instance_id and deleted.address:
        removed += _remove_unlisted(ipa, zone, deleted)
    return removed


def _remove_unlisted(ipa, zone, deleted):
    removed = []
    for entry in inventory.instance_entries(ipa, deleted.instance_id):
        record = ownership.owner_of(entry)
        if (not ownership.is_owned_by(entry, deleted.instance_id)
                or deleted.address in record.floating_ips):
            continue
        fqdn = inventory.host_fqdn(entry)
        try:
            name = relative_name(fqdn, zone)
        except HostOutsideZone:
            continue
        if records.remove_value(ipa, zone, name, deleted.address):
            removed.append(fqdn)
    return removed
