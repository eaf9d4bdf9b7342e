"""制度库 / 资源库 / 案例库: Wagtail pages, the category catalogue and attachments.

Editorial content lives in pages, so editors get drafts, moderation, scheduling and
revisions from Wagtail. Who may see a document is decided in library/selectors.py.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from treebeard.mp_tree import MP_Node
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from media.blocks import LessonMediaBlock


class LibraryKind(models.TextChoices):
    POLICY = "policy", _("Policy library")
    RESOURCE = "resource", _("Resource library")
    CASE = "case", _("Case library")


class DocumentStatus(models.TextChoices):
    CURRENT = "current", _("In force")
    REVISED = "revised", _("Revised")
    REPEALED = "repealed", _("Repealed")


class Category(MP_Node):
    """The hierarchical catalogue (e.g. the stages of a 党支部工作手册)."""

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=50, unique=True, allow_unicode=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    node_order_by = ["sort_order", "code"]
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class LibraryIndexPage(Page):
    """One library (制度库, 资源库, 案例库 …) listing its documents."""

    kind = models.CharField(_("kind"), max_length=20, choices=LibraryKind.choices)
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("kind"), FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["library.DocumentPage", "library.CasePage"]
    page_description = _("A library of policies, resources or cases")

    class Meta:
        verbose_name = _("library")

    def get_context(self, request, *args, **kwargs):
        from .selectors import library_listing

        context = super().get_context(request, *args, **kwargs)
        context.update(
            library_listing(viewer=request.user, library=self, params=request.GET)
        )
        return context


class LibraryDocumentBase(Page):
    """Fields shared by documents and cases."""

    doc_number = models.CharField(_("document number"), max_length=100, blank=True)
    issuing_body = models.CharField(_("issuing body"), max_length=200, blank=True)
    issued_on = models.DateField(_("issue date"), null=True, blank=True)
    effective_on = models.DateField(_("effective date"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=DocumentStatus.choices,
        default=DocumentStatus.CURRENT,
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    summary = models.TextField(_("summary"), blank=True)
    body = RichTextField(_("body"), blank=True)
    videos = StreamField(
        [("lesson", LessonMediaBlock())],
        blank=True,
        verbose_name=_("micro-lessons"),
        help_text=_("Videos or audio shown under the text, in the lesson player."),
    )
    audience_unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("visible only to"),
        help_text=_("Leave empty for everyone; otherwise only this unit's subtree."),
    )
    source_note = models.CharField(_("source"), max_length=300, blank=True)
    attachment_text = models.TextField(blank=True, editable=False)
    # ``tags`` is declared on each concrete page: taggit needs a through model
    # whose key points at that very model.

    search_fields = [
        *Page.search_fields,
        index.SearchField("doc_number", boost=2),
        index.SearchField("issuing_body"),
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("attachment_text"),
        index.RelatedFields("tags", [index.SearchField("name", boost=2)]),
        index.FilterField("status"),
        index.FilterField("category"),
        index.FilterField("issued_on"),
        index.FilterField("audience_unit"),
    ]

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("doc_number"),
                FieldPanel("issuing_body"),
                FieldPanel("issued_on"),
                FieldPanel("effective_on"),
                FieldPanel("status"),
                FieldPanel("category"),
                FieldPanel("tags"),
            ],
            heading=_("Document facts"),
        ),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("videos"),
        InlinePanel("attachments", label=_("Attachments")),
        FieldPanel("audience_unit"),
        FieldPanel("source_note"),
    ]
    parent_page_types = ["library.LibraryIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        abstract = True


class DocumentPageTag(TaggedItemBase):
    content_object = ParentalKey(
        "library.DocumentPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class CasePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "library.CasePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class DocumentPage(LibraryDocumentBase):
    tags = ClusterTaggableManager(
        through=DocumentPageTag, blank=True, verbose_name=_("tags")
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")


class CasePage(LibraryDocumentBase):
    """A good-practice case: which unit, when, and what stands out."""

    case_unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit of the case"),
    )
    case_date = models.DateField(_("date of the case"), null=True, blank=True)
    tags = ClusterTaggableManager(
        through=CasePageTag, blank=True, verbose_name=_("tags")
    )
    highlights = RichTextField(_("highlights"), blank=True)

    search_fields = [
        *LibraryDocumentBase.search_fields,
        index.SearchField("highlights"),
    ]
    content_panels = [
        *LibraryDocumentBase.content_panels[:3],
        MultiFieldPanel(
            [
                FieldPanel("case_unit"),
                FieldPanel("case_date"),
                FieldPanel("highlights"),
            ],
            heading=_("Case"),
        ),
        *LibraryDocumentBase.content_panels[3:],
    ]

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")


class PageAttachment(Orderable):
    page = ParentalKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="attachments"
    )
    document = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("file"),
    )

    panels = [FieldPanel("document")]

    class Meta(Orderable.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")


class ExtractionStatus(models.TextChoices):
    READY = "ready", _("Text extracted")
    FAILED = "failed", _("Could not be read")
    UNSUPPORTED = "unsupported", _("No text to extract")


class AttachmentText(models.Model):
    """The text of one uploaded file, extracted once per file content."""

    document = models.OneToOneField(
        "wagtaildocs.Document", on_delete=models.CASCADE, related_name="extracted"
    )
    file_hash = models.CharField(max_length=64)
    status = models.CharField(max_length=20, choices=ExtractionStatus.choices)
    text = models.TextField(blank=True)
    failure_reason = models.CharField(max_length=500, blank=True)
    extracted_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("attachment text")
        verbose_name_plural = _("attachment texts")

    def __str__(self) -> str:
        return f"{self.document_id}: {self.status}"
