"""Read a request's JSON body within a size limit."""

import json

from novajoin.api import errors

# What the shipped runners let through to the application at most (uWSGI's
# limit-post, httpd's LimitRequestBody): the rest of a body that is too
# large is read and dropped up to this, so the 413 is not lost to a TCP
# reset. Only authenticated callers get here (the body is read after the
# token check), so a slow sender holding the worker meanwhile is one of
# ours.
DRAIN_LIMIT = 1024 * 1024
_DRAIN_CHUNK = 64 * 1024


def read_json(req, limit):
    """The decoded JSON document of ``req``'s body, at most ``limit`` bytes.

    The declared Content-Length and the bytes actually read are both held
    to the limit (413), so a chunked or lying client cannot make us buffer
    more. Anything that is not UTF-8 JSON is a 400.
    """
    raw = _read_limited(req, limit)
    if not raw:
        raise errors.BadRequest('The request needs a JSON body.')
    try:
        text = raw.decode('utf-8')
    except UnicodeDecodeError:
        raise errors.BadRequest('The request body is not UTF-8.')
    try:
        return json.loads(text)
    except RecursionError:
        raise errors.BadRequest('The request body nests too deeply.')
    except ValueError as error:
        raise errors.BadRequest('The request body is not JSON: %s' % error)


def _read_limited(req, limit):
    too_large = errors.RequestEntityTooLarge(
        'The request body is larger than %d bytes.' % limit)
    chunked = 'chunked' in req.headers.get('Transfer-Encoding', '').lower()
    length = req.content_length
    stream = req.environ['wsgi.input']
    if chunked:
        raw = stream.read(limit + 1)
    elif length is None or length == 0:
        return b''
    elif length < 0:
        raise errors.BadRequest('Invalid Content-Length.')
    elif length > limit:
        if length <= DRAIN_LIMIT:
            _drain(stream, length)
        raise too_large
    else:
        raw = stream.read(length)
    if len(raw) > limit:
        if chunked:
            _drain(stream, DRAIN_LIMIT - len(raw))
        raise too_large
    return raw


def _drain(stream, at_most):
    """Read and drop up to ``at_most`` bytes of what the client still sends.

    A runner that closes the connection with the client's bytes unread
    (uWSGI's HTTPS router) makes the kernel send a TCP reset, which can
    arrive before the client has read the 413.
    """
    while at_most > 0:
        data = stream.read(min(_DRAIN_CHUNK, at_most))
        if not data:
            return
        at_most -= len(data)
