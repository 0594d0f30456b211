"""novajoin-notify's /metrics: notifications by result, IPA calls, and the
owned hosts still waiting for enrollment, counted on a timer."""

import uuid

from tests.fixtures import net
from tests.fixtures import notifications as samples
from tests.fixtures import prometheus
from tests.fixtures import rabbit
from tests.functional.notify.conftest import DOMAIN
from tests.functional.notify.conftest import wait_until

VERSIONED = 'versioned_notifications'
LEGACY = 'notifications'


def _start_with_metrics(env):
    port = net.free_port()
    listener = env.start_listener(sections={'metrics': {
        'enabled': 'true', 'listener_host': '127.0.0.1',
        'listener_port': port, 'owned_hosts_interval': 1}})
    return listener, 'http://127.0.0.1:%d/metrics' % port


def _metric(url, name, **labels):
    return prometheus.value(prometheus.scrape(url), name, **labels)


def test_metrics_follow_deletes_dead_letters_and_pending_hosts(env):
    listener, url = _start_with_metrics(env)
    owned = 'novajoin_owned_hosts'
    counted = 'novajoin_owned_hosts_last_count_timestamp_seconds'
    wait_until(lambda: _metric(url, counted) > 0, 'a first count')
    # The simulator is shared: hosts of earlier tests are counted too.
    baseline = _metric(url, owned, state='pending_enrollment')

    pending_fqdn = 'pending-%s.%s' % (uuid.uuid4().hex[:6], DOMAIN)
    env.ipa.admin.seed_host(pending_fqdn, description=(
        '{"novajoin_metadata": {"nova_instance_id": "%s"}}'
        % uuid.uuid4()))
    deleted_instance, deleted_fqdn = env.enrolled_host()
    env.ipa.admin.seed_host('not-ours-%s.%s' % (uuid.uuid4().hex[:6],
                                                DOMAIN))
    wait_until(lambda: _metric(url, owned, state='pending_enrollment')
               == baseline + 2, 'two more owned hosts pending enrollment')

    env.nova.send(samples.versioned_delete(deleted_instance), VERSIONED,
                  rabbit.NOVA_VERSIONED_PUBLISHER)
    listener.wait_for_outcome(deleted_instance, 'deleted')
    unsupported = samples.versioned_delete(str(uuid.uuid4()))
    unsupported['payload']['nova_object.version'] = '2.0'
    env.nova.send(unsupported, VERSIONED, rabbit.NOVA_VERSIONED_PUBLISHER)
    wait_until(lambda: _metric(
        url, 'novajoin_notifications_total', event_type='instance.delete.end',
        result='dead_lettered') == 1, 'one dead-lettered delete')

    scraped = prometheus.scrape(url)
    assert prometheus.value(scraped, 'novajoin_notifications_total',
                            event_type='instance.delete.end',
                            result='handled') == 1
    assert prometheus.value(scraped,
                            'novajoin_ipa_call_duration_seconds_count',
                            command='host_del', outcome='ok') == 1
    assert prometheus.value(scraped,
                            'novajoin_ipa_connection_wait_seconds_count',
                            outcome='acquired') >= 2
    wait_until(lambda: _metric(url, owned, state='pending_enrollment')
               == baseline + 1, 'the deleted host no longer counted')
    assert env.dead_letters()


def test_ipa_outage_shows_as_requeued_notifications_and_unavailable_calls(
        env):
    listener, url = _start_with_metrics(env)
    instance_id, fqdn = env.enrolled_host()
    env.ipa.admin.control(outage='503')
    env.nova.send(samples.legacy_delete(instance_id), LEGACY,
                  rabbit.NOVA_LEGACY_PUBLISHER)
    wait_until(lambda: _metric(url, 'novajoin_notifications_total',
                               event_type='compute.instance.delete.end',
                               result='requeued') >= 1,
               'a requeued delete')
    assert _metric(url, 'novajoin_ipa_call_duration_seconds_count',
                   outcome='unavailable') >= 1
    env.ipa.admin.control(outage='none')
    listener.wait_for_outcome(instance_id, 'deleted')
    wait_until(lambda: _metric(url, 'novajoin_notifications_total',
                               event_type='compute.instance.delete.end',
                               result='handled') == 1, 'the delete handled')


def test_owned_host_count_publishes_interval_and_ipa_cost(env):
    listener, url = _start_with_metrics(env)
    task = 'owned_host_count'
    counted = 'novajoin_owned_hosts_last_count_timestamp_seconds'
    env.ipa.admin.seed_host('cost-%s.%s' % (uuid.uuid4().hex[:6], DOMAIN),
                            description=(
                                '{"novajoin_metadata": {"nova_instance_id": '
                                '"%s"}}' % uuid.uuid4()))
    first = _metric(url, counted)
    wait_until(lambda: _metric(url, counted) > first, 'a count after that')

    scraped = prometheus.scrape(url)
    owned = sum(prometheus.value(scraped, 'novajoin_owned_hosts', state=s)
                for s in ('pending_enrollment', 'enrolled'))
    assert owned >= 1
    assert prometheus.value(scraped, 'novajoin_background_interval_seconds',
                            task=task) == 1
    # One search (fewer than a page of owned hosts) and a host_show batch
    # per 250 hosts; hosts added meanwhile may add a batch.
    round_trips = prometheus.value(
        scraped, 'novajoin_background_ipa_round_trips', task=task)
    assert 2 <= round_trips <= 2 + (owned + 249) // 250
    assert prometheus.value(scraped, 'novajoin_background_duration_seconds',
                            task=task) > 0
