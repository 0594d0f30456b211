"""keystonemiddleware's token cache in memcached, shared by uWSGI's two
workers (``[keystone_authtoken] memcached_servers``): a token validated by
one worker is found in memcached by the other, and Keystone is asked once.
"""

import pytest

from tests.fixtures import novajoin_server
from tests.functional.api import conftest


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
    sections['keystone_authtoken']['memcached_servers'] = memcached.server
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
