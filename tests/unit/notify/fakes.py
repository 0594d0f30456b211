"""In-memory stand-ins for the IPA client, nova and neutron."""

from novajoin.hosts import ownership
from novajoin.ipa import errors as ipa_errors
from novajoin.openstack import neutron
from novajoin.openstack import nova

ZONE = 'example.test'


class FakeIPA(object):
    """Hosts and A records, with the error behaviour of FreeIPA."""

    domain = ZONE
    realm = 'EXAMPLE.TEST'

    def __init__(self):
        self.hosts = {}
        self.records = {}
        self.down = False
        self.calls = []

    def add_host(self, fqdn, instance_id=None, description=None):
        if instance_id is not None:
            description = ownership.build_description(instance_id)
        entry = {'fqdn': [fqdn]}
        if description is not None:
            entry['description'] = [description]
        self.hosts[fqdn] = entry

    def add_record(self, name, address):
        self.records.setdefault(name, []).append(address)

    def _call(self, name):
        self.calls.append(name)
        if self.down:
            raise ipa_errors.IPAUnavailable('connection refused')

    def host_find(self, criteria=None, **options):
        self._call('host_find')
        found = [dict(entry) for fqdn, entry in sorted(self.hosts.items())
                 if criteria is None or criteria in fqdn
                 or criteria in ''.join(entry.get('description', []))]
        return {'result': found, 'count': len(found), 'truncated': False}

    def host_show(self, fqdn):
        self._call('host_show')
        if fqdn not in self.hosts:
            raise ipa_errors.NotFound('%s: host not found' % fqdn)
        return {'result': dict(self.hosts[fqdn]), 'value': fqdn}

    def host_mod(self, fqdn, description=None):
        self._call('host_mod')
        if fqdn not in self.hosts:
            raise ipa_errors.NotFound('%s: host not found' % fqdn)
        if self.hosts[fqdn].get('description') == [description]:
            raise ipa_errors.EmptyModlist('no modifications to be performed')
        self.hosts[fqdn]['description'] = [description]
        return {'result': dict(self.hosts[fqdn]), 'value': fqdn}

    def host_del(self, fqdn, updatedns=False):
        self._call('host_del')
        if fqdn not in self.hosts:
            raise ipa_errors.NotFound('%s: host not found' % fqdn)
        del self.hosts[fqdn]
        if updatedns:
            self.records.pop(fqdn[:-len(ZONE) - 1], None)
        return {'result': {'failed': []}, 'value': [fqdn]}

    def dnsrecord_find(self, zone, criteria=None, arecord=None):
        self._call('dnsrecord_find')
        assert zone == ZONE
        found = [{'idnsname': [name], 'arecord': list(addresses)}
                 for name, addresses in sorted(self.records.items())
                 if arecord is None or arecord in addresses]
        return {'result': found, 'count': len(found), 'truncated': False}

    def dnsrecord_add(self, zone, name, arecord):
        self._call('dnsrecord_add')
        assert zone == ZONE
        addresses = self.records.setdefault(name, [])
        if all(a in addresses for a in arecord):
            raise ipa_errors.EmptyModlist('no modifications to be performed')
        addresses.extend(a for a in arecord if a not in addresses)

    def dnsrecord_del(self, zone, name, arecord):
        self._call('dnsrecord_del')
        assert zone == ZONE
        if name not in self.records:
            raise ipa_errors.NotFound('%s: DNS resource record not found'
                                      % name)
        for address in arecord:
            if address not in self.records[name]:
                raise ipa_errors.AttrValueNotFound(
                    "A record does not contain '%s'" % address)
            self.records[name].remove(address)
        if not self.records[name]:
            del self.records[name]


class FakeInstances(object):
    """nova: instances listed in ``alive`` exist, all others are gone.

    ``projects`` maps the instances nova knows to their project.
    """

    def __init__(self):
        self.alive = set()
        self.projects = {}
        self.down = False
        self.asked = []

    def _ask(self, instance_id):
        self.asked.append(instance_id)
        if self.down:
            raise nova.NovaUnavailable('nova did not answer')

    def is_gone(self, instance_id):
        self._ask(instance_id)
        return instance_id not in self.alive

    def project_id(self, instance_id):
        self._ask(instance_id)
        return self.projects.get(instance_id)


class FakePorts(object):
    """neutron: ``ports`` maps port ids to :class:`neutron.Port`."""

    def __init__(self):
        self.ports = {}
        self.asked = []

    def bind(self, port_id, device_id, project_id,
             device_owner='compute:nova'):
        self.ports[port_id] = neutron.Port(port_id, device_id, device_owner,
                                           project_id)

    def get(self, port_id):
        self.asked.append(port_id)
        return self.ports.get(port_id)
