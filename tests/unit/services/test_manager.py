"""TLS services end to end against the IPA simulator's engine, in-process."""

import json
import logging

import pytest

from novajoin.api import deploy
from novajoin.hosts import ownership
from novajoin.hosts import reserved_names
from novajoin.policies import enforcer as policy
from novajoin.services import confinement
from novajoin.services import manager
from novajoin.services import metadata
from novajoin.services import rules as service_rules
from novajoin.services import writes
from tests.ipasim import dns
from tests.unit.services import inprocess_ipa

A = '11111111-1111-4111-8111-111111111111'
B = '22222222-2222-4222-8222-222222222222'
C = '33333333-3333-4333-8333-333333333333'
PROJECT = 'a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0'
OTHER_PROJECT = 'b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1'
VIP = 'overcloud.internalapi.example.test'


@pytest.fixture
def ipa():
    return inprocess_ipa.InProcessIPA()


@pytest.fixture
def enforcer():
    conf = deploy.load_conf([], default_config_files=[])
    return policy.build_enforcer(conf)


@pytest.fixture
def tls(ipa, enforcer):
    return make_services(ipa, enforcer)


def make_services(ipa, enforcer, **kwargs):
    return manager.TLSServices(
        ipa.client, enforcer,
        service_rules.Rules('example.test', kwargs.pop('allow', ())),
        allowed_roles=['admin'], **kwargs)


def instance(ipa, instance_id=A, name='web', project=PROJECT):
    fqdn = '%s.example.test' % name
    if fqdn not in ipa.directory.hosts:
        ipa.seed_host(fqdn, instance_id)
    return manager.Instance(instance_id, project, fqdn)


def compact(**services):
    return {'compact_service_%s' % name: json.dumps(networks)
            for name, networks in services.items()}


def test_compact_services_make_owned_subhosts_and_managed_principals(
        ipa, tls):
    web = instance(ipa)
    before = ipa.round_trips()
    summary = tls.ensure(web, compact(HTTP=['internalapi', 'storage'],
                                      mysql=['internalapi']))
    assert ipa.round_trips() - before == 2  # one read, one write batch
    assert summary.ipa_calls == 2
    assert ipa.principals() == ['HTTP/web.internalapi.example.test',
                                'HTTP/web.storage.example.test',
                                'mysql/web.internalapi.example.test']
    for subhost in ('web.internalapi.example.test',
                    'web.storage.example.test'):
        record = ownership.parse_description(ipa.description(subhost))
        assert (record.instance_id, record.role, record.project_id) == (
            A, ownership.ROLE_SUBHOST, PROJECT)
        assert ipa.host_managers(subhost) == sorted([subhost, web.fqdn])
    assert ipa.service_managers('HTTP/web.storage.example.test') == [
        'web.example.test', 'web.storage.example.test']


def test_repeating_the_request_reads_once_and_writes_nothing(ipa, tls):
    web = instance(ipa)
    tls.ensure(web, compact(HTTP=['internalapi']))
    writes_before, trips = len(ipa.writes()), ipa.round_trips()
    summary = tls.ensure(web, compact(HTTP=['internalapi']))
    assert len(ipa.writes()) == writes_before
    assert ipa.round_trips() - trips == 1
    assert summary.written == 0 and len(summary.granted) == 1


def test_subhost_of_another_instance_is_refused_and_untouched(ipa, tls,
                                                              caplog):
    ipa.seed_host('web.internalapi.example.test', B,
                  role=ownership.ROLE_SUBHOST, project_id=OTHER_PROJECT)
    web = instance(ipa)
    caplog.set_level(logging.INFO)
    summary = tls.ensure(web, compact(HTTP=['internalapi']))
    assert summary.granted == {}
    assert ipa.principals() == []
    assert ipa.host_managers('web.internalapi.example.test') == [
        'web.internalapi.example.test']
    assert 'belongs to another instance' in caplog.text


def test_subhost_name_of_a_hand_made_host_is_refused(ipa, tls):
    ipa.seed_host('web.internalapi.example.test', description='by hand')
    summary = tls.ensure(instance(ipa), compact(HTTP=['internalapi']))
    assert 'not created by novajoin' in summary.refusals[0].reason
    assert ipa.writes() == []


