"""Many green threads over few connections; Kerberos keytab login against
a real MIT KDC."""

import json
import re
import subprocess
import sys

import pytest

from tests.fixtures import ipasim
from tests.fixtures import kdc as kdc_fixture
from tests.functional.ipa import conftest

CALLS = 50
MAX_CONNECTIONS = 4
NEGOTIATE_TOKEN = re.compile(r'Negotiate [A-Za-z0-9+/=]{16,}')


def test_green_threads_share_a_bounded_keep_alive_pool(ca, tmp_path,
                                                       leak_check):
    with ipasim.run_ipasim(tmp_path / 'sim', ca, latency_ms=20) as sim:
        leak_check.add(sim.admin_password)
        leak_check.watch(sim.log_path)
        fqdn = 'green.%s' % sim.domain
        sim.admin.seed_host(fqdn)
        conf_path = tmp_path / 'join.conf'
        # A generous deadline: the point is the connection count.
        conftest.load_conf(
            str(conf_path), ['%s:%d' % (sim.server_name, sim.port)],
            sim.ca_file, sim.realm, sim.domain, auth_method='password',
            user='admin', password=sim.admin_password, timeout=60,
            max_connections=MAX_CONNECTIONS)
        log_path = tmp_path / 'green_callers.log'
        leak_check.watch(str(log_path))
        with open(log_path, 'w') as log:
            done = subprocess.run(
                [sys.executable, '-m', 'tests.functional.ipa.green_callers',
                 str(conf_path), fqdn, str(CALLS)],
                cwd=conftest.REPO_ROOT, stdout=subprocess.PIPE, stderr=log,
                timeout=120, check=True)
        stats = sim.admin.stats()

    assert json.loads(done.stdout) == {'outcomes': {fqdn: CALLS}}
    assert stats['calls']['host_show'] == CALLS
    assert stats['logins']['password'] == 1
    assert stats['connections_accepted'] <= MAX_CONNECTIONS
    assert 2 <= stats['concurrent_peak'] <= MAX_CONNECTIONS


@pytest.mark.parametrize('name_principal', [True, False],
                         ids=['principal', 'first-in-keytab'])
def test_keytab_login_against_a_real_kdc(ca, tmp_path, make_client,
                                         leak_check, name_principal):
    with kdc_fixture.run_kdc(tmp_path, realm='EXAMPLE.TEST') as kdc:
        http_keytab = str(tmp_path / 'http.keytab')
        client_keytab = str(tmp_path / 'nova.keytab')
        kdc.add_principal('HTTP/localhost', http_keytab)
        principal = kdc.add_principal('nova/controller.example.test',
                                      client_keytab)
        with ipasim.run_ipasim(tmp_path / 'sim', ca,
                               keytab=http_keytab) as sim:
            options = dict(auth_method='kerberos', keytab=client_keytab)
            if name_principal:
                options['principal'] = principal
            ipa = make_client([sim], **options)

            first = ipa.ping()
            sim.admin.expire_sessions()
            second = ipa.host_find()
            stats = sim.admin.stats()
            sim_log = sim.read_log()

    assert first['summary'].startswith('IPA server version')
    # Only the server's own host entry (FreeIPA has one for every server).
    assert [h['fqdn'] for h in second['result']] == [[sim.server_name]]
    assert stats['logins'] == {'password': 0, 'kerberos': 2}
    captured = '\n'.join(leak_check.records)
    assert 'login succeeded' in captured
    assert not NEGOTIATE_TOKEN.search(captured)
    assert not NEGOTIATE_TOKEN.search(sim_log)
