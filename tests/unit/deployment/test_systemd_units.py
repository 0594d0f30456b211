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
UNITS = ('novajoin-server', 'novajoin-notify')
MAX_EXPOSURE = 2.0


def _systemd_analyze():
    path = shutil.which('systemd-analyze')
    assert path, 'systemd-analyze missing (Debian package systemd)'
    return path


def _unit_text(name):
    with open(os.path.join(REPO, 'etc', 'systemd', name + '.service')) as f:
        return f.read()


def _installed_copy(name, tmp_path):
    program = os.path.join(os.path.dirname(sys.executable), name)
    assert os.access(program, os.X_OK), program
    text = _unit_text(name).replace('/usr/bin/%s ' % name, program + ' ')
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