def test_managed_service_needs_the_policy(ipa, tls):
    summary = tls.ensure(instance(ipa), {'managed_service_a': 'HTTP/' + VIP},
                         boot_roles=['member', 'reader'])
    assert 'join:managed_services' in summary.refusals[0].reason
    assert ipa.writes() == []
    assert VIP not in ipa.host_names()


def test_managed_service_creates_its_service_host_for_a_boot_role(ipa, tls):
    web = instance(ipa)
    summary = tls.ensure(web, {'managed_service_a': 'HTTP/' + VIP},
                         boot_roles=['member', 'Admin'])
    assert summary.granted == {metadata.Principal('HTTP', VIP):
                               confinement.MANAGED}
    record = ownership.parse_description(ipa.description(VIP))
    assert (record.instance_id, record.role, record.project_id) == (
        A, ownership.ROLE_SERVICE_HOST, PROJECT)
    assert ipa.service_managers('HTTP/' + VIP) == [VIP, web.fqdn]
    # The service host's own managers are left alone.
    assert ipa.host_managers(VIP) == [VIP]


def test_listed_project_may_manage_services_without_the_role(ipa, enforcer):
    tls = make_services(ipa, enforcer, allowed_projects=[PROJECT])
    summary = tls.ensure(instance(ipa), {'managed_service_a': 'HTTP/' + VIP})
    assert list(summary.granted) == [metadata.Principal('HTTP', VIP)]


@pytest.mark.parametrize('seed,reason', [
    (lambda ipa: None, 'is an IPA server'),
    (lambda ipa: ipa.seed_host('ipa2.example.test', ipa_master=True),
     'is an IPA server'),
    (lambda ipa: ipa.seed_host('ipa2.example.test', C),
     'host of another instance'),
    (lambda ipa: ipa.seed_host('ipa2.example.test', C,
                               role=ownership.ROLE_SERVICE_HOST,
                               project_id=OTHER_PROJECT),
     'belongs to another project'),
    (lambda ipa: ipa.seed_host('ipa2.example.test', C,
                               role=ownership.ROLE_SUBHOST,
                               project_id=OTHER_PROJECT),
     'subhost of another instance'),
    (lambda ipa: ipa.seed_host('ipa2.example.test', description='x'),
     'not created by novajoin'),
])
def test_managed_service_on_a_host_out_of_reach_changes_nothing(
        ipa, tls, seed, reason):
    seed(ipa)
    web = instance(ipa)
    target = ('ipa.example.test' if reason == 'is an IPA server'
              and 'ipa2.example.test' not in ipa.host_names()
              else 'ipa2.example.test')
    # The simulator's own server has a master host entry already.
    if target == 'ipa.example.test' and target not in ipa.directory.hosts:
        ipa.seed_host(target, ipa_master=True)
    ipa.directory.services.clear()
    hosts_before = {fqdn: dict(h.attrs) for fqdn, h in
                    ipa.directory.hosts.items()}
    summary = tls.ensure(web, {'managed_service_a': 'HTTP/' + target},
                         boot_roles=['admin'])
    assert reason in summary.refusals[0].reason
    assert ipa.writes() == []
    assert {fqdn: dict(h.attrs) for fqdn, h in
            ipa.directory.hosts.items()} == hosts_before


def test_ipa_ca_is_never_handed_out(ipa, tls):
    summary = tls.ensure(instance(ipa),
                         {'managed_service_a': 'HTTP/ipa-ca.example.test'},
                         boot_roles=['admin'])
    assert 'reserved' in summary.refusals[0].reason
    assert ipa.writes() == []


def test_service_host_of_the_same_project_is_shared(ipa, tls):
    ipa.seed_host(VIP, B, role=ownership.ROLE_SERVICE_HOST,
                  project_id=PROJECT)
    summary = tls.ensure(instance(ipa), {'managed_service_a': 'HTTP/' + VIP},
                         boot_roles=['admin'])
    assert summary.refusals == []
    assert ipa.service_managers('HTTP/' + VIP) == [VIP, 'web.example.test']


