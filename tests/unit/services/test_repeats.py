"""The vendordata path of TLS services: repeats of satisfied metadata cost
no IPA call, an instance's budget bounds what it makes IPA do, and only
the first request is judged on nova's boot-roles."""

import json
import logging
import os

from pymemcache.test import utils as memcache_utils
import pytest

from novajoin.hosts import nonce_cache
from novajoin.hosts import otp
from novajoin.ipa import errors as ipa_errors
from novajoin.services import metadata
from novajoin.services import records
from tests.unit.services import test_manager
from tests.unit.services.test_manager import A
from tests.unit.services.test_manager import B
from tests.unit.services.test_manager import compact
from tests.unit.services.test_manager import instance
from tests.unit.services.test_manager import PROJECT
from tests.unit.services.test_manager import VIP

ipa = test_manager.ipa
enforcer = test_manager.enforcer
MANAGED = {'managed_service_vip': 'HTTP/' + VIP}


class Clock(object):
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def memcached():
    return memcache_utils.MockMemcacheClient()


def make(ipa, enforcer, clock, cache=None, **kwargs):
    cache = cache or nonce_cache.NoNonceCache(clock=clock)
    return test_manager.make_services(ipa, enforcer, clock=clock,
                                      cache=cache, **kwargs)


def ensure(tls, web, metadata, first=False, roles=()):
    return tls.ensure_for_enrollment(web, metadata, list(roles), None,
                                     first=first)


def sixty_four():
    """64 principals on 4 subhosts: 16 services on each of 4 networks."""
    return compact(**{'svc%d' % n: ['net1', 'net2', 'net3', 'net4']
                      for n in range(16)})


def test_repeats_of_satisfied_metadata_make_no_ipa_call(ipa, enforcer,
                                                        clock, caplog):
    tls = make(ipa, enforcer, clock)
    web = instance(ipa)
    caplog.set_level(logging.INFO)
    first = ensure(tls, web, sixty_four(), first=True)
    assert len(first.granted) == 64 and first.ipa_calls == 2
    trips = ipa.round_trips()
    for _ in range(20):
        assert ensure(tls, web, sixty_four()).ipa_calls == 0
    assert ipa.round_trips() == trips
    assert 'services decision=unchanged ipa_calls=0' in caplog.text


def test_a_change_costs_one_read_and_one_write(ipa, enforcer, clock):
    tls = make(ipa, enforcer, clock)
    web = instance(ipa)
    ensure(tls, web, compact(HTTP=['internalapi']), first=True)
    trips = ipa.round_trips()
    summary = ensure(tls, web, compact(HTTP=['internalapi'],
                                       ldap=['internalapi', 'storage']))
    assert ipa.round_trips() - trips == 2 == summary.ipa_calls
    assert len(summary.granted) == 3
    trips = ipa.round_trips()
    ensure(tls, web, compact(HTTP=['internalapi'],
                             ldap=['internalapi', 'storage']))
    assert ipa.round_trips() == trips


def test_the_record_expires(ipa, enforcer, clock):
    tls = make(ipa, enforcer, clock, record_ttl=60)
    web = instance(ipa)
    ensure(tls, web, compact(HTTP=['internalapi']), first=True)
    clock.now += 61
    trips = ipa.round_trips()
    assert ensure(tls, web, compact(HTTP=['internalapi'])).ipa_calls == 1
    assert ipa.round_trips() - trips == 1


def test_only_a_settled_request_is_recorded(ipa, enforcer, clock):
    tls = make(ipa, enforcer, clock)
    web = instance(ipa)
    real_batch = ipa.client.batch
    ipa.client.batch = _ipa_down
    assert ensure(tls, web, compact(HTTP=['internalapi']),
                  first=True).skipped
    ipa.client.batch = real_batch
    summary = ensure(tls, web, compact(HTTP=['internalapi']))
    assert summary.ipa_calls == 2 and len(summary.granted) == 1
    # A refusal on what IPA showed is settled: the same metadata would
    # get the same answer.
    ipa.seed_host('web.storage.example.test', description='by hand')
    summary = ensure(tls, web, compact(HTTP=['storage']))
    assert summary.settled and summary.granted == {}
    assert ensure(tls, web, compact(HTTP=['storage'])).ipa_calls == 0


def test_hourly_budget_refuses_and_logs(ipa, enforcer, clock, caplog):
    tls = make(ipa, enforcer, clock, max_reads_per_hour=3)
    web = instance(ipa)
    for network in ('a', 'b', 'c'):
        assert ensure(tls, web, compact(HTTP=[network])).granted
    trips = ipa.round_trips()
    summary = ensure(tls, web, compact(HTTP=['d']))
    assert summary.granted == {} and ipa.round_trips() == trips
    assert 'max_reads_per_hour' in summary.refusals[0].reason
    assert ('instance=%s item=metadata decision=refused reason=3 IPA reads '
            'in the last hour' % A) in caplog.text
    # Another instance has a budget of its own; the hour passes.
    assert ensure(tls, instance(ipa, B, 'db'), compact(HTTP=['d'])).granted
    clock.now += records.HOUR
    assert ensure(tls, web, compact(HTTP=['d'])).granted


