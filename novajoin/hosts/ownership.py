"""Who owns an IPA host entry: the nova instance recorded in its description.

novajoin 1.3.0 wrote ``{"novajoin_metadata": {"nova_instance_id": "<uuid>"}}``
into the host's ``description``; we write the same shape (plus our own keys
under ``novajoin_metadata``) so entries made by either are recognised. The
enrollment API and the cleanup listener both decide ownership here and
nowhere else.

Besides the instance's own host, novajoin creates two kinds of host entries
for TLS services (:mod:`novajoin.services`), recorded with a ``role``:

- ``subhost``: ``<short>.<network>.<zone>`` of a compact service (zone:
  the instance's, see :mod:`novajoin.services.confinement`); it
  belongs to the instance like its host and goes when the instance goes;
- ``service-host``: the host of a managed service principal (a VIP name),
  created by the first instance that named it. It outlives that instance
  while other hosts manage its services; ``project_id`` says which project
  may share it.

Entries without a ``role`` are an instance's own host (novajoin 1.3.0 wrote
no role). IPA service entries have no description: a service is owned
through its host.

``created`` is when the entry was added or, for an instance's host, got its
current one-time password (re-armed after a rebuild), in UTC. It is what the
unenrolled-host TTL counts from (:mod:`novajoin.hosts.reconcile`): IPA keeps no
creation time a client can read. Entries without it (novajoin 1.3.0's, or
made before this field existed) have ``created`` None.

``disabled_for_rebuild`` is written by the listener just before it
disables an instance's enrolled host for a rebuild: the time nova says that
rebuild started. It is the record that novajoin, not an administrator,
disabled the entry, so only such an entry is re-armed for that rebuild
(:mod:`novajoin.hosts.rebuild`). The re-arm writes a record without it.

``floating_ips`` lists the A records novajoin added under an instance's
host name for floating IPs (:mod:`novajoin.notify.floating_ips`): each
address with the id of the neutron floating IP it belongs to (None for
nova-network's, which have no id). A floating IP's delete removes a record
only for a floating IP recorded here, so records made by hand or by IPA's
own DNS updates stay; every rewrite of the description keeps the list.
"""

import datetime
import ipaddress
import json

METADATA_KEY = 'novajoin_metadata'
INSTANCE_KEY = 'nova_instance_id'
OTP_NONCE_KEY = 'otp_nonce'
CREATED_KEY = 'created'
_TIME_FORMAT = '%Y-%m-%dT%H:%M:%SZ'
ROLE_KEY = 'role'
PROJECT_KEY = 'project_id'
REBUILD_KEY = 'disabled_for_rebuild'
FLOATING_IPS_KEY = 'floating_ips'

ROLE_SUBHOST = 'subhost'
ROLE_SERVICE_HOST = 'service-host'
ROLES = (ROLE_SUBHOST, ROLE_SERVICE_HOST)


class OwnerRecord(object):
    """What novajoin recorded in a host entry it created."""

    def __init__(self, instance_id, otp_nonce=None, role=None,
                 project_id=None, created=None, disabled_for_rebuild=None,
                 floating_ips=None):
        self.instance_id = instance_id
        self.otp_nonce = otp_nonce
        # None: the instance's own host.
        self.role = role
        self.project_id = project_id
        self.created = created
        self.disabled_for_rebuild = disabled_for_rebuild
        # address: floating IP id (None for nova-network's).
        self.floating_ips = dict(floating_ips or {})

    def __eq__(self, other):
        return (isinstance(other, OwnerRecord)
                and self.instance_id == other.instance_id
                and self.otp_nonce == other.otp_nonce
                and self.role == other.role
                and self.project_id == other.project_id
                and self.created == other.created
                and self.disabled_for_rebuild == other.disabled_for_rebuild
                and self.floating_ips == other.floating_ips)

    def __repr__(self):
        # The nonce is not secret on its own, but it has no place in logs.
        return 'OwnerRecord(instance_id=%r, role=%r)' % (self.instance_id,
                                                         self.role)