def test_allow_listed_hand_made_host_may_carry_managed_services(ipa,
                                                                enforcer):
    ipa.seed_host(VIP, description='made by the operator')
    tls = make_services(ipa, enforcer, allow=['*.internalapi.example.test'])
    summary = tls.ensure(instance(ipa), {'managed_service_a': 'HTTP/' + VIP},
                         boot_roles=['admin'])
    assert summary.refusals == []
    assert ipa.description(VIP) == 'made by the operator'


def test_too_many_principals_get_none(ipa, enforcer):
    tls = make_services(ipa, enforcer, max_principals=2)
    summary = tls.ensure(instance(ipa), compact(HTTP=['a', 'b', 'c']))
    assert summary.granted == {}
    assert 'max_principals' in summary.refusals[0].reason
    assert ipa.round_trips() == 0


def test_shared_managed_service_goes_with_its_last_manager(ipa, tls):
    web, db = instance(ipa), instance(ipa, B, 'db')
    for member in (web, db):
        tls.ensure(member, {'managed_service_a': 'HTTP/' + VIP},
                   boot_roles=['admin'])
    assert ipa.service_managers('HTTP/' + VIP) == sorted(
        [VIP, web.fqdn, db.fqdn])
    assert tls.release(A, web.fqdn, []) == []
    assert ipa.service_managers('HTTP/' + VIP) == sorted([VIP, db.fqdn])
    assert tls.release(B, db.fqdn, []) == ['HTTP/' + VIP]
    assert ipa.principals() == []
    assert VIP not in ipa.host_names()


def test_release_keeps_a_service_host_that_still_has_services(ipa, tls):
    web = instance(ipa)
    tls.ensure(web, {'managed_service_a': 'HTTP/' + VIP,
                     'managed_service_b': 'haproxy/' + VIP},
               boot_roles=['admin'])
    ipa.seed_host('db.example.test', B)
    ipa.client.service_add_host('haproxy/' + VIP, ['db.example.test'])
    assert tls.release(A, web.fqdn, []) == ['HTTP/' + VIP]
    assert VIP in ipa.host_names()
    assert ipa.principals() == ['haproxy/' + VIP]


def test_update_removes_what_the_metadata_dropped(ipa, tls):
    web = instance(ipa)
    tls.ensure(web, dict(compact(HTTP=['internalapi', 'storage'],
                                 mysql=['internalapi']),
                         managed_service_a='HTTP/' + VIP),
               boot_roles=['admin'])
    subhosts = ['web.internalapi.example.test', 'web.storage.example.test']
    tls.update(web, compact(HTTP=['internalapi'], ldap=['ctlplane']),
               subhosts)
    assert ipa.principals() == ['HTTP/web.internalapi.example.test',
                                'ldap/web.ctlplane.example.test']
    assert 'web.storage.example.test' not in ipa.host_names()
    assert VIP not in ipa.host_names()
    assert ipa.host_managers('web.ctlplane.example.test') == sorted(
        ['web.ctlplane.example.test', web.fqdn])


def test_update_with_an_unreadable_key_removes_nothing_of_it(ipa, tls):
    web = instance(ipa)
    tls.ensure(web, compact(HTTP=['internalapi'], mysql=['internalapi']))
    tls.update(web, {'compact_service_HTTP': '["internalapi"',
                     'compact_service_mysql': '["internalapi"]'},
               ['web.internalapi.example.test'])
    assert ipa.principals() == ['HTTP/web.internalapi.example.test',
                                'mysql/web.internalapi.example.test']


def test_update_never_takes_back_a_relation_novajoin_did_not_make(ipa, tls):
    web = instance(ipa)
    ipa.seed_host('legacy.example.test', description='by hand')
    ipa.client.service_add('HTTP/legacy.example.test', force=True)
    ipa.client.service_add_host('HTTP/legacy.example.test', [web.fqdn])
    tls.update(web, {}, [])
    assert ipa.service_managers('HTTP/legacy.example.test') == [
        'legacy.example.test', web.fqdn]


