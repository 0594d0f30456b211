from oslo_messaging._drivers import amqp

from novajoin.notify import redelivery


class _Server(object):
    def __init__(self, poll_style_listener):
        self.listener = type('Adapter', (), {})()
        self.listener._poll_style_listener = poll_style_listener


class _AMQPListener(object):
    def __init__(self):
        self.msg_id_cache = amqp._MsgIdCache()


def test_seen_message_is_handed_on_again_with_its_id_stripped():
    listener = _AMQPListener()
    assert redelivery.handle_redeliveries(_Server(listener))
    listener.msg_id_cache.add('abc')
    message = {amqp.UNIQUE_ID: 'abc', 'payload': {}}
    assert listener.msg_id_cache.check_duplicate_message(message) == 'abc'
    assert message == {'payload': {}}


def test_original_cache_would_have_dropped_it():
    # What handle_redeliveries works around; fails if oslo.messaging
    # stops dropping seen messages, so this module can go.
    cache = amqp._MsgIdCache()
    cache.add('abc')
    try:
        cache.check_duplicate_message({amqp.UNIQUE_ID: 'abc'})
    except Exception as exc:
        assert type(exc).__name__ == 'DuplicateMessageError'
    else:
        raise AssertionError('oslo.messaging no longer drops duplicates')


def test_transport_without_amqp_listener_is_left_alone():
    assert not redelivery.handle_redeliveries(_Server(object()))
