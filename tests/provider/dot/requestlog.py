"""Logs every request as one JSON line to $REQUEST_LOG, in the shape tests/provider/server.mjs
writes: at (milliseconds since the Unix epoch), method, path, query, form (a form body's
fields), authorization (the scheme of the Authorization header) and client_id (from Basic
authentication, else the form, else the query). A field given twice keeps its first value.
"""

import base64
import json
import os
import threading
import time
from urllib.parse import parse_qsl, unquote_plus

LOG = os.environ.get("REQUEST_LOG") or None
_lock = threading.Lock()


def _fields(text):
    out = {}
    for name, value in parse_qsl(text, keep_blank_values=True):
        out.setdefault(name, value)
    return out


def _basic_client_id(header):
    parts = header.split(None, 1)
    if len(parts) != 2 or parts[0].lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(parts[1]).decode("utf-8")
    except ValueError:
        return None
    return unquote_plus(decoded.partition(":")[0])


class RequestLog:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if LOG:
            self.log(request)
        return self.get_response(request)

    def log(self, request):
        form = {}
        if request.content_type == "application/x-www-form-urlencoded":
            # request.body is kept, so the views still read the same form.
            form = _fields(request.body.decode("utf-8", errors="replace"))
        query = _fields(request.META.get("QUERY_STRING", ""))
        header = request.headers.get("Authorization", "").strip()
        entry = {
            "at": int(time.time() * 1000),
            "method": request.method,
            "path": request.path,
            "query": query,
            "form": form,
            "authorization": header.split()[0] if header else None,
            "client_id": _basic_client_id(header) or form.get("client_id") or query.get("client_id"),
        }
        # Written and closed before the view runs, so the line is on disk before any answer.
        with _lock, open(LOG, "a", encoding="utf-8") as out:
            out.write(json.dumps(entry) + "\n")
