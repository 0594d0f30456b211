"""Reconciliation's floating IP record removal inside the bulk-delete pass
(issue 18's stale records, issue 22's batched deletes): one pass deletes
the hosts of gone instances in batches and removes the stale records of
living ones; neutron unavailable stops it before either."""

import uuid

import pytest

from novajoin.hosts import ownership
from novajoin.hosts import reconcile
from novajoin.ipa import errors as ipa_errors
from novajoin.openstack import neutron
from novajoin.openstack import servers
from tests.unit.hosts import test_lifecycle

NOW = test_lifecycle.NOW
HOUR = test_lifecycle.HOUR
ZONE = 'example.test'


class RecordsIPA(test_lifecycle.LimitedIPA):
    """LimitedIPA with host_show, host_mod and A records."""

    def __init__(self):
        super(RecordsIPA, self).__init__(sizelimit=2000)
        self.records = {}
        self.record_deletes = []

    def host_show(self, fqdn):
        if fqdn not in self.hosts:
            raise ipa_errors.NotFound('%s: host not found' % fqdn)
        return {'result': dict(self.hosts[fqdn])}

    def host_mod(self, fqdn, description=None):
        if fqdn not in self.hosts:
            raise ipa_errors.NotFound('%s: host not found' % fqdn)
        self.hosts[fqdn]['description'] = [description]

    def dnsrecord_del(self, zone, name, arecord=()):
        assert zone == ZONE
        self.record_deletes.append((name, list(arecord)))
        values = self.records.get(name, [])
        if not set(arecord) <= set(values):
            raise ipa_errors.AttrValueNotFound('not there')
        self.records[name] = [v for v in values if v not in arecord]
        if not self.records[name]:
            del self.records[name]


class FloatingIPs(object):
    """neutron's floating IPs: ``{id: FloatingIP}``; ``down`` fails all."""

    def __init__(self, known, down=False):
        self.known = known
        self.down = down
        self.asked = []

    def get(self, floatingip_id):
        self.asked.append(floatingip_id)
        if self.down:
            raise neutron.NeutronUnavailable('neutron is down')
        return self.known.get(floatingip_id)

    def instance_of(self, floatingip):
        return floatingip.device_id


GONE = 130


def _pass(floating_ips):
    """IPA with GONE hosts of gone instances and two living instances'
    hosts, each listing one floating IP record: neutron still binds
    ``kept``'s, and has no more ``stale``'s.
    """
    ipa = RecordsIPA()
    for number in range(GONE):
        ipa.add('lost-%03d.example.test' % number,
                ownership.build_description(str(uuid.uuid4()),
                                            created=NOW - 30 * HOUR),
                has_keytab=True)
    live = []
    for name in ('kept', 'stale'):
        instance_id, fip = str(uuid.uuid4()), str(uuid.uuid4())
        address = '203.0.113.%d' % (len(live) + 10)
        ipa.add('%s.example.test' % name, ownership.build_description(
            instance_id, created=NOW - HOUR,
            floating_ips={address: fip}), has_keytab=True)
        ipa.records[name] = [address]
        live.append(servers.Server(instance_id, 'p', 'ACTIVE', None))
        if name == 'kept':
            floating_ips.known[fip] = neutron.FloatingIP(
                fip, address, 'port-1', instance_id)
    reconciler = reconcile.Reconciler(
        ipa, test_lifecycle.Servers(live), test_lifecycle.Gone(),
        grace=3600, ttl=4 * 3600, clock=lambda: NOW,
        floating_ips=floating_ips, zone=ZONE)
    return ipa, reconciler


def test_one_pass_deletes_in_batches_and_removes_the_stale_record():
    floating_ips = FloatingIPs({})
    ipa, reconciler = _pass(floating_ips)

    report = reconciler.run(force=True)

    assert [size for method, size in ipa.batch_sizes
            if method == 'host_del'] == [100, 30]
    assert not [fqdn for fqdn in ipa.hosts if fqdn.startswith('lost-')]
    assert ipa.records == {'kept': ['203.0.113.10']}
    assert ipa.record_deletes == [('stale', ['203.0.113.11'])]
    stale = ownership.owner_of(ipa.hosts['stale.example.test'])
    assert stale.floating_ips == {}
    kept = ownership.owner_of(ipa.hosts['kept.example.test'])
    assert list(kept.floating_ips) == ['203.0.113.10']
    actions = {}
    for row in report.rows:
        actions[row.action] = actions.get(row.action, 0) + 1
    assert actions == {'deleted': GONE, 'record-removed': 1}
    [removed] = [row for row in report.rows
                 if row.action == 'record-removed']
    assert (removed.fqdn, removed.reason) == (
        'stale.example.test', 'floating-ip-gone 203.0.113.11')


def test_dry_run_names_both_and_changes_nothing():
    ipa, reconciler = _pass(FloatingIPs({}))

    report = reconciler.run(dry_run=True)

    assert {row.action for row in report.rows} == {'would-delete',
                                                   'would-remove-record'}
    assert len(ipa.hosts) == GONE + 2 and ipa.deleted == []
    assert ipa.record_deletes == []


def test_neutron_unavailable_stops_the_pass_before_any_delete():
    floating_ips = FloatingIPs({}, down=True)
    ipa, reconciler = _pass(floating_ips)

    with pytest.raises(neutron.NeutronUnavailable):
        reconciler.run(force=True)

    assert floating_ips.asked
    assert ipa.deleted == [] and ipa.batch_sizes == []
    assert len(ipa.hosts) == GONE + 2
    assert ipa.record_deletes == []
