"""What an existing IPA host entry means for the instance that asks for it.

The vendordata path and the re-arm path (:mod:`novajoin.hosts.rearm`) both
read a host entry and must agree on what it is; they ask :func:`state_for`.

An entry novajoin created records its owner and OTP nonce in its
description (:mod:`novajoin.hosts.ownership`). For the owning instance it is in
one of these states, from ``has_password`` and ``has_keytab`` (FreeIPA
reports ``has_keytab`` false while a password is set):

``armed``
    a password and our nonce: the OTP derived from the nonce is the one
    IPA holds, and it has not been used yet.
``enrolled``
    a keytab: the OTP was used by ``ipa-join``; IPA refuses a new password.
``disabled``
    neither: enrolled once and then disabled (``ipa host-disable`` removes
    the keytab and leaves no password), or its unused OTP was cleared.
    Only an owner-checked re-arm gives it an OTP again, never a vendordata
    request: anything inside an instance can trigger one of those.
``unknown-password``
    a password without our nonce: set by novajoin 1.3.0 (which gave nova
    its OTP already) or by hand. novajoin cannot derive it and does not
    replace it on a vendordata request.
"""

from novajoin import exception
from novajoin.hosts import ownership

ARMED = 'armed'
ENROLLED = 'enrolled'
DISABLED = 'disabled'
UNKNOWN_PASSWORD = 'unknown-password'


class EntryState(object):
    """The state of an entry owned by the instance, and its nonce."""

    def __init__(self, state, nonce=None):
        self.state = state
        self.nonce = nonce

    def __repr__(self):
        return 'EntryState(%r)' % self.state


def state_for(entry, instance_id, fqdn):
    """The :class:`EntryState` of ``entry`` (a host_show result) for
    ``instance_id``.

    :raises novajoin.exception.HostOwnedByOther: the entry is not this
        instance's (another instance's, or not created by novajoin).
    """
    record = ownership.owner_of(entry)
    if record is None:
        raise exception.HostOwnedByOther(
            fqdn, 'was not created by novajoin (an IPA server or a host '
                  'added by hand?); it is left unchanged')
    if record.instance_id != instance_id:
        raise exception.HostOwnedByOther(
            fqdn, 'belongs to another instance; it is left unchanged')
    if record.role is not None:
        raise exception.HostOwnedByOther(
            fqdn, 'is a %s of a TLS service, not an instance\'s own host; '
                  'it is left unchanged' % record.role)
    if entry.get('has_keytab'):
        return EntryState(ENROLLED)
    if entry.get('has_password'):
        if record.otp_nonce:
            return EntryState(ARMED, record.otp_nonce)
        return EntryState(UNKNOWN_PASSWORD)
    return EntryState(DISABLED)
