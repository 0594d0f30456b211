"""TLS services end to end: nova's vendordata requests to novajoin's API
(real Keystone tokens, boot-roles taken from the booting user's real
token), nova's notifications on real RabbitMQ to novajoin-notify, one IPA
simulator behind both.
"""

import json
import re
import uuid

from tests.fixtures import notifications as samples
from tests.fixtures import rabbit
from tests.functional.notify.conftest import wait_until
from tests.functional.services import conftest

VERSIONED = 'versioned_notifications'
LEGACY = 'notifications'
VIP = 'overcloud.internalapi.example.test'
_SUMMARY = re.compile(r'instance=(\S+) fqdn=\S+ services granted=(\d+) '
                      r'refused=(\d+) written=(\d+) failed=(\d+) '
                      r'ipa_calls=(\d+)')


def enroll(nova, body):
    response = nova.post(body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer['ipaotp'] and answer['hostname'].endswith('.example.test')
    return answer


def summary(server, instance_id):
    """The last services summary line of ``instance_id``."""
    found = [m.groups()[1:] for m in _SUMMARY.finditer(server.log_text())
             if m.group(1) == instance_id]
    return tuple(int(n) for n in found[-1])


def services_of(ipa_reader):
    """{principal without realm: sorted managers} of every service."""
    found = ipa_reader.service_find(no_members=False, sizelimit=0)
    return {entry['krbcanonicalname'][0].split('@')[0]:
            sorted(entry.get('managedby_host', ()))
            for entry in found['result']}


def host_names(sim):
    return sorted(entry['fqdn'][0] for entry in sim.admin.hosts())


def test_compact_services_in_one_write_batch_and_gone_on_delete(
        api_server, nova, ks, sim, ipa_reader, listener_env):
    listener = listener_env.start_listener()
    body = conftest.boot_body(ks, conftest.TENANT, {
        'compact_service_HTTP': '["internalapi", "storage"]',
        'compact_service_mysql': '["internalapi"]'}, hostname='ctrl-0')
    sim.admin.reset_stats()
    answer = enroll(nova, body)
    main = answer['hostname']
    subhosts = ['ctrl-0.internalapi.example.test',
                'ctrl-0.storage.example.test']
    assert host_names(sim) == sorted([main, conftest.IPA_SERVER] + subhosts)
    assert services_of(ipa_reader) == {
        'HTTP/ctrl-0.internalapi.example.test': sorted([main, subhosts[0]]),
        'HTTP/ctrl-0.storage.example.test': sorted([main, subhosts[1]]),
        'mysql/ctrl-0.internalapi.example.test': sorted([main,
                                                         subhosts[0]])}
    for subhost in subhosts:
        entry = sim.admin.host(subhost)
        assert main in entry['managedby_host']
        record = json.loads(entry['description'][0])['novajoin_metadata']
        assert record['nova_instance_id'] == body['instance-id']
        assert record['role'] == 'subhost'
    # 3 granted; 10 writes (2 host_add, 2 host_add_managedby, 3
    # service_add, 3 service_add_host): one read and one write batch.
    assert summary(api_server, body['instance-id']) == (3, 0, 10, 0, 2)
    calls = sim.admin.stats()['calls']
    # The two subhosts, and the instance's own host in the batch of its
    # name checks.
    assert calls.get('batch:host_add') == 3
    assert calls.get('batch:service_add') == 3
    for command in ('service_add', 'service_add_host', 'host_add_managedby'):
        assert command not in calls
    sim.admin.join(main, answer['ipaotp'])

    listener_env.nova.send(samples.versioned_delete(body['instance-id']),
                           VERSIONED, rabbit.NOVA_VERSIONED_PUBLISHER)
    listener.wait_for_outcome(body['instance-id'], 'deleted')
    assert host_names(sim) == [conftest.IPA_SERVER]
    assert services_of(ipa_reader) == {}


def test_shared_managed_service_survives_the_first_delete(
        nova, ks, sim, operator, ipa_reader, listener_env):
    listener = listener_env.start_listener()
    metadata = {'managed_service_vip': 'HTTP/%s' % VIP}
    first = conftest.boot_body(ks, operator.name, metadata)
    second = conftest.boot_body(ks, operator.name, metadata)
    assert 'admin' in first['boot-roles'].split(',')
    hosts = [enroll(nova, body)['hostname'] for body in (first, second)]
    assert services_of(ipa_reader) == {'HTTP/' + VIP: sorted(hosts + [VIP])}

    listener_env.nova.send(samples.legacy_delete(first['instance-id']),
                           LEGACY, rabbit.NOVA_LEGACY_PUBLISHER)
    listener.wait_for_outcome(first['instance-id'], 'deleted')
    assert services_of(ipa_reader) == {'HTTP/' + VIP: sorted([hosts[1],
                                                              VIP])}
    assert VIP in host_names(sim)

    listener_env.nova.send(samples.versioned_delete(second['instance-id']),
                           VERSIONED, rabbit.NOVA_VERSIONED_PUBLISHER)
    listener.wait_for_outcome(second['instance-id'], 'deleted')
    assert services_of(ipa_reader) == {}
    assert host_names(sim) == [conftest.IPA_SERVER]


def test_names_out_of_reach_get_nothing_while_enrollment_works(
        api_server, nova, ks, sim, operator, ipa_reader):
    victim = str(uuid.uuid4())
    sim.admin.seed_host('db.example.test', description=json.dumps(
        {'novajoin_metadata': {'nova_instance_id': victim}}))
    sim.admin.seed_host('billing.example.test', description='by hand')
    ipa_reader.service_add('HTTP/db.example.test', force=True)
    metadata = {'managed_service_a': 'HTTP/%s' % conftest.IPA_SERVER,
                'managed_service_b': 'HTTP/db.example.test',
                'managed_service_c': 'HTTP/www.elsewhere.test',
                'managed_service_d': 'HTTP/billing.example.test',
                'managed_service_e': 'HTTP/ipa-ca.example.test'}
    before = {fqdn: sim.admin.host(fqdn) for fqdn in host_names(sim)}
    services_before = services_of(ipa_reader)
    for user in (conftest.TENANT, operator.name):
        body = conftest.boot_body(ks, user, metadata)
        answer = enroll(nova, body)
        assert summary(api_server, body['instance-id'])[:2] == (0, 5)
        sim.admin.join(answer['hostname'], answer['ipaotp'])
        del answer
    after = {fqdn: sim.admin.host(fqdn) for fqdn in before}
    assert after == before
    assert services_of(ipa_reader) == services_before
    log = api_server.log_text()
    assert 'join:managed_services does not allow' in log
    for reason in ('is an IPA server', 'is the host of another instance',
                   'not inside the domain', 'not created by novajoin',
                   "is reserved: it is IPA's CA name"):
        assert reason in log


def test_malformed_compact_json_is_refused_and_never_a_5xx(
        api_server, nova, ks, sim, ipa_reader):
    for value in ('["internalapi"', '{"a": 1}', '[1, 2]', '"x"', '[]'):
        body = conftest.boot_body(ks, conftest.TENANT,
                                  {'compact_service_http': value})
        answer = enroll(nova, body)
        assert summary(api_server, body['instance-id'])[:2] == (0, 1)
        assert answer['hostname'] in host_names(sim)
        assert answer['ipaotp'] not in api_server.log_text()
    assert services_of(ipa_reader) == {}
    assert ('item=compact_service_http decision=refused reason=is not '
            'valid JSON') in api_server.log_text()


def test_update_removes_dropped_services_and_adds_new_ones(
        nova, ks, sim, ipa_reader, listener_env):
    listener = listener_env.start_listener()
    body = conftest.boot_body(ks, conftest.TENANT, {
        'compact_service_HTTP': '["internalapi", "storage"]'},
        hostname='web-0')
    main = enroll(nova, body)['hostname']
    instance_id = body['instance-id']
    project_id = body['project-id']
    # The listener asks nova whether the instance still exists.
    listener_env.openstack.set_server(instance_id, project_id=project_id)

    changed = dict(body['metadata'], compact_service_HTTP='["internalapi"]')
    listener_env.nova.send(
        samples.versioned_update(instance_id, changed, project_id),
        VERSIONED, rabbit.NOVA_VERSIONED_PUBLISHER)
    listener.wait_for_outcome(instance_id, 'services-updated')
    assert 'web-0.storage.example.test' not in host_names(sim)
    assert sorted(services_of(ipa_reader)) == [
        'HTTP/web-0.internalapi.example.test']

    changed['compact_service_ldap'] = '["ctlplane"]'
    listener_env.nova.send(samples.legacy_update(instance_id, changed,
                                                 project_id),
                           LEGACY, rabbit.NOVA_LEGACY_PUBLISHER)
    wait_until(lambda: 'ldap/web-0.ctlplane.example.test' in services_of(
        ipa_reader), 'the ldap principal of the update')
    assert services_of(ipa_reader)['ldap/web-0.ctlplane.example.test'] == (
        sorted([main, 'web-0.ctlplane.example.test']))


def sixty_four_principals():
    """16 services on each of 4 networks: 64 principals, 4 subhosts."""
    return {'compact_service_svc%d' % n: json.dumps(
        ['internalapi', 'storage', 'storagemgmt', 'tenant'])
        for n in range(16)}


def test_repeats_of_a_64_principal_instance_read_no_service_from_ipa(
        api_server, nova, ks, sim, ipa_reader):
    body = conftest.boot_body(ks, conftest.TENANT, sixty_four_principals(),
                              hostname='big-0')
    answer = enroll(nova, body)
    assert summary(api_server, body['instance-id'])[:2] == (64, 0)
    assert len(services_of(ipa_reader)) == 64

    sim.admin.reset_stats()
    for _ in range(5):    # the rest of nova's requests of the boot
        assert enroll(nova, body)['ipaotp'] == answer['ipaotp']
    sim.admin.join(answer['hostname'], answer['ipaotp'])
    for _ in range(5):    # the instance reading vendor_data2.json
        response = nova.post(body)
        assert response.status_code == 200, response.text
    # One process, nothing configured: its own cache answers the host
    # (doc/source/admin/enrollment.rst, "IPA calls per boot"); the
    # services cost nothing either.
    assert sim.admin.calls('service_show') == 0
    assert sim.admin.calls('host_show') == 0
    assert sim.admin.calls('server_find') == 0
    unchanged = 'instance=%s fqdn=%s services decision=unchanged ' \
                'ipa_calls=0' % (body['instance-id'], answer['hostname'])
    assert api_server.log_text().count(unchanged) == 10


def test_over_budget_services_are_refused_and_logged(
        api_server, nova, ks, sim, ipa_reader):
    body = conftest.boot_body(ks, conftest.TENANT, {
        'compact_service_HTTP': '["net0"]'}, hostname='busy-0')
    instance_id = body['instance-id']
    answer = enroll(nova, body)
    # 64 subhosts ask for more hosts than [services] max_hosts: none is
    # read or made.
    networks = ['n%d' % n for n in range(64)]
    body['metadata'] = dict(body['metadata'], compact_service_HTTP=json.dumps(
        networks[:32]), compact_service_ldap=json.dumps(networks[32:]))
    sim.admin.reset_stats()
    assert enroll(nova, body)['ipaotp'] == answer['ipaotp']
    assert sim.admin.calls('service_show') == 0
    assert ('instance=%s item=metadata decision=refused reason=asks for 64 '
            'hosts; at most 16 are allowed ([services] max_hosts)'
            % instance_id) in api_server.log_text()
    # Each change is one read; [services] max_reads_per_hour is 10 and
    # the first request took one.
    for n in range(1, 10):
        body['metadata'] = dict(body['metadata'],
                                compact_service_HTTP='["net%d"]' % n,
                                compact_service_ldap='["net0"]')
        enroll(nova, body)
    assert 'HTTP/busy-0.net9.example.test' in services_of(ipa_reader)
    sim.admin.reset_stats()
    body['metadata']['compact_service_HTTP'] = '["net10"]'
    assert enroll(nova, body)['ipaotp'] == answer['ipaotp']
    assert sim.admin.calls('service_show') == 0
    assert 'busy-0.net10.example.test' not in host_names(sim)
    assert ('instance=%s item=metadata decision=refused reason=10 IPA reads '
            'in the last hour for this instance already ([services] '
            'max_reads_per_hour)' % instance_id) in api_server.log_text()


def test_managed_service_a_member_adds_after_an_admin_boot_is_refused(
        api_server, nova, ks, sim, operator, ipa_reader):
    body = conftest.boot_body(ks, operator.name, {
        'managed_service_vip': 'HTTP/%s' % VIP})
    assert 'admin' in body['boot-roles'].split(',')
    answer = enroll(nova, body)
    main = answer['hostname']
    assert services_of(ipa_reader) == {'HTTP/' + VIP: sorted([main, VIP])}
    # A project member adds a managed service for a free name; nova sends
    # the boot-roles it recorded at boot with the new metadata, before and
    # after the instance enrolled.
    free = 'free-%s.example.test' % uuid.uuid4().hex[:8]
    body['metadata'] = dict(body['metadata'],
                            managed_service_x='HTTP/%s' % free)
    assert enroll(nova, body)['ipaotp'] == answer['ipaotp']
    sim.admin.join(main, answer['ipaotp'])
    response = nova.post(body)
    assert response.status_code == 200, response.text
    assert free not in host_names(sim)
    assert services_of(ipa_reader) == {'HTTP/' + VIP: sorted([main, VIP])}
    refusal = ('instance=%s item=HTTP/%s decision=refused reason=added '
               'after the instance\'s first vendordata request'
               % (body['instance-id'], free))
    # Refused once; the re-read with the same metadata repeats the
    # recorded answer without asking IPA.
    assert api_server.log_text().count(refusal) == 1
    assert ('instance=%s fqdn=%s services decision=unchanged'
            % (body['instance-id'], main)) in api_server.log_text()
