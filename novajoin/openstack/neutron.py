"""Read neutron ports through the service credentials' catalog."""

import collections
from urllib import parse

from novajoin.openstack import http

PORTS_PATH = '/v2.0/ports/%s'

# What neutron says a port is bound to, and whose port it is.
Port = collections.namedtuple('Port', ['port_id', 'device_id',
                                       'device_owner', 'project_id'])


class NeutronUnavailable(Exception):
    """Neutron could not answer; try again later."""


class PortLookup(object):
    """``GET /v2.0/ports/{id}`` from the catalog's network endpoint."""

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

    def get(self, port_id):
        """The :class:`Port`, or None if neutron has no such port.

        :raises NeutronUnavailable:
        """
        path = PORTS_PATH % parse.quote(port_id, safe='')
        try:
            document = http.get_resource(self._session, path,
                                         self._endpoint_filter,
                                         self._timeout, 'neutron')
        except http.ServiceUnavailable as exc:
            raise NeutronUnavailable(str(exc))
        if document is None:
            return None
        port = document.get('port')
        if not isinstance(port, dict):
            raise NeutronUnavailable('neutron sent no port object for %s'
                                     % port_id)
        return Port(port_id, _text(port, 'device_id'),
                    _text(port, 'device_owner'),
                    _text(port, 'project_id') or _text(port, 'tenant_id'))


def _text(port, key):
    value = port.get(key)
    return value if isinstance(value, str) and value else None
