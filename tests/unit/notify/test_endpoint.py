import logging

import pytest

from novajoin.notify import delivery
from novajoin.notify import endpoint as notify_endpoint
from novajoin.notify import handlers
from tests.fixtures import notifications as samples
from tests.unit.notify import fakes

INSTANCE = '8c1d4ad6-5c0a-4a57-9a3e-4e8a4f2b8f10'
FQDN = 'web-1.example.test'
HANDLED = notify_endpoint.HANDLED
REQUEUE = notify_endpoint.REQUEUE


class RecordingDeadLetters(object):

    def __init__(self):
        self.parked = []
        self.broken = False

    def park(self, ctxt, publisher_id, event_type, payload, metadata,
             reason, attempts, instance_id):
        if self.broken:
            raise RuntimeError('broker gone')
        self.parked.append(dict(event_type=event_type, reason=reason,
                                attempts=attempts, instance_id=instance_id,
                                message_id=metadata['message_id']))


@pytest.fixture
def deps():
    return handlers.Dependencies(fakes.FakeIPA(), fakes.FakeInstances(),
                                 fakes.FakePorts(), fakes.ZONE)


@pytest.fixture
def dead_letters():
    return RecordingDeadLetters()


@pytest.fixture
def endpoint(deps, dead_letters):
    return notify_endpoint.NotificationEndpoint(
        deps, dead_letters, max_attempts=3, backoff=0, backoff_max=0)


def deliver(endpoint, message, message_id='m-1'):
    return endpoint.info(samples.context_of(message),
                         message.get('publisher_id'), message['event_type'],
                         message['payload'],
                         {'message_id': message_id, 'timestamp': 'now'})


def test_done_work_is_acknowledged_and_logged_once(endpoint, deps, caplog):
    caplog.set_level(logging.INFO)
    deps.ipa.add_host(FQDN, INSTANCE)
    assert deliver(endpoint, samples.versioned_delete(INSTANCE)) == HANDLED
    lines = [r.getMessage() for r in caplog.records
             if r.name == notify_endpoint.__name__]
    assert len(lines) == 1
    assert ('event=instance.delete.end message_id=m-1 instance=%s fqdn=%s '
            'outcome=deleted attempts=1 duration=' % (INSTANCE, FQDN)
            in lines[0])


def test_refused_association_is_one_line_with_its_reason(endpoint, deps,
                                                         caplog):
    caplog.set_level(logging.INFO)
    deps.ipa.add_host(FQDN, INSTANCE)
    deps.instances.projects[INSTANCE] = 'victim-project'
    deps.ports.bind('p1', INSTANCE, 'attacker-project')
    assert deliver(endpoint, samples.neutron_associate(
        '203.0.113.66', 'p1', INSTANCE, 'attacker-project')) == HANDLED
    records = [r for r in caplog.records
               if r.name == notify_endpoint.__name__]
    assert len(records) == 1
    assert records[0].levelno == logging.WARNING
    assert ('outcome=project-mismatch attempts=1' in records[0].getMessage())
    assert records[0].getMessage().endswith(
        'reason=floating IP 203.0.113.66: floating_ip_project=attacker-'
        'project instance_project=victim-project port_project=attacker-'
        'project')
    assert deps.ipa.records == {}


def test_observed_events_log_at_debug_only(endpoint, caplog):
    caplog.set_level(logging.INFO)
    assert deliver(endpoint, samples.versioned_create(INSTANCE)) == HANDLED
    assert caplog.records == []


def test_outage_requeues_until_the_cap_then_parks(endpoint, deps,
                                                  dead_letters, caplog):
    deps.ipa.add_host(FQDN, INSTANCE)
    deps.ipa.down = True
    message = samples.legacy_delete(INSTANCE)
    assert deliver(endpoint, message) == REQUEUE
    assert deliver(endpoint, message) == REQUEUE
    assert dead_letters.parked == []
    assert deliver(endpoint, message) == HANDLED
    assert len(dead_letters.parked) == 1
    parked = dead_letters.parked[0]
    assert parked['attempts'] == 3 and parked['instance_id'] == INSTANCE
    assert 'IPAUnavailable' in parked['reason']
    error = [r for r in caplog.records if r.levelno == logging.ERROR][-1]
    assert INSTANCE in error.getMessage()
    assert 'outcome=dead-lettered' in error.getMessage()
    assert FQDN in deps.ipa.hosts


