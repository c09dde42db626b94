"""Every error of the API reaches the caller as a FilesApiError carrying its envelope."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import MIB, random_file
from test_contract import CONTRACT

from files_api import FilesApiError, FilesClient, RetryPolicy


@pytest.fixture(scope="module")
def answering():
    """A server that answers whatever the test set, to reach the codes a healthy stack never sends."""
    reply = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(reply["status"])
            for name, value in reply["headers"].items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply["body"])))
            self.end_headers()
            self.wfile.write(reply["body"])

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", reply
    server.shutdown()


@pytest.mark.parametrize(("code", "spec"), CONTRACT["errors"].items(), ids=list(CONTRACT["errors"]))
def test_each_code_of_the_contract_is_a_files_api_error(answering, code, spec):
    url, reply = answering
    envelope = {"success": False, "error": {
        "code": code, "message": "what happened", "type": "client_error" if spec["status"] < 500 else "server_error",
        "status": spec["status"], "details": {"field": "x"}, "trace_id": "trace-1", "timestamp": "2026-01-01T00:00:00Z"}}
    reply.update(status=spec["status"], body=json.dumps(envelope).encode(),
                 headers={"Content-Type": "application/json", "Retry-After": "0"})
    client = FilesClient(url, "ak_x", "org_x", retry=RetryPolicy(retries=1, base_delay=0.01))
    with pytest.raises(FilesApiError) as raised:
        client.get_file("file_x")
    error = raised.value
    assert (error.code, error.status, error.details, error.trace_id) == (code, spec["status"], {"field": "x"}, "trace-1")
    assert error.retry_after == 0


def test_an_answer_that_is_no_envelope_is_an_unexpected_response(answering):
    url, reply = answering
    reply.update(status=502, body=b"<html>bad gateway</html>", headers={"X-Request-Id": "req-9"})
    with pytest.raises(FilesApiError) as raised:
        FilesClient(url, "ak_x", "org_x", retry=RetryPolicy(retries=0)).list_pages().__next__()
    assert (raised.value.code, raised.value.status, raised.value.trace_id) == ("UNEXPECTED_RESPONSE", 502, "req-9")


def refused(call) -> FilesApiError:
    with pytest.raises(FilesApiError) as raised:
        call()
    assert raised.value.trace_id and raised.value.message
    return raised.value


def test_the_stack_s_own_refusals(stack, client, tmp_path):
    def other(**changes) -> FilesClient:
        settings = {"base_url": stack.api_url, "api_key": stack.api_key, "organization_id": stack.organization_id}
        return FilesClient(**{**settings, **changes}, retry=RetryPolicy(retries=0))

    assert refused(lambda: other(api_key="ak_nope").get_file("file_x")).code == "INVALID_API_KEY"
    assert refused(lambda: other(organization_id="org_other").get_file("file_x")).code == "ORGANIZATION_ACCESS_DENIED"
    assert refused(lambda: client.get_file("file_nope")).code == "FILE_NOT_FOUND"
    assert refused(lambda: client.delete_file("file_nope")).code == "FILE_NOT_FOUND"
    bad_limit = refused(lambda: list(client.list_files(limit=1000)))
    assert (bad_limit.code, bad_limit.status, bad_limit.details["field"]) == ("INVALID_FIELD_VALUE", 400, "limit")
    too_large = refused(lambda: client.create_upload_session(filename="a.bin", file_size=6 << 30,
                                                             mime_type="application/octet-stream"))
    assert (too_large.code, too_large.details["max_file_size"]) == ("FILE_TOO_LARGE", 5 << 30)
    session = client.create_upload_session(filename="a.bin", file_size=MIB, mime_type="application/octet-stream")
    assert refused(lambda: client.register_upload(session)).code == "UPLOAD_INCOMPLETE"
    random_file(tmp_path / "small.bin", 100)
    file = client.upload_file(tmp_path / "small.bin")
    client.delete_file(file.id)
    assert refused(lambda: client.get_download_url(file.id)).code == "FILE_NOT_FOUND"
