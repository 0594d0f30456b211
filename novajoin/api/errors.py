"""HTTP errors of the novajoin API, always answered as JSON.

Handlers raise :class:`HTTPError` subclasses; the router turns them into
responses with :func:`json_error_response`, as the fault wrapper does for
anything unexpected. Bodies carry a message and the request id, never a
traceback.
"""

import http

from oslo_middleware import request_id
import webob


class HTTPError(Exception):
    status = 500

    def __init__(self, message, headers=None):
        super().__init__(message)
        self.message = message
        self.headers = dict(headers or {})

    def to_response(self, environ):
        return json_error_response(self.status, self.message, environ,
                                   self.headers)


class BadRequest(HTTPError):
    status = 400


class Forbidden(HTTPError):
    status = 403


class NotFound(HTTPError):
    status = 404


class MethodNotAllowed(HTTPError):
    status = 405

    def __init__(self, method, allowed):
        super().__init__('%s is not allowed here; allowed: %s'
                         % (method, ', '.join(allowed)),
                         headers={'Allow': ', '.join(allowed)})


class Conflict(HTTPError):
    status = 409


class RequestEntityTooLarge(HTTPError):
    status = 413


class ServiceUnavailable(HTTPError):
    status = 503

    def __init__(self, message, retry_after):
        super().__init__(message,
                         headers={'Retry-After': '%d' % max(1, retry_after)})


def json_error_response(status, message, environ, headers=None):
    """A webob Response ``{"error": {code, title, message, request_id}}``."""
    title = http.HTTPStatus(status).phrase
    response = webob.Response(status=status, charset='UTF-8',
                              content_type='application/json')
    response.json_body = {'error': {
        'code': status,
        'title': title,
        'message': message,
        'request_id': environ.get(request_id.ENV_REQUEST_ID),
    }}
    response.headers.update(headers or {})
    return response
