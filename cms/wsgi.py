import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.production")

application = get_wsgi_application()

# Load the Chinese dictionaries now rather than in the first search request.
from search.analysis import warm_up_in_background  # noqa: E402

warm_up_in_background()