def test_recovery_before_the_cap_does_the_work(endpoint, deps,
                                               dead_letters):
    deps.ipa.add_host(FQDN, INSTANCE)
    deps.ipa.down = True
    message = samples.versioned_delete(INSTANCE)
    assert deliver(endpoint, message) == REQUEUE
    deps.ipa.down = False
    assert deliver(endpoint, message) == HANDLED
    assert deps.ipa.hosts == {} and dead_letters.parked == []


def test_attempts_are_counted_per_message(endpoint, deps, dead_letters):
    deps.ipa.down = True
    for message_id in ('a', 'b', 'c'):
        for _ in range(2):
            assert deliver(endpoint, samples.legacy_delete(INSTANCE),
                           message_id) == REQUEUE
    assert dead_letters.parked == []


def test_nova_outage_is_retried_like_an_ipa_outage(endpoint, deps):
    deps.ipa.add_host(FQDN, INSTANCE)
    deps.instances.down = True
    assert deliver(endpoint, samples.legacy_delete(INSTANCE)) == REQUEUE
    assert FQDN in deps.ipa.hosts


@pytest.mark.parametrize('payload, reason', [
    ({'nova_object.version': '9.0'}, 'not supported'),
    ('not an object', 'not an object'),
    ({'nova_object.version': '1.9', 'nova_object.data': {}}, 'uuid'),
])
def test_malformed_message_is_parked_at_once(endpoint, dead_letters,
                                             payload, reason):
    message = samples.with_payload(samples.versioned_delete(INSTANCE),
                                   payload)
    assert deliver(endpoint, message) == HANDLED
    assert len(dead_letters.parked) == 1
    assert dead_letters.parked[0]['attempts'] == 1
    assert reason in dead_letters.parked[0]['reason']


def test_message_is_requeued_when_parking_fails(endpoint, dead_letters):
    dead_letters.broken = True
    message = samples.with_payload(samples.legacy_delete(INSTANCE), 'bad')
    assert deliver(endpoint, message) == REQUEUE


def test_after_shutdown_began_nothing_new_is_started(endpoint, deps):
    deps.ipa.add_host(FQDN, INSTANCE)
    endpoint.begin_shutdown()
    assert deliver(endpoint, samples.legacy_delete(INSTANCE)) == REQUEUE
    assert FQDN in deps.ipa.hosts and deps.ipa.calls == []


def test_unexpected_error_is_retried_with_a_traceback(endpoint, deps,
                                                      caplog):
    def broken_host_find(criteria=None, **options):
        raise KeyError('surprise')

    deps.ipa.host_find = broken_host_find
    assert deliver(endpoint, samples.legacy_delete(INSTANCE)) == REQUEUE
    warning = [r for r in caplog.records if r.levelno == logging.WARNING][0]
    assert warning.exc_info is not None


def test_filter_accepts_exactly_the_handled_event_types():
    rule = notify_endpoint.NotificationEndpoint.filter_rule
    for event_type in handlers.HANDLERS:
        assert rule.match({}, 'p', event_type, {}, {})
    for event_type in ('instance.delete.start', 'instance.soft_delete.end',
                       'xinstance.delete.end', 'instance.delete.endx',
                       'instanceXdelete.end'):
        assert not rule.match({}, 'p', event_type, {}, {})


@pytest.mark.parametrize('failures, expected', [(1, 2.0), (2, 4.0),
                                                (3, 8.0), (10, 60.0)])
def test_backoff_doubles_up_to_its_maximum(failures, expected):
    assert delivery.backoff_delay(failures, 2.0, 60.0) == expected


def test_parked_context_keeps_no_token():
    ctxt = {'auth_token': 'gAAAAsecret', 'request_id': 'req-1',
            'service_catalog': [{'x': 1}], 'project_id': 'p'}
    assert delivery.safe_context(ctxt) == {'request_id': 'req-1',
                                           'project_id': 'p'}
