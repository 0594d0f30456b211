"""The IPA client against the simulator over real TLS."""

from concurrent import futures
import datetime
import secrets
import time

import pytest

from novajoin.ipa import errors as ipa_errors
from tests.fixtures import ipasim
from tests.fixtures import tls

GENEROUS = 2.0  # slack for a loaded machine; not a performance assertion


def test_host_lifecycle_with_otp_and_enrollment(ca, tmp_path, make_client,
                                                leak_check):
    otp = secrets.token_urlsafe(16)
    leak_check.add(otp)
    with ipasim.run_ipasim(tmp_path / 'sim', ca) as sim:
        ipa = make_client([sim])
        fqdn = 'vm1.%s' % sim.domain

        added = ipa.host_add(fqdn, force=True, userpassword=otp,
                             description='novajoin test')
        sim.admin.join(fqdn, otp)
        with pytest.raises(ipa_errors.ValidationError) as caught:
            ipa.host_mod(fqdn, random=True)
        shown = ipa.host_show(fqdn, all=True)
        deleted = ipa.host_del(fqdn, updatedns=True)
        with pytest.raises(ipa_errors.NotFound):
            ipa.host_show(fqdn)

    assert added['value'] == fqdn
    assert 'userpassword' not in added['result']
    assert caught.value.message == (
        "invalid 'password': Password cannot be set on enrolled host.")
    assert shown['result']['has_keytab'] is True
    assert shown['result']['has_password'] is False
    [changed] = shown['result']['krblastpwdchange']
    assert changed.tzinfo == datetime.timezone.utc
    assert deleted['value'] == [fqdn]


def test_random_otp_is_returned_but_never_logged(ca, tmp_path, make_client,
                                                 leak_check):
    with ipasim.run_ipasim(tmp_path / 'sim', ca) as sim:
        ipa = make_client([sim])
        fqdn = 'vm2.%s' % sim.domain
        out = ipa.host_add(fqdn, force=True, random=True)
        otp = out['result']['randompassword']
        leak_check.add(otp)
        items = ipa.batch([('host_show', [fqdn], {}),
                           ('host_show', ['nope.%s' % sim.domain], {}),
                           ('host_mod', [fqdn], {'random': True})])
        leak_check.add(items[2].result['result']['randompassword'])
        sim.admin.join(fqdn, items[2].result['result']['randompassword'])

    assert items[0].result['result']['fqdn'] == [fqdn]
    assert isinstance(items[1].error, ipa_errors.NotFound)
    assert items[1].error.message == 'nope.%s: host not found' % sim.domain


def test_untrusted_certificate_is_refused_naming_ca_file_and_server(
        ca, tmp_path, make_client):
    other_ca = tls.TestCA(tmp_path / 'other-ca', name='some other CA')
    with ipasim.run_ipasim(tmp_path / 'sim', ca) as sim:
        ipa = make_client([sim], ca_file=other_ca.ca_file)

        with pytest.raises(ipa_errors.IPATLSError) as caught:
            ipa.ping()
        stats = sim.admin.stats()

    message = str(caught.value)
    assert other_ca.ca_file in message
    assert 'localhost:%d' % sim.port in message
    assert stats['logins'] == {'password': 0, 'kerberos': 0}
    assert stats['connections_accepted'] == 1, 'not retried'


def test_expired_session_is_renewed_transparently(ca, tmp_path, make_client):
    with ipasim.run_ipasim(tmp_path / 'sim', ca) as sim:
        ipa = make_client([sim])
        ipa.ping()
        sim.admin.expire_sessions()

        out = ipa.ping()
        stats = sim.admin.stats()

    assert out['summary'].startswith('IPA server version')
    assert stats['logins']['password'] == 2


def test_wrong_password_is_an_authentication_error_with_reason(
        ca, tmp_path, make_client, leak_check):
    wrong = secrets.token_urlsafe(12)
    leak_check.add(wrong)
    with ipasim.run_ipasim(tmp_path / 'sim', ca) as sim:
        ipa = make_client([sim], password=wrong)

        with pytest.raises(ipa_errors.IPAAuthenticationError) as caught:
            ipa.ping()

    assert caught.value.reason == 'invalid-password'
    assert wrong not in str(caught.value)


