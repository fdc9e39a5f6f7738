"""The Bot API as data: which methods exist and how their parameters decode and validate."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from bot.sandbox.errors import bad_request

SPEC_RESOURCE = "data/bot-api-spec.json"
_INTEGER = re.compile(r"-?\d+")
_TRUE = {"true", "1"}
_FALSE = {"false", "0"}
# Where Telegram's wording for a missing parameter is not "<name> is empty".
_EMPTY_WORDING = {
    "text": "message text is empty",
    "message_id": "message identifier is not specified",
    "photo": "there is no photo in the request",
    "document": "there is no document in the request",
}


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    name: str
    filename: str | None
    content_type: str | None
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class FieldSpec:
    """One parameter of a method, or one field of an object type."""

    name: str
    types: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class MethodSpec:
    """One Bot API method."""

    name: str
    fields: dict[str, FieldSpec]


@dataclass
class Decoded:
    """Parameters after decoding, with the warnings a lenient sandbox gave instead of a 400."""

    params: dict[str, Any]
    warnings: list[str]


def _fields(raw: list[dict[str, Any]]) -> dict[str, FieldSpec]:
    return {f["name"]: FieldSpec(f["name"], tuple(f["types"]), bool(f["required"])) for f in raw}


class Spec:
    """Methods and types of the Bot API spec, looked up case-insensitively like Telegram does."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.version = str(raw.get("version", ""))
        self.methods = {
            name.lower(): MethodSpec(name, _fields(m.get("fields", [])))
            for name, m in raw["methods"].items()
        }
        self.types: dict[str, dict[str, Any]] = raw["types"]
        self._type_fields = {
            name: _fields(t["fields"]) for name, t in self.types.items() if "fields" in t
        }

    def method(self, name: str) -> MethodSpec | None:
        """The method called `name` in any letter case, if the API has it."""
        return self.methods.get(name.lower())

    def decode(self, method: MethodSpec, raw: dict[str, Any], *, strict: bool) -> Decoded:
        """Decode form/JSON values per the spec's field types; raise ApiError(400) like Telegram."""
        params: dict[str, Any] = {}
        warnings: list[str] = []
        for name, value in raw.items():
            spec = method.fields.get(name)
            if spec is None:
                if strict:
                    raise bad_request(f'unknown parameter "{name}"')
                warnings.append(f'unknown parameter "{name}" ignored')
                params[name] = value
                continue
            params[name] = self._decode_value(spec, value, strict=strict)
        for spec in method.fields.values():
            if spec.required and params.get(spec.name) in (None, ""):
                raise bad_request(_EMPTY_WORDING.get(spec.name, f"{spec.name} is empty"))
        return Decoded(params, warnings)

    def _decode_value(self, spec: FieldSpec, value: Any, *, strict: bool) -> Any:
        scalars = [t for t in spec.types if t in _SCALARS]
        for type_name in scalars:
            decoded = _SCALARS[type_name](value)
            if decoded is not _NO:
                return decoded
        composite = [t for t in spec.types if t not in _SCALARS]
        if not composite:
            expected = " or ".join(spec.types)
            raise bad_request(f'invalid parameter "{spec.name}": expected {expected}')
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {spec.name} JSON object") from None
        problems = [self.check(value, t, spec.name, strict=strict) for t in composite]
        if all(problems):
            raise bad_request(f"can't parse {spec.name}: {problems[0]}")
        return value

    def check(self, value: Any, type_expr: str, path: str, *, strict: bool) -> str | None:
        """Why `value` does not fit `type_expr` (e.g. "Array of BotCommand"), or None if it fits."""
        if type_expr.startswith("Array of "):
            if not isinstance(value, list):
                return f"{path} must be an array"
            inner = type_expr.removeprefix("Array of ")
            for i, item in enumerate(value):
                problem = self.check(item, inner, f"{path}[{i}]", strict=strict)
                if problem:
                    return problem
            return None
        if type_expr in _JSON_SCALARS:
            return None if _JSON_SCALARS[type_expr](value) else f"{path} must be {type_expr}"
        definition = self.types.get(type_expr)
        if definition is None:
            return None  # a type the spec does not describe: nothing to hold it to
        subtypes = definition.get("subtypes")
        if subtypes:
            problems = [self.check(value, s, path, strict=strict) for s in subtypes]
            return None if not all(problems) else problems[0]
        return self._check_object(value, type_expr, path, strict=strict)

    def _check_object(self, value: Any, type_name: str, path: str, *, strict: bool) -> str | None:
        if not isinstance(value, dict):
            return f"{path} must be an object ({type_name})"
        fields = self._type_fields.get(type_name, {})
        for name, wanted in fields.items():
            if wanted.required and name not in value:
                return f'{path} is a {type_name} without required field "{name}"'
        for name, item in value.items():
            known = fields.get(name)
            if known is None:
                if strict:
                    return f'{path} has field "{name}" unknown in {type_name}'
                continue
            problems = [self.check(item, t, f"{path}.{name}", strict=strict) for t in known.types]
            if all(problems):
                return problems[0]
        return None


class _Missing:
    """Marks a value that does not decode as the type tried."""


_NO: Any = _Missing()


def _integer(value: Any) -> Any:
    if isinstance(value, bool):
        return _NO
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value)
    return _NO


def _float(value: Any) -> Any:
    if isinstance(value, bool):
        return _NO
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return _NO
    return _NO


def _boolean(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return _NO


def _string(value: Any) -> Any:
    if isinstance(value, str):
        return value
    # A JSON body may carry numbers where the API wants strings; Telegram accepts them.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return _NO


def _input_file(value: Any) -> Any:
    return value if isinstance(value, Upload) else _NO


_SCALARS = {
    "Integer": _integer,
    "Float": _float,
    "Boolean": _boolean,
    "True": _boolean,
    "String": _string,
    "InputFile": _input_file,
}

_JSON_SCALARS = {
    "Integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "Float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "Boolean": lambda v: isinstance(v, bool),
    "True": lambda v: v is True,
    "String": lambda v: isinstance(v, str),
    # Inside JSON (InputMedia.media) a file is named by a string: an id, a URL or attach://.
    "InputFile": lambda v: isinstance(v, str | Upload),
}


@functools.cache
def load_spec() -> Spec:
    """The spec shipped as package data, parsed once per process."""
    text = resources.files("bot.sandbox").joinpath(SPEC_RESOURCE).read_text(encoding="utf-8")
    return Spec(json.loads(text))