def test_lost_creation_race_takes_back_the_relations(ipa, tls):
    web = instance(ipa)
    # Another tenant's instance created the subhost after we read.
    ipa.seed_host('web.internalapi.example.test', C,
                  role=ownership.ROLE_SUBHOST, project_id=OTHER_PROJECT)
    principal = metadata.Principal('HTTP', 'web.internalapi.example.test')
    plan = confinement.Plan()
    plan.new_hosts[principal.host] = ownership.ROLE_SUBHOST
    plan.host_managers.append(principal.host)
    plan.new_services.append(principal)
    plan.service_managers.append(principal)
    plan.granted[principal] = confinement.COMPACT
    outcome = writes.apply(ipa.client, web, plan,
                           service_rules.Rules('example.test'), timeout=None)
    assert outcome.revoked == {principal}
    assert 'another instance' in outcome.refusals[0].reason
    assert ipa.host_managers(principal.host) == [principal.host]
    assert ipa.service_managers(str(principal)) == [principal.host]


def test_enrollment_is_never_failed_by_its_services(ipa, tls, caplog):
    web = instance(ipa)
    clock_now = [100.0]
    slow = manager.TLSServices(ipa.client, tls._enforcer,
                               service_rules.Rules('example.test'),
                               clock=lambda: clock_now[0])
    summary = slow.ensure_for_enrollment(web, compact(HTTP=['internalapi']),
                                         [], deadline=100.1)
    assert summary.skipped
    assert ipa.round_trips() == 0
    assert 'services decision=error' in caplog.text


def test_refused_metadata_alone_costs_no_ipa_call(ipa, tls):
    summary = tls.ensure(instance(ipa), {
        'compact_service_http': '["internalapi"',
        'managed_service_a': 'HTTP/' + VIP}, boot_roles=['member'])
    assert len(summary.refusals) == 2
    assert ipa.round_trips() == 0


def test_update_keeps_managed_services_held_without_asking_policy(
        ipa, tls, caplog):
    web = instance(ipa)
    tls.ensure(web, {'managed_service_a': 'HTTP/' + VIP},
               boot_roles=['admin'])
    assert tls.update(web, {'managed_service_a': 'HTTP/' + VIP}, []) is None
    assert 'decision=refused' not in caplog.text
    assert ipa.service_managers('HTTP/' + VIP) == [VIP, web.fqdn]


def test_names_reserved_for_the_enrollment_are_refused(ipa, enforcer):
    names = reserved_names.ReservedNames(['ldap*'], ['example.test'])
    tls = manager.TLSServices(
        ipa.client, enforcer,
        service_rules.Rules('example.test', reserved_names=names),
        allowed_roles=['admin'])
    summary = tls.ensure(instance(ipa),
                         {'managed_service_a': 'HTTP/ldap1.example.test'},
                         boot_roles=['admin'])
    assert "matches 'ldap*'" in summary.refusals[0].reason
    assert ipa.writes() == []


def test_an_unexpected_failure_still_leaves_the_answer_alone(ipa, tls,
                                                             caplog):
    def broken(*args, **kwargs):
        raise RuntimeError('a bug')
    ipa.client.batch = broken
    summary = tls.ensure_for_enrollment(
        instance(ipa), compact(HTTP=['internalapi']), [], deadline=None)
    assert summary.skipped == 'RuntimeError'
    assert 'reason=unexpected RuntimeError' in caplog.text


def test_a_subhost_name_with_dns_records_novajoin_did_not_make_is_refused(
        ipa, tls):
    # "www.prod" has an A record in IPA but no host entry: an instance
    # called "www" must not get its keytab through a compact service.
    dns.seed(ipa.directory, 'example.test', 'www.prod',
             {'arecord': ['192.0.2.80']})
    summary = tls.ensure(instance(ipa, name='www'), compact(HTTP=['prod']))
    assert summary.granted == {}
    assert 'DNS records' in summary.refusals[0].reason
    assert ipa.writes() == []
    assert 'www.prod.example.test' not in ipa.host_names()


def test_a_subhost_name_that_is_a_dns_zone_is_refused(ipa, tls):
    dns.seed(ipa.directory, 'web.internalapi.example.test')
    summary = tls.ensure(instance(ipa), compact(HTTP=['internalapi']))
    assert 'DNS zone' in summary.refusals[0].reason
    assert ipa.writes() == []


def test_a_managed_host_with_dns_records_novajoin_did_not_make_is_refused(
        ipa, tls):
    dns.seed(ipa.directory, 'example.test', 'portal',
             {'arecord': ['192.0.2.81']})
    summary = tls.ensure(instance(ipa),
                         {'managed_service_a': 'HTTP/portal.example.test'},
                         boot_roles=['admin'])
    assert summary.granted == {}
    assert 'DNS records' in summary.refusals[0].reason
    assert ipa.writes() == []


