"""One GET of an OpenStack resource through a keystoneauth1 session."""

from keystoneauth1 import exceptions as ks_exceptions


class ServiceUnavailable(Exception):
    """The service could not be reached or did not answer usably.

    The message names the service and the cause, for the operator's log.
    """


def get_resource(session, path, endpoint_filter, timeout, service):
    """The JSON object at ``path``, or None if the service answers 404.

    The endpoint comes from the catalog through ``endpoint_filter``;
    ``timeout`` bounds connecting and each read, in seconds.

    :raises ServiceUnavailable: on any other outcome.
    """
    try:
        response = session.get(path, endpoint_filter=endpoint_filter,
                               timeout=timeout, raise_exc=False)
    except ks_exceptions.ClientException as exc:
        raise ServiceUnavailable('%s could not be reached: %s'
                                 % (service, exc))
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise ServiceUnavailable('%s answered HTTP %d to GET %s'
                                 % (service, response.status_code, path))
    try:
        document = response.json()
    except ValueError:
        raise ServiceUnavailable('%s answered GET %s with a body that is '
                                 'not JSON' % (service, path))
    if not isinstance(document, dict):
        raise ServiceUnavailable('%s answered GET %s with JSON that is not '
                                 'an object' % (service, path))
    return document
