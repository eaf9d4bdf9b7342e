"""Forms of the examiners' exam screens (the services check everything again)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import GradingMethod, MultiplePolicy, ResultsRelease, ReviewAnswers

LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ExamForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(
        label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    paper = forms.ModelChoiceField(label=_("paper"), queryset=None)
    unit = forms.ModelChoiceField(label=_("organising unit"), queryset=None)
    target_units = forms.ModelMultipleChoiceField(
        label=_("units"),
        queryset=None,
        help_text=_("Members of these units and all units below them sit the exam."),
    )
    opens_at = forms.DateTimeField(label=_("opens at"), widget=LOCAL)
    closes_at = forms.DateTimeField(label=_("closes at"), widget=LOCAL)
    duration_minutes = forms.IntegerField(
        label=_("duration (minutes)"), min_value=1, initial=60
    )
    attempts_allowed = forms.IntegerField(
        label=_("attempts allowed"),
        min_value=0,
        initial=1,
        help_text=_("0: as many as the window allows"),
    )
    grading_method = forms.ChoiceField(
        label=_("grading method"), choices=GradingMethod.choices
    )
    pass_mark = forms.DecimalField(label=_("pass mark"), min_value=0, decimal_places=2)
    multiple_policy = forms.ChoiceField(
        label=_("multiple choice grading"), choices=MultiplePolicy.choices
    )
    partial_credit = forms.DecimalField(
        label=_("partial credit"), min_value=0, max_value=1, initial=0.5
    )
    results_release = forms.ChoiceField(
        label=_("results released"), choices=ResultsRelease.choices
    )
    review_answers = forms.ChoiceField(
        label=_("correct answers shown"),
        choices=ReviewAnswers.choices,
        initial=ReviewAnswers.AFTER_CLOSE,
    )
    review_explanations = forms.BooleanField(
        label=_("explanations shown"), required=False, initial=True
    )

    def __init__(self, *args, papers, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paper"].queryset = papers
        self.fields["unit"].queryset = units
        self.fields["target_units"].queryset = units


class OverrideForm(forms.Form):
    employee_no = forms.CharField(label=_("employee number"), max_length=30)
    extra_minutes = forms.IntegerField(label=_("extra minutes"), min_value=0, initial=0)
    closes_at = forms.DateTimeField(label=_("closes at"), required=False, widget=LOCAL)
    extra_attempts = forms.IntegerField(
        label=_("extra attempts"), min_value=0, initial=0
    )
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)


class MarkForm(forms.Form):
    answer = forms.IntegerField(widget=forms.HiddenInput)
    score = forms.DecimalField(label=_("score"), min_value=0, decimal_places=2)
    comment = forms.CharField(label=_("comment"), required=False, max_length=500)
