"""Rebuild re-enrollment end to end: novajoin-server answers nova's
vendordata (real Keystone token), the simulator's ipa-join enrolls, nova's
rebuild notifications reach novajoin-notify on the real RabbitMQ.

The API and the listener share one cache (``[cache]`` with memcached), so
the listener's re-arm is written through to the API's repeats.
"""

import time
import uuid

import pytest

from tests.fixtures import notifications as samples
from tests.fixtures import novajoin_server
from tests.fixtures import rabbit
from tests.functional.api import conftest as api
from tests.functional.notify.conftest import wait_until
from tests.functional.notify import lifecycle

VERSIONED = 'versioned_notifications'
LEGACY = 'notifications'


@pytest.fixture
def shared_cache(memcached):
    memcached.flush()
    return {'cache': {'enabled': 'true',
                      'backend': 'dogpile.cache.pymemcache',
                      'memcache_servers': memcached.server}}


@pytest.fixture
def nova_api(env, tmp_path, test_ca, shared_cache):
    """novajoin-server with the listener's OTP key; nova's caller."""
    sections = api.server_sections(env.keystone, env.ipa, env.otp_key_file)
    sections.update(shared_cache)
    with novajoin_server.run_novajoin_server(
            tmp_path / 'api', test_ca, sections) as server:
        yield api.caller_for(server, env.keystone, 'nova')


def assert_no_usable_otp(env, vm, answer):
    """No OTP, or (from the cache, until the boot's entry expires) one IPA
    no longer accepts.
    """
    if 'ipaotp' in answer:
        assert env.ipa.admin.try_join(answer['hostname'],
                                      answer['ipaotp'])[0] in (403, 409)


class Instance(object):
    def __init__(self, env, nova_api):
        self.env = env
        self.nova_api = nova_api
        self.instance_id = str(uuid.uuid4())
        self.body = api.vendordata_body(
            instance_id=self.instance_id,
            hostname='rebuilt-%s' % self.instance_id[:8])
        env.openstack.set_server(self.instance_id)

    def vendordata(self):
        response = self.nova_api.post(self.body)
        assert response.status_code == 200, response.text
        return response.json()

    def rebuild_started_now(self):
        self.env.openstack.add_instance_action(
            self.instance_id, 'rebuild',
            time.strftime('%Y-%m-%dT%H:%M:%S.000000', time.gmtime()))


def _send(env, message, legacy=False):
    if legacy:
        env.nova.send(message, LEGACY, rabbit.NOVA_LEGACY_PUBLISHER)
    else:
        env.nova.send(message, VERSIONED, rabbit.NOVA_VERSIONED_PUBLISHER)


def test_rebuild_of_enrolled_instance_hands_out_a_fresh_otp(
        env, nova_api, shared_cache):
    listener = env.start_listener(sections=shared_cache)
    vm = Instance(env, nova_api)
    first = vm.vendordata()
    env.ipa.admin.join(first['hostname'], first['ipaotp'])
    assert_no_usable_otp(env, vm, vm.vendordata())
    # IPA and nova keep whole seconds; the rebuild starts after the join.
    time.sleep(1.1)
    vm.rebuild_started_now()

    _send(env, samples.versioned_rebuild(vm.instance_id, 'start'))
    listener.wait_for_outcome(vm.instance_id, 'rearmed')

    second = vm.vendordata()
    assert second['hostname'] == first['hostname']
    assert second['ipaotp'] != first['ipaotp']
    assert env.ipa.admin.try_join(first['hostname'],
                                  first['ipaotp'])[0] == 403
    assert vm.vendordata()['ipaotp'] == second['ipaotp']
    time.sleep(1.1)
    env.ipa.admin.join(second['hostname'], second['ipaotp'])

    # .end after the rebuilt OS enrolled takes nothing away.
    _send(env, samples.versioned_rebuild(vm.instance_id, 'end'))
    listener.wait_for_outcome(vm.instance_id, 'enrolled-since-rebuild')
    assert_no_usable_otp(env, vm, vm.vendordata())
    assert second['ipaotp'] not in listener.log()
    assert first['ipaotp'] not in listener.log()


def test_rebuild_of_pending_instance_keeps_its_otp(
        env, nova_api, shared_cache):
    listener = env.start_listener(sections=shared_cache)
    vm = Instance(env, nova_api)
    first = vm.vendordata()
    vm.rebuild_started_now()

    _send(env, samples.legacy_rebuild(vm.instance_id, 'start'), legacy=True)
    listener.wait_for_outcome(vm.instance_id, 'not-enrolled')

    assert vm.vendordata()['ipaotp'] == first['ipaotp']
    env.ipa.admin.join(first['hostname'], first['ipaotp'])


def test_rebuild_nova_does_not_know_changes_nothing(
        env, nova_api, shared_cache):
    listener = env.start_listener(sections=shared_cache)
    vm = Instance(env, nova_api)
    first = vm.vendordata()
    env.ipa.admin.join(first['hostname'], first['ipaotp'])

    _send(env, samples.versioned_rebuild(vm.instance_id, 'end'))
    listener.wait_for_outcome(vm.instance_id, 'kept-no-rebuild-known')

    assert_no_usable_otp(env, vm, vm.vendordata())
    assert lifecycle.DOMAIN in first['hostname']


def test_admin_disabled_host_stays_disabled_across_a_rebuild(
        env, nova_api, shared_cache):
    listener = env.start_listener(sections=shared_cache)
    vm = Instance(env, nova_api)
    first = vm.vendordata()
    env.ipa.admin.join(first['hostname'], first['ipaotp'])
    # An administrator takes the host out of IPA before the rebuild.
    ipa = lifecycle.ipa_admin_client(env.ipa)
    ipa.host_disable(first['hostname'])
    time.sleep(1.1)
    vm.rebuild_started_now()

    _send(env, samples.versioned_rebuild(vm.instance_id, 'start'))
    listener.wait_for_outcome(vm.instance_id, 'kept-disabled')
    _send(env, samples.versioned_rebuild(vm.instance_id, 'end'))
    wait_until(lambda: len(listener.outcomes()) >= 2, 'the .end outcome')

    entry = ipa.host_show(first['hostname'])['result']
    assert not entry['has_password'] and not entry['has_keytab']
    assert_no_usable_otp(env, vm, vm.vendordata())
    assert 'rearmed' not in listener.log()
    assert 'disabled before this rebuild' in listener.log()
