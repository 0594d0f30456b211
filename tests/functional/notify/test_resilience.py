"""Nothing lost, nothing harmful done twice: IPA outage, broker connection
loss, SIGTERM and restart, malformed messages, and logs without secrets."""

import collections
import json
import time

from tests.fixtures import notifications as samples
from tests.fixtures import rabbit
from tests.functional.notify.conftest import wait_until

LEGACY = 'notifications'
VERSIONED = 'versioned_notifications'
OUTAGE_SECONDS = 30


def enroll_many(env, count):
    return dict(env.enrolled_host() for _ in range(count))


def send_deletes(env, instances):
    """Alternate versioned and legacy deletes, as nova with format=both."""
    for number, instance_id in enumerate(instances):
        if number % 2:
            env.nova.send(samples.legacy_delete(instance_id), LEGACY,
                          rabbit.NOVA_LEGACY_PUBLISHER)
        else:
            env.nova.send(samples.versioned_delete(instance_id), VERSIONED,
                          rabbit.NOVA_VERSIONED_PUBLISHER)


def wait_all_deleted(env, hosts):
    wait_until(lambda: not set(hosts.values()) & env.host_fqdns(),
               'every one of %d hosts to be deleted' % len(hosts),
               interval=1.0)


def deleted_counts(listener):
    counts = collections.Counter()
    for instance_id, _, outcome in listener.outcomes():
        if outcome == 'deleted':
            counts[instance_id] += 1
    return counts


def test_ipa_outage_during_a_stream_of_deletes_loses_nothing(env):
    hosts = enroll_many(env, 200)
    listener = env.start_listener()
    env.ipa.admin.control(outage='refuse')
    outage_started = time.monotonic()
    send_deletes(env, hosts)
    wait_until(lambda: 'outcome=retry' in listener.log(),
               'a retry while IPA is down')
    time.sleep(max(0, OUTAGE_SECONDS - (time.monotonic() - outage_started)))
    assert set(hosts.values()) <= env.host_fqdns()
    env.ipa.admin.control(outage='none')

    wait_all_deleted(env, hosts)
    env.wait_queue_empty()
    assert set(deleted_counts(listener)) == set(hosts)
    assert env.dead_letters() == []
    assert listener.process.poll() is None


def test_broker_connection_closed_mid_stream_loses_nothing(env):
    hosts = enroll_many(env, 100)
    # A slow IPA keeps the stream in flight while the connection goes.
    env.ipa.admin.control(latency_ms=200)
    try:
        listener = env.start_listener()
        send_deletes(env, hosts)
        wait_until(lambda: len(deleted_counts(listener)) >= 10,
                   'the first deletes')
        assert env.vhost.close_connections_of(listener.process.pid) >= 1
        wait_all_deleted(env, hosts)
    finally:
        env.ipa.admin.control(latency_ms=0)
    env.wait_queue_empty()
    assert set(deleted_counts(listener)) == set(hosts)
    assert 'Reconnected to AMQP server' in listener.log() or (
        'reconnect' in listener.log().lower())
    assert listener.process.poll() is None


def test_sigterm_mid_stream_then_restart_loses_nothing(env):
    hosts = enroll_many(env, 100)
    env.ipa.admin.control(latency_ms=200)
    try:
        first = env.start_listener()
        send_deletes(env, hosts)
        wait_until(lambda: len(deleted_counts(first)) >= 10,
                   'the first deletes')
        assert first.sigterm() == 0
        left_after_stop = set(hosts.values()) & env.host_fqdns()
        assert left_after_stop, 'the stream ended before SIGTERM'
        assert env.queue_depth() >= len(left_after_stop)

        second = env.start_listener()
        wait_all_deleted(env, hosts)
    finally:
        env.ipa.admin.control(latency_ms=0)
    env.wait_queue_empty()
    # The log file is shared: it holds both processes' lines. A repeated
    # delivery finds nothing left and says so; no host is deleted twice.
    assert set(deleted_counts(second)) == set(hosts)
    assert max(deleted_counts(second).values()) == 1
    assert env.dead_letters() == []


