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
- text written before that (free-text locations) can still match; such
  an entry is listed only under its own record's id.

Cost (:func:`iter_owned_hosts`): IPA's ``sizelimit`` option may be raised
above its default of 100 per search; only the directory server's own limit
(``nsslapd-sizelimit``, 2000 by default) is left. Each search asks for
:data:`PAGE_SIZE` entries, below that limit, and without ``all`` (with
``all`` FreeIPA searches each entry's managed hosts, one more search per
entry). The first search is for the marker alone: up to a page of owned
hosts, that is the whole listing. When IPA cuts it off, the listing
searches ``"nova_instance_id": "0``, then, if that is cut off too,
``"nova_instance_id": "00``, ...: the first complete answer of such a
probe, times the share of instance ids its prefix covers, estimates how
many hosts there are. Instance ids are random UUIDs, so each prefix of
the same length holds about as many: every other prefix is searched at
the shortest length whose expected count (:data:`PAGE_TARGET`) fits a
page with room to spare. Then about N / :data:`PAGE_SIZE` to 16 x
N / :data:`PAGE_SIZE` searches list N owned hosts, never more than
N / (:data:`PAGE_TARGET` / 16) (1.14 x N/100) plus the probes: 17 searches
up to about 22,000 hosts, 258 up to 350,000. A prefix that is still cut
off is split into the next character of the id (16 hexadecimal digits,
or only ``-`` where a UUID has one); when IPA cuts an answer off with
fewer entries than asked, that is its limit, and the pages shrink to it.
At a full instance id the listing searches once more without IPA's limit
(``sizelimit=0``): only the directory server's own limit can still cut
that off, and then that one id is skipped and reported (``skipped``),
never the whole pass.

