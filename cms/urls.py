from django.conf import settings
from django.contrib.auth.views import LogoutView
from django.urls import include, path, re_path
from django.views.decorators.clickjacking import xframe_options_sameorigin
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.documents.views import serve as document_serve

from assessments import views as board_views
from assessments.api.urls import urlpatterns as assessments_api_urls
from courses.api.urls import urlpatterns as courses_api_urls
from exams import views as exam_views
from exams.api.urls import urlpatterns as exams_api_urls
from library import views as library_views
from media.api.urls import urlpatterns as media_api_urls
from org import views as org_views
from org.api.urls import urlpatterns as org_api_urls
from search import views as search_views
from search.api.urls import urlpatterns as search_api_urls

from . import notification_views

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    # X-Frame-Options stays DENY everywhere but here: a document lesson shows its
    # PDF in a frame of our own page (SAMEORIGIN), never in someone else's
    re_path(
        r"^documents/(\d+)/(.*)$",
        xframe_options_sameorigin(document_serve.serve),
        name="wagtaildocs_serve",
    ),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/login/", org_views.login_view, name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("accounts/password/", org_views.password_change_view, name="password_change"),
    path("me/", org_views.me_view, name="me"),
    path("study/", include("courses.urls")),
    path("notifications/", include(notification_views.urlpatterns)),
    path("exams/", include(exam_views.urlpatterns)),
    path("library/", library_views.libraries_view, name="section_library"),
    path("search/", search_views.search_view, name="search"),
    path("lesson-media/", include("media.urls")),
    path("ranking/", include(board_views.urlpatterns)),
    path("display/", include("assessments.urls_display")),
    path("awards/", include("assessments.urls_awards")),
    path("members/", include("assessments.urls_card")),
    path("api/v1/", include(org_api_urls)),
    path("api/v1/", include(search_api_urls)),
    path("api/v1/", include(media_api_urls)),
    path("api/v1/", include(courses_api_urls)),
    path("api/v1/", include(exams_api_urls)),
    path("api/v1/", include(assessments_api_urls)),
    path("api/v1/", include("assessments.api.urls_display")),
    path("api/v1/", include("assessments.api.urls_awards")),
    path("api/v1/", include(notification_views.api_urlpatterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