def test_malformed_messages_are_parked_and_others_keep_flowing(env):
    listener = env.start_listener()
    unknown_version = samples.versioned_delete('e5a1b6c4-unknown-version')
    unknown_version['payload']['nova_object.version'] = '2.0'
    missing_uuid = samples.versioned_delete('unused')
    del missing_uuid['payload']['nova_object.data']['uuid']
    wrong_type = samples.legacy_delete('unused')
    wrong_type['payload']['instance_id'] = 42
    not_an_object = samples.with_payload(samples.legacy_delete('unused'),
                                         'payload as a string')
    for message, topic, publisher in (
            (unknown_version, VERSIONED, rabbit.NOVA_VERSIONED_PUBLISHER),
            (missing_uuid, VERSIONED, rabbit.NOVA_VERSIONED_PUBLISHER),
            (wrong_type, LEGACY, rabbit.NOVA_LEGACY_PUBLISHER),
            (not_an_object, LEGACY, rabbit.NOVA_LEGACY_PUBLISHER)):
        env.nova.send(message, topic, publisher)
    env.vhost.publish_raw('nova', 'notifications.info', b'{not json',
                          content_type='application/json')
    env.vhost.publish_raw('nova', 'notifications.info', json.dumps(
        {'oslo.version': '2.0', 'oslo.message': '{broken'}).encode())
    instance_id, fqdn = env.enrolled_host()
    env.nova.send(samples.legacy_delete(instance_id), LEGACY,
                  rabbit.NOVA_LEGACY_PUBLISHER)

    listener.wait_for_outcome(instance_id, 'deleted')
    wait_until(lambda: listener.log().count('outcome=dead-lettered') >= 4,
               'four dead-lettered messages')
    env.wait_queue_empty()
    assert listener.process.poll() is None
    assert fqdn not in env.host_fqdns()

    parked = env.dead_letters()
    reasons = sorted(m['payload']['reason'] for m in parked)
    assert len(parked) == 4
    assert any('version 2.0 is not supported' in r for r in reasons)
    assert any('nova_object.data.uuid' in r for r in reasons)
    assert any('payload.instance_id' in r for r in reasons)
    assert any('not an object' in r for r in reasons)
    version_error = [line for line in listener.log().splitlines()
                     if 'e5a1b6c4-unknown-version' in line
                     and 'dead-lettered' in line]
    assert version_error and ' ERROR ' in version_error[0]
    for message in parked:
        assert message['event_type'] == 'novajoin.notification.dead_letter'
        assert message['payload']['event_type'] in (
            'instance.delete.end', 'compute.instance.delete.end')


def test_no_log_line_carries_a_secret(env):
    listener = env.start_listener()
    token = 'gAAAAABtoken-%s' % time.time()
    instance_id, fqdn = env.enrolled_host()
    message = samples.legacy_delete(instance_id)
    message['_context_auth_token'] = token
    message['message_id'] = 'secret-test-1'
    message['priority'] = 'INFO'
    # Old nova put the token into the context; publish such a message raw.
    env.vhost.publish_raw('nova', 'notifications.info', json.dumps(
        {'oslo.version': '2.0', 'oslo.message': json.dumps(message)}
    ).encode())
    listener.wait_for_outcome(instance_id, 'deleted')
    bad = samples.with_payload(samples.legacy_delete(instance_id), 'bad')
    bad['_context_auth_token'] = token
    env.vhost.publish_raw('nova', 'notifications.info', json.dumps(
        {'oslo.version': '2.0', 'oslo.message': json.dumps(bad)}).encode())
    wait_until(lambda: 'outcome=dead-lettered' in listener.log(),
               'the bad message parked')
    env.wait_queue_empty()

    log = listener.log()
    secrets = {'IPA password': env.ipa.admin_password,
               'service password': env.keystone.users['novajoin'].password,
               'token': token}
    for what, secret in secrets.items():
        assert secret not in log, '%s in the listener log' % what
    assert token not in json.dumps(env.dead_letters())
