"""Counting the IPA hosts novajoin owns, and those still to be enrolled.

A host novajoin added keeps its one-time password until the instance runs
``ipa-join``; a growing number of such hosts means instances boot but do
not enroll (cloud-init failing, IPA unreachable from the tenant network).

Cost: the owner listing (:mod:`novajoin.hosts.inventory`: 17 searches
up to about 22,000 hosts, 258 up to 350,000, without ``all``) and,
because ``host_find`` does not report whether a host has a keytab, one
``batch`` of ``host_show`` per
:data:`~novajoin.hosts.inventory.SHOW_BATCH` owned hosts: about N/250
round trips in all. The hosts are counted as the listing streams them;
memory does not grow with N beyond one batch. That is why the listener
does it on a timer and not at every scrape.
"""

import collections

from novajoin.hosts import inventory

OwnedHostCount = collections.namedtuple('OwnedHostCount',
                                        ['pending_enrollment', 'enrolled'])


def count_owned_hosts(ipa, timeout=None):
    """An :class:`OwnedHostCount` of the hosts whose owner record we wrote.

    Hosts deleted between the find and the show are not counted.
    ``timeout`` bounds each IPA call.
    """
    counts = {True: 0, False: 0}
    fqdns = (host.fqdn for host in
             inventory.iter_owned_hosts(ipa, timeout=timeout))
    for chunk in inventory.in_show_batches(fqdns):
        _count(ipa, chunk, counts, timeout)
    return OwnedHostCount(counts[False], counts[True])


def _count(ipa, fqdns, counts, timeout):
    items = ipa.batch([('host_show', [fqdn], {}) for fqdn in fqdns],
                      timeout=timeout)
    for item in items:
        if item.error is not None:
            continue
        counts[bool(item.result['result'].get('has_keytab'))] += 1
