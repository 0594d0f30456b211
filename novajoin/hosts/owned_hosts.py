"""Counting the IPA hosts novajoin owns, and those still to be enrolled.

A host novajoin added keeps its one-time password until the instance runs
``ipa-join``; a growing number of such hosts means instances boot but do
not enroll (cloud-init failing, IPA unreachable from the tenant network).
``host_find`` does not report whether a host has a keytab, so the owned
hosts found are shown in batches; the cost is one ``host_find`` and one
``batch`` call per :data:`SHOW_BATCH_SIZE` owned hosts, which is why the
listener does it on a timer and not at every scrape.
"""

import collections

from novajoin.hosts import ownership

SHOW_BATCH_SIZE = 100

OwnedHostCount = collections.namedtuple('OwnedHostCount',
                                        ['pending_enrollment', 'enrolled'])


def count_owned_hosts(ipa, timeout=None):
    """An :class:`OwnedHostCount` of the hosts whose owner record we wrote.

    Hosts deleted between the find and the show are not counted.
    """
    # The owner record is JSON under this key in the description, one of
    # the attributes host_find's criteria search.
    found = ipa.host_find(criteria=ownership.METADATA_KEY, sizelimit=0,
                          timeout=timeout)
    owned = [entry['fqdn'][0] for entry in found['result']
             if ownership.owner_of(entry) is not None]
    pending = enrolled = 0
    for start in range(0, len(owned), SHOW_BATCH_SIZE):
        chunk = owned[start:start + SHOW_BATCH_SIZE]
        items = ipa.batch([('host_show', [fqdn], {}) for fqdn in chunk],
                          timeout=timeout)
        for item in items:
            if item.error is not None:
                continue
            if item.result['result'].get('has_keytab'):
                enrolled += 1
            else:
                pending += 1
    return OwnedHostCount(pending, enrolled)
