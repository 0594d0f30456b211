"""The real IPA client over the IPA simulator's command engine, in-process.

Unit tests of :mod:`novajoin.services` get FreeIPA's semantics (batch,
member commands, referential integrity of ``managedby``) from the same code
the functional tests run over HTTPS, without a server.
"""

import json

from novajoin.hosts import ownership
from novajoin.ipa import client as ipa_client
from tests.ipasim import commands
from tests.ipasim import controls
from tests.ipasim import hosts
from tests.ipasim import state

REALM = 'EXAMPLE.TEST'
DOMAIN = 'example.test'
SERVER = 'ipa.example.test'


class _Transport(object):
    def __init__(self, engine):
        self._engine = engine
        self._caller = commands.Caller('admin@' + REALM, lambda: None)
        self.requests = []

    def post_json(self, body, deadline, key=None, write=False,
                  written=()):
        # One in-process server: the routing key has nowhere else to go.
        self.requests.append(json.loads(body))
        envelope, _ = self._engine.handle(body, self._caller)
        return json.loads(json.dumps(envelope))

    def close(self):
        pass


class InProcessIPA(object):
    """``client`` is an IPAClient; the rest sets up and inspects IPA."""

    def __init__(self):
        self.directory = state.Directory(REALM, DOMAIN, SERVER)
        engine = commands.Engine(self.directory, '2.254', '4.12.2',
                                 'https://%s/ipa/xml' % SERVER,
                                 controls.Latency())
        self.transport = _Transport(engine)
        self.client = ipa_client.IPAClient(self.transport, REALM, DOMAIN)

    def seed_host(self, fqdn, instance_id=None, role=None, project_id=None,
                  description=None, ipa_master=False):
        if instance_id is not None:
            description = ownership.build_description(
                instance_id, role=role, project_id=project_id)
        hosts.seed(self.directory, fqdn, description, enrolled=ipa_master,
                   ipa_master=ipa_master)

    def host_names(self):
        """Hosts added since the start state (not the server's own)."""
        own = self.directory.server_name.lower().rstrip('.')
        return sorted(fqdn for fqdn in self.directory.hosts if fqdn != own)

    def principals(self):
        return sorted(p.split('@')[0] for p in self.directory.services)

    def service_managers(self, principal):
        service = self.directory.services['%s@%s' % (principal, REALM)]
        return sorted(service.managedby)

    def host_managers(self, fqdn):
        return sorted(self.directory.hosts[fqdn].attrs.get('managedby', []))

    def description(self, fqdn):
        return self.directory.hosts[fqdn].attrs['description'][0]

    def writes(self):
        """Commands sent so far that change IPA, batch items included."""
        names = []
        for request in self.transport.requests:
            if request['method'] == 'batch':
                names += [item['method'] for item in request['params'][0][0]]
            else:
                names.append(request['method'])
        return [n for n in names if not n.endswith(('_show', '_find'))]

    def round_trips(self):
        return len(self.transport.requests)
