"""keystonemiddleware's token cache in memcached, shared by uWSGI's two
workers (``[keystone_authtoken] memcached_servers``): a token validated by
one worker is found in memcached by the other, and Keystone is asked once.
The cache is authenticated and encrypted (``memcache_security_strategy``):
a validation record written into memcached by someone else makes no
string a token, and the API refuses to start without that protection.
"""

import hashlib
import json

import pytest

from tests.fixtures import novajoin_server
from tests.functional.api import conftest

SECRET = 'functional-test-secret-' + 'x9Kq2' * 8


def _stats(cache):
    client = cache.client()
    try:
        return {key.decode(): value for key, value in client.stats().items()}
    finally:
        client.close()


@pytest.fixture(scope='module')
def cached_server(tmp_path_factory, test_ca, ks, ipa, otp_key_file,
                  standin, memcached):
    sections = conftest.server_sections(ks, ipa, otp_key_file)
    sections['keystone_authtoken'].update(
        memcached_servers=memcached.server,
        memcache_security_strategy='ENCRYPT',
        memcache_secret_key=SECRET)
    with novajoin_server.run_novajoin_server(
            tmp_path_factory.mktemp('token-cache'), test_ca, sections,
            runner='uwsgi') as server:
        yield server


def test_workers_share_validated_tokens_through_memcached(
        cached_server, ks, sim, memcached):
    memcached.flush()
    before = _stats(memcached)
    nova = conftest.caller_for(cached_server, ks, 'nova')
    answers = [nova.post(conftest.vendordata_body()) for _ in range(8)]
    assert [a.status_code for a in answers] == [200] * 8
    after = _stats(memcached)

    stored = after['cmd_set'] - before['cmd_set']
    hits = after['get_hits'] - before['get_hits']
    # One token: stored once (or once per worker that raced to it), then
    # read from memcached by every later request whichever worker gets it.
    assert 1 <= stored <= 2, after
    assert hits >= 6, after
    assert 'in-process token cache is deprecated' not in (
        cached_server.log_text())
    # The token itself is never a memcached key or value in clear.
    token = nova.session.get_token()
    client = memcached.client()
    try:
        assert client.get('tokens/%s' % token) is None
    finally:
        client.close()


def test_revoked_token_is_refused_despite_the_cache(cached_server, ks, sim):
    token = ks.token_for('nova')
    caller = conftest.caller_for(cached_server, ks)
    first = caller.post(conftest.vendordata_body(),
                        headers={'X-Auth-Token': token})
    assert first.status_code == 200, first.text
    ks.revoke_token(token)
    # keystonemiddleware keeps a validated token for token_cache_time
    # (300 s by default) unless it checks revocation; what matters here is
    # that a token revoked before first use is never cached as valid.
    fresh = ks.token_for('nova')
    ks.revoke_token(fresh)
    refused = caller.post(conftest.vendordata_body(),
                          headers={'X-Auth-Token': fresh})
    assert refused.status_code == 401


def test_a_forged_validation_record_makes_no_token(cached_server, ks, sim,
                                                   memcached):
    # What worked before: store nova's validation record under the hash
    # of any string, as keystonemiddleware's unprotected cache keys it.
    record = json.dumps({'token': ks.validate_token(ks.token_for('nova'))})
    forged = 'anything-at-all-' + hashlib.sha256(b'x').hexdigest()[:16]
    client = memcached.client()
    try:
        key = 'tokens/%s' % hashlib.sha256(forged.encode()).hexdigest()
        assert client.set(key, record.encode(), expire=300, noreply=False)
    finally:
        client.close()
    caller = conftest.caller_for(cached_server, ks)
    sim.admin.reset_stats()
    for _ in range(4):      # whichever worker answers
        answer = caller.post(conftest.vendordata_body(),
                             headers={'X-Auth-Token': forged})
        assert answer.status_code == 401, answer.text
        assert 'ipaotp' not in answer.text
    assert sim.admin.stats()['calls'].get('host_add', 0) == 0


@pytest.mark.parametrize('protection', [
    {}, {'memcache_security_strategy': 'None'},
    {'memcache_security_strategy': 'MAC'},
    {'memcache_security_strategy': 'ENCRYPT',
     'memcache_secret_key': 'too-short'}])
def test_the_api_refuses_to_start_with_an_unprotected_token_cache(
        tmp_path, test_ca, ks, ipa, otp_key_file, memcached, protection):
    sections = conftest.server_sections(ks, ipa, otp_key_file)
    sections['keystone_authtoken'].update(
        memcached_servers=memcached.server, **protection)
    with pytest.raises(novajoin_server.ServerError) as refused:
        with novajoin_server.run_novajoin_server(tmp_path, test_ca,
                                                 sections):
            pass
    assert 'exited with 1' in str(refused.value)
    log = (tmp_path / 'novajoin.log').read_text()
    assert 'cannot start: [keystone_authtoken]' in log, log
    assert 'memcache_secret_key' in log and 'Traceback' not in log
    assert 'too-short' not in log