def test_too_many_hosts_get_none(ipa, enforcer, clock):
    tls = make(ipa, enforcer, clock, max_hosts=2)
    summary = ensure(tls, instance(ipa), compact(HTTP=['a', 'b', 'c']),
                     first=True)
    assert summary.granted == {}
    assert 'max_hosts' in summary.refusals[0].reason
    assert ipa.round_trips() == 0


def test_a_managed_service_added_later_needs_the_update_rule(
        ipa, enforcer, clock, caplog):
    tls = make(ipa, enforcer, clock)
    web = instance(ipa)
    first = ensure(tls, web, compact(HTTP=['internalapi']), first=True,
                   roles=['admin'])
    assert len(first.granted) == 1
    summary = ensure(tls, web, dict(compact(HTTP=['internalapi']),
                                    **MANAGED), roles=['admin'])
    assert [r.key for r in summary.refusals] == ['HTTP/' + VIP]
    assert 'after the instance\'s first vendordata request' in (
        summary.refusals[0].reason)
    assert VIP not in ipa.host_names()
    assert 'HTTP/' + VIP not in ipa.principals()
    assert 'item=HTTP/%s decision=refused' % VIP in caplog.text


def test_a_later_request_keeps_what_the_instance_manages(ipa, enforcer,
                                                         clock):
    tls = make(ipa, enforcer, clock)
    web = instance(ipa)
    ensure(tls, web, MANAGED, first=True, roles=['admin'])
    assert ipa.service_managers('HTTP/' + VIP) == [VIP, web.fqdn]
    summary = ensure(tls, web, dict(MANAGED, **compact(HTTP=['storage'])),
                     roles=['admin'])
    assert summary.refusals == []
    assert metadata.Principal('HTTP', VIP) in summary.granted


def test_a_listed_project_may_add_managed_services_later(ipa, enforcer,
                                                         clock):
    tls = make(ipa, enforcer, clock, allowed_projects=[PROJECT])
    web = instance(ipa)
    ensure(tls, web, compact(HTTP=['internalapi']), first=True)
    summary = ensure(tls, web, MANAGED)
    assert list(summary.granted) == [metadata.Principal('HTTP', VIP)]


def test_boot_allowed_managed_services_survive_a_failed_first_request(
        ipa, enforcer, clock):
    tls = make(ipa, enforcer, clock)
    web = instance(ipa)
    real_batch = ipa.client.batch
    ipa.client.batch = _ipa_down
    assert ensure(tls, web, MANAGED, first=True, roles=['admin']).skipped
    ipa.client.batch = real_batch
    summary = ensure(tls, web, dict(MANAGED, managed_service_b='HTTP/x.'
                                    'example.test'), roles=['admin'])
    assert list(summary.granted) == [metadata.Principal('HTTP', VIP)]
    assert summary.refusals[0].key == 'HTTP/x.example.test'


def _ipa_down(*args, **kwargs):
    raise ipa_errors.IPAUnavailable('down')


def test_records_in_memcached_are_shared_and_bound_to_their_host(
        ipa, enforcer, clock, memcached):
    cache = nonce_cache.NonceCache(memcached, ttl=10,
                                   otp_key=otp.OTPKey(os.urandom(48)),
                                   clock=clock)
    one = make(ipa, enforcer, clock, cache=cache)
    two = make(ipa, enforcer, clock, cache=cache)
    web = instance(ipa)
    ensure(one, web, compact(HTTP=['internalapi']), first=True)
    trips = ipa.round_trips()
    assert ensure(two, web, compact(HTTP=['internalapi'])).ipa_calls == 0
    assert ipa.round_trips() == trips
    # A value copied to another host's key, or garbage, is a miss.
    db = instance(ipa, B, 'db')
    value = memcached.get(nonce_cache.record_key(
        records.SATISFIED, A, web.fqdn))
    assert json.loads(cache.load_record(
        records.SATISFIED, A, web.fqdn))['instance'] == A
    memcached.set(nonce_cache.record_key(records.SATISFIED, B, db.fqdn),
                  value)
    assert ensure(two, db, compact(HTTP=['internalapi'])).ipa_calls == 2
    memcached.set(nonce_cache.record_key(records.SATISFIED, A, web.fqdn),
                  b'\xff not json')
    assert ensure(two, web, compact(HTTP=['internalapi'])).ipa_calls == 1


def test_the_listener_update_is_outside_the_vendordata_budget(
        ipa, enforcer, clock):
    tls = make(ipa, enforcer, clock, max_reads_per_hour=1)
    web = instance(ipa)
    assert ensure(tls, web, compact(HTTP=['a']), first=True).granted
    assert tls.update(web, compact(HTTP=['a', 'b']),
                      ['web.a.example.test']).granted
