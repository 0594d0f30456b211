"""The README's sandbox command (doc/source/contributor/sandbox.rst)
keeps working: ``tools/sandbox.py`` plays the whole flow and exits 0, on
both notification transports."""

import os
import re
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


@pytest.mark.parametrize('transport', ['rabbit', 'fake'])
def test_sandbox_plays_the_whole_flow(transport):
    result = subprocess.run(
        [sys.executable, os.path.join(REPO, 'tools', 'sandbox.py'),
         '--notify-transport', transport],
        cwd=REPO, capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert 'sandbox passed' in result.stdout
    for step in ('novajoin-server over TLS', 'same as before: True',
                 'nova deletes', 'hosts in IPA: none',
                 'haproxy/overcloud.internalapi.example.test managed by',
                 'services in IPA: none'):
        assert step in result.stdout, output
    # One-time passwords are shown masked only.
    assert not re.search(r'ipaotp=(?![A-Za-z0-9]{2}\*\*\*)', result.stdout)
