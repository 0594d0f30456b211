"""novajoin-manage reconcile and hosts list against the IPA simulator, real
Keystone and the nova stand-in (paged server lists); periodic
reconciliation in two listeners on the real RabbitMQ."""

import json
import os
import subprocess
import sys
import uuid

import pytest

from novajoin.hosts import ownership
from tests.fixtures import novajoin_server
from tests.functional.api import conftest as api
from tests.functional.notify.conftest import wait_until
from tests.functional.notify import lifecycle

DOMAIN = lifecycle.DOMAIN
HOUR = 3600
# More owned hosts than one IPA search answer holds (100).
LIVE_ENROLLED = 110


def fqdn(name):
    return '%s.%s' % (name, DOMAIN)


class Mix(object):
    """Hosts in every state reconciliation tells apart."""

    def __init__(self, env, ipa):
        self.env = env
        nova = env.openstack
        self.keep, self.delete, self.started = set(), set(), set()
        # Live, enrolled: paging material.
        for number in range(LIVE_ENROLLED):
            instance_id = str(uuid.uuid4())
            nova.set_server(instance_id, project_id='p-live')
            env.ipa.admin.seed_host(
                fqdn('live-%03d' % number), enrolled=True,
                description=ownership.build_description(
                    instance_id, created=lifecycle.ago(10 * HOUR)))
            self.keep.add(fqdn('live-%03d' % number))
        ipa.service_add('HTTP/%s' % fqdn('live-000'), force=True)
        # Deleted 1 minute ago: within the grace period.
        recent = str(uuid.uuid4())
        nova.set_server(recent, status='DELETED', project_id='p-recent',
                        deleted_at=lifecycle.iso(lifecycle.ago(60)))
        env.ipa.admin.seed_host(fqdn('recently-deleted'), enrolled=True,
                                description=ownership.build_description(
                                    recent, created=lifecycle.ago(HOUR)))
        self.keep.add(fqdn('recently-deleted'))
        # Deleted 2 hours ago, with a subhost of its own.
        gone = str(uuid.uuid4())
        nova.set_server(gone, status='DELETED', project_id='p-gone',
                        deleted_at=lifecycle.iso(lifecycle.ago(2 * HOUR)))
        for name in ('deleted', 'deleted.internalapi'):
            env.ipa.admin.seed_host(fqdn(name), enrolled=True,
                                    description=ownership.build_description(
                                        gone, created=lifecycle.ago(HOUR)))
            self.delete.add(fqdn(name))
        # Archived from nova's database long ago: nova answers 404.
        archived = str(uuid.uuid4())
        env.ipa.admin.seed_host(fqdn('archived'), enrolled=True,
                                description=ownership.build_description(
                                    archived,
                                    created=lifecycle.ago(30 * HOUR)))
        self.delete.add(fqdn('archived'))
        # Living instances that never enrolled: expired, fresh, legacy.
        self.pending_otp = {}
        for name, created, legacy in (
                ('never-enrolled', lifecycle.ago(5 * HOUR), False),
                ('booting', lifecycle.ago(60), False),
                ('legacy-pending', None, True)):
            instance_id = str(uuid.uuid4())
            nova.set_server(instance_id, project_id='p-pending')
            self.pending_otp[fqdn(name)] = lifecycle.add_pending_host(
                ipa, env.otp_key_file, instance_id, fqdn(name),
                created=created, legacy=legacy)
        self.delete.add(fqdn('never-enrolled'))
        self.keep.add(fqdn('booting'))
        self.started.add(fqdn('legacy-pending'))
        # Not novajoin's: no owner record, an IPA master, free text.
        env.ipa.admin.seed_host(fqdn('by-hand'), enrolled=True)
        env.ipa.admin.seed_host(fqdn('ipa2'), ipa_master=True,
                                description='IPA replica')
        env.ipa.admin.seed_host(fqdn('notes'), description='nova_instance_id'
                                ' of nothing, "nova_instance_id": "x"')
        self.keep |= {fqdn('by-hand'), fqdn('ipa2'), fqdn('notes'),
                      fqdn('legacy-pending')}


@pytest.fixture
def mix(env):
    env.ipa.admin.reset()
    env.openstack.clear_servers()
    ipa = lifecycle.ipa_admin_client(env.ipa)
    try:
        yield Mix(env, ipa)
    finally:
        ipa.close()
        env.openstack.clear_servers()


