"""Counting owned hosts: only novajoin's owner records, keytab or not."""

from novajoin.hosts import inventory
from novajoin.hosts import owned_hosts
from novajoin.hosts import ownership
from novajoin.ipa import client as ipa_client
from novajoin.ipa import errors


class FakeIPA(object):
    def __init__(self, hosts, deleted_after_find=()):
        self.hosts = hosts  # fqdn -> (description, has_keytab)
        self.deleted_after_find = deleted_after_find
        self.batches = []

    def host_find(self, criteria=None, timeout=None, **options):
        # The owner listing: the marker, a page well above 250 entries,
        # never ``all``.
        assert criteria == inventory.ID_MARKER
        assert options['sizelimit'] >= 250
        assert not options.get('all')
        found = [{'fqdn': [fqdn], 'description': [description]}
                 for fqdn, (description, _) in self.hosts.items()
                 if criteria in description]
        for fqdn in self.deleted_after_find:
            del self.hosts[fqdn]
        return {'result': found}

    def batch(self, calls, timeout=None):
        self.batches.append(len(calls))
        items = []
        for method, (fqdn,), _ in calls:
            assert method == 'host_show'
            if fqdn not in self.hosts:
                items.append(ipa_client.BatchItem(None, errors.NotFound(
                    message='%s: host not found' % fqdn, code=4001,
                    name='NotFound')))
                continue
            items.append(ipa_client.BatchItem(
                {'result': {'has_keytab': self.hosts[fqdn][1]}}, None))
        return items


def test_counts_pending_and_enrolled_owned_hosts_only():
    hosts = {'vm%d.example.test' % n: (ownership.build_description(
        'instance-%d' % n), n % 3 == 0) for n in range(250)}
    hosts['manual.example.test'] = ('novajoin_metadata: made by hand', False)
    # vm1 (pending) is deleted by the listener while the count runs.
    ipa = FakeIPA(hosts, deleted_after_find=['vm1.example.test'])

    count = owned_hosts.count_owned_hosts(ipa)

    assert count == owned_hosts.OwnedHostCount(pending_enrollment=165,
                                               enrolled=84)
    assert ipa.batches == [250]
