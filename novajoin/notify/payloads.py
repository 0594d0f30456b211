"""Read the few fields the listener needs out of notification payloads.

Each reader takes a whole payload and returns a small record, or raises
:class:`MalformedNotification` with a message that says what is wrong. Nothing
else in the listener looks inside a payload.
"""

import collections
import ipaddress

InstanceRef = collections.namedtuple('InstanceRef', ['instance_id',
                                                     'hostname'])

# Metadata keys of TLS services (novajoin.services.metadata).
SERVICE_KEY_PREFIXES = ('compact_service', 'managed_service_')


class InstanceUpdate(collections.namedtuple(
        'InstanceUpdate', ['instance_id', 'project_id', 'metadata', 'state',
                           'task_state'])):
    """An instance.update: what the services of the instance depend on."""

    __slots__ = ()

    @property
    def enroll_requested(self):
        return self.metadata.get('ipa_enroll', '').lower() == 'true'

    @property
    def names_services(self):
        return any(key.startswith(SERVICE_KEY_PREFIXES)
                   for key in self.metadata)


# instance_id is None when the notification does not name the instance (an
# old neutron without port_details): it is then found through port_id.
# project_id is the floating IP's project, read for associations only.
# floatingip_id: neutron's id of the floating IP (None from nova-network).
FloatingIPChange = collections.namedtuple(
    'FloatingIPChange', ['address', 'associated', 'port_id', 'instance_id',
                         'project_id', 'floatingip_id'], defaults=(None,))

# A deleted neutron floating IP: its id, and, from neutron that sends the
# floating IP as it was, its address and the instance its port was bound to
# (None from older neutron).
FloatingIPDelete = collections.namedtuple(
    'FloatingIPDelete', ['floatingip_id', 'address', 'instance_id'])


class MalformedNotification(ValueError):
    """The payload lacks a field we need or has it in the wrong type."""


class UnsupportedPayloadVersion(MalformedNotification):
    """A versioned payload whose major version this listener cannot read."""


def _require_dict(value, what):
    if not isinstance(value, dict):
        raise MalformedNotification('%s is %s, not an object'
                                    % (what, type(value).__name__))
    return value


def _require_string(container, key, what):
    value = container.get(key)
    if not isinstance(value, str) or not value:
        raise MalformedNotification('%s.%s is missing or not a non-empty '
                                    'string' % (what, key))
    return value


def _optional_string(container, key, what):
    value = container.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise MalformedNotification('%s.%s is %s, not a string'
                                    % (what, key, type(value).__name__))
    return value or None


def _require_ipv4(container, key, what):
    value = _require_string(container, key, what)
    try:
        return str(ipaddress.IPv4Address(value))
    except ValueError:
        raise MalformedNotification('%s.%s %r is not an IPv4 address'
                                    % (what, key, value))


def read_versioned_instance(payload, supported_major=1):
    """InstanceRef from a versioned nova ``Instance*Payload``.

    Only payloads of major version ``supported_major`` are read: a new major
    version may have moved or changed the fields we rely on.
    """
    _require_dict(payload, 'payload')
    version = _require_string(payload, 'nova_object.version', 'payload')
    name = payload.get('nova_object.name')
    major = version.split('.', 1)[0]
    if not major.isdigit():
        raise MalformedNotification('payload nova_object.version %r is not '
                                    'a version' % version)
    if int(major) != supported_major:
        raise UnsupportedPayloadVersion(
            'payload %s version %s is not supported (this listener reads '
            'major version %d)' % (name, version, supported_major))
    data = _require_dict(payload.get('nova_object.data'),
                         'payload nova_object.data')
    return InstanceRef(_require_string(data, 'uuid', 'nova_object.data'),
                       _optional_string(data, 'host_name',
                                        'nova_object.data'))


def read_versioned_instance_update(payload, supported_major=2):
    """InstanceUpdate from a versioned ``InstanceUpdatePayload``."""
    instance = read_versioned_instance(payload, supported_major)
    return _instance_update(instance, payload['nova_object.data'],
                            'nova_object.data', 'task_state')


def read_legacy_instance_update(payload):
    """InstanceUpdate from an unversioned ``compute.instance.update``."""
    return _instance_update(read_legacy_instance(payload), payload,
                            'payload', 'new_task_state')


def _instance_update(instance, fields, what, task_state_key):
    return InstanceUpdate(
        instance.instance_id,
        _optional_string(fields, 'tenant_id', what),
        _read_metadata(fields.get('metadata'), what + '.metadata'),
        _optional_string(fields, 'state', what),
        _optional_string(fields, task_state_key, what))


