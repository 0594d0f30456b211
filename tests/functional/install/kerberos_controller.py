"""A controller with Kerberos: a real KDC, the IPA simulator accepting
Kerberos logins (its principals have only what IPA roles grant), an
``ipa-getkeytab`` that takes keys from the KDC, and novajoin's own objects
built from the ``join.conf`` that ``novajoin-install`` wrote.

A test module makes fixtures of :func:`run_kdc` and
:func:`run_kerberos_sim` (``kdc`` and ``sim``, module scope).
"""

import os
import time

from novajoin.api import deploy
from novajoin.hosts import enrollment
from novajoin.hosts import otp
from novajoin.hosts import rebuild
from novajoin.hosts import reserved_names
from novajoin.ipa import client as ipa_client
from novajoin.notify import handlers
from novajoin.openstack import projects
from novajoin.policies import enforcer as policy
from novajoin.services import manager
from novajoin.services import rules as service_rules
from tests.fixtures import ipasim
from tests.fixtures import kdc as kdc_fixture
from tests.fixtures import notifications as samples
from tests.unit.hosts import fakes as host_fakes
from tests.unit.notify import fakes as notify_fakes

INSTANCE = '8c1d4ad6-5c0a-4a57-9a3e-4e8a4f2b8f10'
PROJECT = samples.NEUTRON_SAMPLE_PROJECT
IMAGE = '5b7c9d1e-2f3a-4b5c-9d7e-8f9a0b1c2d3e'


def fake_getkeytab(directory, realm):
    """ipa-getkeytab: new keys for ``-p`` from the KDC, into ``-k``."""
    os.makedirs(directory, exist_ok=True)
    script = os.path.join(directory, 'ipa-getkeytab')
    with open(script, 'w') as f:
        f.write('#!/bin/sh\n'
                'set -e\n'
                'while [ $# -gt 0 ]; do\n'
                '  case "$1" in\n'
                '    -p) principal="$2"; shift ;;\n'
                '    -k) keytab="$2"; shift ;;\n'
                '  esac\n'
                '  shift\n'
                'done\n'
                'kadmin.local -r %s -q "addprinc -randkey $principal" '
                '>/dev/null\n'
                # Into the (empty) file novajoin-install created.
                'new="$keytab.new"\n'
                'kadmin.local -r %s -q "ktadd -k $new $principal" '
                '>/dev/null\n'
                'test -s "$new"\n'
                'cat "$new" > "$keytab"\n'
                'rm -f "$new"\n' % (realm, realm))
    os.chmod(script, 0o755)
    return directory


def run_kdc(tmp_path_factory):
    """Module fixture ``kdc``: a KDC of the realm EXAMPLE.TEST."""
    with kdc_fixture.run_kdc(tmp_path_factory.mktemp('realm'),
                             realm='EXAMPLE.TEST') as running:
        yield running


def run_kerberos_sim(tmp_path_factory, test_ca, kdc):
    """Module fixture ``sim``, overriding the install suite's simulator:
    this one accepts Kerberos logins, and the principals it sees have only
    what IPA roles grant.
    """
    workdir = tmp_path_factory.mktemp('ipasim-kerberos')
    http_keytab = str(workdir / 'http.keytab')
    kdc.add_principal('HTTP/localhost', http_keytab)
    with ipasim.run_ipasim(workdir, test_ca, keytab=http_keytab) as running:
        yield running


class Controller(object):
    """What novajoin runs with on the controller the tool set up."""

    def __init__(self, join_conf):
        self.conf = deploy.load_conf(['--config-file', join_conf],
                                     default_config_files=[])
        self.ipa = ipa_client.IPAClient.from_conf(self.conf)
        self.otp_key = otp.OTPKey.from_file(
            self.conf.enrollment.otp_key_file)
        enforcer = policy.build_enforcer(self.conf)
        self.tls = manager.TLSServices(
            self.ipa, enforcer, service_rules.Rules('example.test'),
            allowed_roles=['admin'])
        self.enroller = enrollment.Enroller(
            ipa=self.ipa, otp_key=self.otp_key,
            image_properties=host_fakes.FakeImages(
                {IMAGE: {'id': IMAGE, 'os_distro': 'fedora',
                         'os_version': '43'}}),
            project_names=host_fakes.FakeProjects(
                {PROJECT: projects.Project('web-team', 'default')}),
            domain='example.test', min_call_time=0,
            names=reserved_names.ReservedNames.from_conf(self.conf))

    def enroll(self, hostname, instance_id=INSTANCE, metadata=None):
        request = enrollment.VendordataRequest(
            project_id=PROJECT, instance_id=instance_id, image_id=IMAGE,
            hostname=hostname, metadata=metadata or {'ipa_enroll': 'true'},
            boot_roles=['admin'])
        result = self.enroller.enroll(request, time.monotonic() + 30)
        return result

    def listener(self, rebuild_started=None):
        rebuilds = None
        if rebuild_started is not None:
            rebuilds = rebuild.Rebuilds(self.ipa, _Nova(rebuild_started),
                                        self.otp_key)
        deps = handlers.Dependencies(
            self.ipa, notify_fakes.FakeInstances(),
            notify_fakes.FakePorts(), 'example.test', self.tls,
            rebuilds=rebuilds)
        return deps

    def close(self):
        self.ipa.close()


class _Nova(object):
    def __init__(self, started):
        self.started = started

    def last_rebuild_started(self, instance_id):
        return self.started
