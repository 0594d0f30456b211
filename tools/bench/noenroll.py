"""No-enroll rate: the call nova makes for every instance, per worker.

An instance that does not ask for enrollment gets ``{}`` without any IPA
call; its cost is the API stack's alone (TLS, paste, keystonemiddleware
with a cached token, oslo.policy, the handler). The yardstick is a bare
eventlet TLS hello-world WSGI app (``hello.py``) hit by the same clients.
"""

import concurrent.futures
import os
import subprocess
import sys

from bench import boots
from bench import stats
from sandboxlib import nova
from tests.fixtures import net

HELLO = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'hello.py')
START_TIMEOUT = 30.0


def _rate(url, ca_file, token, requests_count, clients, image_id=None):
    instances = []
    for n in range(requests_count):
        instance = nova.Instance('noenroll-%05d' % n)
        instance.metadata = {}
        # A cloud boots from a handful of images: their properties (which
        # may ask for enrollment) come from novajoin's cache.
        instance.image_id = image_id or instance.image_id
        instances.append(instance)
    caller = boots.Caller(url, ca_file, token, connections=clients)
    try:
        # One request alone first: the token and the image properties are
        # cached before the crowd arrives.
        caller.post_alone(instances[0])
        with concurrent.futures.ThreadPoolExecutor(clients) as pool:
            boots.fire(pool, caller, instances[:clients * 2])
            results, wall, cpu = boots.fire(pool, caller, instances)
    finally:
        caller.close()
    figures = boots.latency_figures(results, wall)
    figures['client_cpu_s'] = cpu
    return figures


def hello_rate(workdir, ca, requests_count, clients):
    port = net.free_port()
    cert, key = ca.issue('localhost', ip_addresses=['127.0.0.1'],
                         basename='hello-%d' % port)
    with open(os.path.join(workdir, 'hello.stderr'), 'ab') as err:
        process = subprocess.Popen(
            [sys.executable, HELLO, str(port), cert, key],
            stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL)
    try:
        net.wait_for_port(port, timeout=START_TIMEOUT)
        return _rate('https://127.0.0.1:%d' % port, ca.ca_file, None,
                     requests_count, clients)
    finally:
        process.terminate()
        process.wait(10)
        process.stdout.close()


def novajoin_rate(server, token, requests_count, clients, image_id):
    return _rate(server.url, server.ca_file, token, requests_count, clients,
                 image_id)


def summary(novajoin, hello):
    ratio = None
    if novajoin['requests_per_s'] and hello['requests_per_s']:
        ratio = novajoin['requests_per_s'] / hello['requests_per_s']
    return {'novajoin': novajoin, 'hello_world': hello,
            'ratio': ratio,
            'text': '%s vs %s' % (stats.per_second(novajoin['requests_per_s']),
                                  stats.per_second(hello['requests_per_s']))}
