"""What a vendordata request is answered, given the host entry it found.

Kept apart from the IPA calls (:mod:`novajoin.hosts.enrollment_ipa`) so
that the rule reads in one place: a vendordata request sets a password
only on an entry it has just created. For an existing entry it repeats the
unused OTP of this instance's entry, or answers without one; it never
writes to IPA. Decisions (``EnrollmentResult.decision``):

- ``not-requested``: ``{}``;
- ``created``: the entry was added, with a fresh nonce and its OTP;
- ``repeat``: the entry is this instance's and its OTP is unused: the same
  OTP as before;
- ``enrolled``: the entry has a keytab: hostname and realm only;
- ``disabled``: the entry has neither keytab nor password: hostname and
  realm only.

The entry's state comes from :mod:`novajoin.hosts.host_entry`, which the
re-arm path asks too.
"""

from novajoin import exception
from novajoin.hosts import host_entry

NOT_REQUESTED = 'not-requested'
CREATED = 'created'
REPEAT = 'repeat'
ENROLLED = 'enrolled'
DISABLED = 'disabled'


class EnrollmentResult(object):
    """The decision, and the body to answer nova with."""

    def __init__(self, decision, body, fqdn=None, ipa_calls=0):
        self.decision = decision
        self.body = body
        self.fqdn = fqdn
        self.ipa_calls = ipa_calls

    def __repr__(self):
        # The body may hold the OTP.
        return ('EnrollmentResult(decision=%r, fqdn=%r, ipa_calls=%r)'
                % (self.decision, self.fqdn, self.ipa_calls))


def for_existing_entry(entry, instance_id, fqdn):
    """The decision for ``entry``, and the nonce of the OTP to repeat.

    :returns: ``(decision, nonce)``; the nonce is None unless the decision
        is ``repeat``.
    :raises novajoin.exception.HostOwnedByOther: not this instance's entry.
    :raises novajoin.exception.HostPasswordUnknown: a password novajoin
        cannot derive.
    """
    state = host_entry.state_for(entry, instance_id, fqdn)
    if state.state == host_entry.ENROLLED:
        return ENROLLED, None
    if state.state == host_entry.DISABLED:
        return DISABLED, None
    if state.state == host_entry.UNKNOWN_PASSWORD:
        raise exception.HostPasswordUnknown(fqdn)
    return REPEAT, state.nonce


def answer(decision, attempt, realm):
    """The result for ``decision``; its body has the OTP, if any."""
    body = {'hostname': attempt.fqdn, 'krb_realm': realm}
    if attempt.otp is not None:
        body['ipaotp'] = attempt.otp
    return EnrollmentResult(decision, body, attempt.fqdn, attempt.ipa_calls)
