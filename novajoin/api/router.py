"""Dispatch requests by a route table: ``{path: {METHOD: handler}}``.

Unknown paths answer 404 and known paths with another method 405 with an
``Allow`` header, both as JSON. A trailing slash is not significant, so
nova's ``.../v1/`` targets work as well as ``.../v1``.
"""

import webob.dec

from novajoin.api import errors


class Router(object):
    def __init__(self, routes, services):
        self.routes = routes
        self.services = services

    @webob.dec.wsgify
    def __call__(self, req):
        try:
            handler = self._handler_for(req)
            return handler(req, self.services)
        except errors.HTTPError as error:
            return error.to_response(req.environ)

    def _handler_for(self, req):
        path = req.path
        if len(path) > 1:
            path = path.rstrip('/') or '/'
        methods = self.routes.get(path)
        if methods is None:
            raise errors.NotFound('No resource at this path.')
        handler = methods.get(req.method)
        if handler is None:
            raise errors.MethodNotAllowed(req.method, sorted(methods))
        return handler
