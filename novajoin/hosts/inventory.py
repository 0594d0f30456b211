"""Find the host entries novajoin owns in IPA, never trusting a cut-off search.

Problem: FreeIPA stops a search at ``sizelimit`` entries or after
``timelimit`` seconds (100 entries and 2 s by default,
``ipasearchrecordslimit``/``ipasearchtimelimit``) and then answers
``truncated: true`` with what it found so far. Taking that answer for the
whole set would make reconciliation skip hosts and the delete handler miss
an instance's host, so a truncated answer is never used as a complete one.

Design: every owner record (:mod:`novajoin.hosts.ownership`) contains the text
``"nova_instance_id": "<uuid>"`` -- novajoin 1.3.0 and this novajoin both
write it with :func:`json.dumps`' default separators. FreeIPA offers no
substring search of the description alone: ``host_find``'s attribute
options (``description=...``) match whole values exactly, and only
``criteria`` matches substrings, over the description *and* attributes a
tenant chooses (fqdn, location, OS version, ...). So the text match only
narrows the search and the owner record decides: every match is checked
with :func:`novajoin.hosts.ownership.owner_of`, and a tenant's text can
neither make an entry owned nor hide one:

- tenant text novajoin writes cannot contain the marker any more
  (:mod:`novajoin.hosts.tenant_text` refuses ``"`` and ``:``), and the
  marker's ``"`` cannot occur in a host name;
- text written before that (free-text locations) can still match. Each
  search lifts IPA's default limit only where it must: :func:`owned_hosts`
  searches for the marker; when IPA cuts the answer off, it searches once
  per next character of the instance id (``"nova_instance_id": "0``, ...,
  ``... "f``) and splits again only the parts that are still cut off. At
  a full instance id it searches once more without IPA's limit
  (``sizelimit=0``): only the directory server's own limit
  (``nsslapd-sizelimit``, 2000 by default) can still cut that off, and
  then that one id is skipped and reported (:class:`SearchResult`
  ``skipped``), never the whole pass.

Limit: an owner record written with other JSON spacing, or an instance id
that is not a lowercase or uppercase hexadecimal UUID, is found only while
the whole set fits in one answer. nova's instance ids are UUIDs.
"""

import collections
import logging

from novajoin.hosts import ownership

LOG = logging.getLogger(__name__)

ID_MARKER = '"%s": "' % ownership.INSTANCE_KEY
# The characters of a UUID, in the order the parts are searched.
_ID_ALPHABET = '0123456789abcdef-'
_UUID_LENGTH = 36

OwnedHost = collections.namedtuple('OwnedHost', ['fqdn', 'record', 'entry'])
OwnedHost.__doc__ = """A host entry with novajoin's owner record.

``entry`` is the IPA entry as the search returned it."""


class SearchTruncated(Exception):
    """IPA cut off a search that cannot be narrowed any further."""


class OwnedHosts(list):
    """The :class:`OwnedHost` list :func:`owned_hosts` found.

    ``skipped`` lists the searches (a full ``"nova_instance_id": "<id>``
    text) that IPA cut off even without its own limit: the hosts they
    would have found are missing from the list.
    """

    def __init__(self, hosts=(), skipped=()):
        super(OwnedHosts, self).__init__(hosts)
        self.skipped = list(skipped)


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


def instance_marker(instance_id):
    """The ``criteria`` text of every owner record naming ``instance_id``."""
    return '%s%s"' % (ID_MARKER, instance_id)


def _record_names(entry, instance_id):
    record = ownership.owner_of(entry)
    return record is not None and record.instance_id == instance_id


def owned_hosts(ipa, **options):
    """Every host entry with an owner record, as :class:`OwnedHosts`.

    ``options`` go to every ``host_find`` (e.g. ``all=True``). A full
    instance id whose search IPA cuts off even without its limit is
    logged and listed in the result's ``skipped``; the rest is found.
    """
    found = {}
    skipped = []
    pending = ['']
    while pending:
        prefix = pending.pop()
        entries = _search(ipa, ID_MARKER + prefix, options)
        if entries is None and len(prefix) >= _UUID_LENGTH:
            # Only text matching this full id is left to split on: lift
            # IPA's own limit for this one search.
            entries = _search(ipa, ID_MARKER + prefix,
                              dict(options, sizelimit=0))
            if entries is None:
                LOG.error('owner search skipped instance=%s reason=IPA '
                          'cut off the search for its hosts even without '
                          'its size limit (the directory server\'s own '
                          'limit); its hosts are left out of this pass',
                          prefix)
                skipped.append(prefix)
                continue
        if entries is None:
            pending.extend(prefix + character
                           for character in reversed(_ID_ALPHABET))
            continue
        for entry in entries:
            record = ownership.owner_of(entry)
            if record is not None:
                fqdn = host_fqdn(entry)
                found[fqdn] = OwnedHost(fqdn, record, entry)
    return OwnedHosts([found[fqdn] for fqdn in sorted(found)], skipped)


def _search(ipa, criteria, options):
    """The entries matching ``criteria``, or None if IPA cut them off."""
    output = ipa.host_find(criteria=criteria, **options)
    if output.get('truncated'):
        return None
    return output.get('result') or []
