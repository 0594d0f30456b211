"""The controller ``novajoin-install`` sets up does every IPA operation
novajoin needs with its own principal, and nothing more (issue 19.2).

A real KDC and the IPA simulator, which enforces FreeIPA's role-based
access for Kerberos principals that are not admins. ``novajoin-install``
runs as the operator would (IPA admin password); its ``ipa-getkeytab``
writes the ``nova/<controller>`` keys from the KDC into the keytab it
names. Then novajoin's own code -- the enroller, TLS services, the
listener's handlers for floating IPs, rebuilds, metadata updates and
deletes, and ``novajoin-manage check``'s permission probe -- runs with an
IPA client built from the ``join.conf`` the tool wrote: Kerberos login
with that keytab, no other credentials.
"""

import glob
import os
import re
import time

import pytest

from novajoin.hosts import ownership
from novajoin.install import ipa_rbac
from novajoin.ipa import errors as ipa_errors
from novajoin.manage.checks import freeipa
from novajoin.manage.checks import results
from novajoin.notify import handlers
from novajoin.services import manager
from tests.fixtures import ipasim
from tests.fixtures import notifications as samples
from tests.functional.install.conftest import CONTROLLER
from tests.functional.install import kerberos_controller
from tests.functional.install.kerberos_controller import Controller
from tests.functional.install.kerberos_controller import fake_getkeytab
from tests.functional.install.kerberos_controller import INSTANCE
from tests.functional.install.kerberos_controller import PROJECT
from tests.ipasim import commands as sim_commands
from tests.ipasim import rbac as sim_rbac

PRINCIPAL = 'nova/%s@EXAMPLE.TEST' % CONTROLLER
OTHER = 'f3e1c2b4-7777-4a4a-9b9b-123456789abc'
FLOATING_IP = '203.0.113.7'
VIP = 'vip.example.test'
BOOT_METADATA = {'ipa_enroll': 'true',
                 'compact_service_HTTP': '["internalapi", "storage"]',
                 'managed_service_vip': 'HTTP/' + VIP}
# IPA commands in novajoin's source: quoted command names.
COMMAND_NAME = re.compile(
    r"'((?:host|service|dnsrecord|dnszone|server)_[a-z_]+|batch)'")
# The installer runs as the IPA admin; everything else as novajoin.
INSTALLER_ONLY = os.path.join('novajoin', 'install')

kdc = pytest.fixture(scope='module', name='kdc')(kerberos_controller.run_kdc)
sim = pytest.fixture(scope='module', name='sim')(
    kerberos_controller.run_kerberos_sim)


def handle(deps, message):
    return handlers.HANDLERS[message['event_type']](deps, message['payload'])


@pytest.fixture
def controller(ipa, sim, installer, kdc, tmp_path):
    """A controller set up by novajoin-install; novajoin's IPA client."""
    tools = fake_getkeytab(str(tmp_path / 'bin'), sim.realm)
    done = installer.run(path=tools + os.pathsep + os.environ['PATH'])
    assert done.returncode == 0, done.stderr + done.stdout
    running = Controller(installer.join_conf)
    assert running.conf.ipa.auth_method == 'kerberos'
    assert running.conf.ipa.principal == PRINCIPAL
    assert running.conf.ipa.keytab == installer.keytab
    sim.admin.reset_stats()
    yield running
    running.close()


def commands_novajoin_uses():
    """IPA commands named in novajoin's code, outside the installer."""
    served = set(sim_commands.DIRECTORY_HANDLERS) | {'batch'}
    found = set()
    pattern = os.path.join(ipasim.REPO_ROOT, 'novajoin', '**', '*.py')
    for path in glob.glob(pattern, recursive=True):
        if INSTALLER_ONLY in os.path.relpath(path, ipasim.REPO_ROOT):
            continue
        with open(path) as f:
            found.update(COMMAND_NAME.findall(f.read()))
    return found & served


