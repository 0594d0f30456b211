"""No OTP is valid twice, and names that must never be handed out are
refused before any OTP leaves (issue 9, points 4 and 9). Names a process
knows are refused before any IPA call; the checks that need IPA ride in the
one batch that adds the host (issue 20), which is undone for a name they
refuse."""

import re

import pytest

from tests.functional.api.conftest import vendordata_body
from tests.functional.api import ipa_access

# Alone or in a batch. A first request's batch also carries a host_add,
# which an existing entry makes fail without a change: whether it added a
# host shows in sim.admin.hosts().
WRITES = ('host_mod', 'host_del', 'host_disable')


@pytest.fixture
def admin(novajoin):
    access = ipa_access.IPAAccess(novajoin.conf_file)
    yield access
    access.close()


def fqdn_of(sim, body):
    return '%s.%s' % (body['hostname'], sim.domain)


def writes(sim):
    return (sum(sim.admin.calls(command) for command in WRITES)
            + sim.admin.stats()['calls'].get('host_add', 0))


def test_disable_then_request_gets_no_usable_otp(nova, sim, admin):
    body = vendordata_body()
    fqdn = fqdn_of(sim, body)
    first = nova.post(body).json()
    sim.admin.join(fqdn, first['ipaotp'])
    admin.disable(fqdn)
    sim.admin.reset_stats()
    for _ in range(3):
        again = nova.post(body)
        assert again.status_code == 200
        # From IPA: no OTP. From the cache (a change made directly in IPA
        # is seen when the entry expires): the OTP already used.
        assert again.json() in ({'hostname': fqdn, 'krb_realm': sim.realm},
                                first)
    assert writes(sim) == 0
    assert not admin.has_password(fqdn)
    # What host_disable left is not enrollable with the earlier OTP.
    assert sim.admin.try_join(fqdn, first['ipaotp'])[0] == 403


def test_no_otp_value_is_ever_accepted_twice(nova, sim, admin):
    seen = set()
    for _ in range(3):
        body = vendordata_body()
        fqdn = fqdn_of(sim, body)
        answers = {nova.post(body).json()['ipaotp'] for _ in range(3)}
        assert len(answers) == 1
        otp = answers.pop()
        assert otp not in seen
        seen.add(otp)
        assert sim.admin.try_join(fqdn, otp)[0] == 200
        assert sim.admin.try_join(fqdn, otp)[0] != 200
        admin.disable(fqdn)
        nova.post(body)
        assert sim.admin.try_join(fqdn, otp)[0] == 403


@pytest.mark.parametrize('hostname', ['localhost', 'ipa-ca', 'ipa', 'ipa2',
                                      'kerberos'])
def test_reserved_name_is_refused_with_no_ipa_write(nova, sim, hostname):
    sim.admin.reset_stats()
    response = nova.post(vendordata_body(hostname=hostname))
    assert response.status_code == 403
    assert 'reserved' in response.json()['error']['message']
    assert writes(sim) == 0
    assert sim.admin.hosts() == []


def round_trips(sim):
    """IPA calls made, a batch counting once (its sub-calls not)."""
    return sum(count for command, count in sim.admin.stats()['calls'].items()
               if not command.startswith('batch:'))


def test_ipa_server_name_is_refused_and_the_master_untouched(nova, sim):
    master = 'idm7.%s' % sim.domain
    sim.admin.add_master(master)
    sim.admin.reset_stats()
    response = nova.post(vendordata_body(hostname='idm7'))
    assert response.status_code == 403
    assert 'ipaotp' not in response.text
    assert sim.admin.calls('host_del') == 0
    assert master in sim.admin.servers()


@pytest.mark.parametrize('name', ['www', 'mail'])
def test_name_with_foreign_dns_records_is_added_and_undone_in_one_batch(
        nova, sim, name):
    sim.admin.add_records(sim.domain, name, arecord=['192.0.2.80'])
    before = sim.admin.dns()
    sim.admin.reset_stats()
    response = nova.post(vendordata_body(hostname=name))
    assert response.status_code == 403
    assert 'DNS records' in response.json()['error']['message']
    assert 'ipaotp' not in response.text
    calls = sim.admin.stats()['calls']
    # The batch added the host with its checks; the undo deleted it
    # without updatedns: the records that were there are still there.
    assert calls.get('batch') == 1 and calls.get('batch:host_add') == 1
    assert calls.get('host_del') == 1 and round_trips(sim) == 2
    assert sim.admin.hosts() == []
    assert sim.admin.dns() == before


def test_reserved_pattern_is_refused_without_any_ipa_call(nova, sim):
    sim.admin.reset_stats()
    response = nova.post(vendordata_body(hostname='ns3'))
    assert response.status_code == 403
    assert round_trips(sim) == 0


def test_first_request_is_one_batch_with_the_checks_and_the_add(nova, sim):
    sim.admin.reset_stats()
    body = vendordata_body()
    response = nova.post(body)
    assert response.status_code == 200
    calls = sim.admin.stats()['calls']
    # One round trip: the DNS checks, the entry, the instance's other
    # hosts and the add.
    assert round_trips(sim) == 1 and calls.get('batch') == 1
    for command in ('dnsrecord_show', 'dnszone_show', 'host_show',
                    'host_find', 'host_add'):
        assert calls.get('batch:' + command) == 1, calls
    sim.admin.join(fqdn_of(sim, body), response.json()['ipaotp'])


# Worker processes of each runner (tests/fixtures): each has its own
# in-process cache at the defaults.
PROCESSES = {'novajoin-server': 1, 'uwsgi': 2, 'httpd': 4}


def test_repeats_are_answered_from_the_process_cache_by_default(
        novajoin, nova, sim):
    body = vendordata_body()
    sim.admin.reset_stats()
    answers = [nova.post(body).json() for _ in range(6)]
    assert all(answer == answers[0] for answer in answers)
    # What novajoin asked for, request by request: the first one batch;
    # a repeat nothing, unless it is the first to reach its worker
    # process. IPA may see a batch again when the transport retries it (a
    # timeout on a loaded machine): the simulator's counts bound it from
    # below only.
    logged = sorted(int(calls) for calls in re.findall(
        r'instance=%s .*? ipa_calls=(\d+)' % re.escape(body['instance-id']),
        novajoin.log_text()))
    assert len(logged) == 6 and set(logged) <= {0, 1}
    assert 1 <= sum(logged) <= PROCESSES[novajoin.runner]
    if novajoin.runner == 'novajoin-server':
        # One process, nothing configured: one round trip for the boot.
        assert logged == [0] * 5 + [1]
    assert sim.admin.stats()['calls'].get('batch') >= 1
    assert len(sim.admin.hosts()) == 1


def test_pending_entry_of_novajoin_1_3_0_is_refused_and_keeps_its_otp(
        nova, sim, admin):
    body = vendordata_body()
    fqdn = fqdn_of(sim, body)
    legacy = '{"novajoin_metadata": {"nova_instance_id": "%s"}}' % (
        body['instance-id'])
    # What novajoin 1.3.0 left: its own OTP, already handed to nova.
    admin.ipa.host_add(fqdn, force=True, description=legacy,
                       userpassword='Otp-of-novajoin-1.3.0')
    sim.admin.reset_stats()
    response = nova.post(body)
    assert response.status_code == 409
    assert 'ipa host-del' in response.json()['error']['message']
    assert writes(sim) == 0
    assert sim.admin.try_join(fqdn, 'Otp-of-novajoin-1.3.0')[0] == 200
