"""``novajoin-notify``: delete IPA hosts of deleted instances, keep floating
IP records in IPA DNS, from nova and neutron notifications.

Runs oslo.messaging's threading executor; nothing here uses eventlet.
"""

import os
import signal
import sys
import threading

from oslo_config import cfg
from oslo_log import log
from oslo_service import systemd

from novajoin.cmd import cli_logging
from novajoin import conf as novajoin_conf
from novajoin import exception
from novajoin.notify import redelivery
from novajoin.notify import service

LOG = log.getLogger(__name__)


def load_conf(argv):
    conf = cfg.ConfigOpts()
    cli_logging.register_options(conf)
    novajoin_conf.register_opts(conf)
    conf(argv, project='novajoin', prog='novajoin-notify',
         default_config_files=[path for path in
                               novajoin_conf.DEFAULT_CONFIG_FILES
                               if os.path.exists(path)])
    return conf


def main(argv=None):
    conf = load_conf(sys.argv[1:] if argv is None else argv)
    cli_logging.setup(conf)
    stop_requested = threading.Event()

    def request_stop(signum, frame):
        stop_requested.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    try:
        notify_service = service.NotifyService.from_conf(conf)
    except exception.ConfigurationError as exc:
        LOG.error('cannot start: %s (or set [notify] rebuild_reenrollment '
                  '= false)', exc)
        return 1
    try:
        notify_service.start()
    except redelivery.RedeliveryFixUnavailable as exc:
        LOG.error('refusing to start: %s', exc)
        return 1
    # Type=notify units: ready once consuming.
    systemd.notify_once()
    # A timed wait keeps the main thread responsive to signals.
    while not stop_requested.wait(1.0):
        pass
    LOG.info('stop requested; finishing in-flight notifications')
    notify_service.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
