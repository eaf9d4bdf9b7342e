from django.apps import AppConfig


class BenchSearchConfig(AppConfig):
    name = "bench.searchapp"
    label = "bench_search"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Search benchmark"
