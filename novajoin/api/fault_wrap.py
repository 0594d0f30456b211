"""The one place that catches every exception of the API.

Anything a handler or a middleware below it did not expect is logged with
its traceback and answered as a JSON 500 carrying the request id, so an
operator can find the log entry and the caller never sees a traceback.
"""

from oslo_log import log as logging
from oslo_middleware import request_id

from novajoin.api import errors

LOG = logging.getLogger(__name__)


class FaultWrapper(object):
    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        try:
            return self.application(environ, start_response)
        except Exception:
            LOG.exception('request=%s unexpected error while serving %s %s',
                          environ.get(request_id.ENV_REQUEST_ID),
                          environ.get('REQUEST_METHOD'),
                          environ.get('PATH_INFO'))
            response = errors.json_error_response(
                500, 'The server failed to complete the request; its log '
                     'has the details under this request id.', environ)
            return response(environ, start_response)


def filter_factory(global_conf, **local_conf):
    return FaultWrapper
