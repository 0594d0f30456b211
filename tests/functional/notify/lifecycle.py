"""Helpers of the lifecycle tests: hosts in the simulator in any state, and
novajoin-manage as a process."""

import datetime
import json
import os
import subprocess
import sys

from novajoin.hosts import otp
from novajoin.hosts import ownership
from novajoin.ipa import auth
from novajoin.ipa import client
from novajoin.ipa import deployment
from novajoin.ipa import transport

DOMAIN = 'example.test'


def ipa_admin_client(sim):
    """novajoin's IPA client logged in as the simulator's admin."""
    return client.IPAClient(
        transport.Transport([deployment.Server(sim.server_name, sim.port)],
                            auth.PasswordLogin('admin', sim.admin_password),
                            sim.ca_file),
        sim.realm, sim.domain, timeout=30)


def ago(seconds):
    return ownership.utcnow() - datetime.timedelta(seconds=seconds)


def iso(moment):
    return moment.strftime('%Y-%m-%dT%H:%M:%SZ')


def legacy_description(instance_id, nonce):
    """An owner record without ``created``, as older novajoins wrote it."""
    return json.dumps({ownership.METADATA_KEY: {
        ownership.INSTANCE_KEY: instance_id,
        ownership.OTP_NONCE_KEY: nonce}})


def add_pending_host(ipa, key_file, instance_id, fqdn, created=None,
                     legacy=False):
    """A host as the vendordata path adds it; returns its OTP."""
    key = otp.OTPKey.from_file(key_file)
    nonce = otp.new_nonce()
    if legacy:
        description = legacy_description(instance_id, nonce)
    else:
        description = ownership.build_description(instance_id, nonce,
                                                  created=created)
    password = key.derive_otp(instance_id, fqdn, nonce)
    ipa.host_add(fqdn, force=True, description=description,
                 userpassword=password)
    return password


def current_otp(ipa, key_file, instance_id, fqdn):
    """The OTP a vendordata request would answer for the entry now."""
    record = ownership.owner_of(ipa.host_show(fqdn)['result'])
    return otp.OTPKey.from_file(key_file).derive_otp(instance_id, fqdn,
                                                     record.otp_nonce)


def run_manage(conf_path, *args):
    program = os.path.join(os.path.dirname(sys.executable),
                           'novajoin-manage')
    return subprocess.run([program, '--config-file', conf_path] + list(args),
                          capture_output=True, text=True, timeout=300)
