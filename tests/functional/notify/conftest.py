"""A real RabbitMQ vhost, Keystone, IPA simulator and nova/neutron stand-in,
and ``novajoin-notify`` as a real process against them.
"""

import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import uuid

import pytest

from novajoin.hosts import ownership
from tests.fixtures import ipasim as ipasim_fixture
from tests.fixtures import rabbit

DOMAIN = 'example.test'
WAIT_TIMEOUT = 180.0
STOP_TIMEOUT = 60.0


def wait_until(condition, what, timeout=WAIT_TIMEOUT, interval=0.2):
    """Poll ``condition`` until it returns something true.

    Fails after ``timeout`` seconds, saying ``what`` never happened.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError('gave up waiting for: %s' % what)
        time.sleep(interval)


@pytest.fixture(scope='session')
def rabbitmq():
    """RabbitMQ on 127.0.0.1:5672, started (or installed) if not running."""
    return rabbit.ensure_rabbitmq()


@pytest.fixture(scope='session')
def ipasim(tmp_path_factory, test_ca):
    with ipasim_fixture.run_ipasim(tmp_path_factory.mktemp('ipasim'),
                                   test_ca, domain=DOMAIN) as sim:
        yield sim


@pytest.fixture(scope='session')
def vhost(rabbitmq):
    """A virtual host of this session's own, deleted afterwards.

    The real exchange and topic names (``nova``/``neutron``,
    ``notifications``, ``versioned_notifications``) can be used there
    without seeing, or taking, anyone else's messages on the shared broker.
    """
    with rabbit.private_vhost('novajoin-notify-test') as created:
        yield created


class Listener(object):
    """One ``novajoin-notify`` process and its log."""

    def __init__(self, conf_path, log_path):
        self.conf_path = conf_path
        self.log_path = log_path
        self.process = None

    def spawn(self, environ=None):
        """Start the process; ``environ`` adds to this one's environment."""
        program = os.path.join(os.path.dirname(sys.executable),
                               'novajoin-notify')
        self.process = subprocess.Popen(
            [program, '--config-file', self.conf_path],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
            env=dict(os.environ, **(environ or {})))

    def start(self):
        self.spawn()
        wait_until(lambda: 'listening pool=' in self.log(),
                   'novajoin-notify to start listening', timeout=60)

    def log(self):
        if not os.path.exists(self.log_path):
            return ''
        with open(self.log_path, encoding='utf-8', errors='replace') as f:
            return f.read()

    def outcomes(self, event_type=None):
        """[(instance, fqdn, outcome)] of the handled-event log lines."""
        pattern = re.compile(
            r'event=(?P<event>\S+) message_id=\S+ instance=(?P<instance>\S+)'
            r' fqdn=(?P<fqdn>\S+) outcome=(?P<outcome>\S+)')
        found = []
        for match in pattern.finditer(self.log()):
            if event_type in (None, match.group('event')):
                found.append((match.group('instance'), match.group('fqdn'),
                              match.group('outcome')))
        return found

    def wait_for_outcome(self, instance_id, outcome):
        return wait_until(
            lambda: any(i == instance_id and o == outcome
                        for i, _, o in self.outcomes()),
            'outcome=%s for instance %s' % (outcome, instance_id))

    def sigterm(self):
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(STOP_TIMEOUT)

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        try:
            self.sigterm()
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise


