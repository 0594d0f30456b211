"""POST /v1: nova's DynamicJSON vendordata request for a booting instance.

Reads in one order: context, policy, body, schema, enrollment, response.
Every request ends in exactly one log line with its decision; the answer
may hold an OTP, which is never logged.
"""

import time

from oslo_log import log as logging
from oslo_middleware import request_id
from oslo_policy import policy as oslo_policy
import webob

from novajoin.api import authtoken
from novajoin.api import body
from novajoin.api import context_middleware
from novajoin.api import errors
from novajoin.api import schemas
from novajoin import exception
from novajoin.hosts import enrollment
from novajoin import metrics
from novajoin.policies import join as join_policies
from novajoin.services import manager as services_manager

LOG = logging.getLogger(__name__)

# Enrollment refusals the caller can act on, as HTTP answers.
_HTTP_ERROR_FOR = (
    (exception.InvalidRequest, errors.BadRequest),
    (exception.HostOwnedByOther, errors.Forbidden),
    (exception.HostClassNotAllowed, errors.Forbidden),
    (exception.NameReserved, errors.Forbidden),
    (exception.HostPasswordUnknown, errors.Conflict),
    (exception.InstanceHasHost, errors.Conflict),
)


class _RequestRecord(object):
    """What the request's log line reports; filled in as it goes."""

    def __init__(self, req):
        self.request_id = req.environ.get(request_id.ENV_REQUEST_ID)
        # The budget counts from arrival, token validation included.
        self.started = req.environ.get(authtoken.ARRIVAL_KEY,
                                       time.monotonic())
        self.instance_id = None
        self.fqdn = None
        self.decision = 'error'
        self.ipa_calls = 0
        self.status = 500

    def log(self):
        LOG.info('request=%s instance=%s fqdn=%s decision=%s status=%d '
                 'ipa_calls=%d duration_ms=%d', self.request_id,
                 self.instance_id, self.fqdn, self.decision, self.status,
                 self.ipa_calls,
                 (time.monotonic() - self.started) * 1000)


def create_join(req, services):
    record = _RequestRecord(req)
    try:
        response = _create_join(req, services, record)
        record.status = response.status_int
        return response
    except errors.HTTPError as error:
        record.status = error.status
        if error.status < 500:
            record.decision = 'refused'
        raise
    finally:
        record.log()
        metrics.VENDORDATA_REQUESTS.labels(
            decision=record.decision, status=record.status).observe(
                time.monotonic() - record.started)


def _create_join(req, services, record):
    context = context_middleware.context_of(req.environ)
    max_size = services.conf.api.max_request_body_size
    try:
        _authorize(services.enforcer, context)
    except errors.Forbidden:
        # Nothing but the log line looks at the body of a refused caller.
        record.instance_id = _instance_id_for_log(req, max_size)
        raise
    document = body.read_json(req, max_size)
    schemas.validate(schemas.VENDORDATA_REQUEST, document)
    record.instance_id = document['instance-id']
    request = _vendordata_request(document)
    deadline = record.started + services.conf.api.request_budget
    try:
        result = services.enroller.enroll(request, deadline=deadline)
    except exception.EnrollmentUnavailable as error:
        _record_failure(record, error)
        raise errors.ServiceUnavailable(error.message, error.retry_after)
    except exception.NovajoinError as error:
        _record_failure(record, error)
        for exception_class, http_error in _HTTP_ERROR_FOR:
            if isinstance(error, exception_class):
                raise http_error(error.message)
        raise
    record.decision = result.decision
    record.fqdn = result.fqdn
    record.ipa_calls = result.ipa_calls
    if result.fqdn is not None and services.tls_services is not None:
        record.ipa_calls += _ensure_tls_services(services.tls_services,
                                                 request, result, deadline)
    response = webob.Response(content_type='application/json',
                              charset='UTF-8')
    # The body may hold a one-time password: keep it out of caches.
    response.cache_control = 'no-store'
    response.json_body = result.body
    return response


def _ensure_tls_services(tls_services, request, result, deadline):
    """Subhosts and principals the metadata asks for; IPA round trips.

    Their failures and refusals are logged per item and never change the
    answer: the instance gets its OTP whatever happens to its services.
    Only the request that created the host is the instance's first: nova's
    boot-roles decide on managed services there and nowhere else.
    """
    summary = tls_services.ensure_for_enrollment(
        services_manager.Instance(request.instance_id, request.project_id,
                                  result.fqdn),
        request.metadata, request.boot_roles, deadline,
        first=result.decision == enrollment.CREATED)
    return summary.ipa_calls if summary is not None else 0


def _authorize(enforcer, context):
    try:
        enforcer.authorize(join_policies.CREATE, {}, context, do_raise=True)
    except oslo_policy.PolicyNotAuthorized:
        raise errors.Forbidden('Policy does not allow %s for this caller.'
                               % join_policies.CREATE)


def _instance_id_for_log(req, max_size):
    """The body's instance id if it is a valid one, else None."""
    try:
        document = body.read_json(req, max_size)
    except errors.HTTPError:
        return None
    instance_id = (document.get('instance-id')
                   if isinstance(document, dict) else None)
    if schemas.is_instance_id(instance_id):
        return instance_id
    return None


def _vendordata_request(document):
    roles = document.get('boot-roles') or ''
    return enrollment.VendordataRequest(
        project_id=document.get('project-id'),
        instance_id=document['instance-id'],
        image_id=document.get('image-id') or None,
        hostname=document['hostname'],
        metadata=document.get('metadata') or {},
        boot_roles=[role.strip() for role in roles.split(',')
                    if role.strip()])


def _record_failure(record, error):
    record.decision = error.decision
    record.fqdn = error.fqdn
    record.ipa_calls = error.ipa_calls
