"""The JSON API's own documents: its index and its OpenAPI 3.1 document.

The operations themselves live with their domains (auth/api.py, history/api.py, registry/api.py,
factors/api.py, trials/api.py), all on the one blueprint of workbench.api.spec. Errors take the
shape {"error": {"code", "message", "details"}} (workbench.error_pages).
"""

from flask import jsonify, request, url_for

from workbench.api.spec import API_VERSION, spec


@spec.operation(
    "/",
    "GET",
    summary="API index",
    tag="meta",
    public=True,
    responses={200: ("Links to the API's documents", {"type": "object"})},
)
def index():
    return jsonify(name="CFP Standards Workbench API", version=API_VERSION, openapi=url_for(".openapi"))


@spec.operation(
    "/openapi.json",
    "GET",
    summary="This OpenAPI 3.1 document",
    tag="meta",
    public=True,
    responses={200: ("OpenAPI 3.1 document", {"type": "object"})},
)
def openapi():
    return jsonify(spec.document(server_url=request.host_url.rstrip("/")))
