"""The same hello app for the Python servers measured beside ours: the probe
app's /hello (Sources/GatewayProbe/ProbeApp.swift), body and headers.

    python3 hello_wsgi.py PORT           wsgiref.simple_server
    python3 hello_wsgi.py PORT bjoern    bjoern (in bench/.venv), dated_app
"""
import time
from email.utils import formatdate

BODY = b"Hello, World!"
HEADERS = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(BODY)))]


def app(environ, start_response):
    # A fresh list: wsgiref adds its Date and Server headers to the one it gets.
    start_response("200 OK", list(HEADERS))
    return [BODY]


_date = [0, ""]


def dated_app(environ, start_response):
    """app with a Date header, formatted once a second: waitress and wsgiref
    add Date themselves, bjoern does not, and the gateway and both C servers
    send one, so every server answers with the same three headers (bjoern adds
    `Connection: Keep-Alive` of its own)."""
    now = int(time.time())
    if now != _date[0]:
        _date[:] = [now, formatdate(now, usegmt=True)]
    start_response("200 OK", HEADERS + [("Date", _date[1])])
    return [BODY]


if __name__ == "__main__":
    import sys

    port = int(sys.argv[1])
    if sys.argv[2:] == ["bjoern"]:
        import bjoern

        bjoern.run(dated_app, "127.0.0.1", port)
    else:
        from wsgiref.simple_server import make_server, WSGIRequestHandler

        class Quiet(WSGIRequestHandler):
            def log_message(self, *args):
                pass

        make_server("127.0.0.1", port, app, handler_class=Quiet).serve_forever()
