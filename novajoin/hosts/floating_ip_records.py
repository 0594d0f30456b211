"""The floating IP A records novajoin lists in a host's owner record.

:mod:`novajoin.notify.floating_ips` adds and removes them as neutron and
nova-network report changes; reconciliation
(:mod:`novajoin.hosts.reconcile`) removes those whose floating IP is gone.
Both change the A record and the list (``floating_ips`` of
:mod:`novajoin.hosts.ownership`) through here.
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


def write_list(ipa, fqdn, record, floating_ips):
    """Store ``floating_ips`` as host ``fqdn``'s list, if it changed.

    ``record`` is the host's owner record as last read.
    """
    if floating_ips == record.floating_ips:
        return
    try:
        ipa.host_mod(fqdn, description=ownership.rewritten(
            record, floating_ips=floating_ips))
    except (ipa_errors.NotFound, ipa_errors.EmptyModlist):
        LOG.debug('fqdn=%s floating IP list already as wanted or host gone',
                  fqdn)


def forget(ipa, fqdn, record, address):
    """Take ``address`` off host ``fqdn``'s list."""
    remaining = dict(record.floating_ips)
    remaining.pop(address, None)
    write_list(ipa, fqdn, record, remaining)


def remove_value(ipa, zone, name, address):
    """Remove ``address`` from the A record ``name``; whether it was there.
    """
    try:
        ipa.dnsrecord_del(zone, name, arecord=[address])
    except (ipa_errors.NotFound, ipa_errors.AttrValueNotFound):
        LOG.debug('zone=%s name=%s address=%s already removed', zone, name,
                  address)
        return False
    return True


def remove_listed(ipa, zone, fqdn, record, address):
    """Remove the listed ``address`` from host ``fqdn``'s A record and from
    its list (``record`` is its owner record as last read).

    Whether the A record still held the address.
    """
    removed = remove_value(ipa, zone, relative_name(fqdn, zone), address)
    forget(ipa, fqdn, record, address)
    return removed
