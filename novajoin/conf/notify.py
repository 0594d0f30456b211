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


lifecycle_opts = [
    cfg.BoolOpt('rebuild_reenrollment', default=True,
                help='On nova rebuild notifications, disable the rebuilt '
                     'instance\'s enrolled IPA hosts and give them a fresh '
                     'one-time password, so that the reinstalled instance '
                     'can enroll again. Needs [enrollment] otp_key_file, '
                     'the same key novajoin-server uses; the listener '
                     'refuses to start without it unless this is off.'),
    cfg.IntOpt('reconcile_interval', default=3600, min=0,
               help='Seconds between two reconciliations of IPA with nova '
                    'by the listener (what novajoin-manage reconcile does). '
                    'One listener at a time runs them: the one holding the '
                    'RabbitMQ lock queue reconcile_lock_queue. 0 turns '
                    'periodic reconciliation off.'),
    cfg.IntOpt('reconcile_grace', default=3600, min=0,
               help='Seconds after an instance was deleted before '
                    'reconciliation removes its hosts; until then its '
                    'delete notification may still be on the way. Also '
                    'the default of novajoin-manage reconcile --grace.'),
    cfg.IntOpt('reconcile_max_delete_percent', default=25, min=0, max=100,
               help='A reconciliation that would delete more than this '
                    'share of the owned hosts (and more than 10) changes '
                    'nothing and logs an error instead: nova credentials '
                    'that see one project only, or another region, look '
                    'like that. novajoin-manage reconcile --force '
                    'overrides it.'),
    cfg.StrOpt('reconcile_lock_queue', default='novajoin-reconcile-lock',
               help='Name of the exclusive RabbitMQ queue whose holder is '
                    'the one listener that runs periodic reconciliation. '
                    'Every listener of one cloud must use the same name '
                    'and broker virtual host.'),
]


def register_opts(conf):
    conf.register_opts(listener_opts + retry_opts + lifecycle_opts,
                       group=GROUP)


def list_opts():
    return {GROUP: listener_opts + retry_opts + lifecycle_opts}
