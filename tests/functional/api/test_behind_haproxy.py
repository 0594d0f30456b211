"""Scale-out on existing parts: two API processes behind haproxy.

They share the OTP key and memcached, as ``etc/novajoin/haproxy/
novajoin-api.cfg`` asks. The requests of one boot (nova's config drive: 6)
go through haproxy, which balances every request: each instance gets one
IPA host and the same OTP whichever process answered, and both processes
answered some.
"""

import collections

import pytest

from tests.fixtures import haproxy
from tests.fixtures import novajoin_server
from tests.functional.api.conftest import caller_for
from tests.functional.api.conftest import server_sections
from tests.functional.api.conftest import vendordata_body

INSTANCES = 4
REQUESTS_PER_BOOT = 6


class _Through(object):
    """Where caller_for sends requests: haproxy's URL and CA."""

    def __init__(self, url, ca_file):
        self.url = url
        self.ca_file = ca_file


@pytest.fixture(scope='module')
def balanced(tmp_path_factory, test_ca, ks, ipa, otp_key_file, standin,
             memcached):
    sections = server_sections(ks, ipa, otp_key_file)
    sections['cache'] = {'enabled': 'true',
                         'backend': 'dogpile.cache.pymemcache',
                         'memcache_servers': memcached.server}
    sections['ipa']['max_connections_per_server'] = 2
    workdir = tmp_path_factory.mktemp('haproxy')
    with novajoin_server.run_novajoin_server(
            workdir / 'a', test_ca, sections, name='api-a') as a, \
            novajoin_server.run_novajoin_server(
                workdir / 'b', test_ca, sections, name='api-b') as b, \
            haproxy.run_haproxy(workdir / 'haproxy', test_ca,
                                [a.url, b.url]) as url:
        yield _Through(url, test_ca.ca_file), [a, b]


def test_one_host_and_one_otp_per_instance_from_every_process(
        balanced, ks, sim):
    through, servers = balanced
    nova = caller_for(through, ks, 'nova')
    sim.admin.reset_stats()
    offsets = [len(server.log_text()) for server in servers]
    bodies = [vendordata_body() for _ in range(INSTANCES)]
    otps = collections.defaultdict(set)
    for _ in range(REQUESTS_PER_BOOT):
        for body in bodies:
            response = nova.post(body)
            assert response.status_code == 200, response.text
            otps[body['hostname']].add(response.json()['ipaotp'])
    assert all(len(seen) == 1 for seen in otps.values()), otps.keys()
    fqdns = sorted(entry['fqdn'][0] if isinstance(entry['fqdn'], list)
                   else entry['fqdn'] for entry in sim.admin.hosts())
    assert fqdns == sorted('%s.%s' % (body['hostname'], sim.domain)
                           for body in bodies)
    served = [server.log_text()[offset:].count('decision=')
              for server, offset in zip(servers, offsets)]
    assert all(served), served
    assert sum(served) == INSTANCES * REQUESTS_PER_BOOT
    calls = sim.admin.stats()['calls']
    # One round trip per boot: the batch that adds the host; the repeats,
    # on either process, are answered from the shared cache.
    assert calls.get('batch:host_add', 0) == INSTANCES
    assert calls.get('batch', 0) == INSTANCES, calls
