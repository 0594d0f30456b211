"""The yardstick of the no-enroll path: a bare eventlet TLS WSGI app.

    python tools/bench/hello.py PORT CERT KEY

One process, eventlet.wsgi over TLS on 127.0.0.1:PORT, answering every
request with a small JSON body: what the stack novajoin-server runs on
can do per worker with no application at all.
"""

import sys

import eventlet
eventlet.monkey_patch()

from eventlet import wsgi  # noqa: E402

BODY = b'{}'


def app(environ, start_response):
    environ['wsgi.input'].read()
    start_response('200 OK', [('Content-Type', 'application/json'),
                              ('Content-Length', str(len(BODY)))])
    return [BODY]


class _Quiet(object):
    def write(self, data):
        pass


def main(argv):
    port, cert, key = int(argv[0]), argv[1], argv[2]
    listener = eventlet.wrap_ssl(eventlet.listen(('127.0.0.1', port)),
                                 certfile=cert, keyfile=key,
                                 server_side=True)
    print('ready', flush=True)
    wsgi.server(listener, app, log=_Quiet(), max_size=1000)


if __name__ == '__main__':
    main(sys.argv[1:])
