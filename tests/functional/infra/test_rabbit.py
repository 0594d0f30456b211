"""The RabbitMQ helpers against the machine's broker."""

import amqp
from oslo_config import cfg
import oslo_messaging
import pytest

from tests.fixtures import net
from tests.fixtures import rabbit


@pytest.fixture(scope='module')
def broker():
    return rabbit.ensure_rabbitmq()


@pytest.fixture
def vhost(broker):
    with rabbit.private_vhost('infra-test') as created:
        yield created


def _connect(vhost, connection_name):
    conn = amqp.Connection(
        host='%s:%d' % (rabbit.HOST, rabbit.PORT), userid=rabbit.USER,
        password=rabbit.PASSWORD, virtual_host=vhost.name,
        client_properties={'connection_name': connection_name})
    conn.connect()
    return conn


def _fill_queue(vhost, queue, count):
    conn = _connect(vhost, rabbit.unique_name('filler'))
    try:
        channel = conn.channel()
        channel.queue_declare(queue, durable=False, auto_delete=False)
        for i in range(count):
            channel.basic_publish(amqp.Message('m%d' % i), exchange='',
                                  routing_key=queue)
        channel.close()
    finally:
        conn.close()


def test_ensure_rabbitmq_returns_the_default_vhost_url(broker):
    assert broker == 'rabbit://guest:guest@127.0.0.1:5672/'
    assert rabbit.amqp_answers()


def test_amqp_check_is_false_where_nothing_listens():
    assert not rabbit.amqp_answers(port=net.free_port())


def test_private_vhost_exists_only_inside_the_block(broker):
    with rabbit.private_vhost('infra-test') as vhost:
        assert vhost.transport_url.endswith('/' + vhost.name)
        assert vhost.name in rabbit.rabbitmqctl('list_vhosts').split()
    assert vhost.name not in rabbit.rabbitmqctl('list_vhosts').split()


def test_unique_names_differ():
    assert rabbit.unique_name('pool') != rabbit.unique_name('pool')


def test_oslo_messaging_notifier_publishes_into_the_private_vhost(vhost):
    conf = cfg.ConfigOpts()
    transport = oslo_messaging.get_notification_transport(
        conf, url=vhost.transport_url)
    try:
        notifier = oslo_messaging.Notifier(
            transport, publisher_id='compute.infra-test', driver='messaging',
            topics=['notifications'])
        notifier.info({}, 'compute.instance.delete.end', {'x': 1})
    finally:
        transport.cleanup()

    assert vhost.queue_depths() == {'notifications.info': 1}


def test_purge_then_delete_queue(vhost):
    _fill_queue(vhost, 'work', 3)
    assert vhost.queue_depths() == {'work': 3}

    rabbit.purge_queue('work', vhost=vhost.name)
    assert vhost.queue_depths() == {'work': 0}

    rabbit.delete_queue('work', vhost=vhost.name)
    assert vhost.queue_depths() == {}


def test_close_connections_closes_only_the_matching_one(vhost):
    target_name = rabbit.unique_name('target')
    target = _connect(vhost, target_name)
    bystander = _connect(vhost, rabbit.unique_name('bystander'))
    try:
        closed = rabbit.rabbitmqctl_close_connections(target_name,
                                                      vhost=vhost.name)

        assert closed == 1
        with pytest.raises(amqp.exceptions.ConnectionForced):
            target.drain_events(timeout=10)
        remaining = [props for _, _, _, props
                     in rabbit.list_connections(vhost.name)]
        assert not any(target_name in props for props in remaining)
        assert bystander.channel().is_open
    finally:
        bystander.close()
        try:
            target.collect()
        except OSError:
            pass


def test_close_connections_refuses_an_empty_match():
    with pytest.raises(ValueError):
        rabbit.rabbitmqctl_close_connections('')
