"""Admin forms of the question bank: shapes and types only (scope and rules are
in the selectors and services)."""

from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from .importers import detect_format
from .models import Difficulty, PaperKind, QuestionType

MAX_UPLOAD_MB = 20

FORMAT_CHOICES = [
    ("", _("Detect from the file name")),
    ("xlsx", _("Excel template (.xlsx)")),
    ("gift", _("Moodle GIFT (.gift, .txt)")),
    ("xml", _("Moodle XML (.xml)")),
    ("aiken", _("Aiken (.aiken, .txt)")),
]


class BankForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(
        label=_("Description"), max_length=200, required=False
    )
    owner_unit = forms.ModelChoiceField(
        label=_("Owning unit"),
        queryset=None,
        help_text=_(
            "Examiners of this unit and of the units above it manage the bank."
        ),
    )
    practice = forms.BooleanField(
        label=_("open for practice"),
        required=False,
        help_text=_(
            "Members of the owning unit's subtree practise with it (daily quiz, "
            "practice by category). Leave it closed for exam questions."
        ),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = units


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Question file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.gift,.txt,.xml"}),
        help_text=_("Excel (.xlsx), Moodle GIFT, Moodle XML or Aiken, at most 20 MB."),
    )
    format = forms.ChoiceField(
        label=_("Format"), choices=FORMAT_CHOICES, required=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": MAX_UPLOAD_MB}
            )
        return upload

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload and not data.get("format"):
            found = detect_format(Path(upload.name))
            if found is None:
                self.add_error(
                    "format",
                    _(
                        "The file name does not tell the format (.xlsx, .gift, "
                        ".xml, .aiken): choose it here."
                    ),
                )
            data["format"] = found
        return data


class BulkForm(forms.Form):
    """The bank page's bulk action over the ticked questions."""

    ACTIONS = [
        ("archive", _("Archive")),
        ("restore", _("Restore")),
        ("move", _("Move to category")),
    ]
    action = forms.ChoiceField(choices=ACTIONS)
    question = forms.ModelMultipleChoiceField(
        queryset=None, error_messages={"required": _("Tick at least one question.")}
    )
    category = forms.ModelChoiceField(queryset=None, required=False)
    confirm = forms.BooleanField(required=False)

    def __init__(self, *args, questions, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].queryset = questions
        self.fields["category"].queryset = categories


class PaperForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=PaperKind.choices,
        widget=forms.RadioSelect,
        initial=PaperKind.FIXED,
        help_text=_(
            "A fixed paper has hand-picked questions; a random paper draws "
            "questions for each candidate by rules."
        ),
    )
    shuffle_questions = forms.BooleanField(
        label=_("Shuffle the questions (within each type)"),
        required=False,
        initial=True,
    )
    shuffle_options = forms.BooleanField(
        label=_("Shuffle the options"), required=False, initial=True
    )


class PaperSettingsForm(forms.Form):
    """Rename a paper and set its shuffling (the kind never changes)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    shuffle_questions = forms.BooleanField(
        label=_("Shuffle the questions (within each type)"), required=False
    )
    shuffle_options = forms.BooleanField(label=_("Shuffle the options"), required=False)


class RuleChangeForm(forms.Form):
    """A rule's number of questions and score each, changed in place."""

    count = forms.IntegerField(label=_("Number of questions"), min_value=1)
    score = forms.DecimalField(
        label=_("Score each"), min_value=0.01, max_digits=5, decimal_places=2
    )


DIFFICULTY_CHOICES = [("", _("Any")), *Difficulty.choices]


class RuleForm(forms.Form):
    """One rule to add to a random paper (the service checks the bank can fill it)."""

    type = forms.ChoiceField(label=_("Type"), choices=QuestionType.choices)
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=None,
        required=False,
        empty_label=_("Whole bank"),
    )
    difficulty_min = forms.TypedChoiceField(
        label=_("Lowest difficulty"),
        choices=DIFFICULTY_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )
    difficulty_max = forms.TypedChoiceField(
        label=_("Highest difficulty"),
        choices=DIFFICULTY_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )
    count = forms.IntegerField(label=_("Number of questions"), min_value=1)
    score = forms.DecimalField(
        label=_("Score each"), min_value=0.01, max_digits=5, decimal_places=2
    )

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
        self.fields["category"].label_from_instance = lambda c: (
            "\u3000" * (c.depth - 1) + ("└ " if c.depth > 1 else "") + c.name
        )


class ItemsAddForm(forms.Form):
    """Questions ticked from the bank list to add to a fixed paper."""

    question = forms.ModelMultipleChoiceField(
        queryset=None, error_messages={"required": _("Tick at least one question.")}
    )
    score = forms.DecimalField(
        label=_("Score each"),
        required=False,
        min_value=0.01,
        max_digits=5,
        decimal_places=2,
        help_text=_("Empty: each question's default score."),
    )

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].queryset = questions
