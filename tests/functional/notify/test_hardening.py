"""What a tenant, a hung service or a changed oslo.messaging must not do
to the listener: move a DNS name, stall the workers, switch off the
redelivery fix, or make one delete look like two."""

import os
import uuid

from tests.fixtures import net
from tests.fixtures import notifications as samples
from tests.fixtures import rabbit
from tests.functional.notify.conftest import wait_until

LEGACY = 'notifications'
VERSIONED = 'versioned_notifications'
SILENT_REGION = 'SilentRegion'
# The default [service_credentials] timeout (10 s) bounds each call; one
# message may make a token request and a call, each waiting that long,
# before it is requeued.
CALL_BOUND = 45


def short_name(fqdn):
    return fqdn.split('.', 1)[0]


def refusal_lines(listener, address):
    return [line for line in listener.log().splitlines()
            if 'event=' in line and address in line]


def test_floating_ip_is_added_only_for_a_compute_port_of_one_project(env):
    listener = env.start_listener()
    victim, fqdn, victim_port, victim_project = env.booted_instance()
    attacker_project = uuid.uuid4().hex
    # A port anyone can create: another project's, naming the victim.
    foreign_port = str(uuid.uuid4())
    env.openstack.set_port(foreign_port, victim, project_id=attacker_project)
    router_port = str(uuid.uuid4())
    env.openstack.set_port(router_port, victim, project_id=victim_project,
                           device_owner='network:router_interface')
    refused = {
        # foreign device_id, with and without port_details
        '203.0.113.66': samples.neutron_associate(
            '203.0.113.66', foreign_port, victim, attacker_project),
        '203.0.113.67': samples.neutron_associate(
            '203.0.113.67', foreign_port, project_id=attacker_project),
        # not a compute port
        '203.0.113.68': samples.neutron_associate(
            '203.0.113.68', router_port, victim, victim_project),
        # another project's floating IP on the victim's own port
        '203.0.113.69': samples.neutron_associate(
            '203.0.113.69', victim_port, victim, attacker_project),
    }
    for message in refused.values():
        env.neutron.send(message, LEGACY, rabbit.NEUTRON_PUBLISHER)
    env.nova.send(samples.nova_floating_ip(True, '203.0.113.70', victim,
                                           attacker_project),
                  LEGACY, rabbit.NOVA_NETWORK_PUBLISHER)
    env.neutron.send(samples.neutron_associate('203.0.113.10', victim_port,
                                               victim, victim_project),
                     LEGACY, rabbit.NEUTRON_PUBLISHER)

    wait_until(lambda: env.a_records().get(short_name(fqdn)),
               'the record of the victim\'s own floating IP')
    env.wait_queue_empty()
    assert env.a_records()[short_name(fqdn)] == ['203.0.113.10']
    expected = {'203.0.113.66': 'project-mismatch',
                '203.0.113.67': 'project-mismatch',
                '203.0.113.68': 'not-a-compute-port',
                '203.0.113.69': 'project-mismatch',
                '203.0.113.70': 'project-mismatch'}
    for address, outcome in expected.items():
        lines = refusal_lines(listener, address)
        assert len(lines) == 1, lines
        assert 'outcome=%s' % outcome in lines[0]
        level = ' WARNING ' if outcome == 'project-mismatch' else ' INFO '
        assert level in lines[0]
    assert 'instance_project=%s' % victim_project in (
        refusal_lines(listener, '203.0.113.66')[0])
    assert "device_owner 'network:router_interface'" in (
        refusal_lines(listener, '203.0.113.68')[0])


