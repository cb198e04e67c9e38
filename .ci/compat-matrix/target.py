"""HTTP servers for the compatibility matrix, on 127.0.0.1 and a free port.

    python3 target.py LOGFILE      the replay target: answers 200 to every POST
                                   and logs it as one JSON line (path,
                                   Idempotency-Key header, body) to LOGFILE
    python3 target.py --not-found  a host that serves no AWS API: answers 404
                                   to every request, as a proxy or a wrong
                                   endpoint would

Prints "<what> listening on http://127.0.0.1:PORT" once it accepts."""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

not_found = sys.argv[1] == "--not-found"
log_path = None if not_found else sys.argv[1]
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "text/plain" if status == 404 else "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def body(self):
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_POST(self):
        body = self.body()
        if not_found:
            return self.answer(404, b"404 page not found\n")
        entry = {
            "path": self.path,
            "idempotencyKey": self.headers.get("Idempotency-Key"),
            "contentType": self.headers.get("Content-Type"),
            "body": body.decode("utf-8", "replace"),
        }
        with lock, open(log_path, "a") as f:
            f.write(json.dumps(entry) + "\n")
        self.answer(200, b'{"ok":true}')

    def do_other(self):
        self.body()
        self.answer(404, b"404 page not found\n")

    do_GET = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_other

    def log_message(self, *args):
        pass  # the JSON lines are the log


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
what = "not-found" if not_found else "target"
print(f"{what} listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
server.serve_forever()
