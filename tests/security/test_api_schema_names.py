"""Two API schemas with one class name become one component in the OpenAPI document: django-ninja merges
components by name, so one operation documented the other's body (POST /suggestions/{pk}/reply showed
the meetings' ReplyIn {reply: attend|leave} instead of {content}). Every schema class an app's API
defines has a name of its own."""

import collections
import importlib

import pydantic
from django.apps import apps


def test_api_schema_names_are_unique():
    for config in apps.get_app_configs():
        if config.name.startswith("zhengxie."):
            try:
                importlib.import_module(f"{config.name}.api")
            except ModuleNotFoundError:
                pass
    names = collections.defaultdict(set)

    def walk(cls):
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("zhengxie.") and "test" not in sub.__module__:
                names[sub.__name__].add(f"{sub.__module__}.{sub.__qualname__}")
            walk(sub)

    walk(pydantic.BaseModel)
    clashes = {name: sorted(where) for name, where in names.items() if len(where) > 1}
    assert not clashes, f"schema classes sharing a name (one hides the other in /api/openapi.json): {clashes}"
