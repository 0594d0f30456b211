"""Several [ipa] servers: each host's calls on one server, failover.

The two simulators share nothing, like two IPA replicas before
replication has caught up: a read that went to the other server than the
write before it would not find the host.
"""

import secrets
import signal

from tests.fixtures import ipasim

HOSTS = 16


def _fqdns(sim):
    return {entry['fqdn'][0] if isinstance(entry['fqdn'], list)
            else entry['fqdn'] for entry in sim.admin.hosts()}


def test_each_host_stays_on_one_server_and_fails_over_when_it_stops(
        ca, tmp_path, make_client):
    password = secrets.token_urlsafe(12)
    with ipasim.run_ipasim(tmp_path / 'a', ca, admin_password=password,
                           name='ipasim-a') as sim_a, \
            ipasim.run_ipasim(tmp_path / 'b', ca, admin_password=password,
                              name='ipasim-b') as sim_b:
        ipa = make_client([sim_a, sim_b], timeout=10)
        hosts = ['vm%02d.%s' % (n, sim_a.domain) for n in range(HOSTS)]
        for fqdn in hosts:
            ipa.host_add(fqdn, random=True, force=True)
            # The read after the write finds the host: same server.
            assert ipa.host_show(fqdn)['result']['has_password'] is True
            ipa.host_mod(fqdn, description='owned')
        on_a, on_b = _fqdns(sim_a), _fqdns(sim_b)
        # Every host exists on exactly one server, and both got some.
        assert on_a | on_b >= set(hosts)
        assert not (on_a & on_b)
        assert on_a & set(hosts) and on_b & set(hosts)

        sim_a.process.send_signal(signal.SIGTERM)
        assert sim_a.process.wait(15) == 0
        # sim_b's hosts are still served there; sim_a's move to sim_b.
        for fqdn in sorted(on_b & set(hosts)):
            assert ipa.host_show(fqdn)['result']['description'] == ['owned']
        late = ['late%02d.%s' % (n, sim_a.domain) for n in range(HOSTS)]
        for fqdn in late:
            ipa.host_add(fqdn, random=True, force=True)
            assert ipa.host_show(fqdn)['result']['has_password'] is True
        assert set(late) <= _fqdns(sim_b)
