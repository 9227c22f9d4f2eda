"""``python model_server.py``: one model behind SageMaker's serving contract.

``GET /ping`` answers 200 once the model is loaded; ``POST /invocations`` runs it;
``GET /execution-parameters`` tells batch transform how to call it. The model is in
``/opt/ml/model`` (``SAGEMAKER_BASE_DIR``); with ``SAGEMAKER_PROGRAM`` the user's script serves
it (:mod:`script_mode`), without it the built-in XGBoost algorithm does (:mod:`algorithm_mode`).
``SAGESTACK_FRAMEWORK`` names the image's framework (``sklearn`` or ``xgboost``), whose
container conventions apply. A model that does not load is a container that does not start: the
server prints why and exits 1. SIGTERM stops it (the endpoint has drained its requests by then).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from replies import Reply

CUSTOM_ATTRIBUTES = "X-Amzn-SageMaker-Custom-Attributes"


def load_service():
    base = os.environ.get("SAGEMAKER_BASE_DIR", "/opt/ml")
    model_dir = os.path.join(base, "model")
    framework = os.environ.get("SAGESTACK_FRAMEWORK", "sklearn")
    if os.environ.get("SAGEMAKER_PROGRAM"):
        import script_mode

        default_accept = os.environ.get("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT", "application/json")
        return script_mode.load(framework, model_dir, default_accept)
    if framework != "xgboost":
        raise RuntimeError(
            "no SAGEMAKER_PROGRAM in the model's environment: only the built-in XGBoost "
            f"algorithm serves a model without a script, and this is a {framework} image"
        )
    import algorithm_mode

    return algorithm_mode.AlgorithmService(model_dir, batch=bool(os.environ.get("SAGEMAKER_BATCH")))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the endpoint reuses its connections
    # headers and body are written separately: with Nagle's algorithm the body would wait for
    # the client's delayed ACK (40 ms a request)
    disable_nagle_algorithm = True
    service = None

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path == "/ping":
            self._send(Reply(200, b"", "text/plain"))
        elif self.path == "/execution-parameters" and hasattr(self.service, "execution_parameters"):
            document = json.dumps(self.service.execution_parameters()).encode()
            self._send(Reply(200, document, "application/json"))
        else:
            self._send(Reply(404, b"Not Found", "text/plain"))

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path != "/invocations":
            self._send(Reply(404, b"Not Found", "text/plain"))
            return
        try:
            reply = self.service.invoke(
                body, self.headers.get("Content-Type"), self.headers.get("Accept")
            )
        except Exception:  # noqa: BLE001 - a bug of the handler must not drop the connection
            traceback.print_exc()
            reply = Reply(500, b"Internal Server Error", "text/plain")
        if reply.status >= 500:
            print(f"invocation failed with status {reply.status}", flush=True)
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - access logs stay quiet
        return


def main() -> int:
    port = int(os.environ.get("SAGEMAKER_BIND_TO_PORT", "8080"))
    try:
        _Handler.service = load_service()
    except Exception:  # noqa: BLE001 - the container exits, saying why
        traceback.print_exc()
        print("the model could not be loaded: the model server stops", flush=True)
        return 1
    server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"model server listening on 127.0.0.1:{port}", flush=True)
    server.serve_forever(poll_interval=0.1)
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
