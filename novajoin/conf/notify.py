"""[notify] options of the ``novajoin-notify`` cleanup listener.

The broker connection is configured with oslo.messaging's own options
(``[DEFAULT] transport_url``, ``[oslo_messaging_notifications]``,
``[oslo_messaging_rabbit]``), which oslo.messaging registers itself when the
notification transport is built.
"""

from oslo_config import cfg

GROUP = 'notify'

listener_opts = [
    cfg.StrOpt('nova_exchange', default='nova',
               help="Exchange nova publishes notifications on (nova's "
                    "control_exchange)."),
    cfg.ListOpt('notification_topics', default=['notifications'],
                help="Topics of nova's legacy (unversioned) notifications: "
                     "nova's [oslo_messaging_notifications] topics."),
    cfg.ListOpt('versioned_notification_topics',
                default=['versioned_notifications'],
                help="Topics of nova's versioned notifications: nova's "
                     "[notifications] versioned_notifications_topics."),
    cfg.StrOpt('neutron_exchange', default='neutron',
               help="Exchange neutron publishes notifications on "
                    "(neutron's control_exchange)."),
    cfg.ListOpt('neutron_topics', default=['notifications'],
                help="Topics of neutron's notifications (floating IP "
                     "changes). An empty list stops listening to neutron."),
    cfg.StrOpt('pool_name', default='novajoin-notify',
               help='Listener pool name. The listener consumes from its own '
                    'queue of this name, so other consumers of the same '
                    'topics (e.g. ceilometer) still get every message.'),
    cfg.IntOpt('max_in_flight', default=8, min=1,
               help='Number of notifications handled at the same time '
                    '(worker threads). Cap what the broker hands out ahead '
                    'of the workers with [oslo_messaging_rabbit] '
                    'rabbit_qos_prefetch_count.'),
]

retry_opts = [
    cfg.IntOpt('max_attempts', default=10, min=1,
               help='Attempts at handling one notification (counted per '
                    'message id by this process) before it is parked on '
                    'the dead-letter topic.'),
    cfg.FloatOpt('retry_backoff', default=2.0, min=0,
                 help='Seconds to wait before requeueing a notification '
                      'that failed for the first time; doubled on every '
                      'further failure of the same message.'),
    cfg.FloatOpt('retry_backoff_max', default=60.0, min=0,
                 help='Longest wait, in seconds, before requeueing a '
                      'failed notification.'),
    cfg.StrOpt('dead_letter_topic', default='novajoin_dead_letter',
               help='Topic that notifications which cannot be handled '
                    '(malformed, unsupported version, or failed '
                    'max_attempts times) are published to, on the control '
                    'exchange of this process, with priority error.'),
]


def register_opts(conf):
    conf.register_opts(listener_opts + retry_opts, group=GROUP)


def list_opts():
    return {GROUP: listener_opts + retry_opts}
