"""The route tables of the API: ``{path: {METHOD: handler}}``.

The version document and the metrics (off unless configured) are public;
vendordata is only served behind
authentication (see etc/novajoin/join-api-paste.ini).
"""

from novajoin.api.handlers import metrics
from novajoin.api.handlers import vendordata
from novajoin.api.handlers import versions

VERSION_ROUTES = {
    '/': {'GET': versions.list_versions},
}

JOIN_ROUTES = {
    '/v1': {'POST': vendordata.create_join},
}

METRICS_ROUTES = {
    '/metrics': {'GET': metrics.show_metrics},
}
