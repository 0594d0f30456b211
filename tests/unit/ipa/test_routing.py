import collections

from novajoin.ipa import deployment
from novajoin.ipa import routing

SERVERS = [deployment.Server('ipa%d.example.test' % n) for n in (1, 2, 3)]
HOSTS = ['vm%d.example.test' % n for n in range(3000)]


def test_each_host_has_one_first_server_and_hosts_spread_evenly():
    first = {host: routing.preference(host, SERVERS)[0] for host in HOSTS}
    assert first == {host: routing.preference(host, list(reversed(SERVERS)))[0]
                     for host in HOSTS}
    shares = collections.Counter(first.values())
    assert set(shares) == set(SERVERS)
    assert all(900 <= n <= 1100 for n in shares.values()), shares


def test_removing_a_server_moves_only_its_hosts_and_spreads_them():
    before = {host: routing.preference(host, SERVERS)[0] for host in HOSTS}
    after = {host: routing.preference(host, SERVERS[1:])[0]
             for host in HOSTS}
    moved = [host for host in HOSTS if before[host] != after[host]]
    assert all(before[host] == SERVERS[0] for host in moved)
    assert len(moved) == sum(1 for h in HOSTS if before[h] == SERVERS[0])
    landed = collections.Counter(after[host] for host in moved)
    assert all(n > len(moved) / 3 for n in landed.values()), landed


def test_a_failed_server_is_tried_last_until_its_time_is_up():
    now = [0.0]
    router = routing.Router(SERVERS, down_seconds=10, clock=lambda: now[0])
    host = HOSTS[0]
    usual = router.order(host)
    router.failed(usual[0])
    assert router.order(host) == usual[1:] + usual[:1]
    now[0] = 10.5
    assert router.order(host) == usual


def test_a_server_that_answers_again_is_first_again_at_once():
    router = routing.Router(SERVERS, down_seconds=60)
    usual = router.order(HOSTS[1])
    router.failed(usual[0])
    router.answered(usual[0])
    assert router.order(HOSTS[1]) == usual


def test_calls_about_no_host_rotate_over_the_servers():
    router = routing.Router(SERVERS)
    firsts = [router.order(None)[0] for _ in range(6)]
    assert collections.Counter(firsts) == {s: 2 for s in SERVERS}
