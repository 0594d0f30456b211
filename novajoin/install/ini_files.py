"""Edit ini files (join.conf, nova.conf) in place, keeping the rest.

configupdater keeps comments, blank lines, option order and options it is
not asked about; only the named options change. A file is replaced
atomically with its mode and owner kept.
"""

import os
import tempfile

import configupdater

from novajoin.install import changes


def read(path):
    """The file as a ConfigUpdater (empty when there is no such file)."""
    updater = configupdater.ConfigUpdater(strict=False)
    if path and os.path.exists(path):
        updater.read(path, encoding='utf-8')
    return updater


def current(updater, section, option):
    if updater.has_section(section) and updater.has_option(section, option):
        return updater[section][option].value
    return None


def differences(updater, settings):
    """[(section, option, old, new)] for the settings that differ."""
    found = []
    for section, options in settings.items():
        for option, value in options.items():
            old = current(updater, section, option)
            if old is None or old.strip() != value:
                found.append((section, option, old, value))
    return found


def set_options(updater, diffs):
    for section, option, _, value in diffs:
        if not updater.has_section(section):
            updater.add_section(section)
        updater[section][option] = value


def describe(path, section, option, old, new):
    return 'set [%s] %s = %s in %s%s' % (
        section, option, changes.shown_value(option, new), path,
        '' if old is None else ' (was %s)'
        % changes.shown_value(option, old))


def write(updater, path, mode=0o600, owner=None, no_links=False):
    """Replace ``path`` atomically.

    A new file gets ``mode`` and ``owner`` ((uid, gid) or None); an existing
    one keeps its own. With ``no_links`` a symbolic link at ``path`` is
    refused (InstallError) rather than replaced by the file.
    """
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    if no_links and os.path.islink(path):
        raise changes.InstallError(
            'refusing %s: it is a symbolic link; novajoin-install does not '
            'follow links' % path)
    if os.path.exists(path):
        stat = os.stat(path)
        mode, owner = stat.st_mode & 0o7777, (stat.st_uid, stat.st_gid)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix='.novajoin-install-')
    try:
        with os.fdopen(fd, 'w', encoding='utf-8') as f:
            f.write(str(updater))
        os.chmod(tmp, mode)
        if owner is not None:
            os.chown(tmp, *owner)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def update_changes(path, settings, mode=0o600, owner=None, no_links=False):
    """Changes setting ``settings`` ({section: {option: value}}) in a file.

    They are written together, by the last change's apply.
    """
    updater = read(path)
    diffs = differences(updater, settings)
    if not diffs:
        return []

    def apply_all():
        set_options(updater, diffs)
        write(updater, path, mode=mode, owner=owner, no_links=no_links)

    found = [changes.Change(describe(path, *diff)) for diff in diffs]
    found[-1].apply = apply_all
    return found
