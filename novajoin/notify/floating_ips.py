"""A records in IPA DNS for floating IPs of enrolled instances.

A floating IP gets an A record under the name of the host its instance owns.
Records are only ever removed from names that are novajoin-enrolled hosts, so
records an operator made by hand stay.
"""

import logging

from novajoin.hosts import ownership
from novajoin.ipa import errors as ipa_errors

LOG = logging.getLogger(__name__)


class HostOutsideZone(ValueError):
    """The host's fqdn is not in the DNS zone novajoin manages."""


def relative_name(fqdn, zone):
    """The record name of ``fqdn`` inside ``zone`` (both without dots)."""
    suffix = '.' + zone.rstrip('.').lower()
    fqdn = fqdn.rstrip('.').lower()
    if not fqdn.endswith(suffix) or fqdn == suffix[1:]:
        raise HostOutsideZone('%s is not a name inside zone %s'
                              % (fqdn, zone))
    return fqdn[:-len(suffix)]


def _record_names(found):
    names = []
    for entry in found.get('result', []):
        for name in entry.get('idnsname', []):
            if isinstance(name, dict):  # JSON-RPC's DNSName encoding
                name = name.get('__dns_name__')
            if isinstance(name, str) and name != '@':
                names.append(name.rstrip('.'))
    return names


def _is_enrolled_host(ipa, fqdn):
    try:
        shown = ipa.host_show(fqdn)
    except ipa_errors.NotFound:
        return False
    entry = shown.get('result', shown)
    return ownership.owner_of(entry) is not None


def _remove_address(ipa, zone, name, address):
    try:
        ipa.dnsrecord_del(zone, name, arecord=[address])
    except (ipa_errors.NotFound, ipa_errors.AttrValueNotFound):
        LOG.debug('zone=%s name=%s address=%s already removed', zone, name,
                  address)


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
        if not _is_enrolled_host(ipa, fqdn):
            LOG.info('zone=%s name=%s address=%s decision=kept '
                     'reason=not-an-enrolled-host', zone, name, address)
            continue
        _remove_address(ipa, zone, name, address)
        removed.append(fqdn)
    return removed


def add_address(ipa, zone, fqdn, address):
    """Point ``fqdn``'s A record at ``address`` (in addition to others).

    A floating IP moved straight from one instance to another is first
    removed from the previous instance's record.
    """
    name = relative_name(fqdn, zone)
    remove_address(ipa, zone, address, keep_name=name)
    try:
        ipa.dnsrecord_add(zone, name, arecord=[address])
    except (ipa_errors.EmptyModlist, ipa_errors.DuplicateEntry):
        LOG.debug('zone=%s name=%s address=%s already present', zone, name,
                  address)
