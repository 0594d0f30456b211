"""Read neutron ports through the service credentials' catalog."""

from keystoneauth1 import exceptions as ks_exceptions

PORTS_PATH = '/v2.0/ports/%s'


class NeutronUnavailable(Exception):
    """Neutron could not answer; try again later."""


class PortLookup(object):
    """Finds the device (instance) a port is attached to."""

    def __init__(self, session, interface, region_name):
        self._session = session
        self._endpoint_filter = {'service_type': 'network',
                                 'interface': interface,
                                 'region_name': region_name}

    @classmethod
    def from_conf(cls, conf, session):
        group = conf.service_credentials
        return cls(session, group.interface, group.region_name)

    def device_id(self, port_id):
        """The port's device_id, or None if the port is gone or unbound."""
        try:
            response = self._session.get(
                PORTS_PATH % port_id, endpoint_filter=self._endpoint_filter,
                raise_exc=False)
        except ks_exceptions.ClientException as exc:
            raise NeutronUnavailable('neutron did not answer for port %s: %s'
                                     % (port_id, type(exc).__name__))
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise NeutronUnavailable('neutron answered %d for port %s'
                                     % (response.status_code, port_id))
        try:
            port = response.json()['port']
        except (ValueError, KeyError, TypeError):
            raise NeutronUnavailable('neutron sent no port object for %s'
                                     % port_id)
        return port.get('device_id') or None