def _table_rows(output):
    """{fqdn: (action, reason)} from reconcile's table."""
    rows = {}
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip('|').split('|')]
        if len(cells) == 5 and '.' in cells[1]:
            rows[cells[1]] = (cells[0], cells[4])
    return rows


def test_dry_run_changes_nothing_and_says_what_it_would_do(env, mix):
    conf = env.write_conf()
    before = env.host_fqdns()

    result = lifecycle.run_manage(conf, 'reconcile', '--dry-run',
                                  '--grace', str(HOUR))

    assert result.returncode == 0, result.stderr
    assert env.host_fqdns() == before
    rows = _table_rows(result.stdout)
    assert {name for name, (action, _) in rows.items()
            if action == 'would-delete'} == mix.delete
    assert rows[fqdn('deleted')] == ('would-delete', 'instance-gone')
    assert rows[fqdn('never-enrolled')] == ('would-delete',
                                            'unenrolled-expired')
    assert rows[fqdn('recently-deleted')] == ('kept', 'deleted-recently')
    assert rows[fqdn('legacy-pending')] == ('would-start-ttl',
                                            'no-creation-time')
    assert 'dry run: %d owned hosts' % (LIVE_ENROLLED + 7) in result.stdout


def test_reconcile_removes_only_what_is_gone_or_expired(env, mix):
    conf = env.write_conf()
    env.ipa.admin.reset_stats()
    before = env.host_fqdns()

    result = lifecycle.run_manage(conf, 'reconcile', '--grace', str(HOUR))

    assert result.returncode == 0, result.stderr
    after = env.host_fqdns()
    assert before - after == mix.delete
    assert mix.keep <= after
    # More owned hosts than IPA's default page of 100, in one search (the
    # listing asks for more; tests/functional/ipa/test_owner_listing.py
    # covers the split), and the gone instances not searched again.
    assert env.ipa.admin.calls('host_find') == 1
    assert env.ipa.admin.stats()['calls'].get('host_del', 0) == 0
    assert env.ipa.admin.calls('host_del') == len(mix.delete)
    # The expired OTP no longer joins; the fresh one is untouched.
    assert env.ipa.admin.try_join(fqdn('never-enrolled'), mix.pending_otp[
        fqdn('never-enrolled')])[0] == 404
    # The legacy entry's TTL started now, with its nonce (so its OTP) kept.
    ipa = lifecycle.ipa_admin_client(env.ipa)
    try:
        record = ownership.owner_of(
            ipa.host_show(fqdn('legacy-pending'))['result'])
    finally:
        ipa.close()
    assert record.created is not None
    assert record.created >= lifecycle.ago(600)
    assert env.ipa.admin.try_join(fqdn('booting'), mix.pending_otp[
        fqdn('booting')])[0] == 200

    again = lifecycle.run_manage(conf, 'reconcile', '--grace', str(HOUR))
    assert again.returncode == 0, again.stderr
    assert {action for action, _ in _table_rows(again.stdout).values()} == {
        'kept'}


def test_ttl_zero_keeps_unenrolled_hosts(env, mix):
    conf = env.write_conf(enrollment={'unenrolled_host_ttl': 0})
    result = lifecycle.run_manage(conf, 'reconcile', '--dry-run')
    rows = _table_rows(result.stdout)
    assert fqdn('never-enrolled') not in rows
    assert fqdn('legacy-pending') not in rows


def test_hosts_list_shows_owned_hosts_only(env, mix):
    conf = env.write_conf()
    result = lifecycle.run_manage(conf, 'hosts', 'list', '--format', 'json')
    assert result.returncode == 0, result.stderr
    hosts = {row['fqdn']: row for row in json.loads(result.stdout)}
    assert len(hosts) == LIVE_ENROLLED + 7
    assert fqdn('by-hand') not in hosts and fqdn('ipa2') not in hosts
    assert hosts[fqdn('live-000')]['project_id'] == 'p-live'
    assert hosts[fqdn('live-000')]['enrolled'] is True
    assert hosts[fqdn('live-000')]['services'] == [
        'HTTP/%s@EXAMPLE.TEST' % fqdn('live-000')]
    assert hosts[fqdn('live-001')]['services'] == []
    assert hosts[fqdn('booting')]['enrolled'] is False
    assert hosts[fqdn('legacy-pending')]['created'] is None

    table = lifecycle.run_manage(conf, 'hosts', 'list')
    assert table.returncode == 0, table.stderr
    assert '%d owned hosts' % (LIVE_ENROLLED + 7) in table.stdout
    assert fqdn('booting') in table.stdout


