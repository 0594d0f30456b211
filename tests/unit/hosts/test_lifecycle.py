"""Owned-host search past IPA's size limit, and reconciliation decisions
with a controllable clock."""

import datetime
import threading
import time
import uuid

import pytest

from novajoin.hosts import inventory
from novajoin.hosts import ownership
from novajoin.hosts import reconcile
from novajoin.ipa import client as ipa_client
from novajoin.ipa import errors as ipa_errors
from novajoin import metrics
from novajoin.openstack import servers

NOW = datetime.datetime(2026, 11, 28, 12, 0, 0,
                        tzinfo=datetime.timezone.utc)
HOUR = datetime.timedelta(hours=1)


class LimitedIPA(object):
    """host_find with FreeIPA's substring criteria and size limit."""

    def __init__(self, sizelimit=100):
        self.sizelimit = sizelimit
        self.hosts = {}
        self.finds = 0
        self.deleted = []
        self.batch_sizes = []

    def add(self, fqdn, description, has_password=False, has_keytab=False):
        self.hosts[fqdn] = {'fqdn': [fqdn], 'description': [description],
                            'has_password': has_password,
                            'has_keytab': has_keytab}

    def host_find(self, criteria=None, **options):
        self.finds += 1
        found = [dict(entry, has_keytab=None, has_password=None)
                 for fqdn, entry in sorted(self.hosts.items())
                 if criteria.lower() in entry['description'][0].lower()]
        for entry in found:
            del entry['has_keytab'], entry['has_password']
        return {'result': found[:self.sizelimit],
                'truncated': len(found) > self.sizelimit}

    def batch(self, calls):
        self.batch_sizes.append((calls[0][0], len(calls)))
        items = []
        for method, args, options in calls:
            if method == 'host_del':
                assert options == {'updatedns': True}
                if args[0] in self.hosts:
                    self.host_del(args[0])
                    items.append(ipa_client.BatchItem({'result': {}}, None))
                else:
                    items.append(ipa_client.BatchItem(
                        None, ipa_errors.NotFound('not found')))
                continue
            assert method == 'host_show'
            entry = self.hosts.get(args[0])
            if entry is None:
                items.append(ipa_client.BatchItem(
                    None, ipa_errors.NotFound('not found')))
            else:
                items.append(ipa_client.BatchItem({'result': dict(entry)},
                                                  None))
        return items

    def host_del(self, fqdn, updatedns=False):
        self.deleted.append(fqdn)
        self.hosts.pop(fqdn)


def test_owned_hosts_are_all_found_when_ipa_truncates():
    ipa = LimitedIPA(sizelimit=10)
    for number in range(250):
        ipa.add('vm%03d.example.test' % number,
                ownership.build_description(str(uuid.uuid4())))
    ipa.add('hand.example.test', 'nova_instance_id, by hand')

    found = inventory.owned_hosts(ipa)

    assert len(found) == 250
    assert 'hand.example.test' not in {host.fqdn for host in found}
    assert ipa.finds > 1


def test_a_search_cut_off_at_a_full_id_is_skipped_not_fatal():
    # The server's own limit (sizelimit=0 does not lift it here).
    ipa = LimitedIPA(sizelimit=3)
    crowded, other = str(uuid.uuid4()), str(uuid.uuid4())
    for number in range(5):
        ipa.add('vm%d.example.test' % number,
                ownership.build_description(crowded))
    ipa.add('other.example.test', ownership.build_description(other))

    found = inventory.owned_hosts(ipa)

    assert [host.fqdn for host in found] == ['other.example.test']
    assert found.skipped == [crowded]


def test_a_truncated_search_for_one_instance_is_an_error():
    ipa = LimitedIPA(sizelimit=2)
    instance_id = str(uuid.uuid4())
    for number in range(3):
        ipa.add('vm%d.example.test' % number,
                ownership.build_description(instance_id))
    with pytest.raises(inventory.SearchTruncated):
        inventory.instance_entries(ipa, instance_id)


class Servers(object):
    def __init__(self, live=(), deleted=()):
        self._live = {s.instance_id: s for s in live}
        self._deleted = {s.instance_id: s for s in deleted}

    def live(self):
        return dict(self._live)

    def deleted(self):
        return dict(self._deleted)


class Gone(object):
    def is_gone(self, instance_id):
        return True


def _reconciler(ipa, live=(), deleted=(), now=NOW):
    return reconcile.Reconciler(ipa, Servers(live, deleted), Gone(),
                                grace=3600, ttl=4 * 3600,
                                clock=lambda: now)


