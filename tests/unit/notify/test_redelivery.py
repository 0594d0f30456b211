from unittest import mock

from oslo_config import cfg
from oslo_messaging._drivers import amqp
from oslo_messaging._drivers import amqpdriver
from oslo_messaging._drivers import base
import pytest

from novajoin import conf as novajoin_conf
from novajoin.notify import redelivery
from novajoin.notify import service


class _Server(object):
    def __init__(self, listener):
        self.listener = listener


def _started_rabbit_server():
    """A started rabbit notification server, as far as the fix sees it.

    Built from the installed oslo.messaging's own classes; nothing connects.
    """
    listener = amqpdriver.NotificationAMQPListener(
        mock.Mock(prefetch_size=1), mock.Mock())
    return _Server(base.PollStyleListenerAdapter(listener, 1, None)), listener


def _message(unique_id):
    return {amqp.UNIQUE_ID: unique_id, 'event_type': 'instance.delete.end',
            'payload': {}}


def test_fix_applies_to_the_installed_oslo_messaging():
    server, listener = _started_rabbit_server()
    assert redelivery.handle_redeliveries(server, required=True)
    listener.msg_id_cache.add('abc')
    listener(_message('abc'))
    listener(_message('abc'))
    assert [m.unique_id for m in listener.incoming] == ['abc', 'abc']


def test_original_cache_would_have_dropped_it():
    # What handle_redeliveries works around; fails if oslo.messaging
    # stops dropping seen messages, so this module can go.
    _, listener = _started_rabbit_server()
    listener.msg_id_cache.add('abc')
    listener(_message('abc'))
    assert listener.incoming == []


def test_transport_without_amqp_listener_is_left_alone_if_not_required():
    assert not redelivery.handle_redeliveries(_Server(object()),
                                              required=False)


def test_listener_without_the_private_names_is_refused_if_required():
    with pytest.raises(redelivery.RedeliveryFixUnavailable) as exc:
        redelivery.handle_redeliveries(_Server(object()), required=True)
    assert 'msg_id_cache' in str(exc.value)
    assert 'oslo.messaging %s' % _installed_version() in str(exc.value)


@pytest.mark.parametrize('target, name', [
    (amqp, '_MsgIdCache'), (amqp, 'UNIQUE_ID'),
    (amqp._MsgIdCache, 'check_duplicate_message')])
def test_oslo_messaging_without_a_private_name_is_refused(monkeypatch,
                                                          target, name):
    monkeypatch.delattr(target, name)
    with pytest.raises(redelivery.RedeliveryFixUnavailable) as exc:
        redelivery.check_available()
    assert name in str(exc.value)


def _installed_version():
    from importlib import metadata
    return metadata.version('oslo.messaging')


def _conf(tmp_path, transport_url):
    path = tmp_path / 'join.conf'
    path.write_text('[DEFAULT]\ntransport_url = %s\n' % transport_url)
    conf = cfg.ConfigOpts()
    novajoin_conf.register_opts(conf)
    conf([], project='novajoin', default_config_files=[str(path)])
    return conf


@pytest.mark.parametrize('url, required', [
    ('rabbit://guest:guest@127.0.0.1:5672/', True),
    ('fake://', False)])
def test_only_transports_that_drop_duplicates_require_the_fix(
        tmp_path, url, required):
    conf = _conf(tmp_path, url)
    service.oslo_messaging.get_notification_transport(conf).cleanup()
    assert redelivery.is_required(conf) is required


def test_service_refuses_to_start_without_the_fix(tmp_path, monkeypatch):
    # Nothing connects: the refusal comes before the first use.
    conf = _conf(tmp_path, 'rabbit://guest:guest@127.0.0.1:9/')
    transport = service.oslo_messaging.get_notification_transport(conf)
    listener_factory = mock.Mock()
    monkeypatch.setattr(service.oslo_messaging, 'get_notification_listener',
                        listener_factory)
    monkeypatch.delattr(amqp._MsgIdCache, 'check_duplicate_message')
    notify = service.NotifyService(conf, transport, mock.Mock())
    with pytest.raises(redelivery.RedeliveryFixUnavailable):
        notify.start()
    listener_factory.assert_not_called()
    transport.cleanup()
