"""The OpenAPI schema a client builds on stays what it was when every endpoint lived in
`nps_platform/api/views.py` (issue 18 moved them into their apps' `apis.py`).

`data/openapi_before.yaml` is `manage.py spectacular` run before the move. Ordering is
normalised (the schema's paths, keys and lists such as parameters, `required` and enums carry
no meaning in their order); everything else is compared as it is: paths, methods, operation ids,
parameters, request bodies, responses, security, tags, descriptions and every component schema.
Nothing is excused as cosmetic — the move kept the docstrings and the serializers' component
names, so the descriptions are the same text too. One difference is deliberate and spelled out
below (`CORRECTED`): two components now list fields their answers always carried.

A deliberate change to the API (a new endpoint, a new field) is made by regenerating the
snapshot in the same commit:

    manage.py spectacular --file tests/api/data/openapi_before.yaml
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer

SNAPSHOT = Path(__file__).parent / "data" / "openapi_before.yaml"
METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}


def _normalised(value):
    """Dicts compare without order already; lists are sorted by their canonical JSON."""
    if isinstance(value, dict):
        return {key: _normalised(item) for key, item in value.items()}
    if isinstance(value, list):
        items = [_normalised(item) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, default=str))
    return value


def _schema_now() -> dict:
    # The same path as `manage.py spectacular`: generate, render to YAML, read it back, so lazy
    # translations and ordered dicts become the plain values the snapshot holds.
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return _normalised(yaml.safe_load(OpenApiYamlRenderer().render(schema, renderer_context={})))


def _operations(schema: dict) -> dict[tuple[str, str], dict]:
    return {(path, method): operation for path, item in schema["paths"].items()
            for method, operation in item.items() if method in METHODS}


# The one deliberate difference. Before the move, views.py handed its module-level SCORE_FIELDS
# dict itself to `inline_serializer("PreviousPeriod", SCORE_FIELDS)`; building a serializer class
# pops the fields out of the dict it is given, so the two components declared after it lost the
# score fields (nps, n, promoters, passives, detractors, margin, low_sample) that every breakdown
# row and trend point has always carried in the answers. The schema documents them now; the
# snapshot is read with exactly these additions, and anything else that differs still fails.
CORRECTED = ("BreakdownRow", "TrendPoint")


def _snapshot() -> dict:
    schema = yaml.safe_load(SNAPSHOT.read_text())
    components = schema["components"]["schemas"]
    score = components["PreviousPeriod"]
    for name in CORRECTED:
        components[name]["properties"].update(score["properties"])
        components[name]["required"] += score["required"]
    return _normalised(schema)


def _pair():
    return _snapshot(), _schema_now()


def test_every_path_and_method_is_still_there_and_nothing_new_slipped_in():
    before, now = _pair()
    gone = sorted(set(_operations(before)) - set(_operations(now)))
    new = sorted(set(_operations(now)) - set(_operations(before)))
    assert not gone, f"operations a client uses are gone: {gone}"
    assert not new, (f"new operations {new}: if intended, regenerate {SNAPSHOT.name} in the same commit "
                     "(see this module's docstring)")


def test_operation_ids_are_unchanged():
    before, now = _pair()
    ids_before = {key: op.get("operationId") for key, op in _operations(before).items()}
    ids_now = {key: op.get("operationId") for key, op in _operations(now).items()}
    changed = {key: (ids_before[key], ids_now[key]) for key in ids_before.keys() & ids_now.keys()
               if ids_before[key] != ids_now[key]}
    assert not changed, f"operation ids changed (generated clients name their methods after them): {changed}"


def test_each_operation_is_the_same_parameters_bodies_and_responses():
    before, now = _pair()
    ops_before, ops_now = _operations(before), _operations(now)
    for key in sorted(ops_before.keys() & ops_now.keys()):
        for part in sorted(ops_before[key].keys() | ops_now[key].keys()):
            assert ops_now[key].get(part) == ops_before[key].get(part), f"{key[1].upper()} {key[0]}: {part} changed"


def test_component_schemas_are_unchanged():
    before, now = _pair()
    schemas_before, schemas_now = before["components"]["schemas"], now["components"]["schemas"]
    assert sorted(schemas_now) == sorted(schemas_before), "component names changed (clients' type names)"
    for name in sorted(schemas_before):
        assert schemas_now[name] == schemas_before[name], f"component {name} changed"
    assert now["components"].get("securitySchemes") == before["components"].get("securitySchemes")


def test_the_whole_document_is_unchanged():
    before, now = _pair()
    assert now == before
