"""novajoin-manage reconcile and hosts list against the IPA simulator, real
Keystone and the nova stand-in (paged server lists); periodic
reconciliation in two listeners on the real RabbitMQ."""

import json
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
    # More owned hosts than one answer holds: the search was split.
    assert env.ipa.admin.calls('host_find') > 1
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