def test_dns_records_of_an_existing_subhost_are_its_own(ipa, tls):
    web = instance(ipa)
    tls.ensure(web, compact(HTTP=['internalapi']))
    dns.seed(ipa.directory, 'example.test', 'web.internalapi',
             {'arecord': ['192.0.2.82']})
    summary = tls.ensure(web, compact(HTTP=['internalapi'], mysql=[
        'internalapi']))
    assert summary.refusals == []
    assert sorted(map(str, summary.granted)) == [
        'HTTP/web.internalapi.example.test',
        'mysql/web.internalapi.example.test']


def project_instance(ipa, name, project_label, instance_id=A,
                     project=PROJECT):
    """An instance under ``[DEFAULT] project_subdomain``."""
    fqdn = '%s.%s.example.test' % (name, project_label)
    ipa.seed_host(fqdn, instance_id)
    return manager.Instance(instance_id, project, fqdn)


def test_with_project_subdomains_subhosts_stay_in_the_own_project(ipa, tls):
    # db.finance.example.test is the name of project finance's future
    # instance db: a "finance" network of project evil must not take it.
    db = project_instance(ipa, 'db', 'evil')
    summary = tls.ensure(db, compact(HTTP=['finance']))
    assert 'db.finance.example.test' not in ipa.host_names()
    assert list(map(str, summary.granted)) == [
        'HTTP/db.finance.evil.example.test']
    assert ipa.host_managers('db.finance.evil.example.test') == [
        'db.evil.example.test', 'db.finance.evil.example.test']


def test_with_project_subdomains_a_new_managed_host_stays_in_the_project(
        ipa, tls):
    db = project_instance(ipa, 'db', 'evil')
    summary = tls.ensure(db, {'managed_service_a':
                              'HTTP/db.finance.example.test',
                              'managed_service_b':
                              'HTTP/vip.evil.example.test'},
                         boot_roles=['admin'])
    assert [str(r.key) for r in summary.refusals] == [
        'HTTP/db.finance.example.test']
    assert 'outside' in summary.refusals[0].reason
    assert 'db.finance.example.test' not in ipa.host_names()
    assert list(map(str, summary.granted)) == ['HTTP/vip.evil.example.test']


def test_with_project_subdomains_an_update_keeps_the_subhost_names(ipa, tls):
    db = project_instance(ipa, 'db', 'evil')
    tls.ensure(db, compact(HTTP=['internalapi']))
    tls.update(db, compact(HTTP=['internalapi']),
               ['db.internalapi.evil.example.test'])
    assert ipa.host_names() == ['db.evil.example.test',
                                'db.internalapi.evil.example.test']


def test_a_subhost_of_another_instance_of_the_project_is_not_shared(
        ipa, tls):
    # The subhost goes with its instance, and its services with it
    # (host_del): another instance managing one of them would lose it.
    web = instance(ipa)
    tls.ensure(web, compact(HTTP=['internalapi']))
    db = instance(ipa, instance_id=B, name='db')
    writes_before = len(ipa.writes())
    summary = tls.ensure(
        db, {'managed_service_a': 'mysql/web.internalapi.example.test'},
        boot_roles=['admin'])
    assert summary.granted == {}
    assert 'subhost of another instance' in summary.refusals[0].reason
    assert len(ipa.writes()) == writes_before
    assert ipa.principals() == ['HTTP/web.internalapi.example.test']


def test_an_allow_listed_name_with_dns_records_may_be_created(ipa,
                                                              enforcer):
    # The operator made the VIP's DNS records and listed the name.
    dns.seed(ipa.directory, 'example.test', 'overcloud.internalapi',
             {'arecord': ['192.0.2.90']})
    tls = make_services(ipa, enforcer, allow=['overcloud.*.example.test'])
    summary = tls.ensure(instance(ipa), {'managed_service_a': 'HTTP/' + VIP},
                         boot_roles=['admin'])
    assert summary.refusals == []
    assert ipa.service_managers('HTTP/' + VIP) == [VIP, 'web.example.test']
