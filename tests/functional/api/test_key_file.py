"""novajoin-server refuses to start with an unsafe or guessable OTP key."""

import os

import pytest

from tests.fixtures import novajoin_server
from tests.functional.api import test_server_process


def _key(tmp_path, content, mode):
    path = tmp_path / 'otp.key'
    path.write_bytes(content)
    os.chmod(path, mode)
    return str(path)


@pytest.mark.parametrize('content,mode,reason', [
    (b'x' * 48, 0o400, 'does not look random'),
    (os.urandom(24).hex().encode(), 0o660, 'writable by its group'),
    (os.urandom(24).hex().encode(), 0o640 | 0o004, 'accessible to every '
                                                   'user'),
], ids=['48-x', 'mode-0660', 'mode-0644'])
def test_server_refuses_to_start(tmp_path, test_ca, ipa, content, mode,
                                 reason):
    sections = test_server_process.noauth_sections(
        ipa, _key(tmp_path, content, mode))
    with pytest.raises(novajoin_server.ServerError):
        with novajoin_server.run_novajoin_server(tmp_path, test_ca,
                                                 sections):
            pass
    with open(tmp_path / 'novajoin.log') as f:
        log = f.read()
    assert 'cannot start' in log and reason in log
    assert content.decode() not in log