def test_unenrolled_host_expires_once_the_clock_passes_the_ttl():
    ipa = LimitedIPA()
    instance_id = str(uuid.uuid4())
    ipa.add('pending.example.test', ownership.build_description(
        instance_id, 'nonce', created=NOW), has_password=True)
    live = [servers.Server(instance_id, 'p', 'BUILD', None)]

    early = _reconciler(ipa, live, now=NOW + 4 * HOUR - datetime.timedelta(
        seconds=1)).run()
    assert early.rows == []
    late = _reconciler(ipa, live, now=NOW + 4 * HOUR).run()

    assert [(r.action, r.reason) for r in late.rows] == [
        ('deleted', reconcile.UNENROLLED_EXPIRED)]
    assert ipa.deleted == ['pending.example.test']


def test_hosts_of_a_deleted_instance_wait_out_the_grace_period():
    ipa = LimitedIPA()
    instance_id = str(uuid.uuid4())
    ipa.add('gone.example.test', ownership.build_description(
        instance_id, created=NOW - 10 * HOUR), has_keytab=True)
    deleted = [servers.Server(instance_id, 'p', 'DELETED', NOW - HOUR / 2)]

    kept = _reconciler(ipa, deleted=deleted).run()
    assert [r.action for r in kept.rows] == ['kept']
    assert ipa.hosts

    dry = _reconciler(ipa, deleted=deleted, now=NOW + HOUR).run(
        dry_run=True)
    assert [r.action for r in dry.rows] == ['would-delete']
    assert ipa.deleted == []


def test_a_pass_deleting_most_owned_hosts_changes_nothing():
    ipa = LimitedIPA()
    for number in range(20):
        ipa.add('vm%02d.example.test' % number, ownership.build_description(
            str(uuid.uuid4()), created=NOW - 10 * HOUR), has_keytab=True)
    reconciler = reconcile.Reconciler(ipa, Servers(), Gone(), grace=0,
                                      ttl=0, max_delete_percent=25,
                                      clock=lambda: NOW)

    with pytest.raises(reconcile.TooManyDeletes):
        reconciler.run()
    assert len(ipa.hosts) == 20
    assert len(reconciler.run(dry_run=True).rows) == 20
    assert len(ipa.hosts) == 20


def _reconcile_actions(action):
    for metric in metrics.RECONCILE_ACTIONS.collect():
        for sample in metric.samples:
            if (sample.name.endswith('_total')
                    and sample.labels == {'action': action}):
                return sample.value
    return 0.0


def test_reconciliation_counts_what_it_changed_not_what_it_kept():
    ipa = LimitedIPA()
    instance_id = str(uuid.uuid4())
    ipa.add('counted.example.test', ownership.build_description(
        instance_id, 'nonce', created=NOW), has_password=True)
    live = [servers.Server(instance_id, 'p', 'BUILD', None)]
    deleted_before = _reconcile_actions('deleted')
    kept_before = _reconcile_actions('kept')

    _reconciler(ipa, live, now=NOW + 4 * HOUR).run()

    assert _reconcile_actions('deleted') == deleted_before + 1
    assert _reconcile_actions('kept') == kept_before


class CountingGone(object):
    """Every instance gone; counts the checks and how many ran at once."""

    def __init__(self):
        self.lock = threading.Lock()
        self.checked = []
        self.running = 0
        self.peak = 0

    def is_gone(self, instance_id):
        with self.lock:
            self.checked.append(instance_id)
            self.running += 1
            self.peak = max(self.peak, self.running)
        time.sleep(0.005)
        with self.lock:
            self.running -= 1
        return True


def test_gone_instances_checked_concurrently_deleted_in_batches():
    ipa = LimitedIPA()
    instances = [str(uuid.uuid4()) for _ in range(230)]
    for number, instance_id in enumerate(instances):
        ipa.add('vm%03d.example.test' % number, ownership.build_description(
            instance_id, created=NOW - 30 * HOUR), has_keytab=True)
    gone = CountingGone()
    reconciler = reconcile.Reconciler(ipa, Servers(), gone, grace=3600,
                                      ttl=4 * 3600, clock=lambda: NOW)

    report = reconciler.run(force=True)

    assert sorted(gone.checked) == sorted(instances)
    assert 1 < gone.peak <= reconcile.GONE_CHECKS
    assert len(ipa.deleted) == 230 and not ipa.hosts
    deletes = [size for method, size in ipa.batch_sizes
               if method == 'host_del']
    assert deletes == [100, 100, 30]
    assert {row.action for row in report.rows} == {'deleted'}
