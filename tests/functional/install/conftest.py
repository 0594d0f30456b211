"""The IPA simulator with an enrolled controller, and a way to run
``novajoin-install`` against it as an operator would."""

import os
import subprocess
import sys

import pytest

from novajoin.ipa import auth
from novajoin.ipa import client as ipa_client
from novajoin.ipa import deployment
from novajoin.ipa import transport
from tests.fixtures import ipasim

CONTROLLER = 'controller.example.test'
CONTROLLER_ADDRESS = '192.0.2.10'


@pytest.fixture(scope='module')
def sim(tmp_path_factory, test_ca):
    with ipasim.run_ipasim(tmp_path_factory.mktemp('ipasim'),
                           test_ca) as running:
        yield running


def admin_client(sim):
    """novajoin's IPA client logged in as the simulator's admin."""
    return ipa_client.IPAClient(
        transport.Transport([deployment.Server.parse('localhost:%d'
                                                     % sim.port)],
                            auth.PasswordLogin('admin', sim.admin_password),
                            sim.ca_file),
        sim.realm, sim.domain, timeout=10)


@pytest.fixture
def ipa(sim):
    """The simulator in its start state with the controller enrolled."""
    sim.admin.reset()
    sim.admin.seed_host(CONTROLLER, enrolled=True)
    client = admin_client(sim)
    client.dnsrecord_add(sim.domain, CONTROLLER.split('.')[0],
                         arecord=[CONTROLLER_ADDRESS])
    yield client
    client.close()


class Installer(object):
    """Runs novajoin-install with the simulator's coordinates."""

    def __init__(self, sim, workdir):
        self.sim = sim
        self.workdir = str(workdir)
        self.join_conf = os.path.join(self.workdir, 'etc', 'join.conf')
        self.otp_key = os.path.join(self.workdir, 'etc', 'otp.key')
        self.keytab = os.path.join(self.workdir, 'etc', 'krb5.keytab')
        self.password_file = os.path.join(self.workdir, 'admin-password')
        with open(self.password_file, 'w') as f:
            f.write(sim.admin_password + '\n')
        os.chmod(self.password_file, 0o600)

    def run(self, *extra, path=None):
        command = [sys.executable, '-m', 'novajoin.cmd.install',
                   '--ipa-server', 'localhost:%d' % self.sim.port,
                   '--ipa-ca-file', self.sim.ca_file,
                   '--realm', self.sim.realm, '--domain', self.sim.domain,
                   '--ipa-admin-password-file', self.password_file,
                   '--controller-fqdn', CONTROLLER,
                   '--join-conf', self.join_conf,
                   '--otp-key-file', self.otp_key,
                   '--keytab', self.keytab,
                   '--service-user', 'root'] + list(extra)
        env = dict(os.environ)
        if path is not None:
            env['PATH'] = path
        return subprocess.run(command, capture_output=True, text=True,
                              env=env, timeout=120, stdin=subprocess.DEVNULL)


@pytest.fixture
def installer(sim, tmp_path):
    return Installer(sim, tmp_path)
