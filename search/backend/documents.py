"""From model instances to Whoosh documents, and from models to their columns."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.encoding import force_str
from modelsearch.index import (
    AutocompleteField,
    FilterField,
    RelatedFields,
    SearchField,
    get_indexed_models,
)

from search.analysis import join_values

from . import schema
from .query import Column


def content_type(model) -> str:
    return model._meta.concrete_model._meta.label_lower


def content_types(model) -> list[str]:
    """The model's content type and those of its indexed ancestors."""
    labels = [content_type(model)]
    parent = model.indexed_get_parent()
    while parent is not None:
        labels.append(content_type(parent))
        parent = parent.indexed_get_parent()
    return labels


def document_key(obj) -> str:
    return str(obj.pk)


def _texts(value) -> Iterator[str]:
    if value is None:
        return
    if isinstance(value, str):
        if value:
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, (list, tuple, set)):
        for item in value:
            yield from _texts(item)
    else:
        yield force_str(value)


def _filter_values(value) -> list:
    if isinstance(value, (models.Manager, models.QuerySet)):
        return list(value.all())
    if isinstance(value, (list, tuple, set)):
        return list(value)
    return [value]


def _related_objects(related: RelatedFields, obj) -> list:
    value = related.get_value(obj)
    if value is None:
        return []
    if isinstance(value, (models.Manager, models.QuerySet)):
        return list(value.all())
    if callable(value):
        value = value()
    return [value]


class DocumentBuilder:
    """Collects the values of one object's search_fields into Whoosh fields."""

    def __init__(self, model) -> None:
        self.model = model

    def build(self, obj) -> dict:
        self.texts: dict[str, list[str]] = {}
        self.filters: dict[str, list] = {}
        self._walk(self.model, obj, self.model.get_search_fields(), [])
        document = {
            schema.PK: document_key(obj),
            schema.CONTENT_TYPE: content_types(self.model),
        }
        for name, values in self.texts.items():
            if values:
                document[name] = join_values(values)
        for name, values in self.filters.items():
            if values:
                document[name] = values
        present = [n for n, v in self.filters.items() if v]
        if present:
            document[schema.PRESENT] = present
        return document

    def _walk(self, model, obj, search_fields, path: list[str]) -> None:
        for search_field in search_fields:
            if isinstance(search_field, RelatedFields):
                try:
                    related_model = search_field.get_field(model).related_model
                except FieldDoesNotExist:
                    continue
                sub_path = [*path, search_field.field_name]
                for sub_obj in _related_objects(search_field, obj):
                    self._walk(related_model, sub_obj, search_field.fields, sub_path)
            elif isinstance(search_field, FilterField):
                self._add_filter(model, obj, search_field, path)
            elif isinstance(search_field, (SearchField, AutocompleteField)):
                kind = (
                    schema.TEXT
                    if isinstance(search_field, SearchField)
                    else schema.AUTOCOMPLETE
                )
                name = schema.column(kind, [*path, search_field.field_name])
                values = self.texts.setdefault(name, [])
                values.extend(_texts(search_field.get_value(obj)))

    def _add_filter(self, model, obj, search_field: FilterField, path) -> None:
        internal_type = search_field.get_type(model)
        name = schema.column(
            schema.filter_kind(internal_type),
            [*path, search_field.get_attname(model)],
        )
        values = self.filters.setdefault(name, [])
        for value in _filter_values(search_field.get_value(obj)):
            try:
                encoded = schema.encode(value, internal_type)
            except (TypeError, ValueError):
                continue
            if encoded is not None and encoded not in values:
                values.append(encoded)


# Columns used by queries -----------------------------------------------------


def _searchable_models(model) -> list:
    """The model and its indexed subclasses: their documents are in the results."""
    subclasses = [
        other
        for other in get_indexed_models()
        if other is not model and issubclass(other, model)
    ]
    return [model, *subclasses]


def _walk_columns(fields, kind, field_type, path) -> Iterator[Column]:
    for search_field in fields:
        if isinstance(search_field, RelatedFields):
            yield from _walk_columns(
                search_field.fields, kind, field_type, [*path, search_field.field_name]
            )
        elif type(search_field) is field_type or (
            field_type is SearchField and isinstance(search_field, SearchField)
        ):
            boost = getattr(search_field, "boost", None) or 1.0
            yield Column(
                schema.column(kind, [*path, search_field.field_name]), float(boost)
            )


def _columns(model, kind, field_type, names: Iterable[str] | None) -> list[Column]:
    found: dict[str, Column] = {}
    for other in _searchable_models(model):
        if names is not None:
            fields = [
                f
                for f in other.get_search_fields()
                if isinstance(f, field_type) and f.field_name in names
            ]
        else:
            fields = other.get_search_fields()
        for col in _walk_columns(fields, kind, field_type, []):
            found.setdefault(col.name, col)
        if names is not None:
            break  # named fields are those of the searched model itself
    return list(found.values())


def text_columns(model, names: Iterable[str] | None = None) -> list[Column]:
    return _columns(model, schema.TEXT, SearchField, names)


def autocomplete_columns(model, names: Iterable[str] | None = None) -> list[Column]:
    return _columns(model, schema.AUTOCOMPLETE, AutocompleteField, names)
