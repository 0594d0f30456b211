"""Every console script keeps stdout for its result; logs go to stderr.

Configurations here have no log file and log at INFO (oslo.log's default
then is stdout): each command's output must parse as its format, and the
INFO lines must be on stderr. novajoin-install's output is checked in
tests/functional/install/test_install.py.
"""

import json
import os
import re
import signal
import subprocess
import sys

import requests

from tests.fixtures import net
from tests.fixtures import novajoin_server
from tests.functional.notify import conftest
from tests.functional.notify import lifecycle

LOGIN_LINE = 'INFO novajoin.ipa.transport [-] IPA login succeeded'
TABLE_LINE = re.compile(r'^(\+[-+]+\+|\|.*\|)$')


def _logging_to_default(path, edits=None):
    """The file at ``path`` without log_file, at INFO, with ``edits``."""
    with open(path) as conf_file:
        text = conf_file.read()
    text = re.sub(r'^log_file = .*\n', '', text, flags=re.M)
    text = text.replace('debug = true', 'debug = false')
    for old, new in (edits or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    with open(path, 'w') as conf_file:
        conf_file.write(text)
    return path


def _table_then(stdout, summary):
    """Assert ``stdout`` is a table, then one summary line matching."""
    lines = stdout.splitlines()
    assert lines, 'no output'
    assert re.match(summary, lines[-1]), stdout
    for line in lines[:-1]:
        assert TABLE_LINE.match(line), 'not a table line: %r' % line
    return lines


def test_hosts_list_json_is_only_json(env):
    _, fqdn = env.enrolled_host()
    path = _logging_to_default(env.write_conf())
    result = lifecycle.run_manage(path, 'hosts', 'list', '--format', 'json')
    assert result.returncode == 0, result.stdout + result.stderr
    rows = json.loads(result.stdout)
    assert fqdn in [row['fqdn'] for row in rows]
    assert LOGIN_LINE in result.stderr


def test_hosts_list_table_check_and_reconcile_parse(env):
    env.enrolled_host()
    path = _logging_to_default(env.write_conf())
    listing = lifecycle.run_manage(path, 'hosts', 'list')
    assert listing.returncode == 0, listing.stdout + listing.stderr
    _table_then(listing.stdout, r'^\d+ owned hosts$')
    assert LOGIN_LINE in listing.stderr

    check = lifecycle.run_manage(path, 'check')
    assert check.returncode == 0, check.stdout + check.stderr
    _table_then(check.stdout, r'^9 of 9 checks passed$')

    reconcile = lifecycle.run_manage(path, 'reconcile', '--dry-run')
    assert reconcile.returncode == 0, reconcile.stdout + reconcile.stderr
    _table_then(reconcile.stdout, r'^dry run: \d+ owned hosts of \d+ '
                                  r'instances checked; ')
    assert LOGIN_LINE in reconcile.stderr


def test_a_failing_command_writes_nothing_to_stdout(env):
    path = _logging_to_default(env.write_conf(), {
        'password = %s' % env.ipa.admin_password: 'password = wrong'})
    for args in (('hosts', 'list', '--format', 'json'),
                 ('reconcile', '--dry-run')):
        result = lifecycle.run_manage(path, *args)
        assert result.returncode != 0, result.stdout
        assert result.stdout == '', result.stdout
        assert result.stderr.strip(), args


def _spawn(command, workdir, name, environ=None):
    """``command`` with stdout and stderr in files of their own."""
    out = os.path.join(workdir, name + '.stdout')
    err = os.path.join(workdir, name + '.stderr')
    with open(out, 'wb') as stdout, open(err, 'wb') as stderr:
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr,
                                   stdin=subprocess.DEVNULL,
                                   env=dict(os.environ, **(environ or {})))
    return process, out, err


def _read(path):
    with open(path, encoding='utf-8', errors='replace') as f:
        return f.read()


def _stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(conftest.STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise


def test_novajoin_notify_logs_to_stderr(env):
    path = _logging_to_default(env.write_conf(conf_name='quiet.conf'))
    program = os.path.join(os.path.dirname(sys.executable),
                           'novajoin-notify')
    process, out, err = _spawn([program, '--config-file', path],
                               env.workdir, 'notify')
    try:
        conftest.wait_until(lambda: 'listening pool=' in _read(err),
                            'novajoin-notify to start listening', timeout=60)
    finally:
        assert _stop(process) == 0
    assert _read(out) == ''
    assert 'INFO novajoin' in _read(err)


def _server_conf(env, tmp_path, test_ca, paste_file=None):
    cert, key = test_ca.issue('localhost', ip_addresses=['127.0.0.1'],
                              basename='quiet-server')
    port = net.free_port()
    sections = {
        'DEFAULT': {'auth_strategy': 'noauth', 'join_listen': '127.0.0.1',
                    'join_listen_port': port, 'debug': False,
                    'api_paste_config': (paste_file
                                         or novajoin_server.PASTE_FILE)},
        'ssl': {'cert_file': cert, 'key_file': key},
        'ipa': {'servers': 'localhost:%d' % env.ipa.port,
                'ca_file': env.ipa.ca_file, 'realm': env.ipa.realm,
                'domain': env.ipa.domain, 'auth_method': 'password',
                'user': 'admin', 'password': env.ipa.admin_password},
        'enrollment': {'otp_key_file': env.otp_key_file},
    }
    path = str(tmp_path / 'server.conf')
    novajoin_server.write_config(path, sections)
    return path, 'https://127.0.0.1:%d' % port


def _healthy(url, ca_file):
    try:
        return requests.get(url + '/healthcheck', verify=ca_file,
                            timeout=5).status_code == 200
    except requests.RequestException:
        return False


def test_novajoin_server_logs_to_stderr(env, tmp_path, test_ca):
    path, url = _server_conf(env, tmp_path, test_ca)
    process, out, err = _spawn(
        [sys.executable, '-m', 'novajoin.cmd.server', '--config-file', path],
        str(tmp_path), 'server')
    try:
        conftest.wait_until(lambda: (process.poll() is not None
                                     or _healthy(url, test_ca.ca_file)),
                            'novajoin-server to answer', timeout=60)
        assert process.poll() is None, _read(err)
    finally:
        _stop(process)
    assert _read(out) == ''
    assert 'INFO novajoin' in _read(err)


def test_novajoin_server_start_failure_is_on_stderr(env, tmp_path, test_ca):
    path, _ = _server_conf(env, tmp_path, test_ca,
                           paste_file=str(tmp_path / 'missing-paste.ini'))
    result = subprocess.run(
        [sys.executable, '-m', 'novajoin.cmd.server', '--config-file', path],
        capture_output=True, text=True, timeout=120,
        stdin=subprocess.DEVNULL)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout == ''
    assert 'cannot start' in result.stderr