def exercised(sim, principal):
    """The commands ``principal`` ran, alone or in a batch."""
    calls = sim.admin.stats()['calls_by_principal'].get(principal, {})
    return {name.split(':', 1)[-1] for name in calls}


def _enroll_and_join(sim, controller, hostname, instance_id=INSTANCE,
                     metadata=None):
    result = controller.enroll(hostname, instance_id, metadata)
    assert result.decision == 'created', result.body
    sim.admin.join(result.fqdn, result.body['ipaotp'])
    return result.fqdn


def test_installed_principal_runs_every_ipa_command_novajoin_uses(
        sim, ipa, controller):
    admin = ipa
    # Enrollment: reserved-name reads, the host with its one-time password.
    fqdn = _enroll_and_join(sim, controller, 'web1')
    assert fqdn == 'web1.example.test'
    # TLS services: subhosts managed by the instance, compact and managed
    # services, host and service managers.
    summary = controller.tls.ensure(
        manager.Instance(INSTANCE, PROJECT, fqdn), BOOT_METADATA,
        boot_roles=['admin'])
    assert summary is not None and not summary.failed, summary
    principals = [e['krbcanonicalname'][0]
                  for e in admin.service_find()['result']]
    for name in ('HTTP/web1.internalapi.example.test',
                 'HTTP/web1.storage.example.test', 'HTTP/' + VIP):
        assert '%s@EXAMPLE.TEST' % name in principals
    assert fqdn in admin.host_show('web1.internalapi.example.test')[
        'result']['managedby_host']
    assert fqdn in admin.service_show('HTTP/%s@EXAMPLE.TEST' % VIP)[
        'result']['managedby_host']

    # A floating IP: an A record under the instance's name.
    deps = controller.listener()
    deps.instances.alive.add(INSTANCE)
    deps.instances.projects[INSTANCE] = PROJECT
    deps.ports.bind('p1', INSTANCE, PROJECT)
    outcome = handle(deps, samples.neutron_associate(FLOATING_IP, 'p1',
                                                     INSTANCE))
    assert outcome.result == 'record-added', outcome
    assert admin.dnsrecord_find('example.test', 'web1')['result'][0][
        'arecord'] == [FLOATING_IP]

    # A metadata update drops a compact service.
    outcome = handle(deps, samples.versioned_update(INSTANCE, metadata={
        'ipa_enroll': 'true', 'compact_service_HTTP': '["internalapi"]',
        'managed_service_vip': 'HTTP/' + VIP}, project_id=PROJECT))
    assert 'HTTP/web1.storage.example.test@EXAMPLE.TEST' not in [
        e['krbcanonicalname'][0] for e in admin.service_find()['result']]

    # A rebuild: the enrolled host is disabled and re-armed.
    time.sleep(1.1)
    started = ownership.utcnow()
    deps = controller.listener(rebuild_started=started)
    deps.instances.alive.add(INSTANCE)
    outcome = handle(deps, samples.versioned_rebuild(INSTANCE))
    assert fqdn in outcome.fqdns, outcome
    shown = admin.host_show(fqdn)['result']
    assert shown['has_password'] is True and shown['has_keytab'] is False

    # The floating IP goes, then the instance and what it owns.
    outcome = handle(deps, samples.neutron_disassociate(FLOATING_IP))
    assert not admin.dnsrecord_find('example.test', 'web1')['result']
    deps.instances.alive.discard(INSTANCE)
    outcome = handle(deps, samples.versioned_delete(INSTANCE))
    assert outcome.result == 'deleted', outcome
    assert admin.host_find(fqdn)['count'] == 0
    assert [e['krbcanonicalname'][0] for e in admin.service_find()[
        'result']] == [PRINCIPAL]

    # A subhost an administrator creates between novajoin's read and its
    # write: novajoin takes back the relations its batch granted on it.
    other = _enroll_and_join(sim, controller, 'web4', OTHER)
    raced = 'web4.internalapi.example.test'
    batch = controller.ipa.batch

    def racing_batch(calls, **options):
        if any(method == 'host_add' for method, _, _ in calls):
            admin.host_add(raced, force=True, description='not novajoin')
        return batch(calls, **options)

    controller.ipa.batch = racing_batch
    summary = controller.tls.ensure(
        manager.Instance(OTHER, PROJECT, other),
        {'compact_service_HTTP': '["internalapi"]'}, boot_roles=['admin'])
    del controller.ipa.batch
    assert summary.refusals, summary
    assert other not in admin.host_show(raced)['result'].get(
        'managedby_host', [])

    # novajoin-manage check's probe: add, one-time password, delete.
    probe = freeipa.check_permissions(controller.conf, controller.ipa,
                                      'novajoin-probe')
    assert probe.status == results.PASS, probe

    stats = sim.admin.stats()
    assert stats['logins'] == {'password': 0, 'kerberos': 1}
    # The admin client above only looked; every command novajoin names
    # ran as novajoin's principal.
    missing = commands_novajoin_uses() - exercised(sim, PRINCIPAL)
    assert not missing, sorted(missing)


