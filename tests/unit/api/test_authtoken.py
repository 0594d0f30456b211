"""novajoin's auth_token: defaults, malformed token headers."""

import pytest

from novajoin.api import authtoken
from novajoin import deploy


def test_keystone_calls_are_bounded_by_default():
    conf = deploy.load_conf([], default_config_files=[])
    assert conf.keystone_authtoken.http_connect_timeout == 3
    assert conf.keystone_authtoken.http_request_max_retries == 0


def test_operators_can_still_set_the_keystone_timeouts(tmp_path):
    config_file = tmp_path / 'join.conf'
    config_file.write_text('[keystone_authtoken]\nhttp_connect_timeout = 1\n'
                           'http_request_max_retries = 1\n')
    conf = deploy.load_conf([], default_config_files=[str(config_file)])
    assert conf.keystone_authtoken.http_connect_timeout == 1
    assert conf.keystone_authtoken.http_request_max_retries == 1


@pytest.mark.parametrize('headers,malformed', [
    ({}, None),
    ({'X-Auth-Token': 'gAAAAABkZ-9_aZ='}, None),
    ({'X-Auth-Token': 'eyJhbGci.eyJzdWIi.c2lnbmF0dXJl'}, None),
    ({'X-Auth-Token': 'abc\r\n def'}, 'X-Auth-Token'),
    ({'X-Auth-Token': 'abc def'}, 'X-Auth-Token'),
    ({'X-Auth-Token': 'abc\tdef'}, 'X-Auth-Token'),
    ({'X-Auth-Token': 'abcé'}, 'X-Auth-Token'),
    ({'X-Auth-Token': ''}, 'X-Auth-Token'),
    ({'X-Auth-Token': 'ok', 'X-Service-Token': 'x\r\n y'},
     'X-Service-Token'),
])
def test_malformed_token_header(headers, malformed):
    assert authtoken.malformed_token_header(headers) == malformed
