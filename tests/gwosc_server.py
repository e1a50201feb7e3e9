"""A GWOSC stand-in on 127.0.0.1: the v2 API endpoints that gwosc/gwpy use to locate bulk
strain files, and the files themselves, with switchable faults."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from gwda.io.gwosc_files import parse_name


class GwoscServer:
    def __init__(self, directory: Path, run: str = "O1", fail_first: int = 0, truncate: bool = False):
        self.files = [n for p in sorted(Path(directory).iterdir()) if (n := parse_name(p))]
        self.run, self.fail_first, self.truncate = run, fail_first, truncate
        self.file_requests: list[str] = []
        self.api_requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.handle(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def _page(self, req, results):
        body = json.dumps({"num_pages": 1, "next": None, "results": results}).encode()
        req.send_response(200)
        req.send_header("Content-Type", "application/json")
        req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        req.wfile.write(body)

    def handle(self, req):
        url = urlparse(req.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path.startswith("/api/"):
            self.api_requests.append(req.path)
        if url.path == "/api/v2/event-versions":
            return self._page(req, [])
        if url.path == "/api/v2/runs":
            dets = sorted({f.detector for f in self.files})
            start = min(f.start for f in self.files)
            end = max(f.end for f in self.files)
            return self._page(req, [{"name": self.run, "gps_start": start, "gps_end": end, "detectors": dets}])
        if url.path == f"/api/v2/runs/{self.run}/strain-files":
            start, stop = int(query.get("start", 0)), int(query.get("stop", 2**31))
            results = [
                {"detector": f.detector, "gps_start": f.start, "duration": f.duration, "sample_rate": 4,
                 "hdf5_url": f"{self.host}/archive/{f.path.name}", "gwf_url": None}
                for f in self.files
                if f.detector == query.get("detector", f.detector) and f.end > start and f.start < stop
            ]
            return self._page(req, results)
        if url.path.startswith("/archive/"):
            self.file_requests.append(url.path)
            if len(self.file_requests) <= self.fail_first:
                req.send_error(503, "temporarily unavailable")
                return
            match = [f for f in self.files if f.path.name == url.path.split("/")[-1]]
            if not match:
                req.send_error(404)
                return
            data = match[0].path.read_bytes()
            req.send_response(200)
            req.send_header("Content-Type", "application/x-hdf5")
            req.send_header("Content-Length", str(len(data)))
            req.end_headers()
            req.wfile.write(data[: len(data) // 2] if self.truncate else data)
            return
        req.send_error(404)
