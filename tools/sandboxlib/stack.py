"""Start the sandbox's services; each is a context manager that cleans up.

The services are the functional tests' own fixtures (tests/fixtures), so
the sandbox runs exactly what the tests prove.
"""

import contextlib
import datetime
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time

from oslo_config import cfg
import oslo_messaging

from novajoin import conf as novajoin_conf
from novajoin.notify import delivery
from novajoin.notify import endpoint as notify_endpoint
from novajoin.notify import service as notify_service
from tests.fixtures import ipasim
from tests.fixtures import novajoin_server

REALM = 'EXAMPLE.TEST'
DOMAIN = 'example.test'
KEPT_RUNS = 3
NOTIFY_START_TIMEOUT = 60.0
NOTIFY_STOP_TIMEOUT = 30.0


def make_workdir(root):
    """A fresh ``root/run-<UTC time>``; older runs beyond a few removed."""
    os.makedirs(root, exist_ok=True)
    runs = sorted(d for d in os.listdir(root) if d.startswith('run-'))
    for old in runs[:max(0, len(runs) - (KEPT_RUNS - 1))]:
        shutil.rmtree(os.path.join(root, old), ignore_errors=True)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime(
        '%Y%m%dT%H%M%S')
    workdir = os.path.join(root, 'run-%s-%d' % (stamp, os.getpid()))
    os.makedirs(workdir)
    return workdir


def write_otp_key(workdir):
    """The run's OTP key file (written once; the API and listener share it).
    """
    path = os.path.join(workdir, 'otp.key')
    if os.path.exists(path):
        return path
    with open(path, 'w') as f:
        f.write(secrets.token_urlsafe(48))
    os.chmod(path, 0o400)
    return path


def start_ipa_simulator(workdir, ca, latency_ms=None, max_concurrency=None):
    return ipasim.run_ipasim(os.path.join(workdir, 'ipasim'), ca,
                             realm=REALM, domain=DOMAIN,
                             latency_ms=latency_ms,
                             max_concurrency=max_concurrency)


def ipa_section(ipa, workdir, **overrides):
    """[ipa] for password login to the simulator over its TLS."""
    section = {
        'servers': 'localhost:%d' % ipa.port,
        'ca_file': ipa.ca_file,
        'realm': ipa.realm,
        'domain': ipa.domain,
        # There is no /etc/ipa/default.conf to fall back to here.
        'default_conf_file': os.path.join(workdir, 'no-ipa-default.conf'),
        'auth_method': 'password',
        'user': 'admin',
        'password': ipa.admin_password,
    }
    section.update(overrides)
    return section


def load_conf(path):
    """A novajoin ConfigOpts read from one file, as the services read it."""
    conf = cfg.ConfigOpts()
    novajoin_conf.register_opts(conf)
    conf(['--config-file', path], project='novajoin',
         default_config_files=[])
    return conf


def server_sections(ks, ipa, otp_key_file, workdir, **ipa_overrides):
    return {
        'DEFAULT': {'auth_strategy': 'noauth', 'domain': DOMAIN},
        'service_credentials': ks.service_credentials_conf(),
        'ipa': ipa_section(ipa, workdir, **ipa_overrides),
        'enrollment': {'otp_key_file': otp_key_file},
    }


def start_novajoin_server(workdir, ca, sections):
    return novajoin_server.run_novajoin_server(
        os.path.join(workdir, 'novajoin-server'), ca, sections,
        runner='novajoin-server')


def notify_sections(ks, ipa, workdir, transport_url, pool):
    return {
        'DEFAULT': {'transport_url': transport_url, 'domain': DOMAIN,
                    'log_file': os.path.join(workdir, 'novajoin-notify.log')},
        'notify': {'pool_name': pool, 'retry_backoff': 0.5,
                   'retry_backoff_max': 2.0},
        'service_credentials': ks.service_credentials_conf(),
        'ipa': ipa_section(ipa, workdir),
        # The listener re-arms rebuilt instances with the API's key.
        'enrollment': {'otp_key_file': write_otp_key(workdir)},
    }


def _read(path):
    if not os.path.exists(path):
        return ''
    with open(path, encoding='utf-8', errors='replace') as f:
        return f.read()


@contextlib.contextmanager
def run_notify_process(workdir, sections):
    """``novajoin-notify`` as its own process; SIGTERM on exit."""
    conf_path = os.path.join(workdir, 'novajoin-notify.conf')
    novajoin_server.write_config(conf_path, sections)
    log_path = sections['DEFAULT']['log_file']
    program = os.path.join(os.path.dirname(sys.executable),
                           'novajoin-notify')
    with open(os.path.join(workdir, 'novajoin-notify.stderr'), 'ab') as err:
        process = subprocess.Popen([program, '--config-file', conf_path],
                                   stdin=subprocess.DEVNULL, stdout=err,
                                   stderr=err, start_new_session=True)
    try:
        deadline = time.monotonic() + NOTIFY_START_TIMEOUT
        while 'listening pool=' not in _read(log_path):
            if process.poll() is not None:
                raise RuntimeError('novajoin-notify exited with %s; see %s'
                                   % (process.returncode, log_path))
            if time.monotonic() > deadline:
                raise RuntimeError('novajoin-notify not listening after %ss;'
                                   ' see %s' % (NOTIFY_START_TIMEOUT,
                                                log_path))
            time.sleep(0.2)
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(NOTIFY_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@contextlib.contextmanager
def run_notify_in_process(workdir, sections):
    """The listener in this process on its transport; yields the transport.

    oslo.messaging's ``fake://`` driver keeps its exchanges per transport,
    so whoever publishes must use the listener's own transport.
    """
    conf_path = os.path.join(workdir, 'novajoin-notify.conf')
    novajoin_server.write_config(conf_path, sections)
    conf = load_conf(conf_path)
    transport = oslo_messaging.get_notification_transport(conf)
    dead_letters = delivery.DeadLetterQueue.from_conf(conf, transport)
    endpoint = notify_endpoint.NotificationEndpoint.from_conf(
        conf, notify_service.build_dependencies(conf), dead_letters)
    listener = notify_service.NotifyService(conf, transport, endpoint)
    listener.start()
    try:
        yield transport
    finally:
        listener.stop()
