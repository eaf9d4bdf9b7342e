"""The admin form for assets (wagtailmedia's ``MEDIA_FORM_BASE``): shape only; a
new or replaced file hands the asset to the processing service, new subtitles to
the subtitles service."""

from django import forms
from wagtailmedia.forms import BaseMediaForm

from .services.probe import MediaRejected
from .services.subtitles import subtitles_to_vtt


class MediaAssetForm(BaseMediaForm):
    def clean_subtitles(self):
        subtitles = self.cleaned_data.get("subtitles")
        if subtitles and "subtitles" in self.changed_data:
            try:
                subtitles_to_vtt(subtitles.read())
            except MediaRejected as rejected:
                raise forms.ValidationError(rejected.reason) from rejected
            finally:
                subtitles.seek(0)
        return subtitles

    def save(self, commit=True):
        new_file = self.instance.pk is None or "file" in self.changed_data
        new_subtitles = "subtitles" in self.changed_data
        asset = super().save(commit=commit)
        if commit:
            from .services.processing import media_file_uploaded
            from .services.subtitles import media_subtitles_changed

            if new_subtitles:
                media_subtitles_changed(asset_id=asset.pk)
            if new_file:
                media_file_uploaded(asset_id=asset.pk)
        return asset