@pytest.mark.parametrize('outage', ['refuse', '503'])
def test_outage_ends_in_unavailable_within_the_deadline(
        ca, tmp_path, make_client, outage):
    with ipasim.run_ipasim(tmp_path / 'sim', ca) as sim:
        ipa = make_client([sim], timeout=1.5, connect_retries=10)
        ipa.ping()
        sim.admin.control(outage=outage)

        started = time.monotonic()
        with pytest.raises(ipa_errors.IPAUnavailable):
            ipa.host_show('vm.%s' % sim.domain)
        elapsed = time.monotonic() - started

        sim.admin.control(outage='none')
        recovered = ipa.ping()

    assert elapsed < 1.5 + GENEROUS
    assert recovered['summary']


def test_fails_over_to_the_second_server(ca, tmp_path, make_client):
    with ipasim.run_ipasim(tmp_path / 'sim1', ca, name='sim1') as first, \
            ipasim.run_ipasim(tmp_path / 'sim2', ca, name='sim2',
                              admin_password=first.admin_password) as second:
        ipa = make_client([first, second])
        ipa.ping()
        first.admin.control(outage='refuse')

        out = ipa.host_add('vm3.%s' % second.domain, force=True)
        again = ipa.host_show('vm3.%s' % second.domain)
        first_stats = first.admin.stats()
        second_stats = second.admin.stats()

    assert out['value'] == again['result']['fqdn'][0]
    assert second_stats['logins']['password'] == 1
    assert second_stats['calls'].get('host_add') == 1
    assert second_stats['calls'].get('host_show') == 1
    assert first_stats['calls'].get('host_add') is None


def test_dns_and_service_operations_round_trip(ca, tmp_path, make_client):
    with ipasim.run_ipasim(tmp_path / 'sim', ca) as sim:
        ipa = make_client([sim])
        zone = sim.domain
        fqdn = 'vm4.%s' % zone
        principal = 'HTTP/%s' % fqdn
        ipa.host_add(fqdn, force=True)
        ipa.host_add('web.%s' % zone, force=True)

        added = ipa.dnsrecord_add(zone, 'vm4', arecord=['192.0.2.4'])
        with pytest.raises(ipa_errors.EmptyModlist):
            ipa.dnsrecord_add(zone, 'vm4', arecord=['192.0.2.4'])
        found = ipa.dnsrecord_find(zone, 'vm4')
        service = ipa.service_add(principal, force=True)
        managed = ipa.service_add_host(principal,
                                       hosts=['web.%s' % zone])
        shown = ipa.service_show(principal)
        services = ipa.service_find(fqdn)
        ipa.service_del(principal)
        with pytest.raises(ipa_errors.NotFound):
            ipa.service_show(principal)
        deleted = ipa.dnsrecord_del(zone, 'vm4', del_all=True)
        with pytest.raises(ipa_errors.NotFound):
            ipa.dnsrecord_del(zone, 'vm4', del_all=True)

    assert added['result']['arecord'] == ['192.0.2.4']
    assert found['count'] == 1
    assert service['value'] == '%s@%s' % (principal, sim.realm)
    assert managed['completed'] == 1
    assert sorted(shown['result']['managedby_host']) == sorted(
        [fqdn, 'web.%s' % zone])
    assert services['count'] == 1
    assert deleted['value'] == ['vm4']


def test_threads_finding_the_session_expired_log_in_once(ca, tmp_path,
                                                         make_client):
    callers = 16
    with ipasim.run_ipasim(tmp_path / 'sim', ca, latency_ms=20) as sim:
        ipa = make_client([sim], max_connections=callers, timeout=30)
        ipa.ping()
        sim.admin.expire_sessions()

        with futures.ThreadPoolExecutor(callers) as pool:
            answers = list(pool.map(lambda _: ipa.ping()['summary'],
                                    range(callers)))
        stats = sim.admin.stats()

    assert len(answers) == callers and all(answers)
    assert stats['logins']['password'] == 2
