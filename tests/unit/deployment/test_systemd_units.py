"""The shipped systemd units: ``systemd-analyze verify`` clean, hardened
(``systemd-analyze security`` exposure at most 2.0, "OK"), readiness by
sd_notify. The ExecStart path is the only thing replaced (the binary of
this virtualenv instead of /usr/bin)."""

import configparser
import os
import re
import shutil
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
UNITS = ('novajoin-server', 'novajoin-notify', 'novajoin-api-uwsgi')
# The program each unit starts, when it is not the unit's name.
PROGRAMS = {'novajoin-api-uwsgi': 'uwsgi'}
MAX_EXPOSURE = 2.0


def _systemd_analyze():
    path = shutil.which('systemd-analyze')
    assert path, 'systemd-analyze missing (Debian package systemd)'
    return path


def _unit_text(name):
    with open(os.path.join(REPO, 'etc', 'systemd', name + '.service')) as f:
        return f.read()


def _installed_copy(name, tmp_path):
    shipped = PROGRAMS.get(name, name)
    program = os.path.join(os.path.dirname(sys.executable), shipped)
    assert os.access(program, os.X_OK), program
    text = _unit_text(name).replace('/usr/bin/%s ' % shipped, program + ' ')
    path = tmp_path / (name + '.service')
    path.write_text(text)
    return str(path)


def _service_section(name):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read_string(_unit_text(name))
    return parser['Service']


@pytest.mark.parametrize('name', UNITS)
def test_unit_passes_systemd_analyze_verify(name, tmp_path):
    result = subprocess.run(
        [_systemd_analyze(), 'verify', _installed_copy(name, tmp_path)],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout + result.stderr == ''


@pytest.mark.parametrize('name', UNITS)
def test_unit_exposure_is_low(name, tmp_path):
    result = subprocess.run(
        [_systemd_analyze(), 'security', '--offline=yes', '--no-pager',
         _installed_copy(name, tmp_path)],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    match = re.search(r'Overall exposure level for \S+: ([0-9.]+)',
                      result.stdout)
    assert match, result.stdout
    assert float(match.group(1)) <= MAX_EXPOSURE, result.stdout


@pytest.mark.parametrize('name', UNITS)
def test_unit_runs_as_dedicated_user_without_privileges(name):
    service = _service_section(name)
    assert service['User'] == service['Group'] == 'novajoin'
    assert service['Type'] == 'notify'
    assert service['NoNewPrivileges'] == 'true'
    assert service['CapabilityBoundingSet'] == ''
    assert service['ProtectSystem'] == 'strict'
    assert service['ProtectHome'] == 'true'
    assert service['PrivateTmp'] == 'true'


def test_server_unit_has_descriptors_and_a_fresh_metrics_directory():
    service = _service_section('novajoin-server')
    assert int(service['LimitNOFILE']) >= 4096
    assert service['RuntimeDirectory'] == 'novajoin-server'
    assert service['Environment'] == (
        'PROMETHEUS_MULTIPROC_DIR=/run/novajoin-server')


def _ini_value(key):
    path = os.path.join(REPO, 'etc', 'novajoin', 'uwsgi', 'novajoin-api.ini')
    with open(path) as f:
        values = [line.split('=', 1)[1].strip() for line in f
                  if line.split('=', 1)[0].strip() == key]
    assert len(values) == 1, (key, values)
    return values[0]


def test_uwsgi_unit_stops_and_reloads_as_the_ini_expects():
    service = _service_section('novajoin-api-uwsgi')
    assert service['ExecStart'] == (
        '/usr/bin/uwsgi --ini /etc/novajoin/uwsgi/novajoin-api.ini')
    # The ini turns SIGTERM into a graceful stop and SIGHUP into a chain
    # reload; the unit must send exactly those, to the master only.
    assert service['KillSignal'] == 'SIGTERM'
    assert service['KillMode'] == 'mixed'
    assert service['ExecReload'] == '/bin/kill -HUP $MAINPID'
    # systemd must not kill before uWSGI's own bound on a busy worker.
    mercy = int(_ini_value('worker-reload-mercy'))
    assert int(service['TimeoutStopSec']) > mercy + 5
    assert service['LogsDirectory'] == 'novajoin'
    assert _ini_value('logto').startswith('/var/log/novajoin/')
