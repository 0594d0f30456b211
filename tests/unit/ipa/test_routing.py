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


def test_a_host_written_on_a_server_stays_there_while_it_is_down():
    now = [0.0]
    router = routing.Router(SERVERS, down_seconds=10,
                            write_affinity_seconds=30, clock=lambda: now[0])
    host = HOSTS[0]
    usual = router.order(host)
    neighbour = next(h for h in HOSTS[1:]
                     if routing.preference(h, SERVERS)[0] == usual[0])
    router.wrote([host], usual[0])
    router.failed(usual[0])
    assert router.order(host) == usual
    # A host with no recent write moves away from the failed server.
    assert router.order(neighbour)[-1] == usual[0]
    now[0] = 30.5
    router.failed(usual[0])
    assert router.order(host) == usual[1:] + usual[:1]


def test_a_write_sent_to_a_non_home_server_keeps_the_host_there():
    now = [0.0]
    router = routing.Router(SERVERS, clock=lambda: now[0])
    host = HOSTS[2]
    usual = router.order(host)
    router.wrote([host], usual[1])
    assert router.order(host) == [usual[1], usual[0], usual[2]]
    # The latest write decides.
    now[0] = 5.0
    router.wrote([host], usual[0])
    assert router.order(host) == usual


def test_written_hosts_are_forgotten_when_their_time_is_up():
    now = [0.0]
    router = routing.Router(SERVERS, write_affinity_seconds=30,
                            clock=lambda: now[0])
    for n, host in enumerate(HOSTS[:100]):
        now[0] = n * 0.1
        router.wrote([host], SERVERS[0])
    now[0] = 40.0
    router.wrote([HOSTS[100]], SERVERS[0])
    assert list(router._written) == HOSTS[100:101]


def test_one_server_needs_no_memory_of_writes():
    router = routing.Router(SERVERS[:1])
    router.wrote([HOSTS[0]], SERVERS[0])
    assert router.order(HOSTS[0]) == SERVERS[:1]
    assert not router._written