Each owned host is yielded once (the search for its own id's prefix) as
soon as its page is read; one page of entries is held at a time.

Limit: an owner record written with other JSON spacing, or an instance id
that is not a lowercase or uppercase hexadecimal UUID, is found only while
the whole set fits in one answer. nova's instance ids are UUIDs.
"""

import collections
import logging

from novajoin.hosts import ownership

LOG = logging.getLogger(__name__)

ID_MARKER = '"%s": "' % ownership.INSTANCE_KEY
_HEX_DIGITS = '0123456789abcdef'
# Where a UUID has a '-' (the only character there).
_HYPHENS = (8, 13, 18, 23)
_UUID_LENGTH = 36

# Entries asked for per search: under the directory server's default
# nsslapd-sizelimit (2000), so the search with IPA's limit raised is
# answered whole.
PAGE_SIZE = 1600
# The most entries a prefix may be expected to hold to be searched in
# one page: 5 standard deviations below PAGE_SIZE (a uniform prefix's
# count is binomial, about Poisson). Over 16 x PAGE_TARGET / 100 = 14, a
# hundred-entry page's worth, the ratio is what bounds the searches.
PAGE_TARGET = 1400

# Hosts per ``batch`` of ``host_show`` after a listing: host_find does
# not report whether a host holds a keytab. About N/250 round trips.
SHOW_BATCH = 250

# What each owned host keeps of its IPA entry.
_KEPT_KEYS = ('fqdn', 'krbprincipalname', 'has_keytab', 'has_password',
              'krblastpwdchange')

OwnedHost = collections.namedtuple('OwnedHost', ['fqdn', 'record', 'entry'])
OwnedHost.__doc__ = """A host entry with novajoin's owner record.

``entry`` holds what the search returned of the IPA entry's ``fqdn``,
``krbprincipalname`` and, where present, enrollment attributes; not the
description (``record`` is what it says)."""


class SearchTruncated(Exception):
    """IPA cut off a search that cannot be narrowed any further."""


class OwnedHosts(list):
    """The :class:`OwnedHost` list :func:`owned_hosts` found.

    ``skipped`` lists the searches (a full ``"nova_instance_id": "<id>``
    text) that IPA cut off even without its own limit: the hosts they
    would have found are missing from the list. ``searches`` counts the
    ``host_find`` calls made.
    """

    def __init__(self, hosts=(), skipped=(), searches=0):
        super(OwnedHosts, self).__init__(hosts)
        self.skipped = list(skipped)
        self.searches = searches


def in_show_batches(items):
    """``items`` as lists of at most :data:`SHOW_BATCH`, as they come."""
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == SHOW_BATCH:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def host_fqdn(entry):
    fqdn = entry['fqdn']
    return fqdn[0] if isinstance(fqdn, (list, tuple)) else fqdn


def is_enrolled(entry):
    """Whether the host has enrolled, from ``host_show`` or a ``host_find``
    with ``all``.

    ``host_find`` has no ``has_keytab``; ``krblastpwdchange`` is set when the
    keytab is stored and removed by ``host_disable``. The owner listing
    asks without ``all``, so its entries have neither: False (not known
    to be enrolled) until a ``host_show`` says.
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
    """Every host entry with an owner record, as :class:`OwnedHosts`
    sorted by fqdn.

    Holds them all; :func:`iter_owned_hosts` streams them.
    """
    listing = OwnerListing(ipa, **options)
    found = sorted(listing, key=lambda host: host.fqdn)
    return OwnedHosts(found, listing.skipped, listing.searches)


def iter_owned_hosts(ipa, **options):
    """Every host entry with an owner record, as :class:`OwnedHost`, in no
    particular order; see :class:`OwnerListing`.
    """
    return iter(OwnerListing(ipa, **options))


class OwnerListing(object):
    """One pass over the owned hosts (see the module's Cost).

    Iterating yields each :class:`OwnedHost` once; afterwards ``skipped``
    lists the full instance ids IPA cut off even without its limit
    (logged) and ``searches`` counts the ``host_find`` calls. ``options``
    go to every ``host_find`` (e.g. ``timeout``).
    """

    def __init__(self, ipa, page_size=PAGE_SIZE, **options):
        self._ipa = ipa
        self._options = options
        self.page_size = page_size
        self.skipped = []
        self.searches = 0
        # Owned hosts per instance id, from the first complete probe.
        self._estimate = None

    def __iter__(self):
        pending = ['']
        while pending:
            prefix = pending.pop()
            if self._too_large(prefix):
                pending.extend(reversed(_children(prefix)))
                continue
            entries = self._search(prefix)
            if entries is None:
                pending.extend(reversed(_children(prefix)))
                continue
            if prefix and entries and self._estimate is None:
                self._estimate = len(entries) / _share(prefix)
            for entry in entries:
                host = _owned(entry, prefix)
                if host is not None:
                    yield host

    def _target(self):
        # The share of a page a prefix may be expected to fill.
        return self.page_size * PAGE_TARGET // PAGE_SIZE

    def _too_large(self, prefix):
        """Whether ``prefix`` is expected to hold more than a page."""
        return (self._estimate is not None
                and len(prefix) < _UUID_LENGTH
                and self._estimate * _share(prefix) > self._target())

    def _search(self, prefix):
        """The entries of one prefix, or None to split it."""
        criteria = ID_MARKER + prefix
        output = self._find(criteria, self.page_size)
        if output.get('truncated'):
            count = len(output.get('result') or ())
            if 0 < count < self.page_size:
                # IPA's own limit is lower than the page asked for.
                LOG.info('owner search: IPA cut a search off at %d '
                         'entries; searching in pages of that size',
                         count)
                self.page_size = count
            if len(prefix) < _UUID_LENGTH:
                return None
            # Only text matching this full id is left to split on: lift
            # IPA's own limit for this one search.
            output = self._find(criteria, 0)
            if output.get('truncated'):
                LOG.error('owner search skipped instance=%s reason=IPA '
                          'cut off the search for its hosts even without '
                          'its size limit (the directory server\'s own '
                          'limit); its hosts are left out of this pass',
                          prefix)
                self.skipped.append(prefix)
                return []
        return output.get('result') or []

    def _find(self, criteria, sizelimit):
        self.searches += 1
        return self._ipa.host_find(criteria=criteria,
                                   **dict(self._options,
                                          sizelimit=sizelimit))


def _children(prefix):
    """The prefixes one instance id character longer."""
    if len(prefix) in _HYPHENS:
        return [prefix + '-']
    return [prefix + digit for digit in _HEX_DIGITS]


def _share(prefix):
    """The share of random UUIDs starting with ``prefix``."""
    digits = sum(1 for position in range(len(prefix))
                 if position not in _HYPHENS)
    return 16.0 ** -digits


def _owned(entry, prefix):
    """The :class:`OwnedHost` of an entry found by searching ``prefix``,
    or None if its owner record is not novajoin's or names an id outside
    the prefix (it is listed by that id's search).
    """
    record = ownership.owner_of(entry)
    if record is None:
        return None
    if prefix and not record.instance_id.lower().startswith(prefix):
        return None
    fqdn = host_fqdn(entry)
    kept = {key: entry[key] for key in _KEPT_KEYS if key in entry}
    kept['fqdn'] = [fqdn]
    return OwnedHost(fqdn, record, kept)


def _search(ipa, criteria, options):
    """The entries matching ``criteria``, or None if IPA cut them off."""
    output = ipa.host_find(criteria=criteria, **options)
    if output.get('truncated'):
        return None
    return output.get('result') or []
