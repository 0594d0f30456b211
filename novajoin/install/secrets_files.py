"""The OTP key and the service keytab: created once, never replaced.

Replacing the OTP key changes the one-time passwords of instances still
booting; fetching a keytab again gives the principal new keys and breaks
every copy of the old keytab. So an existing non-empty file is kept; only
its mode and owner are corrected.
"""

import base64
import os
import pwd
import secrets
import shutil
import subprocess

from novajoin.install import changes

OTP_KEY_BYTES = 48
OTP_KEY_MODE = 0o400
KEYTAB_MODE = 0o600


def service_owner(user):
    """(uid, gid) of the service user; InstallError if there is none."""
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        raise changes.InstallError(
            'service user %s does not exist; create it first (useradd '
            '--system --home-dir /var/lib/novajoin --shell /sbin/nologin '
            '%s) or name another with --service-user' % (user, user))
    return entry.pw_uid, entry.pw_gid


def _present(path):
    return os.path.exists(path) and os.path.getsize(path) > 0


def _mode_and_owner_changes(path, mode, owner, what):
    stat = os.stat(path)
    found = []
    if stat.st_mode & 0o7777 != mode:
        found.append(changes.Change(
            'set mode %04o on %s %s (was %04o)' % (
                mode, what, path, stat.st_mode & 0o7777),
            lambda: os.chmod(path, mode)))
    if (stat.st_uid, stat.st_gid) != owner:
        found.append(changes.Change(
            'give %s %s to uid %d gid %d' % ((what, path) + owner),
            lambda: os.chown(path, *owner)))
    return found


def otp_key_changes(path, owner, report):
    if _present(path):
        found = _mode_and_owner_changes(path, OTP_KEY_MODE, owner,
                                        'OTP key')
        if not found:
            report.unchanged('OTP key %s' % path)
        return found

    def create():
        key = base64.b64encode(secrets.token_bytes(OTP_KEY_BYTES))
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                     OTP_KEY_MODE)
        with os.fdopen(fd, 'wb') as f:
            f.write(key + b'\n')
        os.chown(path, *owner)

    return [changes.Change('create OTP key %s (%d random bytes, base64, '
                           'mode %04o)' % (path, OTP_KEY_BYTES, OTP_KEY_MODE),
                           create)]


def getkeytab_command(server, principal, keytab):
    return ['ipa-getkeytab', '-s', server, '-p', principal, '-k', keytab]


def keytab_changes(path, server, principal, owner, report):
    if _present(path):
        found = _mode_and_owner_changes(path, KEYTAB_MODE, owner, 'keytab')
        if not found:
            report.unchanged('keytab %s' % path)
        return found
    command = getkeytab_command(server, principal, path)
    if shutil.which('ipa-getkeytab') is None:
        report.manual('ipa-getkeytab is not installed here; on a machine '
                      'enrolled in IPA, with an admin\'s Kerberos ticket '
                      '(kinit admin), run: %s, then copy the keytab to %s '
                      '(mode %04o, owned by the service user)'
                      % (' '.join(command), path, KEYTAB_MODE))
        return []

    def fetch():
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        subprocess.run(command, check=True, stdin=subprocess.DEVNULL)
        os.chmod(path, KEYTAB_MODE)
        os.chown(path, *owner)

    return [changes.Change('fetch the keytab of %s into %s: %s' % (
        principal, path, ' '.join(command)), fetch)]