def utcnow():
    """Now, in UTC, to the second (the resolution ``created`` keeps)."""
    return datetime.datetime.now(datetime.timezone.utc).replace(
        microsecond=0)


def build_description(instance_id, otp_nonce=None, role=None,
                      project_id=None, created=None,
                      disabled_for_rebuild=None, floating_ips=None):
    """The ``description`` value for a host created for ``instance_id``.

    ``role`` is one of :data:`ROLES` for the hosts of TLS services, None
    for the instance's own host. ``created`` (an aware datetime) defaults
    to now. ``disabled_for_rebuild`` (an aware datetime) is when the
    rebuild for which novajoin disables the entry started. ``floating_ips``
    maps the addresses of the floating IP records novajoin added under the
    host's name to their floating IP ids.
    """
    if role is not None and role not in ROLES:
        raise ValueError('unknown ownership role %r' % role)
    metadata = {INSTANCE_KEY: instance_id,
                CREATED_KEY: format_time(created or utcnow())}
    if otp_nonce is not None:
        metadata[OTP_NONCE_KEY] = otp_nonce
    if role is not None:
        metadata[ROLE_KEY] = role
    if project_id is not None:
        metadata[PROJECT_KEY] = project_id
    if disabled_for_rebuild is not None:
        metadata[REBUILD_KEY] = format_time(disabled_for_rebuild)
    if floating_ips:
        metadata[FLOATING_IPS_KEY] = dict(floating_ips)
    return json.dumps({METADATA_KEY: metadata}, sort_keys=True)


def rewritten(record, **changes):
    """The description of ``record`` with ``changes`` (keyword arguments of
    :func:`build_description`) applied, everything else kept.

    A record without ``created`` (novajoin 1.3.0's) gets now.
    """
    fields = {'otp_nonce': record.otp_nonce, 'role': record.role,
              'project_id': record.project_id, 'created': record.created,
              'disabled_for_rebuild': record.disabled_for_rebuild,
              'floating_ips': record.floating_ips}
    fields.update(changes)
    return build_description(record.instance_id, **fields)


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
    role = metadata.get(ROLE_KEY)
    if role is not None and role not in ROLES:
        # A role this version does not know: not safe to treat the entry
        # as anything of ours.
        return None
    return OwnerRecord(instance_id, _optional_text(metadata, OTP_NONCE_KEY),
                       role, _optional_text(metadata, PROJECT_KEY),
                       parse_time(metadata.get(CREATED_KEY)),
                       parse_time(metadata.get(REBUILD_KEY)),
                       _floating_ips(metadata.get(FLOATING_IPS_KEY)))


def _floating_ips(value):
    """The well-formed entries of a ``floating_ips`` value."""
    if not isinstance(value, dict):
        return {}
    found = {}
    for address, floatingip_id in value.items():
        try:
            address = str(ipaddress.ip_address(address))
        except ValueError:
            continue
        if floatingip_id is None or (isinstance(floatingip_id, str)
                                     and floatingip_id):
            found[address] = floatingip_id
    return found


def _optional_text(metadata, key):
    value = metadata.get(key)
    if not isinstance(value, str) or not value:
        return None
    return value


def owner_of(host_entry):
    """The :class:`OwnerRecord` of an IPA host entry (dict), or None."""
    return parse_description(host_entry.get('description'))


def is_owned_by(host_entry, instance_id):
    """Whether ``host_entry`` is the own host of ``instance_id``.

    Subhosts and service hosts are not: see :func:`is_service_entry_of`.
    """
    record = owner_of(host_entry)
    return (record is not None and record.role is None
            and record.instance_id == instance_id)


def is_service_entry_of(host_entry, instance_id, role):
    """Whether ``host_entry`` is a ``role`` host created for the instance."""
    record = owner_of(host_entry)
    return (record is not None and record.role == role
            and record.instance_id == instance_id)
