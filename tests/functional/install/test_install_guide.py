"""The install guide, followed literally against the IPA simulator, sets up
a controller that enrolls an instance.

The commands are read from ``doc/source/install/controller.rst``, the
literal block of "Installing on a controller", and run in order. Only what
a real controller has and this machine has not is substituted:

* the guide's files (``/root/ipa-admin.pw``, ``/etc/nova/nova.conf`` and
  the tool's defaults under ``/etc/novajoin``) live in a temporary
  directory;
* what ``novajoin-install`` reads from the controller's
  ``/etc/ipa/default.conf`` and its host name (IPA servers, CA, realm,
  domain, controller FQDN) are given as options;
* the service user is root: the test adds no system user;
* ``ipa-getkeytab``, for which the guide runs ``kinit admin``, takes the
  keys from the test's KDC.

The guide's other lines (``useradd``, ``kinit``, ``systemctl``) are
checked to be only those. Then novajoin, built from the ``join.conf`` the
tool wrote and logged in with its keytab, enrolls an instance, and the
instance joins with the one-time password it was given.
"""

import os
import pathlib
import re
import shlex
import subprocess
import sys

import pytest

from tests.functional.install.conftest import CONTROLLER
from tests.functional.install import kerberos_controller

GUIDE = (pathlib.Path(__file__).resolve().parents[3] / 'doc' / 'source'
         / 'install' / 'controller.rst')
BLOCK_INTRO = ("with novajoin installed and an IPA administrator's password "
               "in a file::")
# Lines of the guide a test machine does not run, by their program.
NOT_RUN_HERE = {'useradd', 'kinit', 'systemctl'}
PRINCIPAL = 'nova/%s@EXAMPLE.TEST' % CONTROLLER
NOVA_CONF = """\
[keystone_authtoken]
auth_type = password
auth_url = https://keystone.example.test/v3
username = nova
password = nova-service-password
project_name = service
user_domain_name = Default
project_domain_name = Default
"""

kdc = pytest.fixture(scope='module', name='kdc')(kerberos_controller.run_kdc)
sim = pytest.fixture(scope='module', name='sim')(
    kerberos_controller.run_kerberos_sim)


def guide_commands(text):
    """The commands of the guide's controller block, as argument lists."""
    start = text.find(BLOCK_INTRO)
    if start < 0:
        raise ValueError('the guide has no block after %r' % BLOCK_INTRO)
    block = []
    for line in text[start + len(BLOCK_INTRO):].split('\n')[1:]:
        if line.strip() and not line.startswith(' '):
            break
        block.append(line)
    joined = re.sub(r'\\\n\s*', ' ', '\n'.join(block))
    commands = [shlex.split(line, comments=True)
                for line in joined.split('\n')]
    return [args for args in commands if args]


def test_the_guide_block_is_found():
    commands = guide_commands(GUIDE.read_text(encoding='utf-8'))
    programs = [args[0] for args in commands]
    assert programs.count('novajoin-install') == 2, commands
    assert set(programs) == NOT_RUN_HERE | {'novajoin-install'}, programs


def test_a_guide_without_the_block_is_noticed():
    with pytest.raises(ValueError):
        guide_commands('Installing on a controller\n\n    useradd x\n')


class GuideFiles(object):
    """The guide's paths, mapped into ``root``."""

    def __init__(self, root, sim):
        self.root = root
        self.mapped = {}
        password = self.map('/root/ipa-admin.pw')
        password.write_text(sim.admin_password + '\n')
        password.chmod(0o600)
        self.map('/etc/nova/nova.conf').write_text(NOVA_CONF)
        for path in ('/etc/novajoin/join.conf', '/etc/novajoin/otp.key',
                     '/etc/novajoin/krb5.keytab'):
            self.map(path)

    def map(self, path):
        local = self.root / path.lstrip('/')
        local.parent.mkdir(parents=True, exist_ok=True)
        self.mapped[path] = local
        return local

    def args(self, args):
        unknown = [arg for arg in args
                   if arg.startswith('/') and arg not in self.mapped]
        assert not unknown, ('the guide names files the test does not '
                             'map: %s' % unknown)
        return [str(self.mapped.get(arg, arg)) for arg in args]


def run_install(guide_args, files, sim, path):
    """novajoin-install with the guide's arguments and the substitutions
    of this module's docstring.
    """
    command = [sys.executable, '-m', 'novajoin.cmd.install'] + files.args(
        guide_args) + [
        '--ipa-server', 'localhost:%d' % sim.port,
        '--ipa-ca-file', sim.ca_file,
        '--realm', sim.realm, '--domain', sim.domain,
        '--controller-fqdn', CONTROLLER,
        '--join-conf', str(files.mapped['/etc/novajoin/join.conf']),
        '--otp-key-file', str(files.mapped['/etc/novajoin/otp.key']),
        '--keytab', str(files.mapped['/etc/novajoin/krb5.keytab']),
        '--service-user', 'root']
    env = dict(os.environ, PATH=path)
    return subprocess.run(command, capture_output=True, text=True, env=env,
                          timeout=120, stdin=subprocess.DEVNULL)


def _writes(sim):
    return {name: count for name, count in sim.admin.stats()['calls'].items()
            if not name.endswith(('_show', '_find')) and name != 'ping'}


def test_following_the_guide_enrolls_an_instance(ipa, sim, kdc, tmp_path):
    commands = guide_commands(GUIDE.read_text(encoding='utf-8'))
    files = GuideFiles(tmp_path / 'controller', sim)
    nova_conf = files.mapped['/etc/nova/nova.conf']
    join_conf = files.mapped['/etc/novajoin/join.conf']
    tools = kerberos_controller.fake_getkeytab(str(tmp_path / 'bin'),
                                               sim.realm)
    path = tools + os.pathsep + os.environ['PATH']
    sim.admin.reset_stats()

    installs = [args for args in commands if args[0] == 'novajoin-install']
    dry_run, install = installs
    assert '--dry-run' in dry_run and '--dry-run' not in install

    done = run_install(dry_run[1:], files, sim, path)
    assert done.returncode == 0, done.stderr + done.stdout
    assert _writes(sim) == {}
    assert not join_conf.exists()
    assert nova_conf.read_text() == NOVA_CONF

    done = run_install(install[1:], files, sim, path)
    assert done.returncode == 0, done.stderr + done.stdout
    assert sim.admin_password not in done.stdout + done.stderr
    assert 'nova-service-password' not in done.stdout + done.stderr
    nova = nova_conf.read_text()
    assert 'join@https://%s:9090/v1' % CONTROLLER in nova
    assert 'DynamicJSON' in nova

    controller = kerberos_controller.Controller(str(join_conf))
    try:
        assert controller.conf.ipa.auth_method == 'kerberos'
        assert controller.conf.ipa.principal == PRINCIPAL
        sim.admin.reset_stats()
        result = controller.enroll('guide-vm1')
        assert result.decision == 'created', result.body
        assert result.fqdn == 'guide-vm1.%s' % sim.domain
        assert sim.admin.stats()['logins']['kerberos'] == 1
        # What the instance's ipa-client-install does with that answer.
        sim.admin.join(result.fqdn, result.body['ipaotp'])
        assert ipa.host_show(result.fqdn)['result']['has_keytab'] is True
        again = controller.enroll('guide-vm1')
        assert again.decision == 'enrolled'
        assert 'ipaotp' not in again.body
    finally:
        controller.close()
