"""Who owns an IPA host entry: the nova instance recorded in its description.

novajoin 1.3.0 wrote ``{"novajoin_metadata": {"nova_instance_id": "<uuid>"}}``
into the host's ``description``; we write the same shape (plus our own keys
under ``novajoin_metadata``) so entries made by either are recognised. The
enrollment API and the cleanup listener both decide ownership here and
nowhere else.

``created`` is when the entry got its current one-time password (added,
given an OTP late, or re-armed after a rebuild), in UTC. It is what the
unenrolled-host TTL counts from (:mod:`novajoin.reconcile`): IPA keeps no
creation time a client can read. Entries without it (novajoin 1.3.0's, or
made before this field existed) have ``created`` None.
"""

import datetime
import json

METADATA_KEY = 'novajoin_metadata'
INSTANCE_KEY = 'nova_instance_id'
OTP_NONCE_KEY = 'otp_nonce'
CREATED_KEY = 'created'
_TIME_FORMAT = '%Y-%m-%dT%H:%M:%SZ'


class OwnerRecord(object):
    """What novajoin recorded in a host entry it created."""

    def __init__(self, instance_id, otp_nonce=None, created=None):
        self.instance_id = instance_id
        self.otp_nonce = otp_nonce
        self.created = created

    def __eq__(self, other):
        return (isinstance(other, OwnerRecord)
                and self.instance_id == other.instance_id
                and self.otp_nonce == other.otp_nonce
                and self.created == other.created)

    def __repr__(self):
        # The nonce is not secret on its own, but it has no place in logs.
        return 'OwnerRecord(instance_id=%r)' % self.instance_id


def utcnow():
    """Now, in UTC, to the second (the resolution ``created`` keeps)."""
    return datetime.datetime.now(datetime.timezone.utc).replace(
        microsecond=0)


def build_description(instance_id, otp_nonce=None, created=None):
    """The ``description`` value for a host created for ``instance_id``.

    ``created`` (an aware datetime) defaults to now.
    """
    metadata = {INSTANCE_KEY: instance_id,
                CREATED_KEY: format_time(created or utcnow())}
    if otp_nonce is not None:
        metadata[OTP_NONCE_KEY] = otp_nonce
    return json.dumps({METADATA_KEY: metadata}, sort_keys=True)


def format_time(moment):
    return moment.astimezone(datetime.timezone.utc).strftime(_TIME_FORMAT)


def parse_time(text):
    """The aware datetime of a ``created`` value, or None if it is not one."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.datetime.strptime(text, _TIME_FORMAT)
    except ValueError:
        return None
    return moment.replace(tzinfo=datetime.timezone.utc)


def parse_description(description):
    """The :class:`OwnerRecord` in a description, or None if novajoin's is not.

    ``description`` may be what IPA returns (a list with one string) or a
    plain string. Anything that is not novajoin's JSON shape (a hand-made
    host, an IPA master, free text) has no owner record.
    """
    if isinstance(description, (list, tuple)):
        if len(description) != 1:
            return None
        description = description[0]
    if not isinstance(description, str):
        return None
    try:
        document = json.loads(description)
    except ValueError:
        return None
    if not isinstance(document, dict):
        return None
    metadata = document.get(METADATA_KEY)
    if not isinstance(metadata, dict):
        return None
    instance_id = metadata.get(INSTANCE_KEY)
    if not isinstance(instance_id, str) or not instance_id:
        return None
    nonce = metadata.get(OTP_NONCE_KEY)
    if not isinstance(nonce, str) or not nonce:
        nonce = None
    return OwnerRecord(instance_id, nonce,
                       parse_time(metadata.get(CREATED_KEY)))


def owner_of(host_entry):
    """The :class:`OwnerRecord` of an IPA host entry (dict), or None."""
    return parse_description(host_entry.get('description'))


def is_owned_by(host_entry, instance_id):
    record = owner_of(host_entry)
    return record is not None and record.instance_id == instance_id