def _read_metadata(value, what):
    """Instance metadata as a dict of strings.

    Older nova sent a list of ``{"key", "value"}`` objects.
    """
    if value is None:
        return {}
    if isinstance(value, list):
        items = []
        for item in value:
            _require_dict(item, '%s item' % what)
            items.append((item.get('key'), item.get('value')))
    else:
        items = _require_dict(value, what).items()
    metadata = {}
    for key, item_value in items:
        if not isinstance(key, str) or not isinstance(item_value, str):
            raise MalformedNotification('%s must map strings to strings'
                                        % what)
        metadata[key] = item_value
    return metadata


def read_legacy_instance(payload):
    """InstanceRef from an unversioned ``compute.instance.*`` payload."""
    _require_dict(payload, 'payload')
    return InstanceRef(_require_string(payload, 'instance_id', 'payload'),
                       _optional_string(payload, 'hostname', 'payload'))


def read_neutron_floatingip(payload):
    """FloatingIPChange from neutron's ``floatingip.update.end``."""
    _require_dict(payload, 'payload')
    floatingip = _require_dict(payload.get('floatingip'),
                               'payload.floatingip')
    address = _require_ipv4(floatingip, 'floating_ip_address', 'floatingip')
    floatingip_id = _optional_string(floatingip, 'id', 'floatingip')
    port_id = _optional_string(floatingip, 'port_id', 'floatingip')
    if port_id is None:
        return FloatingIPChange(address, False, None, None, None,
                                floatingip_id)
    device_id = _port_device_id(floatingip)
    # Neutron older than Newton names the project only as tenant_id.
    key = 'project_id' if 'project_id' in floatingip else 'tenant_id'
    project_id = _require_string(floatingip, key, 'floatingip')
    return FloatingIPChange(address, True, port_id, device_id, project_id,
                            floatingip_id)


def read_neutron_floatingip_delete(payload):
    """FloatingIPDelete from neutron's ``floatingip.delete.end``.

    Every neutron sends ``floatingip_id``; today's also sends the floating
    IP as it was before the delete, whose id must be the same.
    """
    _require_dict(payload, 'payload')
    floatingip_id = _require_string(payload, 'floatingip_id', 'payload')
    floatingip = payload.get('floatingip')
    if floatingip is None:
        return FloatingIPDelete(floatingip_id, None, None)
    _require_dict(floatingip, 'payload.floatingip')
    if _optional_string(floatingip, 'id', 'floatingip') not in (
            None, floatingip_id):
        raise MalformedNotification('payload.floatingip.id is not '
                                    'payload.floatingip_id')
    address = None
    if floatingip.get('floating_ip_address') is not None:
        address = _require_ipv4(floatingip, 'floating_ip_address',
                                'floatingip')
    device_id = _port_device_id(floatingip)
    return FloatingIPDelete(floatingip_id, address, device_id)


def _port_device_id(floatingip):
    """The ``device_id`` of the port a floating IP is bound to, if given."""
    details = floatingip.get('port_details')
    if details is None:
        return None
    _require_dict(details, 'floatingip.port_details')
    return _optional_string(details, 'device_id', 'floatingip.port_details')


def read_nova_floating_ip(payload, associated):
    """FloatingIPChange from nova-network's ``network.floating_ip.*``.

    Nova sends the instance uuid and the project of the request with both
    events; only an association needs them.
    """
    _require_dict(payload, 'payload')
    address = _require_ipv4(payload, 'floating_ip', 'payload')
    if not associated:
        return FloatingIPChange(
            address, False, None,
            _optional_string(payload, 'instance_id', 'payload'), None)
    return FloatingIPChange(address, True, None,
                            _require_string(payload, 'instance_id',
                                            'payload'),
                            _require_string(payload, 'project_id',
                                            'payload'))


def instance_hint(payload):
    """Best-effort instance id of any payload, for error messages only."""
    if not isinstance(payload, dict):
        return None
    for container in (payload, payload.get('nova_object.data'),
                      payload.get('floatingip')):
        if not isinstance(container, dict):
            continue
        for key in ('uuid', 'instance_id', 'device_id'):
            value = container.get(key)
            if isinstance(value, str) and value:
                return value
        details = container.get('port_details')
        if isinstance(details, dict) and isinstance(
                details.get('device_id'), str):
            return details['device_id'] or None
    return None
