"""The IPA calls of a vendordata request: add a host entry with its name
checks, or read one.

These are the enrollment's only IPA round trips; what to make of their
results is decided elsewhere (:mod:`novajoin.hosts.enrollment_decision`).
A request that the cache cannot answer sends one ``batch``: the name
checks of :mod:`novajoin.hosts.reserved_names`, the ``host_show`` of the
entry, the search for another host the instance owns
(:func:`novajoin.hosts.inventory.instance_entries`' search, the
one-host-per-instance rule) and the ``host_add`` itself. IPA's ``batch`` is
not a transaction: every sub-call runs, so the reads come first, and an
entry added for a name the reads refuse is deleted again at once
(``host_del`` without ``updatedns``, one more round trip only on that rare
path) before the refusal is answered; its OTP never leaves. A new host
thus costs one round trip; an existing one costs the same (its
``host_add`` fails with DuplicateEntry and changes nothing). Each call is
counted on the request's attempt
(:mod:`novajoin.hosts.enrollment_attempt`) and given the time left before
its deadline.
"""

import collections
import logging

from novajoin import exception
from novajoin.hosts import inventory
from novajoin.hosts import ownership
from novajoin.ipa import errors as ipa_errors

LOG = logging.getLogger('novajoin.hosts.enrollment')

Creation = collections.namedtuple('Creation', ['created', 'entry'])
Creation.__doc__ = """Whether ``host_add`` created the entry; else the entry
that existed before the batch (None: another request added it while the
batch ran)."""


class HostEntryCalls(object):
    """Reads and adds the host entry of a request's FQDN."""

    def __init__(self, ipa, names):
        self._ipa = ipa
        self._names = names

    def show(self, attempt):
        """The host entry of ``attempt.fqdn``, or None if there is none."""
        try:
            output = self._call(attempt, self._ipa.host_show)
        except ipa_errors.NotFound:
            return None
        return output['result']

    def create_with_checks(self, attempt, checks, nonce, attributes):
        """Add the entry, with the name checks, in one round trip.

        One ``batch``: the name checks (``checks``, from
        :meth:`novajoin.hosts.reserved_names.ReservedNames.reads`), the
        ``host_show`` of the entry, the search for another host of the
        instance, then ``host_add`` (owned by the instance, with
        ``attempt.otp``). IPA runs every sub-call whatever the others
        answer, so the reads come first and show the name as it was before
        the add. When the add created the entry but a check says the name
        is not free (or could not be checked), the entry is deleted again
        (:meth:`_undo`) before the refusal is raised: the OTP never leaves.

        :returns: :class:`Creation`
        :raises novajoin.exception.NovajoinError: a subclass, for a name the
            checks refuse, or :class:`novajoin.exception.InstanceHasHost`.
        :raises novajoin.exception.InvalidRequest: IPA refused the values.
        """
        timeout = attempt.time_left()
        attempt.ipa_calls += 1
        owner_search = ('host_find', [inventory.instance_marker(
            attempt.instance_id)], {'sizelimit': 0})
        add = ('host_add', [attempt.fqdn], dict(
            attributes, force=True, userpassword=attempt.otp,
            description=ownership.build_description(attempt.instance_id,
                                                    nonce)))
        # host_show comes before host_find: the batch is routed by its
        # first sub-call about a host (per-host affinity).
        items = self._ipa.batch(
            checks + [('host_show', [attempt.fqdn], {}), owner_search, add],
            timeout=timeout)
        shown, found, added = items[len(checks):]
        created = added.error is None
        try:
            entry = self._entry(shown)
            # Ours is new even if another entry was deleted meanwhile.
            new_host = created or entry is None
            if new_host:
                self._refuse_second_host(attempt, found)
            self._names.refuse_from_reads(attempt.fqdn, checks,
                                          items[:len(checks)],
                                          new_host=new_host)
            if not created:
                self._raise_add_error(attempt, added.error)
        except BaseException:
            if created:
                self._undo(attempt)
            raise
        return Creation(created, entry)

    @staticmethod
    def _entry(shown):
        if isinstance(shown.error, ipa_errors.NotFound):
            return None
        if shown.error is not None:
            raise shown.error
        return shown.result['result']

    @staticmethod
    def _raise_add_error(attempt, error):
        if isinstance(error, ipa_errors.DuplicateEntry):
            return
        if isinstance(error, ipa_errors.ValidationError):
            raise exception.InvalidRequest(
                'IPA refused to add %s: %s'
                % (attempt.fqdn, attempt.scrub(error.message)))
        raise error

    def _undo(self, attempt):
        """Delete the entry this request just added for a refused name.

        Without ``updatedns``: DNS records on the name are not novajoin's
        and stay. Done even past the request's deadline (within the IPA
        client's own timeout): the refusal waits for it.
        """
        attempt.ipa_calls += 1
        try:
            self._ipa.host_del(attempt.fqdn)
        except ipa_errors.NotFound:
            return
        except (ipa_errors.IPAError, OSError) as exc:
            LOG.error('instance=%s fqdn=%s: the host was added in the same '
                      'batch as the name checks that refuse it, and could '
                      'not be deleted again (%s); no OTP was answered. '
                      'Delete it: ipa host-del %s', attempt.instance_id,
                      attempt.fqdn, type(exc).__name__, attempt.fqdn)
            raise attempt.unavailable(
                'IPA could not complete the enrollment') from None
        LOG.info('instance=%s fqdn=%s decision=undone reason=the name '
                 'checks of the batch refuse it', attempt.instance_id,
                 attempt.fqdn)

    @staticmethod
    def _refuse_second_host(attempt, found):
        """Refuse a new host for an instance that owns one already."""
        if found.error is not None:
            raise found.error
        if found.result.get('truncated'):
            raise attempt.unavailable(
                'IPA cut off the search for the hosts of the instance')
        for entry in found.result.get('result') or ():
            if ownership.is_owned_by(entry, attempt.instance_id):
                existing = inventory.host_fqdn(entry)
                if existing != attempt.fqdn:
                    raise exception.InstanceHasHost(attempt.fqdn, existing)

    @staticmethod
    def _call(attempt, command, **options):
        timeout = attempt.time_left()
        attempt.ipa_calls += 1
        return command(attempt.fqdn, timeout=timeout, **options)
