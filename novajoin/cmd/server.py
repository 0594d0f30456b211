"""novajoin-server: the enrollment API on oslo.service's eventlet server.

eventlet must patch the standard library before anything else imports it:
a TLS socket made from an unpatched module fails at accept with
``_wrap_socket() argument 1 must be _socket.socket, not GreenSocket``.

eventlet's own DNS resolver (greendns) is left out, as nova and designate
do: it does not read every source the system resolver reads (/etc/hosts
at its own pace, nsswitch), and importing it costs a fifth of the start
(about 0.15 s). Names are resolved rarely here (IPA connections are kept
alive). ``EVENTLET_NO_GREENDNS=no`` in the environment brings it back.
"""

import os

os.environ.setdefault('EVENTLET_NO_GREENDNS', 'yes')

from novajoin.api import dependency_warnings  # noqa: E402

dependency_warnings.ignore()

import eventlet  # noqa: E402

eventlet.monkey_patch()

import resource  # noqa: E402
import ssl  # noqa: E402
import sys  # noqa: E402

from oslo_config import cfg  # noqa: E402
from oslo_log import log as logging  # noqa: E402
from oslo_service import service  # noqa: E402
from oslo_service import sslutils  # noqa: E402
from oslo_service import wsgi  # noqa: E402

from novajoin.api import deploy  # noqa: E402
from novajoin.api import green_server  # noqa: E402
from novajoin.api import metrics_listener  # noqa: E402
from novajoin.api import warm_up  # noqa: E402
from novajoin.cmd import cli_logging  # noqa: E402
from novajoin import exception  # noqa: E402

LOG = logging.getLogger(__name__)

# Connections the kernel may queue before accept (it caps this at
# net.core.somaxconn): a burst of clients must not make nova's connection
# wait for a SYN retransmission.
_LISTEN_BACKLOG = 4096

# File descriptors kept free for what is not a client connection: the
# listening socket, logs, IPA, Keystone and Glance connections.
_SPARE_FILES = 256

# [ssl] version values that would allow less than TLS 1.2.
_WEAK_TLS_VERSIONS = ('sslv2', 'sslv3', 'sslv23', 'tlsv1', 'tlsv1_1')


def tls_enabled(conf):
    """TLS is on when [ssl] names a certificate and key; refuse weak TLS."""
    if not (conf.ssl.cert_file or conf.ssl.key_file):
        return False
    if not (conf.ssl.cert_file and conf.ssl.key_file):
        raise exception.ConfigurationError(
            '[ssl] cert_file and key_file must be set together')
    version = (conf.ssl.version or '').lower()
    if version in _WEAK_TLS_VERSIONS:
        raise exception.ConfigurationError(
            '[ssl] version = %s would allow TLS older than 1.2; leave it '
            'unset' % conf.ssl.version)
    # sslutils uses ssl.PROTOCOL_TLS_SERVER, whose minimum is TLS 1.2
    # since Python 3.10; make sure this interpreter agrees.
    default = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).minimum_version
    if default not in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
        raise exception.ConfigurationError(
            'this Python allows TLS older than 1.2 by default (%s)'
            % default)
    return True


def load_server_conf(conf):
    """oslo.service's WSGI server and [ssl] options, from conf's files.

    The server registers [DEFAULT] options of its own, among them an
    ``api_paste_config`` that clashes with novajoin's; a ConfigOpts of its
    own, read from the same files, keeps the two apart.
    """
    server_conf = cfg.ConfigOpts()
    wsgi.register_opts(server_conf)
    sslutils.register_opts(server_conf)
    server_conf([], project='novajoin',
                default_config_files=list(conf.config_file),
                default_config_dirs=[conf.config_dir] if conf.config_dir
                else [])
    return server_conf


class Server(wsgi.Server):
    """oslo.service's WSGI server; ``on_start()`` runs in the process that
    serves (each worker, after the fork) once it listens.
    """

    def __init__(self, *args, on_start=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._on_start = on_start

    def start(self):
        super().start()
        if self._on_start is not None:
            self._on_start()


def build_server(conf, app, on_start=None):
    server_conf = load_server_conf(conf)
    context = None
    if tls_enabled(server_conf):
        context = green_server.tls_context(server_conf.ssl)
    protocol = green_server.protocol_class(
        context, handshake_timeout=conf.api.tls_handshake_timeout,
        header_timeout=conf.api.header_timeout)
    # TLS is done per connection by the protocol, not on the listening
    # socket, where oslo.service would put it.
    return Server(server_conf, 'novajoin-api', app,
                  host=conf.join_listen, port=conf.join_listen_port,
                  pool_size=connection_pool_size(
                      conf.api.max_client_connections),
                  protocol=protocol, backlog=_LISTEN_BACKLOG,
                  use_ssl=False, on_start=on_start)


def connection_pool_size(wanted):
    """``wanted``, after raising the open files limit to fit it.

    Accepting a connection beyond the limit would stop eventlet's accept
    loop for good, so the pool never outgrows what the limit allows.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = wanted + _SPARE_FILES
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed,
                                                                   hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    if soft != resource.RLIM_INFINITY and soft < needed:
        LOG.warning('[api] max_client_connections = %d does not fit the '
                    'open files limit (%d); serving %d connections at most. '
                    'Raise LimitNOFILE.', wanted, soft, soft - _SPARE_FILES)
        return max(16, soft - _SPARE_FILES)
    return wanted


def main(argv=None):
    conf = deploy.load_conf(sys.argv[1:] if argv is None else argv)
    cli_logging.setup(conf)
    try:
        logins = warm_up.WarmUp()
        app = deploy.load_app(conf, warm_up=logins)
        server = build_server(conf, app, on_start=logins.start)
    except (exception.ConfigurationError, cfg.Error, OSError) as error:
        LOG.error('novajoin-server cannot start: %s', error)
        return 1
    # The launcher finishes in-flight requests on SIGTERM and tells systemd
    # it is ready once the server is listening.
    launcher = service.launch(conf, server, workers=conf.workers,
                              restart_method='mutate')
    # After the workers are forked: the metrics listener is the parent's.
    try:
        metrics_listener.start(conf)
    except OSError as error:
        LOG.error('novajoin-server cannot serve metrics on [metrics] '
                  'api_listener_host:api_listener_port: %s', error)
        launcher.stop()
        return 1
    launcher.wait()
    return 0


if __name__ == '__main__':
    sys.exit(main())
