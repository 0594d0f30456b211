"""What every ``*_find`` shares: the size limit and the output shape.

FreeIPA's default search size limit is 100 entries
(``ipasearchrecordslimit``); hitting a limit sets ``truncated`` and adds
warning 13017. ``sizelimit=0`` means no limit.
"""

from tests.ipasim import rpc

DEFAULT_SIZELIMIT = 100


def limit(items, values, messages):
    """``(items within the size limit, truncated)``."""
    sizelimit = values.get('sizelimit')
    if sizelimit is None:
        sizelimit = DEFAULT_SIZELIMIT
    if sizelimit < 0:
        raise rpc.ValidationError(name='sizelimit',
                                  error='must be at least 0')
    truncated = bool(sizelimit) and len(items) > sizelimit
    if truncated:
        items = items[:sizelimit]
        messages.append(rpc.search_result_truncated())
    return items, truncated


def output(entries, truncated, singular, plural):
    noun = singular if len(entries) == 1 else plural
    return {'result': entries, 'count': len(entries), 'truncated': truncated,
            'summary': '%d %s matched' % (len(entries), noun)}
