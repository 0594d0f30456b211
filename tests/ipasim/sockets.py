"""Socket settings both listeners (JSON-RPC and admin) share.

A response must cost the configured latency and nothing else. Two things
would add a delayed ACK (40 ms on Linux, up to 200 ms elsewhere) to a call
on a kept-alive connection: Nagle's algorithm on the server holding back
the last segment of a response until the client ACKs the previous one,
and a response written in several pieces (status and headers, then the
body). So accepted sockets get TCP_NODELAY, and handlers buffer the whole
response and send it with one write when the request ends.
"""

import socket

# Handler ``wbufsize``: large enough for any response of the simulator.
RESPONSE_BUFFER = 1 << 18


def no_delay(sock):
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
