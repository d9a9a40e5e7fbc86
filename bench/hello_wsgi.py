"""The same hello app for the Python servers measured beside ours."""


def app(environ, start_response):
    body = b"Hello, World!"
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"),
                              ("Content-Length", str(len(body)))])
    return [body]


if __name__ == "__main__":
    import sys
    from wsgiref.simple_server import make_server, WSGIRequestHandler

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    make_server("127.0.0.1", int(sys.argv[1]), app, handler_class=Quiet).serve_forever()
