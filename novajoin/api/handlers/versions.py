"""GET /: the API versions this server offers."""

import webob


def list_versions(req, services):
    response = webob.Response(content_type='application/json',
                              charset='UTF-8')
    response.json_body = {'versions': [{
        'id': 'v1',
        'status': 'CURRENT',
        'links': [{'rel': 'self', 'href': req.host_url + '/v1'}],
    }]}
    return response