class Env(object):
    """Everything a listener test needs, with helpers."""

    def __init__(self, workdir, vhost, keystone, ipasim, openstack):
        self.workdir = str(workdir)
        self.vhost = vhost
        self.keystone = keystone
        self.ipa = ipasim
        self.openstack = openstack
        self.nova = rabbit.Publisher(workdir, vhost.transport_url, 'nova')
        self.neutron = rabbit.Publisher(workdir, vhost.transport_url,
                                        'neutron')
        self.listeners = []
        # Per test, so one test's leftovers never reach another's listener.
        suffix = uuid.uuid4().hex[:8]
        self.pool = 'novajoin-notify-%s' % suffix
        self.dead_letter_topic = 'novajoin_dead_letter_%s' % suffix
        self.dead_letter_queue = self.dead_letter_topic + '.error'
        self.reconcile_lock_queue = 'novajoin-reconcile-lock-%s' % suffix
        # The API's key: the listener re-arms rebuilt instances with it.
        self.otp_key_file = os.path.join(self.workdir, 'otp.key')
        with open(self.otp_key_file, 'w') as key_file:
            key_file.write(secrets.token_urlsafe(48))
        os.chmod(self.otp_key_file, 0o400)

    def write_conf(self, service_credentials=None, log_name='notify.log',
                   conf_name='join.conf', enrollment=None, sections=None,
                   **notify):
        options = {'max_in_flight': 8, 'max_attempts': 30,
                   'retry_backoff': 0.5, 'retry_backoff_max': 2.0,
                   'pool_name': self.pool,
                   'dead_letter_topic': self.dead_letter_topic,
                   'reconcile_lock_queue': self.reconcile_lock_queue}
        options.update(notify)
        credentials = self.keystone.service_credentials_conf()
        credentials.update(service_credentials or {})
        lines = ['[DEFAULT]',
                 'transport_url = %s' % self.vhost.transport_url,
                 'debug = true',
                 'log_file = %s' % os.path.join(self.workdir, log_name),
                 'domain = %s' % DOMAIN,
                 '[notify]']
        lines += ['%s = %s' % item for item in sorted(options.items())]
        lines += ['[ipa]',
                  'servers = %s:%d' % (self.ipa.server_name, self.ipa.port),
                  'ca_file = %s' % self.ipa.ca_file,
                  'realm = %s' % self.ipa.realm,
                  'domain = %s' % self.ipa.domain,
                  'default_conf_file = %s' % os.path.join(self.workdir,
                                                          'no-ipa.conf'),
                  'auth_method = password',
                  'user = admin',
                  'password = %s' % self.ipa.admin_password,
                  '[enrollment]',
                  'otp_key_file = %s' % self.otp_key_file]
        lines += ['%s = %s' % item for item in sorted(
            (enrollment or {}).items())]
        lines += ['[service_credentials]']
        lines += ['%s = %s' % item for item in sorted(credentials.items())]
        for section, options in (sections or {}).items():
            lines.append('[%s]' % section)
            lines += ['%s = %s' % item for item in sorted(options.items())]
        path = os.path.join(self.workdir, conf_name)
        with open(path, 'w') as conf_file:
            conf_file.write('\n'.join(lines) + '\n')
        return path

    def listener(self, service_credentials=None, name='notify',
                 sections=None, **notify):
        """A configured listener, not started yet.

        ``name`` names its configuration and log files.
        """
        listener = Listener(self.write_conf(service_credentials,
                                            log_name=name + '.log',
                                            conf_name=name + '.conf',
                                            sections=sections,
                                            **notify),
                            os.path.join(self.workdir, name + '.log'))
        self.listeners.append(listener)
        return listener

    def start_listener(self, service_credentials=None, name='notify',
                       sections=None, **notify):
        listener = self.listener(service_credentials, name, sections,
                                 **notify)
        listener.start()
        return listener

    def stop(self):
        for listener in self.listeners:
            listener.stop()
        self.nova.close()
        self.neutron.close()
        self.vhost.delete_queues([self.pool, self.dead_letter_queue])

    def enrolled_host(self, instance_id=None, name=None):
        """Seed an IPA host owned by a new (or given) instance id."""
        instance_id = instance_id or str(uuid.uuid4())
        fqdn = '%s.%s' % (name or 'vm-%s' % instance_id[:8], DOMAIN)
        self.ipa.admin.seed_host(
            fqdn, description=ownership.build_description(instance_id))
        return instance_id, fqdn

    def booted_instance(self, project_id=None, status='ACTIVE'):
        """An enrolled instance nova knows in a project, with a compute port.

        Returns (instance id, fqdn, port id, project id).
        """
        project_id = project_id or uuid.uuid4().hex
        instance_id, fqdn = self.enrolled_host()
        port_id = str(uuid.uuid4())
        self.openstack.set_server(instance_id, status=status,
                                  project_id=project_id)
        self.openstack.set_port(port_id, instance_id, project_id=project_id)
        return instance_id, fqdn, port_id, project_id

    def host_fqdns(self):
        return {entry['fqdn'][0] if isinstance(entry['fqdn'], list)
                else entry['fqdn'] for entry in self.ipa.admin.hosts()}

    def a_records(self):
        """{record name: [addresses]} in the test zone."""
        zone = self.ipa.admin.dns().get(DOMAIN + '.', {})
        return {name: record.get('arecord', [])
                for name, record in zone.items() if record.get('arecord')}

    def queue_depth(self, queue=None):
        return self.vhost.queue_depths().get(queue or self.pool, 0)

    def wait_queue_empty(self):
        # The listener declared the queue: a missing one is not "empty".
        wait_until(lambda: self.vhost.queue_depths().get(self.pool) == 0,
                   'queue %s to be empty' % self.pool, interval=1.0)

    def dead_letters(self):
        """The messages parked so far (taken off the dead-letter queue)."""
        # The queue is declared by the first publish to it.
        if self.dead_letter_queue not in self.vhost.queue_depths():
            return []
        return [json.loads(body['oslo.message']) for body in
                self.vhost.drain(self.dead_letter_queue)]


@pytest.fixture
def env(tmp_path, vhost, ks, ipasim, standin):
    ipasim.admin.control(outage='none')
    environment = Env(tmp_path, vhost, ks, ipasim, standin)
    try:
        yield environment
    finally:
        environment.stop()
        ipasim.admin.control(outage='none')
        standin.set_down(False)
        standin.set_latency(0)
