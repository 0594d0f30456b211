"""The simulator's listings cost O(N) per call, so a benchmark at 20,000
hosts measures novajoin and not the simulator.

Cost is the simulator's own count of host entries visited
(``host_visits`` in ``GET /stats``), never wall-clock time: a listing of
N hosts that each have a managing host visits about 2N entries; one that
computed ``managing_host`` by scanning every host per entry would visit
N * N.
"""

import pytest

SMALL = 150
LARGE = 2 * SMALL
CHUNK = 100


def _fqdn(number):
    return 'host-%04d.example.test' % number


def _add_hosts(ipa, first, last):
    """Hosts ``first``..``last - 1``, each also managed by the one before
    it (so every entry has a ``managing_host``).
    """
    numbers = list(range(first, last))
    for start in range(0, len(numbers), CHUNK):
        chunk = numbers[start:start + CHUNK]
        methods = [{'method': 'host_add',
                    'params': [[_fqdn(n)], {'force': True,
                                            'description': 'n %d' % n}]}
                   for n in chunk]
        methods += [{'method': 'host_add_managedby',
                     'params': [[_fqdn(n)], {'host': [_fqdn(n - 1)]}]}
                    for n in chunk if n > 0]
        output = ipa.result('batch', methods)
        assert all(item['error'] is None for item in output['results'])


def _visits(sim, call):
    sim.admin.reset_stats()
    result = call()
    return sim.admin.stats()['host_visits'], result


def _listing_costs(sim, ipa, call):
    """Visits of ``call`` at SMALL and at LARGE hosts."""
    _add_hosts(ipa, 0, SMALL)
    small, result = _visits(sim, call)
    assert len(result) == SMALL
    _add_hosts(ipa, SMALL, LARGE)
    large, result = _visits(sim, call)
    assert len(result) == LARGE
    return small, large


def test_get_hosts_visits_each_host_a_bounded_number_of_times(sim, ipa):
    small, large = _listing_costs(sim, ipa, sim.admin.hosts)
    assert small <= 3 * SMALL
    assert large <= 3 * LARGE
    # Linear: twice the hosts, about twice the visits (quadratic: 4x).
    assert large <= 2.2 * small


def test_get_hosts_still_shows_managing_hosts(sim, ipa):
    _add_hosts(ipa, 0, 3)
    entries = {entry['fqdn'][0]: entry for entry in sim.admin.hosts()}
    assert entries[_fqdn(0)]['managing_host'] == [_fqdn(0), _fqdn(1)]
    assert entries[_fqdn(2)]['managing_host'] == [_fqdn(2)]


@pytest.mark.parametrize('options', [{'all': True},
                                     {'all': True, 'no_members': False},
                                     {}])
def test_host_find_without_limit_is_linear(sim, ipa, options):
    def find():
        output = ipa.result('host_find', sizelimit=0, **options)
        assert not output['truncated']
        # The hosts added, and the server's own entry (every FreeIPA
        # server has one; test_wire_server_host.py).
        added = [entry for entry in output['result']
                 if entry['fqdn'] != [sim.server_name]]
        assert len(added) == len(output['result']) - 1
        return added

    small, large = _listing_costs(sim, ipa, find)
    assert large <= 3 * LARGE
    assert large <= 2.2 * small


def test_host_find_all_shows_managing_hosts(ipa):
    _add_hosts(ipa, 0, 3)
    # criteria also matches managedby: host 2 is managed by host 1.
    output = ipa.result('host_find', _fqdn(1), all=True, no_members=False)
    assert [entry['managing_host'] for entry in output['result']] == [
        [_fqdn(1), _fqdn(2)], [_fqdn(2)]]


def test_man_host_filter_uses_the_relation(ipa):
    _add_hosts(ipa, 0, 4)
    output = ipa.result('host_find', man_host=[_fqdn(2)], pkey_only=True)
    assert [entry['fqdn'] for entry in output['result']] == [
        [_fqdn(1)], [_fqdn(2)]]


def _bulk(number):
    return 'bulk-%d.example.test' % number


def test_bulk_seed_adds_every_host_and_refuses_a_duplicate(sim):
    sim.admin.seed_hosts([{'fqdn': _bulk(n), 'description': 'n %d' % n,
                           'enrolled': n % 2 == 0} for n in range(3)])
    seeded = {entry['fqdn'][0]: entry for entry in sim.admin.hosts()
              if entry['fqdn'][0].startswith('bulk-')}
    assert sorted(seeded) == [_bulk(n) for n in range(3)]
    assert seeded[_bulk(1)]['description'] == ['n 1']
    assert seeded[_bulk(0)]['has_keytab'] and not seeded[_bulk(1)][
        'has_keytab']
    with pytest.raises(AssertionError, match='409'):
        sim.admin.seed_hosts([{'fqdn': _bulk(3)}, {'fqdn': _bulk(0)}])
