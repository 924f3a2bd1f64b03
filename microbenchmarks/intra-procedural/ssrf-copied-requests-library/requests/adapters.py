import socket
import ssl
import urllib.parse


class Response:
    def __init__(self, status, body):
        self.status_code = status
        self.text = body


class HTTPAdapter:
    def send(self, method, url, timeout=10, **kwargs):
        parts = urllib.parse.urlsplit(url)
        raw = socket.create_connection((parts.hostname, parts.port or 443), timeout=timeout)
        conn = ssl.create_default_context().wrap_socket(raw, server_hostname=parts.hostname)
        conn.sendall(("%s %s HTTP/1.0\r\nHost: %s\r\n\r\n" % (method, parts.path or "/", parts.hostname)).encode())
        data = conn.recv(65536).decode("latin-1")
        conn.close()
        status = int(data.split(" ", 2)[1])
        return Response(status, data.split("\r\n\r\n", 1)[-1])

    def close(self):
        pass
