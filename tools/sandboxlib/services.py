"""TLS services in the sandbox: an instance with compact and managed
services, what IPA then holds, and that its delete leaves nothing behind.
"""

from novajoin.ipa import client as ipa_client
from sandboxlib import nova
from sandboxlib import report as reporting
from sandboxlib import stack
from tests.fixtures import novajoin_server

expect = reporting.expect

VIP = 'overcloud.internalapi.%s' % stack.DOMAIN
METADATA = {
    'ipa_enroll': 'true',
    'compact_service_HTTP': '["internalapi", "storage"]',
    'managed_service_haproxy': 'haproxy/%s' % VIP,
}


def services_instance():
    """An instance booted by a user holding the admin role."""
    return nova.Instance('ctrl-0', metadata=dict(METADATA),
                         boot_roles='admin,member')


class ServiceView(object):
    """novajoin's IPA client on the simulator, to show services."""

    def __init__(self, ipa, workdir):
        path = '%s/services-view.conf' % workdir
        novajoin_server.write_config(
            path, {'ipa': stack.ipa_section(ipa, workdir)})
        self._client = ipa_client.IPAClient.from_conf(stack.load_conf(path))

    def services(self):
        """{principal without realm: [managing hosts]}."""
        found = self._client.service_find(no_members=False, sizelimit=0)
        return {entry['krbcanonicalname'][0].split('@')[0]:
                sorted(entry.get('managedby_host', ()))
                for entry in found['result']}

    def close(self):
        self._client.close()


def show_services(report, view, instance):
    fqdn = '%s.%s' % (instance.hostname, stack.DOMAIN)
    with report.step('TLS services of %s in IPA (compact and managed)'
                     % instance.hostname):
        services = view.services()
        for principal, managers in sorted(services.items()):
            report.detail('%s managed by %s', principal, ', '.join(managers))
        expected = {'HTTP/%s.%s.%s' % (instance.hostname, net, stack.DOMAIN)
                    for net in ('internalapi', 'storage')}
        expected.add('haproxy/%s' % VIP)
        expect(set(services) == expected, 'expected principals %s, got %s',
               sorted(expected), sorted(services))
        expect(all(fqdn in managers for managers in services.values()),
               '%s does not manage every principal', fqdn)


def expect_no_services(report, view):
    with report.step('no service principal left in IPA'):
        left = sorted(view.services())
        report.detail('services in IPA: %s', ', '.join(left) or 'none')
        expect(not left, 'services left in IPA: %s', left)