def test_installed_principal_may_do_nothing_more(sim, ipa, controller):
    fqdn = _enroll_and_join(sim, controller, 'web2')
    nova = controller.ipa
    refused = [
        # Unconstrained delegation is for admins.
        ('host_mod', [fqdn], {'ipakrbokasdelegate': True}),
        # No escalation: permissions, privileges, roles stay as they are.
        ('permission_add', ['Everything'], {'ipapermright': ['all'],
                                            'type': 'host', 'attrs': ['*']}),
        ('privilege_add_permission', [ipa_rbac.PRIVILEGE],
         {'permission': ['System: Manage Host Principals']}),
        ('role_add_member', [ipa_rbac.ROLE], {'host': [fqdn]}),
        ('role_add', ['Another role'], {}),
    ]
    for method, args, options in refused:
        with pytest.raises(ipa_errors.ACIError) as caught:
            nova.call(method, args, options)
        assert 'Insufficient access' in str(caught.value), method
    role = ipa.call('role_show', [ipa_rbac.ROLE])['result']
    assert role['member_service'] == [PRINCIPAL]
    assert 'member_host' not in role


@pytest.mark.parametrize('permission', [
    'Modify host password', 'Modify host managedBy attribute'])
def test_without_one_granted_permission_its_operation_fails(
        sim, ipa, controller, permission):
    out = ipa.call('privilege_remove_permission', [ipa_rbac.PRIVILEGE],
                   {'permission': [permission]})
    assert out['completed'] == 1
    if permission == 'Modify host password':
        probe = freeipa.check_permissions(controller.conf, controller.ipa,
                                          'novajoin-probe')
        assert probe.status == results.FAIL
        assert 'host_mod (one-time password)' in probe.detail
        assert 'Insufficient access' in probe.detail
        return
    fqdn = _enroll_and_join(sim, controller, 'web3')
    summary = controller.tls.ensure(
        manager.Instance(INSTANCE, PROJECT, fqdn),
        {'compact_service_HTTP': '["internalapi"]'}, boot_roles=['admin'])
    assert summary.failed, summary
    subhost = ipa.host_find('web3.internalapi.example.test')['result']
    assert not subhost or fqdn not in subhost[0].get('managedby_host', [])


def test_every_granted_permission_maps_to_rights():
    """Each permission the tool grants means something to the simulator
    (a name it does not know would grant nothing and prove nothing).
    """
    own = {p.name for p in ipa_rbac.OWN_PERMISSIONS}
    for name in ipa_rbac.PRIVILEGE_PERMISSIONS:
        assert name in own or name in sim_rbac.SYSTEM_PERMISSION_RIGHTS, name
