import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.production")

django_application = get_wsgi_application()

# Heartbeats, the most frequent request, are answered in front of the middleware
# (courses/api/intake.py); everything else goes to Django.
from courses.api.intake import HeartbeatIntake  # noqa: E402

application = HeartbeatIntake(django_application)

# Load the Chinese dictionaries now rather than in the first search request.
from search.analysis import warm_up_in_background  # noqa: E402

warm_up_in_background()