def test_one_of_two_listeners_reconciles_and_the_other_takes_over(env):
    env.ipa.admin.reset()
    env.openstack.clear_servers()
    first = env.start_listener(name='first', reconcile_interval=1,
                               reconcile_grace=0)
    second = env.start_listener(name='second', reconcile_interval=1,
                                reconcile_grace=0)
    instance_id = str(uuid.uuid4())
    env.openstack.set_server(instance_id, status='DELETED',
                             deleted_at=lifecycle.iso(lifecycle.ago(60)))
    env.ipa.admin.seed_host(fqdn('lost-delete'), enrolled=True,
                            description=ownership.build_description(
                                instance_id))

    wait_until(lambda: fqdn('lost-delete') not in env.host_fqdns(),
               'periodic reconciliation to delete the host')
    wait_until(lambda: 'reconcile skipped' in first.log() + second.log(),
               'the other listener to skip a run')
    leaders = [listener for listener in (first, second)
               if 'reconcile done' in listener.log()]
    assert len(leaders) == 1
    follower = second if leaders[0] is first else first
    assert 'reconcile lock acquired' not in follower.log()

    leaders[0].sigterm()
    wait_until(lambda: 'reconcile lock acquired' in follower.log(),
               'the other listener to take the lock over')
    wait_until(lambda: 'reconcile done' in follower.log(),
               'the other listener to reconcile')


@pytest.fixture
def nova_api(env, tmp_path, test_ca):
    """novajoin-server with the listener's OTP key; nova's caller."""
    sections = api.server_sections(env.keystone, env.ipa, env.otp_key_file)
    with novajoin_server.run_novajoin_server(
            tmp_path / 'api', test_ca, sections) as server:
        yield api.caller_for(server, env.keystone, 'nova')


def test_crafted_locations_and_a_renamed_instance_stop_nothing(env,
                                                               nova_api):
    nova = env.openstack
    ipa = lifecycle.ipa_admin_client(env.ipa)
    victim = str(uuid.uuid4())
    nova.set_server(victim, project_id='p-victim')
    crafted = '"%s": "%s' % (ownership.INSTANCE_KEY, victim)
    # The location is refused now: nothing is written.
    refused = nova_api.post(api.vendordata_body(
        hostname='crafty', instance_id=victim,
        metadata={'ipa_enroll': 'true', 'ipa_host_location': crafted}))
    assert refused.status_code == 400, refused.text
    assert 'ipa_host_location' in refused.text
    # 101 such hosts written before the check existed, by one instance.
    attacker = str(uuid.uuid4())
    nova.set_server(attacker, project_id='p-attacker')
    for start in range(0, 101, 50):
        for item in ipa.batch([
                ('host_add', [fqdn('crafted-%03d' % number)], {
                    'force': True, 'nshostlocation': crafted,
                    'description': ownership.build_description(attacker)})
                for number in range(start, min(start + 50, 101))]):
            assert item.error is None
    # The victim's own host; then renamed 4 times (nova API 2.90).
    names = ['victim-%d' % number for number in range(5)]
    first = nova_api.post(api.vendordata_body(
        hostname=names[0], instance_id=victim,
        metadata={'ipa_enroll': 'true', 'ipa_host_location': 'rack 4'}))
    assert first.status_code == 200, first.text
    for name in names[1:]:
        again = nova_api.post(api.vendordata_body(
            hostname=name, instance_id=victim,
            metadata={'ipa_enroll': 'true'}))
        assert again.status_code == 409, again.text
        assert fqdn(names[0]) in again.text
    owned = [entry for entry in ipa.host_find(
        criteria=victim, sizelimit=0)['result']
        if ownership.is_owned_by(entry, victim)]
    assert [entry['fqdn'][0] for entry in owned] == [fqdn(names[0])]

    conf = env.write_conf()
    dry = lifecycle.run_manage(conf, 'reconcile', '--dry-run')
    assert dry.returncode == 0, dry.stderr
    assert 'owned hosts of' in dry.stdout
    assert 'SearchTruncated' not in dry.stderr + dry.stdout
    # The simulator is shared: other tests' hosts may be in it too.
    done = lifecycle.run_manage(conf, 'reconcile', '--force')
    assert done.returncode == 0, done.stderr
    listed = lifecycle.run_manage(conf, 'hosts', 'list', '--format', 'json')
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert len([row for row in rows
                if row['instance_id'] == attacker]) == 101
    assert [row['fqdn'] for row in rows
            if row['instance_id'] == victim] == [fqdn(names[0])]


