"""``python -m tests.ipasim``: run the simulator until SIGTERM or SIGINT."""

import argparse
import logging
import signal
import sys
import threading

from tests.ipasim import server


def positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError('must be >= 1')
    return value


def non_negative_int(text):
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError('must be >= 0')
    return value


def _join_option_values(argv):
    """``--opt value`` -> ``--opt=value``, so that a value starting with
    ``-`` (a random password may) is not taken for an option.
    """
    out = []
    argv = list(argv)
    while argv:
        arg = argv.pop(0)
        if (arg.startswith('--') and '=' not in arg and arg != '--help'
                and argv):
            arg = '%s=%s' % (arg, argv.pop(0))
        out.append(arg)
    return out


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog='python -m tests.ipasim',
        description='FreeIPA JSON-RPC simulator over HTTPS.')
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=non_negative_int, required=True,
                        help='0 picks a free port')
    parser.add_argument('--cert', required=True, help='PEM server cert')
    parser.add_argument('--key', required=True, help='PEM server key')
    parser.add_argument('--realm', required=True)
    parser.add_argument('--domain', required=True,
                        help='DNS zone that exists at start')
    parser.add_argument('--admin-password', required=True,
                        help='password of the "admin" login user')
    parser.add_argument('--latency-ms', type=non_negative_int, default=0,
                        help='time each JSON-RPC request waits before it '
                             'runs')
    parser.add_argument('--read-latency-ms', type=non_negative_int,
                        help='latency of requests that only read '
                             '(default: --latency-ms)')
    parser.add_argument('--write-latency-ms', type=non_negative_int,
                        help='latency of requests that write, a batch if '
                             'any of its commands writes (default: '
                             '--latency-ms)')
    parser.add_argument('--max-concurrency', type=positive_int, default=None,
                        help='requests served at once, the rest queue '
                             '(default: no cap; a FreeIPA server runs 4 '
                             'single-threaded WSGI processes)')
    parser.add_argument('--server-name', default='localhost',
                        help='name in the URL and the Referer rule')
    parser.add_argument('--admin-port', type=non_negative_int, default=0,
                        help='control endpoint port on 127.0.0.1 '
                             '(0 picks a free port)')
    parser.add_argument('--keytab',
                        help='keytab of HTTP/<server name> for '
                             'login_kerberos')
    parser.add_argument('--admin-principal', action='append', default=[],
                        dest='admin_principals', metavar='PRINCIPAL',
                        help='a Kerberos principal (with its realm) that '
                             'is an admin: full access, as a member of '
                             'the admins group; other Kerberos principals '
                             'get what their roles grant')
    parser.add_argument('--api-version', default='2.254')
    parser.add_argument('--release', default='4.12.2')
    return parser.parse_args(_join_option_values(argv))


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(
        stream=sys.stderr, level=logging.INFO,
        format='%(asctime)s %(levelname)s %(name)s %(message)s')
    simulator = server.IPASimulator(
        host=args.host, port=args.port, cert=args.cert, key=args.key,
        realm=args.realm, domain=args.domain,
        admin_password=args.admin_password, latency_ms=args.latency_ms,
        read_latency_ms=args.read_latency_ms,
        write_latency_ms=args.write_latency_ms,
        max_concurrency=args.max_concurrency, server_name=args.server_name,
        admin_port=args.admin_port, keytab=args.keytab,
        api_version=args.api_version, release=args.release,
        admin_principals=args.admin_principals)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    signal.signal(signal.SIGINT, lambda signum, frame: stop.set())
    simulator.start()
    try:
        print('ipasim ready url=%s admin=%s'
              % (simulator.url, simulator.admin_url), flush=True)
        stop.wait()
    finally:
        simulator.stop()
        logging.getLogger('ipasim').info('stopped')
    return 0


if __name__ == '__main__':
    sys.exit(main())
