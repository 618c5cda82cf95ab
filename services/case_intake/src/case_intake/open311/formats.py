"""Open311 speaks JSON and XML; the format is the path's extension."""

from __future__ import annotations

from typing import Any, cast
from xml.etree import ElementTree as ET

from fastapi.responses import JSONResponse, Response

# The element names the GeoReport v2 XML examples use for each list.
XML_ROOTS = {"services": "service", "service_requests": "request", "errors": "error"}


def respond(fmt: str, root: str, payload: Any, status: int = 200) -> Response:
    if fmt == "json":
        return JSONResponse(payload, status_code=status)
    return Response(to_xml(root, payload), status_code=status,
                    media_type="application/xml; charset=utf-8")


def to_xml(root: str, payload: Any) -> bytes:
    element = ET.Element(root)
    if isinstance(payload, list):
        child_name = XML_ROOTS.get(root, "item")
        for item in payload:
            _fill(ET.SubElement(element, child_name), item)
    else:
        _fill(element, payload)
    # typeshed types tostring as Any for an encoding other than "unicode"; it is bytes.
    body = cast(bytes, ET.tostring(element, encoding="utf-8"))
    return b'<?xml version="1.0" encoding="utf-8"?>' + body


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, list):
                holder = ET.SubElement(element, key)
                singular = {"attributes": "attribute", "values": "value"}.get(key, "item")
                for entry in item:
                    _fill(ET.SubElement(holder, singular), entry)
            else:
                _fill(ET.SubElement(element, key), item)
    elif value is None:
        return
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = str(value)
