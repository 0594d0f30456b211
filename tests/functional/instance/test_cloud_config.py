"""The shipped cloud-init files: validity, lint and the generated JSON."""

import json
import shutil
import subprocess
import sys

import pytest
import yaml

from tests.functional.instance import guest as g

GENERATOR = g.REPO / 'tools' / 'gen-cloud-init-vendordata.py'
VENDOR_DATA = g.CLOUD_INIT_DIR / 'cloud-config-novajoin.json'


def tool(name):
    path = shutil.which(name)
    assert path, '%s is needed for these tests (bindep.txt)' % name
    return path


def shipped_cloud_config():
    return json.loads(VENDOR_DATA.read_text())['cloud-init']


def cloud_init_schema(path):
    return subprocess.run([tool('cloud-init'), 'schema', '--config-file',
                           str(path)], capture_output=True, text=True,
                          timeout=120)


def test_generated_vendor_data_is_current():
    result = subprocess.run([sys.executable, str(GENERATOR), '--check'],
                            capture_output=True, text=True)

    assert result.returncode == 0, result.stderr


def test_check_detects_a_stale_vendor_data_file(tmp_path):
    # Run a copy of the tree so the real file is never touched.
    copy = tmp_path / 'repo'
    shutil.copytree(g.CLOUD_INIT_DIR, copy / 'files' / 'cloud-init')
    (copy / 'tools').mkdir()
    shutil.copy(GENERATOR, copy / 'tools')
    script = copy / 'files' / 'cloud-init' / 'novajoin-enroll.sh'
    script.write_text(script.read_text() + '# changed\n')

    result = subprocess.run(
        [sys.executable, str(copy / 'tools' / GENERATOR.name), '--check'],
        capture_output=True, text=True)

    assert result.returncode == 1
    assert 'cloud-config-novajoin.json is stale' in result.stderr


def test_vendor_data_has_novajoin_1_3_shape():
    document = json.loads(VENDOR_DATA.read_text())

    assert list(document) == ['cloud-init']
    assert document['cloud-init'].startswith('#cloud-config\n')


def test_shipped_cloud_config_writes_the_script_it_runs():
    config = yaml.safe_load(shipped_cloud_config())

    [written] = config['write_files']
    assert written['content'] == (g.CLOUD_INIT_DIR
                                  / 'novajoin-enroll.sh').read_text()
    assert written['permissions'] == '0700'
    [command] = config['runcmd']
    assert command[0] == 'env'
    assert command[-1] == written['path']
    settings = dict(item.split('=', 1) for item in command[1:-1])
    assert '--force-join' not in settings['NOVAJOIN_IPA_CLIENT_OPTIONS']


@pytest.mark.parametrize('which', ['source', 'shipped'])
def test_cloud_init_validates_the_cloud_config(tmp_path, which):
    if which == 'source':
        path = g.CLOUD_INIT_DIR / 'cloud-config.yaml'
    else:
        path = tmp_path / 'shipped.yaml'
        path.write_text(shipped_cloud_config())

    result = cloud_init_schema(path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert 'Valid cloud-config' in result.stdout


def test_cloud_init_validator_rejects_a_broken_cloud_config(tmp_path):
    # Proves the check above can fail.
    broken = tmp_path / 'broken.yaml'
    broken.write_text('#cloud-config\nruncmd: {not: a list}\n')

    assert cloud_init_schema(broken).returncode != 0


@pytest.mark.parametrize('path', [
    g.CLOUD_INIT_DIR / 'novajoin-enroll.sh',
    g.STAND_INS / 'package-manager',
], ids=lambda path: path.name)
def test_shell_scripts_are_shellcheck_clean(path):
    result = subprocess.run([tool('shellcheck'), '--shell=sh', str(path)],
                            capture_output=True, text=True)

    assert result.returncode == 0, result.stdout


def test_enroll_script_parses_as_posix_sh():
    result = subprocess.run(
        [tool('dash'), '-n', str(g.CLOUD_INIT_DIR / 'novajoin-enroll.sh')],
        capture_output=True, text=True)

    assert result.returncode == 0, result.stderr


def test_shipped_runcmd_enrolls_with_the_script_it_writes(
        guest, metadata, tmp_path):
    config = yaml.safe_load(shipped_cloud_config())
    [written] = config['write_files']
    script = tmp_path / 'novajoin-enroll'
    script.write_text(written['content'])
    script.chmod(int(written['permissions'], 8))
    [command] = config['runcmd']
    # The shipped command as is, but writing its log into the guest.
    command = [str(script) if part == written['path']
               else 'NOVAJOIN_LOG=%s' % guest.log
               if part.startswith('NOVAJOIN_LOG=') else part
               for part in command]
    otp = g.new_otp()
    metadata.documents['latest'] = g.vendor_data(otp)

    result = subprocess.run(
        command, env=dict(guest.env, NOVAJOIN_METADATA_URL=metadata.url),
        capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    [call] = guest.ipa_calls()
    assert g.args_without_password(call) == g.expected_ipa_args(
        ['--mkhomedir'])
    assert g.password_given(call) == otp
    g.assert_otp_kept_secret(guest, result, otp)
