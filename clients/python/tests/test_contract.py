"""The client against schemas/: every operation of the route table, and every field of every answer."""

from __future__ import annotations

import dataclasses
import json
import types
import typing

import pytest
from conftest import REPO

from files_api import (
    DownloadUrl,
    EventList,
    File,
    FileContent,
    FileEvent,
    FileFailure,
    FileList,
    FilesApiError,
    FilesClient,
    Redelivery,
    UploadSession,
    WebhookDelivery,
    WebhookDeliveryList,
    WebhookEndpoint,
    WebhookList,
)
from files_api.transport import OPERATIONS

SCHEMAS = REPO / "schemas"
CONTRACT = json.loads((SCHEMAS / "api.contract.json").read_text())

# The FilesClient method that carries each operation of the route table.
METHODS = {
    "createUploadUrl": "create_upload_session",
    "registerFile": "register_upload",
    "listFiles": "list_files",
    "listEvents": "list_events",
    "getFile": "get_file",
    "updateFile": "update_file",
    "deleteFile": "delete_file",
    "getDownloadUrl": "get_download_url",
    "uploadFile": "upload_direct",
    "getFileContent": "get_file_content",
    "createWebhook": "create_webhook",
    "listWebhooks": "list_webhooks",
    "getWebhook": "get_webhook",
    "updateWebhook": "update_webhook",
    "deleteWebhook": "delete_webhook",
    "rotateWebhookSecret": "rotate_webhook_secret",
    "listWebhookDeliveries": "list_webhook_deliveries",
    "redeliverEvent": "redeliver_event",
}


def schema(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text())


@pytest.mark.parametrize("operation", CONTRACT["operations"], ids=lambda op: op["id"])
def test_the_client_has_every_operation_of_the_route_table(operation):
    assert OPERATIONS.get(operation["id"]) == (operation["method"], operation["path"]), (
        f"{operation['id']} ({operation['method']} {operation['path']}) is in the route table, not in the Python client"
    )
    assert callable(getattr(FilesClient, METHODS.get(operation["id"], ""), None))


def test_the_client_calls_no_operation_the_route_table_lacks():
    assert set(OPERATIONS) <= {op["id"] for op in CONTRACT["operations"]}


def nullable(annotation) -> bool:
    hints = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else ()
    return type(None) in hints


def fields_of(cls) -> dict[str, dataclasses.Field]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls) if f.name != "extra"}


@pytest.mark.parametrize(
    ("cls", "name", "own"),
    [
        (File, "file.schema.json", set()),
        (FileList, "file-list.schema.json", set()),
        (DownloadUrl, "download-url-response.schema.json", set()),
        (FileContent, "file-content.schema.json", set()),
        (FileEvent, "event.schema.json", set()),
        (EventList, "event-list.schema.json", set()),
        (WebhookEndpoint, "webhook-endpoint.schema.json", set()),
        (WebhookList, "webhook-list.schema.json", set()),
        (WebhookDeliveryList, "webhook-delivery-list.schema.json", set()),
        (Redelivery, "redeliver-response.schema.json", set()),
        # What was declared at upload-url, which register repeats: kept with the session.
        (UploadSession, "upload-url-response.schema.json", {"filename", "mime_type", "file_size", "crc32c"}),
    ],
)
def test_typed_results_have_exactly_the_fields_of_their_schema(cls, name, own):
    described = schema(name)
    fields = fields_of(cls)
    assert set(fields) - own == set(described["properties"])
    for prop, spec in described["properties"].items():
        may_be_null = "null" in (spec.get("type") if isinstance(spec.get("type"), list) else []) or any(
            choice.get("type") == "null" for choice in spec.get("oneOf", [])
        )
        optional = prop not in described["required"]
        assert nullable(fields[prop]) == (may_be_null or optional), f"{cls.__name__}.{prop}"


def test_a_delivery_has_exactly_the_fields_of_the_delivery_list_s_items():
    described = schema("webhook-delivery-list.schema.json")["properties"]["deliveries"]["items"]
    fields = fields_of(WebhookDelivery)
    assert set(fields) == set(described["properties"])
    for prop, spec in described["properties"].items():
        assert nullable(fields[prop]) == ("null" in spec["type"] if isinstance(spec["type"], list) else False), prop


def test_a_failure_has_the_fields_of_the_file_schemas_failure():
    failure = next(c for c in schema("file.schema.json")["properties"]["failure"]["oneOf"] if c.get("type") == "object")
    assert set(fields_of(FileFailure)) == set(failure["properties"])


def test_an_api_error_carries_the_envelope():
    error = schema("error-envelope.schema.json")["properties"]["error"]["properties"]
    carried = FilesApiError("X", "m", 400)
    for name in ("code", "message", "status", "details", "trace_id"):
        assert name in error
        assert hasattr(carried, name)