# Scale: bulk deletes, streamed listing.

GONE = 130
LIVE = 120


def _seed_owned(env, ipa, count, prefix, live, created):
    """``count`` enrolled owned hosts, their instances living or not."""
    calls = []
    for number in range(count):
        instance_id = str(uuid.uuid4())
        if live:
            env.openstack.set_server(instance_id, project_id='p-scale')
        calls.append(('host_add', [fqdn('%s-%03d' % (prefix, number))], {
            'force': True,
            'description': ownership.build_description(
                instance_id, created=created)}))
    for start in range(0, len(calls), 50):
        for item in ipa.batch(calls[start:start + 50]):
            assert item.error is None, item.error


@pytest.fixture
def crowd(env):
    env.ipa.admin.reset()
    env.openstack.clear_servers()
    ipa = lifecycle.ipa_admin_client(env.ipa)
    try:
        _seed_owned(env, ipa, LIVE, 'alive', True, lifecycle.ago(HOUR))
        # Archived from nova long ago: nova answers 404 for each.
        _seed_owned(env, ipa, GONE, 'lost', False, lifecycle.ago(30 * HOUR))
        yield
    finally:
        ipa.close()
        env.openstack.clear_servers()


def test_gone_instances_hosts_go_in_batches_without_new_searches(env, crowd):
    conf = env.write_conf()
    before = env.host_fqdns()
    env.ipa.admin.reset_stats()

    result = lifecycle.run_manage(conf, 'reconcile', '--force',
                                  '--grace', str(HOUR))

    assert result.returncode == 0, result.stderr
    deleted = before - env.host_fqdns()
    assert deleted == {fqdn('lost-%03d' % n) for n in range(GONE)}
    calls = env.ipa.admin.stats()['calls']
    # Every delete inside a batch (at most 100 each: two batches), and
    # the hosts the listing found were not searched for again.
    assert calls.get('host_del', 0) == 0
    assert calls['batch:host_del'] == GONE
    assert calls['host_find'] == 1
    rows = _table_rows(result.stdout)
    assert {name for name, (action, _) in rows.items()
            if action == 'deleted'} == deleted


def test_mass_delete_guard_still_refuses_without_force(env, crowd):
    conf = env.write_conf()
    before = env.host_fqdns()
    result = lifecycle.run_manage(conf, 'reconcile', '--grace', str(HOUR))
    assert result.returncode == 1
    assert 'TooManyDeletes' in result.stderr
    assert env.host_fqdns() == before


def test_hosts_list_json_streams_row_by_row(env, crowd, tmp_path):
    conf = env.write_conf()
    program = os.path.join(os.path.dirname(sys.executable),
                           'novajoin-manage')
    # Each IPA read takes 1.5 s: the second host_show batch (of 250) is
    # still to come when the first rows must already be out.
    env.ipa.admin.control(read_latency_ms=1500)
    try:
        with open(tmp_path / 'stderr', 'w+') as errors:
            process = subprocess.Popen(
                [program, '--config-file', conf, 'hosts', 'list',
                 '--format', 'json'], stdout=subprocess.PIPE,
                stderr=errors, text=True)
            try:
                head = process.stdout.readline() + process.stdout.readline()
                # A row is out while the command is still listing.
                assert process.poll() is None
                output = head + process.stdout.read()
                process.wait(timeout=120)
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait()
                process.stdout.close()
            errors.seek(0)
            assert process.returncode == 0, errors.read()
    finally:
        env.ipa.admin.control(read_latency_ms=None)
    assert head.startswith('[\n{"created": ')
    rows = json.loads(output)
    assert len(rows) == LIVE + GONE
    assert len({r['fqdn'] for r in rows}) == LIVE + GONE
    assert {r['project_id'] for r in rows
            if r['fqdn'].startswith('alive-')} == {'p-scale'}
    assert all(r['enrolled'] is False for r in rows)
