"""connexion's Jsonifier backed by orjson (AsyncApp(jsonifier=...)): faster JSON answers."""

from __future__ import annotations

from typing import Any

import orjson
from connexion.jsonifier import Jsonifier


class OrjsonText:
    """The part of the json module that connexion's Jsonifier uses, answering str as json does."""

    loads = staticmethod(orjson.loads)

    @staticmethod
    def dumps(data: Any, **_json_kwargs: Any) -> str:  # Jsonifier passes cls=JSONEncoder
        return orjson.dumps(data).decode()


def orjson_jsonifier() -> Jsonifier:
    return Jsonifier(OrjsonText)
