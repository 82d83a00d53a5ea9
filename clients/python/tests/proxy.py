"""A tiny TCP proxy in front of the gateway that can lose answers, answer 503 itself, cut open
streams, and refuse connections for a while: the network failures the client must survive."""

import socket
import threading
import time
import urllib.parse


class Proxy(object):
    """``Proxy(upstream_url)``; ``proxy.url`` is what the client talks to.

    - ``drop_responses = n``: the next n connections are forwarded to the gateway, which
      processes the request and answers; the proxy waits for the first bytes of that answer (so
      the server has committed) and then closes the client's connection without relaying them.
    - ``fail_with_503 = n``: the next n connections get ``503`` from the proxy itself (nothing
      reaches the gateway).
    - ``cut()``: closes every open connection now (an SSE stream breaks mid-way).
    - ``paused = True``: new connections are closed at once, until set back to False.
    """

    def __init__(self, upstream_url):
        parts = urllib.parse.urlsplit(upstream_url)
        self.upstream = (parts.hostname, parts.port or 80)
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.url = "http://127.0.0.1:%d" % self.listener.getsockname()[1]
        self.drop_responses = 0
        self.fail_with_503 = 0
        self.paused = False
        self.connections = 0
        self.dropped = 0
        self.refused = 0
        self.cuts = 0
        self._open = set()
        self._lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
                if self.paused:
                    self.refused += 1
                    mode = "refuse"
                elif self.fail_with_503 > 0:
                    self.fail_with_503 -= 1
                    mode = "503"
                elif self.drop_responses > 0:
                    self.drop_responses -= 1
                    mode = "drop"
                else:
                    mode = "forward"
            threading.Thread(target=self._serve, args=(client, mode), daemon=True).start()

    def _serve(self, client, mode):
        if mode == "refuse":
            client.close()
            return
        if mode == "503":
            self._read_request(client)
            body = b'{"errors":[{"message":"proxy says no","extensions":{"code":"SUBGRAPH_UNAVAILABLE"}}]}'
            client.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                           b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
            client.close()
            return
        try:
            upstream = socket.create_connection(self.upstream, timeout=30)
        except OSError:
            client.close()
            return
        with self._lock:
            self._open.add(client)
            self._open.add(upstream)
        if mode == "drop":
            try:
                upstream.sendall(self._read_request(client))
                upstream.settimeout(30)
                upstream.recv(1)  # the gateway answered: the mutation has committed
                with self._lock:
                    self.dropped += 1
            except OSError:
                pass
            finally:
                self._close_pair(client, upstream)
            return
        t = threading.Thread(target=self._pipe, args=(upstream, client), daemon=True)
        t.start()
        self._pipe(client, upstream)
        t.join()

    @staticmethod
    def _read_request(sock):
        """One whole HTTP request (headers + Content-Length body) from ``sock``."""
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
        return head + b"\r\n\r\n" + body

    def _pipe(self, src, dst):
        try:
            while True:
                chunk = src.recv(65536)
                if not chunk:
                    break
                dst.sendall(chunk)
        except OSError:
            pass
        finally:
            self._close_pair(src, dst)

    def _close_pair(self, a, b):
        for s in (a, b):
            with self._lock:
                self._open.discard(s)
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def cut(self):
        """Closes every open connection (both sides)."""
        with self._lock:
            socks = list(self._open)
            self._open.clear()
            self.cuts += 1
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def close(self):
        self._closed = True
        try:
            self.listener.close()
        except OSError:
            pass
        self.cut()


def wait_for(predicate, timeout=20.0, interval=0.05, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out after %.0fs waiting for %s" % (timeout, message))
