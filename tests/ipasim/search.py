"""What every ``*_find`` shares: the size limit and the output shape.

FreeIPA's default search size limit is 100 entries
(``ipasearchrecordslimit``); hitting a limit sets ``truncated`` and adds
warning 13017. ``sizelimit=0`` means no limit of IPA's own. The
directory server's limit (``nsslapd-sizelimit``; control
``directory_sizelimit``, off by default) applies on top of any
``sizelimit``, 0 included.
"""

from tests.ipasim import rpc

DEFAULT_SIZELIMIT = 100


def limit(items, values, messages, directory=None):
    """``(items within the size limit, truncated)``."""
    sizelimit = values.get('sizelimit')
    if sizelimit is None:
        sizelimit = DEFAULT_SIZELIMIT
    if sizelimit < 0:
        raise rpc.ValidationError(name='sizelimit',
                                  error='must be at least 0')
    server_limit = getattr(directory, 'directory_sizelimit', None)
    if server_limit:
        sizelimit = min(sizelimit, server_limit) if sizelimit else (
            server_limit)
    truncated = bool(sizelimit) and len(items) > sizelimit
    if truncated:
        items = items[:sizelimit]
        messages.append(rpc.search_result_truncated())
    return items, truncated


def output(entries, truncated, singular, plural):
    noun = singular if len(entries) == 1 else plural
    return {'result': entries, 'count': len(entries), 'truncated': truncated,
            'summary': '%d %s matched' % (len(entries), noun)}
