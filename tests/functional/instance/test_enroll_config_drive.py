"""novajoin-enroll.sh reading vendor_data2.json from a config drive.

A directory tree stands for a drive that is already mounted; images
labelled config-2 are loop-mounted by the script itself where this machine
can loop-mount them (an allowed skip, with its reason, where it cannot).
"""

import contextlib
import pathlib
import subprocess

import pytest

from tests.functional.instance import guest as g


def mounts_under(directory):
    directory = str(directory)
    with open('/proc/mounts') as mounts:
        return [line.split()[1] for line in mounts
                if line.split()[1].startswith(directory)]


def run_quietly(*command):
    return subprocess.run(command, capture_output=True, text=True)


def make_ext4_image(tree, image):
    result = run_quietly('mkfs.ext4', '-q', '-F', '-L', 'config-2',
                         '-d', str(tree), str(image), '4M')
    assert result.returncode == 0, result.stderr
    return image


def make_iso_image(tree, image):
    result = run_quietly('genisoimage', '-quiet', '-V', 'config-2', '-r',
                         '-J', '-o', str(image), str(tree))
    assert result.returncode == 0, result.stderr
    return image


def require_loop_mount(image, tmp_path, fs_name):
    """Skip (allowed) unless this machine can loop-mount ``image``."""
    probe = tmp_path / 'probe-mount'
    probe.mkdir()
    result = run_quietly('mount', '-o', 'ro', str(image), str(probe))
    if result.returncode != 0:
        reason = ('allowed-skip: cannot loop-mount a %s image here: %s'
                  % (fs_name, result.stderr.strip()))
        print(reason)
        pytest.skip(reason)
    run_quietly('umount', str(probe))


@contextlib.contextmanager
def attached_loop_device(image):
    result = run_quietly('losetup', '--find', '--show', '--read-only',
                         str(image))
    if result.returncode != 0:
        reason = 'allowed-skip: cannot attach a loop device here: %s' % (
            result.stderr.strip())
        print(reason)
        pytest.skip(reason)
    device = result.stdout.strip()
    try:
        yield device
    finally:
        run_quietly('losetup', '--detach', device)


@pytest.fixture
def enrolling_tree(tmp_path):
    otp = g.new_otp()
    tree = g.write_config_drive_tree(tmp_path / 'tree',
                                     {'latest': g.vendor_data(otp)})
    return tree, otp


@pytest.mark.parametrize('shell', g.SHELLS)
def test_config_drive_tree_is_used_without_the_metadata_service(
        guest, metadata, enrolling_tree, shell):
    tree, otp = enrolling_tree
    metadata.always_status = 500

    result = guest.run(shell, NOVAJOIN_CONFIG_DRIVE_DIR=str(tree),
                       NOVAJOIN_METADATA_URL=metadata.url)

    assert result.returncode == 0, result.stderr
    assert metadata.requests == []
    [call] = guest.ipa_calls()
    assert g.args_without_password(call) == g.expected_ipa_args()
    assert g.password_given(call) == otp
    g.assert_otp_kept_secret(guest, result, otp)


def test_config_drive_falls_back_to_2016_10_06(guest, tmp_path):
    otp = g.new_otp()
    tree = g.write_config_drive_tree(tmp_path / 'tree',
                                     {'2016-10-06': g.vendor_data(otp)})

    result = guest.run(NOVAJOIN_CONFIG_DRIVE_DIR=str(tree))

    assert result.returncode == 0, result.stderr
    assert 'openstack/2016-10-06/vendor_data2.json' in guest.log_text()
    assert g.password_given(guest.ipa_calls()[0]) == otp


def test_config_drive_without_vendor_data2_falls_back_to_metadata_service(
        guest, metadata, tmp_path):
    otp = g.new_otp()
    tree = tmp_path / 'old-nova-drive'
    (tree / 'openstack' / '2013-10-17').mkdir(parents=True)
    metadata.documents['latest'] = g.vendor_data(otp)

    result = guest.run(NOVAJOIN_CONFIG_DRIVE_DIR=str(tree),
                       NOVAJOIN_METADATA_URL=metadata.url)

    assert result.returncode == 0, result.stderr
    assert metadata.requests == ['/openstack/latest/vendor_data2.json']
    assert g.password_given(guest.ipa_calls()[0]) == otp


def test_config_drive_without_join_request_is_final(
        guest, metadata, tmp_path):
    # The drive is authoritative: an instance that did not ask for
    # enrollment must not wait for a metadata service it may not have.
    tree = g.write_config_drive_tree(tmp_path / 'tree', {'latest': '{}'})

    result = guest.run(NOVAJOIN_CONFIG_DRIVE_DIR=str(tree),
                       NOVAJOIN_METADATA_URL=metadata.url)

    assert result.returncode == 0, result.stderr
    assert 'enrollment not requested' in result.stderr
    assert metadata.requests == []


