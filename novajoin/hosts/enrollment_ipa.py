"""The IPA calls of a vendordata request: read a host entry, or add one.

These are the enrollment's only IPA round trips; what to make of their
results is decided elsewhere (:mod:`novajoin.hosts.enrollment_decision`).
The read of an entry carries the name checks of
:mod:`novajoin.hosts.reserved_names` as sub-calls of one ``batch`` when
there are any, so checking a name adds no round trip to a request that
must read anyway. The same ``batch`` looks for another host the
instance already owns (:func:`novajoin.hosts.inventory.instance_entries`'
search), so the one-host-per-instance rule costs no round trip either.
Each call is counted on the request's attempt
(:mod:`novajoin.hosts.enrollment_attempt`) and given the time left before
its deadline.
"""

from novajoin import exception
from novajoin.hosts import inventory
from novajoin.hosts import ownership
from novajoin.ipa import errors as ipa_errors


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

    def show_and_check_name(self, attempt, checks):
        """:meth:`show`, the name checks, and the instance's other host, in
        one round trip.

        :raises novajoin.exception.NovajoinError: a subclass, for a name
            the checks refuse, or :class:`novajoin.exception.InstanceHasHost`
            when the entry is missing and the instance owns another host.
        """
        timeout = attempt.time_left()
        attempt.ipa_calls += 1
        owner_search = ('host_find', [inventory.instance_marker(
            attempt.instance_id)], {'sizelimit': 0})
        items = self._ipa.batch([('host_show', [attempt.fqdn], {}),
                                 owner_search] + checks, timeout=timeout)
        shown = items[0]
        if isinstance(shown.error, ipa_errors.NotFound):
            entry = None
        elif shown.error is not None:
            raise shown.error
        else:
            entry = shown.result['result']
        if entry is None:
            self._refuse_second_host(attempt, items[1])
        self._names.refuse_from_reads(attempt.fqdn, checks, items[2:],
                                      new_host=entry is None)
        return entry

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

    def add(self, attempt, nonce, attributes):
        """Add the entry, owned by the instance, with ``attempt.otp``.

        :raises novajoin.ipa.errors.DuplicateEntry: the entry exists.
        :raises novajoin.exception.InvalidRequest: IPA refused the values.
        """
        try:
            self._call(
                attempt, self._ipa.host_add, force=True,
                description=ownership.build_description(attempt.instance_id,
                                                        nonce),
                userpassword=attempt.otp, **attributes)
        except ipa_errors.ValidationError as exc:
            raise exception.InvalidRequest(
                'IPA refused to add %s: %s'
                % (attempt.fqdn, attempt.scrub(exc.message)))

    @staticmethod
    def _call(attempt, command, **options):
        timeout = attempt.time_left()
        attempt.ipa_calls += 1
        return command(attempt.fqdn, timeout=timeout, **options)
