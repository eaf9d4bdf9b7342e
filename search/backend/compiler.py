"""Query compilers: a modelsearch query on a queryset → Whoosh query and filter."""

from __future__ import annotations

from functools import cached_property

from django.core.exceptions import FieldDoesNotExist
from django.db.models.functions.datetime import Extract
from django.db.models.lookups import Lookup
from modelsearch.backends.base import BaseSearchQueryCompiler
from whoosh import query as wq

from . import filters, schema
from .documents import autocomplete_columns, content_type, text_columns
from .query import AutocompleteQueryBuilder, Column, QueryBuilder


class WhooshSearchQueryCompiler(BaseSearchQueryCompiler):
    DEFAULT_OPERATOR = "and"
    # Ordering other than relevance is done by the database, expressions included.
    HANDLES_ORDER_BY_EXPRESSIONS = True
    builder_class = QueryBuilder

    @cached_property
    def columns(self) -> list[Column]:
        return text_columns(self.queryset.model, self.fields)

    @cached_property
    def whoosh_query(self) -> wq.Query:
        return self.builder_class(self.columns).compile(self.query)

    # Filters ---------------------------------------------------------------------

    def _column_for_path(self, field_path) -> tuple[str, str, bool]:
        """Whoosh field, Django field type, and whether it holds one value per row."""
        model = self.queryset.model
        parts = []
        single_valued = True
        for related in field_path[:-1]:
            relation = related.get_field(model)
            if relation.many_to_many or relation.one_to_many:
                single_valued = False
            parts.append(related.field_name)
            model = relation.related_model
        filter_field = field_path[-1]
        internal_type = filter_field.get_type(model)
        parts.append(filter_field.get_attname(model))
        try:
            own = filter_field.get_field(model)
        except FieldDoesNotExist:
            own = None
        if own is not None and (own.many_to_many or own.one_to_many):
            single_valued = False
        name = schema.column(schema.filter_kind(internal_type), parts)
        return name, internal_type, single_valued

    def _process_lookup(self, field_path, lookup, value):
        name, internal_type, single_valued = self._column_for_path(field_path)
        return filters.lookup_clause(
            name, internal_type, lookup, value, self.queryset, single_valued
        )

    def _process_match_none(self):
        return filters.NOTHING

    def _connect_filters(self, filters_, connector, negated):
        return filters.connect(filters_, connector, negated)

    def _get_filters_from_where_node(self, where_node, check_only=False):
        # modelsearch ignores "<parent>_ptr_id" lookups; they are primary-key
        # filters on a multi-table child (e.g. ChildPage.objects.filter(id=…)).
        if isinstance(where_node, Lookup) and not isinstance(where_node.lhs, Extract):
            target = getattr(where_node.lhs, "target", None)
            if target is not None and target.attname.endswith("_ptr_id"):
                if check_only:
                    return None
                if where_node.lhs.alias != self.queryset.query.base_table:
                    return filters.UNKNOWN
                return filters.pk_clause(
                    where_node.lookup_name, where_node.rhs, self.queryset
                )
        return super()._get_filters_from_where_node(where_node, check_only)

    @cached_property
    def filter_clause(self) -> filters.Clause:
        clause = self._get_filters_from_queryset()
        return clause if clause is not None else filters.EVERYTHING

    @cached_property
    def whoosh_filter(self) -> wq.Query:
        by_type = wq.Term(schema.CONTENT_TYPE, content_type(self.queryset.model))
        if self.filter_clause.query is None:
            return by_type
        return wq.And([by_type, self.filter_clause.query])

    @property
    def needs_database(self) -> bool:
        """Whether the database must filter or order the candidates Whoosh finds."""
        return not self.filter_clause.exact or not self.order_by_relevance


class WhooshAutocompleteQueryCompiler(WhooshSearchQueryCompiler):
    builder_class = AutocompleteQueryBuilder

    @cached_property
    def columns(self) -> list[Column]:
        return autocomplete_columns(self.queryset.model, self.fields)
