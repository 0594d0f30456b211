"""The simulator's own server has a host entry, as every FreeIPA server
does, and FreeIPA's refusals for a master (``ipa-jsonrpc.md``: host_del and
host_disable of an IPA master are ValidationError 3009).
"""

import pytest

from tests.fixtures.ipasim import run_ipasim
from tests.fixtures.tls import TestCA
from tests.functional.ipasim.conftest import RawIPA
from tests.functional.ipasim.test_wire_disable import MASTER_ERROR

SERVER = 'ipa.example.test'


@pytest.fixture(scope='module')
def named_sim(tmp_path_factory):
    """A simulator whose server is called ipa.example.test.

    It is reached on localhost (its certificate names both).
    """
    workdir = tmp_path_factory.mktemp('ipasim-named')
    with run_ipasim(workdir, TestCA(workdir / 'ca'),
                    server_name=SERVER) as handle:
        handle.url = 'https://localhost:%d/ipa' % handle.port
        yield handle


@pytest.fixture
def ipa(named_sim):
    named_sim.admin.reset()
    client = RawIPA(named_sim)
    client.login()
    return client


def test_the_server_is_an_enrolled_host(ipa):
    servers = ipa.result('server_find')['result']
    assert [entry['cn'] for entry in servers] == [[SERVER]]
    host = ipa.result('host_show', SERVER)['result']
    assert host['fqdn'] == [SERVER]
    assert host['has_keytab'] is True
    assert host['has_password'] is False
    assert host['krbprincipalname'] == ['host/%s@EXAMPLE.TEST' % SERVER]
    found = ipa.result('host_find', SERVER)['result']
    assert [entry['fqdn'] for entry in found] == [[SERVER]]


@pytest.mark.parametrize('command', ['host_disable', 'host_del'])
def test_the_server_cannot_be_disabled_or_deleted(named_sim, ipa, command):
    assert ipa.error(command, SERVER) == MASTER_ERROR
    host = ipa.result('host_show', SERVER)['result']
    assert host['has_keytab'] is True


def test_the_server_entry_comes_back_after_a_reset(named_sim, ipa):
    named_sim.admin.reset()
    assert ipa.result('host_show', SERVER)['result']['fqdn'] == [SERVER]
