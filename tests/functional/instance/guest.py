"""An instance, as far as files/cloud-init/novajoin-enroll.sh can tell.

A guest is a throwaway instance: a PATH holding only the tools the script
may use (python3 and awk chosen per test), a stand-in ipa-client-install
that records its arguments, and enrollment markers, log and TMPDIR under
the test's temporary directory.
"""

import json
import pathlib
import secrets
import shutil
import subprocess

REPO = pathlib.Path(__file__).resolve().parents[3]
CLOUD_INIT_DIR = REPO / 'files' / 'cloud-init'
ENROLL_SCRIPT = CLOUD_INIT_DIR / 'novajoin-enroll.sh'
STAND_INS = pathlib.Path(__file__).resolve().parent / 'stand_ins'

# What the script needs from the guest besides a POSIX shell.
GUEST_TOOLS = ('cat', 'cp', 'curl', 'date', 'env', 'mkdir', 'mktemp',
               'mount', 'od', 'readlink', 'rm', 'rmdir', 'sleep', 'tr',
               'umount', 'blkid')

# The script claims POSIX sh: busybox stands for minimal images (CirrOS).
SHELLS = ('bash', 'dash', 'busybox')

FQDN = 'vm1.project.example.test'
REALM = 'EXAMPLE.TEST'

# Small waits keep retry tests fast; the script's defaults are seconds.
FAST_RETRIES = {
    'NOVAJOIN_FETCH_ATTEMPTS': '4',
    'NOVAJOIN_BACKOFF_INITIAL_MS': '20',
    'NOVAJOIN_BACKOFF_MAX_MS': '80',
    'NOVAJOIN_HTTP_TIMEOUT': '2',
}


def new_otp():
    return 'otp-' + secrets.token_urlsafe(12)


def vendor_data(otp, fqdn=FQDN, realm=REALM):
    return json.dumps({'static': {}, 'join': {
        'hostname': fqdn, 'krb_realm': realm, 'ipaotp': otp}})


def shell_command(name):
    """How to start the shell called ``name`` (one of SHELLS)."""
    path = shutil.which(name)
    assert path, '%s is needed for these tests (bindep.txt)' % name
    return [path, 'sh'] if name == 'busybox' else [path]


class Guest:
    """The parts of an instance that novajoin-enroll.sh touches."""

    def __init__(self, root):
        self.root = root
        root.mkdir()
        self.bin = root / 'bin'
        self.tmp = root / 'tmp'
        self.etc = root / 'etc'
        for path in (self.bin, self.tmp, self.etc):
            path.mkdir()
        self.log = root / 'var-log' / 'novajoin-enroll.log'
        self.log.parent.mkdir()
        self.ipa_record = root / 'ipa-client-install.jsonl'
        self.ipa_default_conf = self.etc / 'ipa-default.conf'
        self.keytab = self.etc / 'krb5.keytab'
        for tool in GUEST_TOOLS:
            self.link_tool(tool)
        self.link_tool('awk', 'gawk')
        self.link_tool('python3')
        self.install_ipa_client_stand_in()
        self.env = {
            'PATH': str(self.bin),
            'TMPDIR': str(self.tmp),
            'NOVAJOIN_LOG': str(self.log),
            'NOVAJOIN_IPA_DEFAULT_CONF': str(self.ipa_default_conf),
            'NOVAJOIN_KEYTAB': str(self.keytab),
            # Never pick up a config drive of the machine running the tests.
            'NOVAJOIN_CONFIG_DRIVE_DEVICE': 'none',
            'NOVAJOIN_METADATA_URL': 'http://127.0.0.1:9/openstack',
            'NOVAJOIN_INSTALL_CLIENT': 'no',
            'NOVAJOIN_TEST_IPA_RECORD': str(self.ipa_record),
        }
        self.env.update(FAST_RETRIES)

    def link_tool(self, name, target=None):
        path = shutil.which(target or name, path='/usr/bin:/bin:/usr/sbin')
        assert path, '%s is needed for these tests' % (target or name)
        link = self.bin / name
        if link.exists():
            link.unlink()
        link.symlink_to(path)

    def without_python3(self):
        (self.bin / 'python3').unlink()

    def use_awk(self, implementation):
        self.link_tool('awk', implementation)

    def install_ipa_client_stand_in(self, python_script=True):
        """A Python ipa-client-install, or one that is a shell script."""
        target = self.bin / 'ipa-client-install'
        if target.exists():
            target.unlink()
        stand_in = STAND_INS / 'ipa-client-install'
        if python_script:
            shutil.copy(stand_in, target)
        else:
            target.write_text('#!/bin/sh\nexec /usr/bin/python3 -I %s "$@"\n'
                              % stand_in)
            target.chmod(0o755)

    def remove_ipa_client(self):
        (self.bin / 'ipa-client-install').unlink()

    def mark_enrolled(self):
        self.ipa_default_conf.write_text('[global]\nrealm = %s\n' % REALM)
        self.keytab.write_bytes(b'\x05\x02keytab')

    def run(self, shell='bash', **env):
        full_env = dict(self.env, **env)
        return subprocess.run(shell_command(shell) + [str(ENROLL_SCRIPT)],
                              env=full_env, capture_output=True, text=True,
                              timeout=120)

    def ipa_calls(self):
        if not self.ipa_record.exists():
            return []
        return [json.loads(line)
                for line in self.ipa_record.read_text().splitlines()]

    def log_text(self):
        return self.log.read_text() if self.log.exists() else ''

    def leftovers(self):
        """Files the script left in TMPDIR (workdir, mount points)."""
        return sorted(p.name for p in self.tmp.iterdir())


def assert_otp_kept_secret(guest, result, otp):
    """The OTP is in no output, log or leftover file of the script."""
    assert otp not in result.stdout
    assert otp not in result.stderr
    assert otp not in guest.log_text()
    assert guest.leftovers() == []
    if guest.log.exists():
        assert guest.log.stat().st_mode & 0o077 == 0


def write_config_drive_tree(root, documents):
    """A config drive's files: {version: vendor_data2.json body}."""
    for version, body in documents.items():
        directory = root / 'openstack' / version
        directory.mkdir(parents=True)
        (directory / 'vendor_data2.json').write_text(body)
        (directory / 'meta_data.json').write_text('{"uuid": "i-1"}')
    return root


def expected_ipa_args(options=()):
    return (['--unattended', '--hostname', FQDN, '--realm', REALM]
            + list(options))


def password_given(call):
    args = call['argv']
    assert args.count('--password') == 1, args
    return args[args.index('--password') + 1]


def args_without_password(call):
    args = list(call['argv'])
    at = args.index('--password')
    del args[at:at + 2]
    return args
