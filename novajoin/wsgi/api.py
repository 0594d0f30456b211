"""WSGI entry point of the novajoin API for mod_wsgi and uWSGI.

``application`` is built at import, as WSGI servers expect. Configuration
files come from ``NOVAJOIN_CONFIG_FILES`` (separated by commas or
whitespace) or default to /etc/novajoin/join.conf.
"""

import os
import re

from novajoin.api import dependency_warnings

dependency_warnings.ignore()

from oslo_log import log as logging  # noqa: E402

from novajoin.api import deploy  # noqa: E402
from novajoin import conf as novajoin_conf  # noqa: E402
from novajoin.wsgi import openssl_errors  # noqa: E402

LOG = logging.getLogger(__name__)

CONFIG_FILES_ENV = 'NOVAJOIN_CONFIG_FILES'


def config_files(environ):
    listed = environ.get(CONFIG_FILES_ENV, '').strip()
    if listed:
        return [path for path in re.split(r'[,\s]+', listed) if path]
    return list(novajoin_conf.DEFAULT_CONFIG_FILES)


def init_application(environ=None):
    files = config_files(os.environ if environ is None else environ)
    conf = deploy.load_conf([], default_config_files=files)
    logging.setup(conf, 'novajoin')
    # uWSGI's HTTPS router leaves a stale OpenSSL error in this thread
    # (see openssl_errors): IPA calls from it would fail on it.
    if not openssl_errors.clear():
        LOG.warning('cannot empty the OpenSSL error queue inherited from '
                    'the WSGI server: an IPA call may fail once with a '
                    'stale TLS error and be retried')
    return deploy.load_app(conf)


application = init_application()