def test_duplicate_deletes_of_one_instance_delete_once(env):
    listener = env.start_listener()
    instance_id, fqdn = env.enrolled_host()
    env.openstack.set_server(instance_id, status='DELETED')
    # Both deliveries find the host before either asks nova and deletes.
    env.openstack.set_latency(2.0)
    env.nova.send(samples.versioned_delete(instance_id), VERSIONED,
                  rabbit.NOVA_VERSIONED_PUBLISHER)
    env.nova.send(samples.legacy_delete(instance_id), LEGACY,
                  rabbit.NOVA_LEGACY_PUBLISHER)

    wait_until(lambda: len([o for i, _, o in listener.outcomes()
                            if i == instance_id]) == 2,
               'both deletes of %s handled' % instance_id)
    outcomes = sorted(o for i, _, o in listener.outcomes()
                      if i == instance_id)
    assert outcomes == ['already-deleted', 'deleted']
    assert fqdn not in env.host_fqdns()
    env.openstack.delete_server(instance_id)


def test_silent_nova_and_neutron_do_not_hold_the_workers(env):
    with net.silent_server() as port, env.keystone.region_endpoints(
            SILENT_REGION, {
                'compute': 'http://127.0.0.1:%d/compute/v2.1' % port,
                'network': 'http://127.0.0.1:%d/network' % port}):
        # Two workers, both given a call that never gets an answer.
        listener = env.start_listener(
            service_credentials={'region_name': SILENT_REGION},
            max_in_flight=2)
        asks_nova, _ = env.enrolled_host()
        env.nova.send(samples.versioned_delete(asks_nova), VERSIONED,
                      rabbit.NOVA_VERSIONED_PUBLISHER)
        env.neutron.send(samples.neutron_associate(
            '203.0.113.80', str(uuid.uuid4()), project_id=uuid.uuid4().hex),
            LEGACY, rabbit.NEUTRON_PUBLISHER)
        not_enrolled = str(uuid.uuid4())
        env.nova.send(samples.legacy_delete(not_enrolled), LEGACY,
                      rabbit.NOVA_LEGACY_PUBLISHER)

        wait_until(lambda: any(i == not_enrolled and o == 'nothing-owned'
                               for i, _, o in listener.outcomes()),
                   'the third message handled by a freed worker',
                   timeout=CALL_BOUND)
        wait_until(lambda: 'reason=NovaUnavailable' in listener.log()
                   and 'reason=NeutronUnavailable' in listener.log(),
                   'nova and neutron calls to time out and be retried',
                   timeout=CALL_BOUND)
        # SIGTERM waits for the running handlers, each at most a timeout.
        listener.process.terminate()
        assert listener.process.wait(CALL_BOUND) == 0
    retries = [line for line in listener.log().splitlines()
               if 'outcome=retry' in line]
    assert any(asks_nova in line for line in retries)
    assert 'Timeout' in listener.log()


REMOVALS = {
    'cache': 'from oslo_messaging._drivers import amqp\n'
             'del amqp._MsgIdCache\n',
    'method': 'from oslo_messaging._drivers import amqp\n'
              'del amqp._MsgIdCache.check_duplicate_message\n',
}


def _without(tmp_path, what):
    """A PYTHONPATH whose sitecustomize removes a private name."""
    directory = tmp_path / ('without-%s' % what)
    directory.mkdir()
    (directory / 'sitecustomize.py').write_text(REMOVALS[what])
    return str(directory)


def test_listener_refuses_to_start_without_the_redelivery_fix(env,
                                                              tmp_path):
    for what in sorted(REMOVALS):
        listener = env.listener()
        listener.spawn({'PYTHONPATH': os.pathsep.join(
            [_without(tmp_path, what)] + [
                p for p in [os.environ.get('PYTHONPATH')] if p])})
        assert listener.process.wait(60) == 1
        log = listener.log()
        assert 'listening pool=' not in log
        errors = [line for line in log.splitlines()
                  if ' ERROR ' in line and 'refusing to start' in line]
        assert len(errors) == 1, log
        assert 'redelivery fix cannot be applied to oslo.messaging' in (
            errors[0])
        assert {'cache': '_MsgIdCache',
                'method': 'check_duplicate_message'}[what] in errors[0]
        os.unlink(listener.log_path)
