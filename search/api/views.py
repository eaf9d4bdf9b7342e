from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from search.selectors import FACET_KEYS, autocomplete, site_search


class HitSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.CharField()
    type = serializers.CharField(source="facets.type")
    score = serializers.FloatField()
    snippet = serializers.CharField(help_text="HTML with <mark> around matches")
    facets = serializers.DictField(child=serializers.CharField())


class SearchResponseSerializer(serializers.Serializer):
    query = serializers.CharField()
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    num_pages = serializers.IntegerField()
    results = HitSerializer(many=True)
    facets = serializers.DictField(
        child=serializers.ListField(child=serializers.ListField())
    )


class SuggestionSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.CharField()
    type = serializers.CharField()


FACET_PARAMS = [
    OpenApiParameter(key, str, description=f"facet filter: {key}") for key in FACET_KEYS
]


class SearchView(APIView):
    """Full-text search over everything the caller may see."""

    @extend_schema(
        tags=["search"],
        parameters=[
            OpenApiParameter("q", str, required=True),
            OpenApiParameter("page", int),
            *FACET_PARAMS,
        ],
        responses=SearchResponseSerializer,
    )
    def get(self, request):
        outcome = site_search(
            viewer=request.user,
            query=request.query_params.get("q", ""),
            selected={k: request.query_params.get(k, "") for k in FACET_KEYS},
            page_number=request.query_params.get("page", 1),
        )
        page = outcome.page
        data = {
            "query": outcome.query,
            "count": outcome.count,
            "page": page.number if page else 1,
            "num_pages": page.paginator.num_pages if page else 0,
            "results": HitSerializer(page.object_list if page else [], many=True).data,
            "facets": {
                k: [list(v) for v in values] for k, values in outcome.facets.items()
            },
        }
        return Response(data)


class AutocompleteView(APIView):
    @extend_schema(
        tags=["search"],
        parameters=[OpenApiParameter("q", str)],
        responses=SuggestionSerializer(many=True),
    )
    def get(self, request):
        return Response(
            autocomplete(viewer=request.user, prefix=request.query_params.get("q", ""))
        )
