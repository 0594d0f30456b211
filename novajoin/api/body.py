"""Read a request's JSON body within a size limit."""

import json

from novajoin.api import errors


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
    if chunked:
        raw = req.environ['wsgi.input'].read(limit + 1)
    elif length is None or length == 0:
        return b''
    elif length < 0:
        raise errors.BadRequest('Invalid Content-Length.')
    elif length > limit:
        raise too_large
    else:
        raw = req.environ['wsgi.input'].read(length)
    if len(raw) > limit:
        raise too_large
    return raw
