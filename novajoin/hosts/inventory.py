"""Find the host entries novajoin owns in IPA, never trusting a cut-off search.

Problem: FreeIPA stops a search at ``sizelimit`` entries or after
``timelimit`` seconds (100 entries and 2 s by default,
``ipasearchrecordslimit``/``ipasearchtimelimit``) and then answers
``truncated: true`` with what it found so far. Taking that answer for the
whole set would make reconciliation skip hosts and the delete handler miss
an instance's host, so a truncated answer is never used as a complete one.

Design: every owner record (:mod:`novajoin.hosts.ownership`) contains the text
``"nova_instance_id": "<uuid>"`` -- novajoin 1.3.0 and this novajoin both
write it with :func:`json.dumps`' default separators -- and ``host_find``'s
``criteria`` is a case-insensitive substring match over the description
(and a few other attributes). :func:`owned_hosts` searches for that text;
when IPA cuts the answer off, it searches once per next character of the
instance id (``"nova_instance_id": "0``, ``... "1``, ..., ``... "f``) and
splits again only the parts that are still cut off. Each search returns at
most one limit's worth of entries, so the number of searches grows with the
number of owned hosts divided by the limit, whatever the limit is. Every
match is checked with :func:`novajoin.hosts.ownership.owner_of`; the text match
only narrows the search.

Limit: an owner record written with other JSON spacing, or an instance id
that is not a lowercase or uppercase hexadecimal UUID, is found only while
the whole set fits in one answer. nova's instance ids are UUIDs.
"""

import collections

from novajoin.hosts import ownership

ID_MARKER = '"%s": "' % ownership.INSTANCE_KEY
# The characters of a UUID, in the order the parts are searched.
_ID_ALPHABET = '0123456789abcdef-'
_UUID_LENGTH = 36

OwnedHost = collections.namedtuple('OwnedHost', ['fqdn', 'record', 'entry'])
OwnedHost.__doc__ = """A host entry with novajoin's owner record.

``entry`` is the IPA entry as the search returned it."""


class SearchTruncated(Exception):
    """IPA cut off a search that cannot be narrowed any further."""


def host_fqdn(entry):
    fqdn = entry['fqdn']
    return fqdn[0] if isinstance(fqdn, (list, tuple)) else fqdn


def is_enrolled(entry):
    """Whether the host has enrolled, from ``host_show`` or a ``host_find``
    with ``all``.

    ``host_find`` has no ``has_keytab``; ``krblastpwdchange`` is set when the
    keytab is stored and removed by ``host_disable``.
    """
    if 'has_keytab' in entry:
        return bool(entry['has_keytab'])
    return bool(entry.get('krblastpwdchange'))


def instance_entries(ipa, instance_id, **options):
    """The host entries whose owner record names ``instance_id``: its own
    host, and the subhosts and service hosts made for it (any ``role``).

    :raises SearchTruncated: IPA cut the answer off even without its
        default limit (the server's own size or time limit).
    """
    # criteria also matches fqdn, location, ..., which tenants choose:
    # entries naming this id could fill IPA's default limit of 100 and hide
    # the owner's own, so that limit is lifted (sizelimit=0).
    options.setdefault('sizelimit', 0)
    entries = _search(ipa, instance_id, options)
    if entries is None:
        raise SearchTruncated(
            'IPA cut off the search for the hosts of instance %s'
            % instance_id)
    return [entry for entry in entries
            if _record_names(entry, instance_id)]


def _record_names(entry, instance_id):
    record = ownership.owner_of(entry)
    return record is not None and record.instance_id == instance_id


def owned_hosts(ipa, **options):
    """Every host entry with an owner record, as :class:`OwnedHost`.

    ``options`` go to every ``host_find`` (e.g. ``all=True``).

    :raises SearchTruncated: IPA cut off the search of one full instance id.
    """
    found = {}
    pending = ['']
    while pending:
        prefix = pending.pop()
        entries = _search(ipa, ID_MARKER + prefix, options)
        if entries is None:
            if len(prefix) >= _UUID_LENGTH:
                raise SearchTruncated(
                    'IPA cut off the search for the hosts of instance %s'
                    % prefix)
            pending.extend(prefix + character
                           for character in reversed(_ID_ALPHABET))
            continue
        for entry in entries:
            record = ownership.owner_of(entry)
            if record is not None:
                fqdn = host_fqdn(entry)
                found[fqdn] = OwnedHost(fqdn, record, entry)
    return [found[fqdn] for fqdn in sorted(found)]


def _search(ipa, criteria, options):
    """The entries matching ``criteria``, or None if IPA cut them off."""
    output = ipa.host_find(criteria=criteria, **options)
    if output.get('truncated'):
        return None
    return output.get('result') or []
