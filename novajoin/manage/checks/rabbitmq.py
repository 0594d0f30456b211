"""Check of RabbitMQ: at least one broker novajoin would use connects."""

import amqp.exceptions
import kombu

from novajoin.manage.checks import results
from novajoin.notify import leader

NAME = 'RabbitMQ'


def check(conf):
    try:
        params = leader.connection_params(conf)
    except leader.LockUnsupported as exc:
        return results.failed(NAME, str(exc), 'set [DEFAULT] transport_url '
                              'to rabbit://user:password@host:5672/vhost')
    failures = []
    for host in params:
        connection = kombu.Connection(**dict(host, heartbeat=0))
        try:
            connection.connect()
        except (OSError, amqp.exceptions.AMQPError,
                kombu.exceptions.KombuError) as exc:
            failures.append('%s:%s: %s: %s' % (
                host['hostname'], host['port'], type(exc).__name__, exc))
        finally:
            connection.release()
    if len(failures) == len(params):
        return results.failed(NAME, '; '.join(failures) or 'no broker host',
                              'check that RabbitMQ runs and [DEFAULT] '
                              'transport_url (host, credentials, vhost)')
    return results.passed(NAME, '%d of %d broker(s) answer'
                          % (len(params) - len(failures), len(params)))
