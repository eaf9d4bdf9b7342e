import pytest
from wagtail.models import Page

from cms.models import HomePage
from library.models import DocumentPage, LibraryIndexPage


@pytest.fixture
def home(db) -> Page:
    return HomePage.objects.get()


@pytest.fixture
def policies(home) -> LibraryIndexPage:
    library = LibraryIndexPage(title="制度库", slug="policies", kind="policy")
    home.add_child(instance=library)
    library.save_revision().publish()
    return library


@pytest.fixture
def publish(policies):
    def make(title, *, library=None, model=DocumentPage, **fields):
        page = model(title=title, **fields)
        (library or policies).add_child(instance=page)
        page.save_revision().publish()
        return model.objects.get(pk=page.pk)

    return make
