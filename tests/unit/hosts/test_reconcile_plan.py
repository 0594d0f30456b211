"""Reconciliation decisions, without IPA, nova or a clock."""

import datetime
import json

import pytest

from novajoin.hosts import inventory
from novajoin.hosts import ownership
from novajoin.hosts import reconcile_plan
from novajoin.openstack import servers

NOW = datetime.datetime(2026, 11, 28, 12, 0, 0,
                        tzinfo=datetime.timezone.utc)
HOUR = datetime.timedelta(hours=1)
INSTANCE = '6f3c1f0e-5a7b-4c55-9d1e-2b8f0a6c4e11'
OTHER = 'a1b2c3d4-0000-4000-8000-000000000000'


def _description(instance_id, created):
    if created is None:
        # novajoin 1.3.0's record: no creation time.
        return json.dumps({'novajoin_metadata': {
            'nova_instance_id': instance_id, 'otp_nonce': 'nonce'}})
    return ownership.build_description(instance_id, 'nonce', created=created)


def _host(fqdn, instance_id=INSTANCE, created=None, **entry):
    entry = dict(entry, fqdn=[fqdn],
                 description=[_description(instance_id, created)])
    return inventory.OwnedHost(fqdn, ownership.owner_of(entry), entry)


def _planner(grace=HOUR, ttl=4 * HOUR, max_delete_percent=100):
    return reconcile_plan.Planner(grace.total_seconds(), ttl.total_seconds(),
                                  max_delete_percent)


def test_hosts_are_grouped_by_the_instance_of_their_record():
    first, second = _host('a.example.test'), _host('b.example.test')
    third = _host('c.example.test', instance_id=OTHER)

    grouped = reconcile_plan.by_instance([first, third, second])

    assert dict(grouped) == {INSTANCE: [first, second], OTHER: [third]}


def test_pending_hosts_are_the_unenrolled_ones_with_nova_s_project():
    enrolled = _host('in.example.test', has_keytab=True)
    waiting = _host('out.example.test', has_keytab=False)
    server = servers.Server(INSTANCE, 'proj', 'ACTIVE', None)

    assert reconcile_plan.pending([enrolled, waiting], server) == [
        (waiting, 'proj')]


def test_deleted_at_decides_the_grace_period():
    owned = [_host('a.example.test', created=NOW - 10 * HOUR)]
    recent = servers.Server(INSTANCE, 'p', 'DELETED', NOW - HOUR / 2)
    old = servers.Server(INSTANCE, 'p', 'DELETED', NOW - HOUR)

    assert _planner().within_grace(owned, recent, NOW)
    assert not _planner().within_grace(owned, old, NOW)


def test_without_nova_s_record_the_newest_creation_stands_in():
    owned = [_host('a.example.test', created=NOW - 10 * HOUR),
             _host('b.example.test', created=NOW - HOUR / 2)]

    assert _planner().within_grace(owned, None, NOW)
    assert not _planner().within_grace(owned[:1], None, NOW)


def test_an_instance_with_no_time_at_all_is_past_the_grace_period():
    assert not _planner().within_grace([_host('a.example.test')], None, NOW)


def test_kept_and_deleted_hosts_carry_the_project_nova_knows():
    owned = [_host('a.example.test'), _host('b.example.test')]
    server = servers.Server(INSTANCE, 'proj', 'DELETED', NOW)

    kept = reconcile_plan.keep_all(INSTANCE, owned, server)
    gone = reconcile_plan.delete_all(INSTANCE, owned, None)

    assert [(p.step, p.fqdn, p.project_id, p.reason) for p in kept] == [
        ('keep', 'a.example.test', 'proj', 'deleted-recently'),
        ('keep', 'b.example.test', 'proj', 'deleted-recently')]
    assert [(p.step, p.fqdn, p.project_id, p.reason) for p in gone] == [
        ('delete', 'a.example.test', None, 'instance-gone'),
        ('delete', 'b.example.test', None, 'instance-gone')]


def test_without_a_ttl_unenrolled_hosts_never_expire():
    assert _planner(ttl=datetime.timedelta(0)).ttl is None


def test_ttl_candidates_are_the_old_and_the_undated():
    young = (_host('young.example.test', created=NOW - HOUR), 'p')
    old = (_host('old.example.test', created=NOW - 4 * HOUR), 'p')
    undated = (_host('undated.example.test'), 'p')

    assert _planner().ttl_candidates([young, old, undated], NOW) == [
        old, undated]


def _shown(fqdn, instance_id=INSTANCE, created=None, **flags):
    return dict(flags, fqdn=[fqdn],
                description=[_description(instance_id, created)])


def test_an_expired_host_still_without_keytab_is_deleted():
    candidate = (_host('a.example.test', created=NOW - 5 * HOUR), 'p')
    entry = _shown('a.example.test', created=NOW - 5 * HOUR,
                   has_password=True, has_keytab=False)

    plans = _planner().unenrolled([candidate], [entry], NOW)

    assert [(p.step, p.fqdn, p.instance_id, p.project_id, p.reason)
            for p in plans] == [('delete', 'a.example.test', INSTANCE, 'p',
                                 'unenrolled-expired')]


def test_an_undated_pending_host_gets_its_ttl_started():
    candidate = (_host('a.example.test'), 'p')
    entry = _shown('a.example.test', has_password=True)

    plans = _planner().unenrolled([candidate], [entry], NOW)

    assert [(p.step, p.reason) for p in plans] == [
        ('start-ttl', 'no-creation-time')]
    assert plans[0].record == ownership.owner_of(entry)


@pytest.mark.parametrize('entry', [
    None,
    _shown('a.example.test', created=NOW - 5 * HOUR, has_password=False),
    _shown('a.example.test', created=NOW - 5 * HOUR, has_password=True,
           has_keytab=True),
    _shown('a.example.test', instance_id=OTHER, created=NOW - 5 * HOUR,
           has_password=True),
    {'fqdn': ['a.example.test'], 'description': ['by hand'],
     'has_password': True},
    _shown('a.example.test', created=NOW - HOUR, has_password=True),
], ids=['gone', 'enrolled-since', 'keytab', 'other-instance', 'not-owned',
        'renewed'])
def test_a_candidate_that_changed_since_the_search_is_left_alone(entry):
    candidate = (_host('a.example.test', created=NOW - 5 * HOUR), 'p')

    assert _planner().unenrolled([candidate], [entry], NOW) == []


def _deletes(count):
    return [reconcile_plan.Plan('delete', 'h%d' % n, INSTANCE, None,
                                'instance-gone', None)
            for n in range(count)] + [
        reconcile_plan.Plan('keep', 'k', INSTANCE, None,
                            'deleted-recently', None)]


def test_ten_deletes_are_always_allowed():
    _planner(max_delete_percent=0).refuse_too_many(_deletes(10), 10)
    with pytest.raises(reconcile_plan.TooManyDeletes):
        _planner(max_delete_percent=0).refuse_too_many(_deletes(11), 100)


def test_deletes_beyond_the_share_of_owned_hosts_are_refused():
    planner = _planner(max_delete_percent=25)
    planner.refuse_too_many(_deletes(25), 100)
    with pytest.raises(reconcile_plan.TooManyDeletes) as raised:
        planner.refuse_too_many(_deletes(26), 100)
    assert str(raised.value).startswith(
        'would delete 26 of 100 owned hosts, more than 25%;')
