"""novajoin-notify tells systemd (Type=notify) it is ready once it
consumes."""

import os
import socket


def test_listener_tells_systemd_it_is_ready_once_consuming(env, tmp_path):
    path = str(tmp_path / 'notify.sock')
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(path)
        sock.settimeout(60)
        listener = env.listener()
        listener.spawn({'NOTIFY_SOCKET': path})
        assert sock.recv(4096) == b'READY=1'
    assert 'listening pool=' in listener.log()
    os.unlink(path)