@pytest.mark.parametrize('shell', g.SHELLS)
def test_ext4_image_labelled_config_2_is_mounted_read_only_and_unmounted(
        guest, metadata, enrolling_tree, tmp_path, shell):
    tree, otp = enrolling_tree
    image = make_ext4_image(tree, tmp_path / 'config-drive.img')
    require_loop_mount(image, tmp_path, 'ext4')

    result = guest.run(shell, NOVAJOIN_CONFIG_DRIVE_DEVICE=str(image),
                       NOVAJOIN_METADATA_URL=metadata.url)

    assert result.returncode == 0, result.stderr
    assert 'mounted config drive %s read-only' % image in result.stderr
    assert 'unmounted config drive' in result.stderr
    assert metadata.requests == []
    assert g.password_given(guest.ipa_calls()[0]) == otp
    assert mounts_under(guest.root) == []
    g.assert_otp_kept_secret(guest, result, otp)


def test_iso9660_image_labelled_config_2_is_mounted_and_unmounted(
        guest, enrolling_tree, tmp_path):
    tree, otp = enrolling_tree
    image = make_iso_image(tree, tmp_path / 'config-drive.iso')
    if 'iso9660' not in pathlib.Path('/proc/filesystems').read_text():
        reason = ('allowed-skip: this kernel has no iso9660 support, '
                  'so the ISO config drive image cannot be mounted here')
        print(reason)
        pytest.skip(reason)
    require_loop_mount(image, tmp_path, 'iso9660')

    result = guest.run(NOVAJOIN_CONFIG_DRIVE_DEVICE=str(image))

    assert result.returncode == 0, result.stderr
    assert g.password_given(guest.ipa_calls()[0]) == otp
    assert mounts_under(guest.root) == []
    assert guest.leftovers() == []


def test_config_drive_is_found_by_its_label(guest, enrolling_tree, tmp_path):
    tree, otp = enrolling_tree
    image = make_ext4_image(tree, tmp_path / 'config-drive.img')
    require_loop_mount(image, tmp_path, 'ext4')
    others = run_quietly('blkid', '-c', '/dev/null', '-o', 'device',
                         '-t', 'LABEL=config-2')
    if others.stdout.strip():
        reason = ('allowed-skip: this machine already has a config-2 '
                  'device (%s)' % others.stdout.split())
        print(reason)
        pytest.skip(reason)
    env = dict(guest.env)
    del env['NOVAJOIN_CONFIG_DRIVE_DEVICE']
    guest.env = env

    with attached_loop_device(image) as device:
        result = guest.run()

    assert result.returncode == 0, result.stderr
    assert 'mounted config drive %s read-only' % device in result.stderr
    assert g.password_given(guest.ipa_calls()[0]) == otp
    assert mounts_under(guest.root) == []


def test_already_mounted_config_drive_is_read_in_place_and_left_mounted(
        guest, enrolling_tree, tmp_path):
    tree, otp = enrolling_tree
    image = make_ext4_image(tree, tmp_path / 'config-drive.img')
    require_loop_mount(image, tmp_path, 'ext4')
    mount_point = tmp_path / 'mounted-by-cloud-init'
    mount_point.mkdir()

    with attached_loop_device(image) as device:
        mounted = run_quietly('mount', '-o', 'ro', device, str(mount_point))
        assert mounted.returncode == 0, mounted.stderr
        try:
            result = guest.run(NOVAJOIN_CONFIG_DRIVE_DEVICE=device)
            still_mounted = mounts_under(mount_point)
        finally:
            run_quietly('umount', str(mount_point))

    assert result.returncode == 0, result.stderr
    assert 'config drive %s is mounted at %s' % (
        device, mount_point) in result.stderr
    assert still_mounted == [str(mount_point)]
    assert g.password_given(guest.ipa_calls()[0]) == otp


def test_unmountable_config_drive_falls_back_to_metadata_service(
        guest, metadata, tmp_path):
    otp = g.new_otp()
    metadata.documents['latest'] = g.vendor_data(otp)
    not_a_filesystem = tmp_path / 'garbage.img'
    not_a_filesystem.write_bytes(b'\x00not a filesystem\x00' * 4096)

    result = guest.run(NOVAJOIN_CONFIG_DRIVE_DEVICE=str(not_a_filesystem),
                       NOVAJOIN_METADATA_URL=metadata.url)

    assert result.returncode == 0, result.stderr
    assert 'cannot mount config drive' in result.stderr
    assert metadata.requests == ['/openstack/latest/vendor_data2.json']
    assert g.password_given(guest.ipa_calls()[0]) == otp
    assert guest.leftovers() == []


def test_named_config_drive_device_that_does_not_exist_fails(guest, tmp_path):
    missing = tmp_path / 'no-such-device'

    result = guest.run(NOVAJOIN_CONFIG_DRIVE_DEVICE=str(missing))

    assert result.returncode == 1
    assert 'NOVAJOIN_CONFIG_DRIVE_DEVICE=%s does not exist' % missing in (
        result.stderr)


def test_malformed_vendor_data_on_an_image_fails_and_leaves_no_mount(
        guest, tmp_path):
    tree = g.write_config_drive_tree(tmp_path / 'tree',
                                     {'latest': '{"join": {"ipaotp": '})
    image = make_ext4_image(tree, tmp_path / 'config-drive.img')
    require_loop_mount(image, tmp_path, 'ext4')

    result = guest.run(NOVAJOIN_CONFIG_DRIVE_DEVICE=str(image))

    assert result.returncode == 1
    assert 'is malformed: not valid JSON' in result.stderr
    assert mounts_under(guest.root) == []
    assert guest.leftovers() == []
    assert guest.ipa_calls() == []
