"""novajoin-server's entry module: what importing it starts with."""

import os
import subprocess
import sys

import pytest

_PROBE = ('import sys, novajoin.cmd.server; '
          'print("eventlet.support.greendns" in sys.modules)')


def _greendns_loaded(environment):
    env = {k: v for k, v in os.environ.items()
           if k != 'EVENTLET_NO_GREENDNS'}
    env.update(environment)
    result = subprocess.run([sys.executable, '-c', _PROBE], env=env,
                            capture_output=True, text=True, timeout=120,
                            check=True)
    return result.stdout.strip().splitlines()[-1] == 'True'


@pytest.mark.parametrize('environment, loaded', [
    ({}, False),
    ({'EVENTLET_NO_GREENDNS': 'no'}, True),
])
def test_eventlet_greendns_is_left_out_unless_asked_for(environment, loaded):
    assert _greendns_loaded(environment) is loaded
