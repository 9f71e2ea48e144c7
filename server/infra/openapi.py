"""The OpenAPI document, made from what each route declares with `@operation`: its request body's model, the
models of its answers, who may call it, its query parameters and headers; path parameters come from the
route's own path. A route without a declaration is not in the document (pages, the QR scan link)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from starlette.routing import BaseRoute, Route

F = TypeVar("F", bound=Callable[..., Any])
Mode = Literal["validation", "serialization"]
Body = type[BaseModel] | str | None  # a JSON model, a media type (image/png…), or no body
_PARAM = re.compile(r"{(\w+)}")


@dataclass(frozen=True)
class Operation:
    summary: str
    body: type[BaseModel] | None
    answers: Mapping[int, Body]
    errors: Mapping[int, str]  # status -> the error codes it may carry
    auth: str | None  # who may call it: "any signed-in account", "a seller, an admin", "the show's host"…
    query: Mapping[str, str]
    headers: Mapping[str, tuple[str, bool]]  # name -> (what it is, required)
    files: tuple[str, ...] = ()  # a multipart/form-data body of these file fields (an upload), instead of JSON

    @property
    def roles(self) -> frozenset[str] | None:
        """The roles `auth` lets in, read once from its words; None: any signed-in account, or no sign-in."""
        return roles_of(self.auth)


_ROLE_WORDS = re.compile(r"an? (\w+)|the \w+'s (\w+)")


def roles_of(auth: str | None) -> frozenset[str] | None:
    """"a seller, an admin" → {seller, admin}; "the show's host, an admin" → {host, admin} (the service checks
    that the host is the show's own); "any signed-in account" and None → None. A declaration in other words is
    a programming error, refused when the route is declared."""
    if auth is None or auth == "any signed-in account":
        return None
    roles = set()
    for part in (p.strip() for p in auth.split(",")):
        match = _ROLE_WORDS.fullmatch(part)
        if match is None:
            raise ValueError(f"an auth declaration in words this cannot read: {auth!r}")
        roles.add(match.group(1) or match.group(2))
    return frozenset(roles)


def operation(summary: str, *, answers: Mapping[int, Body], body: type[BaseModel] | None = None,
              errors: Mapping[int, str] | None = None, auth: str | None = None, query: Mapping[str, str] | None = None,
              headers: Mapping[str, tuple[str, bool]] | None = None,
              files: tuple[str, ...] = ()) -> Callable[[F], F]:
    """Declare a route's operation for the OpenAPI document."""
    declared = Operation(summary=summary, body=body, answers=dict(answers), errors=dict(errors or {}), auth=auth,
                         query=dict(query or {}), headers=dict(headers or {}), files=files)
    roles_of(auth)  # a declaration it cannot read fails at import, not at the first request

    def mark(endpoint: F) -> F:
        endpoint.__operation__ = declared  # type: ignore[attr-defined]
        return endpoint

    return mark


@dataclass
class _Models:
    """Every model the document names, each once, in the mode it is used in."""

    pairs: list[tuple[type[BaseModel], Mode]] = field(default_factory=list)

    def ref(self, model: type[BaseModel], mode: Mode) -> dict[str, str]:
        if (model, mode) not in self.pairs:
            self.pairs.append((model, mode))
        return {"$ref": f"#/{model.__name__}/{mode}"}  # resolved once the schemas are made


def _content(answer: Body, models: _Models) -> dict[str, Any] | None:
    if answer is None:
        return None
    if isinstance(answer, str):
        return {answer: {"schema": {"type": "string", "format": "binary"}}}
    return {"application/json": {"schema": models.ref(answer, "serialization")}}


def _operation(route: Route, method: str, declared: Operation, models: _Models,
               error: type[BaseModel]) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": declared.summary, "operationId": f"{method}_{route.path}"}
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1, "maxLength": 64}}
        for name in _PARAM.findall(route.path)]
    params += [{"name": name, "in": "query", "required": False, "description": text, "schema": {"type": "string"}}
               for name, text in declared.query.items()]
    params += [{"name": name, "in": "header", "required": required, "description": text,
                "schema": {"type": "string"}} for name, (text, required) in declared.headers.items()]
    if params:
        op["parameters"] = params
    if declared.body is not None:
        op["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": models.ref(declared.body, "validation")}}}
    if declared.files:
        fields = {name: {"type": "string", "format": "binary"} for name in declared.files}
        op["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "properties": fields, "required": list(declared.files)}}}}
    responses: dict[str, Any] = {}
    for status, answer in declared.answers.items():
        content = _content(answer, models)
        responses[str(status)] = {"description": "OK", **({"content": content} if content else {})}
    errors = dict(declared.errors)
    if declared.auth is not None:
        errors.setdefault(401, "auth_required, bad_token, token_expired, token_revoked")
        errors.setdefault(403, "forbidden")
    if declared.body is not None or declared.files:
        errors.setdefault(422, "invalid_request")
        errors.setdefault(413, "body_too_large")
    errors.setdefault(503, "unavailable")
    for status, codes in sorted(errors.items()):
        if str(status) in responses:  # an answer of its own (/healthz's 503 says which service is down)
            continue
        responses[str(status)] = {"description": codes, "content": {
            "application/json": {"schema": models.ref(error, "serialization")}}}
    op["responses"] = responses
    if declared.auth is not None:
        op["security"] = [{"bearer": []}]
        op["description"] = f"Who may: {declared.auth}."
    return op


def document(routes: Iterable[BaseRoute], *, title: str, version: str, description: str,
             error: type[BaseModel]) -> dict[str, Any]:
    models = _Models()
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        if not isinstance(route, Route) or not route.include_in_schema:
            continue
        declared = getattr(route.endpoint, "__operation__", None)
        if not isinstance(declared, Operation):
            continue
        for method in sorted(route.methods or ()):
            if method == "HEAD":
                continue
            paths.setdefault(route.path, {})[method.lower()] = _operation(route, method.lower(), declared, models,
                                                                          error)
    refs, top = models_json_schema(models.pairs, ref_template="#/components/schemas/{model}")
    names = {f"#/{model.__name__}/{mode}": ref for (model, mode), ref in refs.items()}

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            if set(node) == {"$ref"} and node["$ref"] in names:
                return names[node["$ref"]]
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": description},
        "paths": resolve(paths),
        "components": {"schemas": top.get("$defs", {}),
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
    }
