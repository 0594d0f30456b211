"""The OTP key and the service keytab: created once, never replaced.

Replacing the OTP key changes the one-time passwords of instances still
booting; fetching a keytab again gives the principal new keys and breaks
every copy of the old keytab. So an existing non-empty file is kept; only
its mode and owner are corrected.

Run as root, in directories others may have written to first: a path is
never followed through a symbolic link (``lstat``, ``O_NOFOLLOW``, mode and
owner set on the open file), new files are created with ``O_EXCL``, and an
existing file not owned by root or the service user, or writable by
others, is refused with the reason, before anything is changed.
"""

import base64
import os
import pwd
import secrets
import shutil
import stat
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


def refuse_unsafe(path, owner, what):
    """The lstat of ``path``, or None when there is nothing there.

    Refuses (InstallError, nothing changed) a symbolic link (never
    followed: as root that would hand its target to the service user), a
    file that is not regular, one owned by neither root nor the service
    user (it may have been planted, its content known to whoever did), and
    one others can write (or its group, unless root's or the service
    user's).
    """
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        return None
    uid, gid = owner
    why = None
    if stat.S_ISLNK(found.st_mode):
        why = ('is a symbolic link (to %s); novajoin-install does not '
               'follow links' % os.readlink(path))
    elif not stat.S_ISREG(found.st_mode):
        why = 'is not a regular file'
    elif found.st_uid not in (0, uid):
        why = ('is owned by uid %d, neither root nor the service user, so '
               'someone else may know or have chosen its content'
               % found.st_uid)
    elif found.st_mode & stat.S_IWOTH or (
            found.st_mode & stat.S_IWGRP and found.st_gid not in (0, gid)):
        why = ('is writable by other users (mode %04o, gid %d)'
               % (stat.S_IMODE(found.st_mode), found.st_gid))
    if why:
        raise changes.InstallError(
            'refusing %s %s: it %s. Nothing was changed; check where it '
            'came from, remove it and run novajoin-install again'
            % (what, path, why))
    return found


def _open_no_follow(path):
    """A descriptor of the regular file ``path``, never through a link."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise changes.InstallError('%s is not a regular file' % path)
    return fd


def _set_mode_and_owner(path, mode, owner):
    fd = _open_no_follow(path)
    try:
        os.fchmod(fd, mode)
        os.fchown(fd, *owner)
    finally:
        os.close(fd)


def _mode_and_owner_changes(path, found, mode, owner, what):
    found_changes = []
    if stat.S_IMODE(found.st_mode) != mode:
        found_changes.append(changes.Change(
            'set mode %04o on %s %s (was %04o)' % (
                mode, what, path, stat.S_IMODE(found.st_mode)),
            lambda: _set_mode_and_owner(path, mode, owner)))
    if (found.st_uid, found.st_gid) != owner:
        found_changes.append(changes.Change(
            'give %s %s to uid %d gid %d' % ((what, path) + owner),
            lambda: _set_mode_and_owner(path, mode, owner)))
    return found_changes


def otp_key_changes(path, owner, report):
    found = refuse_unsafe(path, owner, 'OTP key')
    if found is not None and found.st_size > 0:
        found_changes = _mode_and_owner_changes(path, found, OTP_KEY_MODE,
                                                owner, 'OTP key')
        if not found_changes:
            report.unchanged('OTP key %s' % path)
        return found_changes

    def create():
        key = base64.b64encode(secrets.token_bytes(OTP_KEY_BYTES))
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        if found is not None:
            # An empty file of root's or the service user's: replaced.
            os.unlink(path)
        # O_EXCL: never a file or link someone put there meanwhile.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                     | os.O_NOFOLLOW | os.O_CLOEXEC, OTP_KEY_MODE)
        with os.fdopen(fd, 'wb') as f:
            os.fchmod(f.fileno(), OTP_KEY_MODE)
            os.fchown(f.fileno(), *owner)
            f.write(key + b'\n')

    return [changes.Change('create OTP key %s (%d random bytes, base64, '
                           'mode %04o)' % (path, OTP_KEY_BYTES, OTP_KEY_MODE),
                           create)]


def getkeytab_command(server, principal, keytab):
    return ['ipa-getkeytab', '-s', server, '-p', principal, '-k', keytab]


def keytab_changes(path, server, principal, owner, report):
    found = refuse_unsafe(path, owner, 'keytab')
    if found is not None and found.st_size > 0:
        found_changes = _mode_and_owner_changes(path, found, KEYTAB_MODE,
                                                owner, 'keytab')
        if not found_changes:
            report.unchanged('keytab %s' % path)
        return found_changes
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
        if found is None:
            # Created here, empty and private, so ipa-getkeytab writes
            # into novajoin-install's own file, not a link planted since.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                         | os.O_NOFOLLOW | os.O_CLOEXEC, KEYTAB_MODE)
            os.close(fd)
        subprocess.run(command, check=True, stdin=subprocess.DEVNULL)
        _set_mode_and_owner(path, KEYTAB_MODE, owner)

    return [changes.Change('fetch the keytab of %s into %s: %s' % (
        principal, path, ' '.join(command)), fetch)]
