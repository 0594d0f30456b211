"""Deleted floating IPs and stale floating IP records, end to end: neutron's
notifications on the real RabbitMQ -> novajoin-notify -> IPA simulator;
novajoin-manage reconcile against the IPA simulator and the neutron
stand-in."""

import uuid

import pytest

from novajoin.hosts import ownership
from tests.fixtures import notifications as samples
from tests.fixtures import rabbit
from tests.functional.notify.conftest import wait_until
from tests.functional.notify import lifecycle

LEGACY = 'notifications'
DOMAIN = lifecycle.DOMAIN


def short_name(fqdn):
    return fqdn.split('.', 1)[0]


def listed(env, fqdn):
    ipa = lifecycle.ipa_admin_client(env.ipa)
    try:
        return ownership.owner_of(ipa.host_show(fqdn)['result']).floating_ips
    finally:
        ipa.close()


def associate(env, address, floatingip_id, instance_id, port_id,
              project_id):
    env.neutron.send(samples.neutron_associate(
        address, port_id, instance_id, project_id, floatingip_id),
        LEGACY, rabbit.NEUTRON_PUBLISHER)


@pytest.mark.parametrize('shape', ['modern', 'id-only'])
def test_deleted_floating_ip_takes_its_a_record(env, shape):
    listener = env.start_listener()
    instance_id, fqdn, port_id, project_id = env.booted_instance()
    floatingip_id = str(uuid.uuid4())
    associate(env, '203.0.113.40', floatingip_id, instance_id, port_id,
              project_id)
    wait_until(lambda: env.a_records().get(short_name(fqdn)) == [
        '203.0.113.40'], 'A record 203.0.113.40 for %s' % fqdn)
    assert listed(env, fqdn) == {'203.0.113.40': floatingip_id}

    if shape == 'modern':
        message = samples.neutron_delete(floatingip_id, '203.0.113.40',
                                         port_id, instance_id, project_id)
    else:
        message = samples.neutron_delete(floatingip_id)
    env.neutron.send(message, LEGACY, rabbit.NEUTRON_PUBLISHER)

    wait_until(lambda: listener.outcomes('floatingip.delete.end'),
               'the floatingip.delete.end log line')
    assert listener.outcomes('floatingip.delete.end') == [
        (instance_id if shape == 'modern' else '-', fqdn, 'record-removed')]
    assert short_name(fqdn) not in env.a_records()
    assert listed(env, fqdn) == {}
    assert fqdn in env.host_fqdns()


def test_delete_of_a_floating_ip_leaves_the_address_s_new_owner(env):
    """The address went to another tenant's instance, under a new floating
    IP, before the old floating IP's delete was handled.
    """
    listener = env.start_listener()
    old_id, new_id = str(uuid.uuid4()), str(uuid.uuid4())
    first, first_fqdn, first_port, first_project = env.booted_instance()
    second, second_fqdn, second_port, second_project = env.booted_instance()
    associate(env, '203.0.113.41', old_id, first, first_port, first_project)
    wait_until(lambda: env.a_records().get(short_name(first_fqdn)),
               'the first record')
    associate(env, '203.0.113.41', new_id, second, second_port,
              second_project)
    wait_until(lambda: (env.a_records().get(short_name(second_fqdn))
                        and short_name(first_fqdn) not in env.a_records()),
               'the address moved to the second instance')
    # A record made by hand for the address stays too.
    ipa = lifecycle.ipa_admin_client(env.ipa)
    try:
        ipa.dnsrecord_add(DOMAIN, 'gateway', arecord=['203.0.113.41'])
    finally:
        ipa.close()

    for message in (samples.neutron_delete(old_id),
                    samples.neutron_delete(old_id, '203.0.113.41',
                                           first_port, first,
                                           first_project)):
        env.neutron.send(message, LEGACY, rabbit.NEUTRON_PUBLISHER)
    wait_until(lambda: len(listener.outcomes('floatingip.delete.end')) == 2,
               'both delete log lines')

    assert {o for _, _, o in listener.outcomes('floatingip.delete.end')} == {
        'no-record'}
    assert env.a_records()[short_name(second_fqdn)] == ['203.0.113.41']
    assert env.a_records()['gateway'] == ['203.0.113.41']
    assert listed(env, second_fqdn) == {'203.0.113.41': new_id}


def _table_rows(output):
    """{fqdn: (action, reason)} from reconcile's table."""
    rows = {}
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip('|').split('|')]
        if len(cells) == 5 and '.' in cells[1]:
            rows[cells[1]] = (cells[0], cells[4])
    return rows


def test_reconcile_removes_stale_floating_ip_records(env):
    env.ipa.admin.reset()
    env.openstack.clear_servers()
    nova, ipa = env.openstack, lifecycle.ipa_admin_client(env.ipa)
    hosts = {}
    try:
        # (name, address, neutron's floating IP now)
        for name, address, state in (('current', '203.0.113.50', 'bound'),
                                     ('gone', '203.0.113.51', None),
                                     ('loose', '203.0.113.52', 'unbound'),
                                     ('moved', '203.0.113.53', 'elsewhere')):
            instance_id, project_id = str(uuid.uuid4()), uuid.uuid4().hex
            port_id, floatingip_id = str(uuid.uuid4()), str(uuid.uuid4())
            nova.set_server(instance_id, project_id=project_id)
            nova.set_port(port_id, instance_id, project_id=project_id)
            fqdn = '%s.%s' % (name, DOMAIN)
            env.ipa.admin.seed_host(
                fqdn, enrolled=True, description=ownership.build_description(
                    instance_id, created=lifecycle.ago(60),
                    floating_ips={address: floatingip_id}))
            ipa.dnsrecord_add(DOMAIN, name, arecord=[address])
            if state == 'elsewhere':
                port_id = str(uuid.uuid4())
                nova.set_port(port_id, str(uuid.uuid4()),
                              project_id=project_id)
            if state is not None:
                nova.set_floating_ip(
                    floatingip_id, address,
                    None if state == 'unbound' else port_id, project_id)
            hosts[name] = fqdn
        conf = env.write_conf()

        dry = lifecycle.run_manage(conf, 'reconcile', '--dry-run')
        assert dry.returncode == 0, dry.stderr
        assert _table_rows(dry.stdout) == {
            hosts['gone']: ('would-remove-record',
                            'floating-ip-gone 203.0.113.51'),
            hosts['loose']: ('would-remove-record',
                             'floating-ip-moved 203.0.113.52'),
            hosts['moved']: ('would-remove-record',
                             'floating-ip-moved 203.0.113.53')}
        assert len(env.a_records()) == 4

        done = lifecycle.run_manage(conf, 'reconcile')
        assert done.returncode == 0, done.stderr
        assert {fqdn: action for fqdn, (action, _) in
                _table_rows(done.stdout).items()} == {
            hosts['gone']: 'record-removed',
            hosts['loose']: 'record-removed',
            hosts['moved']: 'record-removed'}
        assert env.a_records() == {'current': ['203.0.113.50']}
        assert listed(env, hosts['gone']) == {}
        assert list(listed(env, hosts['current'])) == ['203.0.113.50']
        assert set(env.host_fqdns()) >= set(hosts.values())

        again = lifecycle.run_manage(conf, 'reconcile')
        assert again.returncode == 0, again.stderr
        assert _table_rows(again.stdout) == {}
    finally:
        ipa.close()
        env.openstack.clear_servers()
