"""Fixtures for running the IPA client against the simulator over TLS.

Every test's log output (the client's, urllib3's and requests-gssapi's, at
DEBUG) and the log of every simulator it starts are checked at teardown for
the secrets the test registered: a leak fails the test.
"""

import logging
import os

from oslo_config import cfg
import pytest

from novajoin import conf as novajoin_conf
from novajoin.ipa import client as ipa_client
from tests.fixtures import tls

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))


class LeakCheck(object):
    """Secrets a test used, and the logs that must not contain them."""

    def __init__(self):
        self.secrets = set()
        self.files = []
        self.records = []

    def add(self, *values):
        self.secrets.update(v for v in values if v)

    def watch(self, path):
        self.files.append(path)

    def texts(self):
        yield 'captured client log', '\n'.join(self.records)
        for path in self.files:
            if os.path.exists(path):
                with open(path, errors='replace') as f:
                    yield path, f.read()

    def leaks(self):
        # Where, and how long: no part of a secret in a failure message.
        return sorted((where, 'a secret of %d characters' % len(secret))
                      for where, text in self.texts()
                      for secret in self.secrets if secret in text)


class _Collector(logging.Handler):
    def __init__(self, records):
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter(
            '%(levelname)s %(name)s %(message)s'))
        self._records = records

    def emit(self, record):
        self._records.append(self.format(record))


@pytest.fixture
def leak_check():
    check = LeakCheck()
    handler = _Collector(check.records)
    root = logging.getLogger()
    saved_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield check
    finally:
        root.removeHandler(handler)
        root.setLevel(saved_level)
    assert check.records, 'no client log was captured'
    leaks = check.leaks()
    assert not leaks, 'secrets found in logs: %s' % leaks


@pytest.fixture
def ca(tmp_path):
    return tls.TestCA(tmp_path / 'ca')


def load_conf(path, servers, ca_file, realm='EXAMPLE.TEST',
              domain='example.test', **ipa_options):
    """A ConfigOpts from an [ipa] section written to ``path``."""
    options = dict(servers=','.join(servers), ca_file=ca_file, realm=realm,
                   domain=domain,
                   default_conf_file=os.path.join(os.path.dirname(path),
                                                  'no-default.conf'))
    options.update(ipa_options)
    with open(path, 'w') as f:
        f.write('[ipa]\n')
        for name, value in options.items():
            f.write('%s = %s\n' % (name, value))
    conf = cfg.ConfigOpts()
    novajoin_conf.register_opts(conf)
    conf(['--config-file', str(path)], default_config_files=[])
    return conf


@pytest.fixture
def make_client(tmp_path, leak_check):
    """``make_client(sims, **options)``: a password-auth client.

    Options go to [ipa]; clients are closed after the test.
    """
    clients = []

    def make(sims, ca_file=None, **ipa_options):
        first = sims[0]
        options = dict(auth_method='password', user='admin',
                       password=first.admin_password)
        options.update(ipa_options)
        for sim in sims:
            leak_check.add(sim.admin_password)
            leak_check.watch(sim.log_path)
        conf = load_conf(
            str(tmp_path / ('join-%d.conf' % len(clients))),
            ['%s:%d' % (sim.server_name, sim.port) for sim in sims],
            ca_file or first.ca_file, first.realm, first.domain, **options)
        client = ipa_client.IPAClient.from_conf(conf)
        clients.append(client)
        return client

    yield make
    for client in clients:
        for cookie in client.transport._sessions._cookies.values():
            leak_check.add(cookie, cookie.split('MagBearerToken=')[-1])
        client.close()
