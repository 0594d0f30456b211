"""Read neutron ports and floating IPs through the service credentials'
catalog."""

import collections
from urllib import parse

from novajoin.openstack import http

PORTS_PATH = '/v2.0/ports/%s'
FLOATINGIPS_PATH = '/v2.0/floatingips/%s'

# What neutron says a port is bound to, and whose port it is.
Port = collections.namedtuple('Port', ['port_id', 'device_id',
                                       'device_owner', 'project_id'])

# A floating IP as neutron shows it now; port_id None: not associated.
# device_id: the instance of its port when neutron shows ``port_details``.
FloatingIP = collections.namedtuple('FloatingIP', ['floatingip_id',
                                                   'address', 'port_id',
                                                   'device_id'])


class NeutronUnavailable(Exception):
    """Neutron could not answer; try again later."""


class _Reader(object):
    """``GET`` one resource from the catalog's network endpoint."""

    def __init__(self, session, interface, region_name, timeout):
        self._session = session
        self._endpoint_filter = {'service_type': 'network',
                                 'interface': interface,
                                 'region_name': region_name}
        self._timeout = timeout

    @classmethod
    def from_conf(cls, conf, session):
        group = conf.service_credentials
        return cls(session, group.interface, group.region_name,
                   group.timeout)

    def _get(self, path, resource_id, key):
        """The ``key`` object at ``path % resource_id``, or None on 404.

        :raises NeutronUnavailable:
        """
        path = path % parse.quote(resource_id, safe='')
        try:
            document = http.get_resource(self._session, path,
                                         self._endpoint_filter,
                                         self._timeout, 'neutron')
        except http.ServiceUnavailable as exc:
            raise NeutronUnavailable(str(exc))
        if document is None:
            return None
        found = document.get(key)
        if not isinstance(found, dict):
            raise NeutronUnavailable('neutron sent no %s object for %s'
                                     % (key, resource_id))
        return found


class PortLookup(_Reader):
    """``GET /v2.0/ports/{id}``."""

    def get(self, port_id):
        """The :class:`Port`, or None if neutron has no such port.

        :raises NeutronUnavailable:
        """
        port = self._get(PORTS_PATH, port_id, 'port')
        if port is None:
            return None
        return Port(port_id, _text(port, 'device_id'),
                    _text(port, 'device_owner'),
                    _text(port, 'project_id') or _text(port, 'tenant_id'))


class FloatingIPLookup(_Reader):
    """``GET /v2.0/floatingips/{id}``, and its port when neutron shows no
    ``port_details``.
    """

    def __init__(self, session, interface, region_name, timeout):
        super(FloatingIPLookup, self).__init__(session, interface,
                                               region_name, timeout)
        self._ports = PortLookup(session, interface, region_name, timeout)

    def get(self, floatingip_id):
        """The :class:`FloatingIP`, or None if neutron has no such one.

        :raises NeutronUnavailable:
        """
        found = self._get(FLOATINGIPS_PATH, floatingip_id, 'floatingip')
        if found is None:
            return None
        details = found.get('port_details')
        device_id = None
        if isinstance(details, dict):
            device_id = _text(details, 'device_id')
        return FloatingIP(floatingip_id, _text(found, 'floating_ip_address'),
                          _text(found, 'port_id'), device_id)

    def instance_of(self, floatingip):
        """The instance the floating IP's port is bound to, or None (not
        associated, or the port is gone or bound to nothing).

        :raises NeutronUnavailable:
        """
        if floatingip.port_id is None:
            return None
        if floatingip.device_id is not None:
            return floatingip.device_id
        port = self._ports.get(floatingip.port_id)
        return port.device_id if port is not None else None


def _text(port, key):
    value = port.get(key)
    return value if isinstance(value, str) and value else None
