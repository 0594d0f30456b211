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
    assert calls.get('batch:host_add') == 2
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
