"""The REST API's router and OpenAPI hooks."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()


def exclude_non_api_paths(endpoints):
    """Keep Wagtail's internal admin API views out of the public schema."""
    return [e for e in endpoints if e[0].startswith("/api/v1/")]


def exception_handler(exc, context):
    """Services raise Django's ValidationError; the API answers 400 with it."""
    from django.core.exceptions import ValidationError as DjangoValidationError
    from rest_framework.exceptions import ValidationError
    from rest_framework.views import exception_handler as drf_handler

    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        exc = ValidationError(detail)
    return drf_handler(exc, context)
