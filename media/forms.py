"""The admin form for assets (wagtailmedia's ``MEDIA_FORM_BASE``): shape only; what
a save sets off (processing, subtitles) is ``media_asset_saved``'s."""

from django import forms
from django.db import transaction
from wagtailmedia.forms import BaseMediaForm

from .services.probe import MediaRejected
from .services.subtitles import check_size, subtitles_to_vtt


class MediaAssetForm(BaseMediaForm):
    def clean_subtitles(self):
        subtitles = self.cleaned_data.get("subtitles")
        if subtitles and "subtitles" in self.changed_data:
            try:
                check_size(subtitles.size)  # before a byte of it is read
                subtitles_to_vtt(subtitles.read())
            except MediaRejected as rejected:
                raise forms.ValidationError(rejected.reason) from rejected
            finally:
                subtitles.seek(0)
        return subtitles

    def _editorial_fields(self) -> list[str]:
        """The columns this form edits. The rest (status, renditions, output
        folder, …) belong to the pipeline and may have changed since the form's
        row was read: a save must not write the old values back."""
        return [
            field.name
            for field in self.instance._meta.concrete_fields
            if field.name in self.fields
        ]

    def save(self, commit=True):
        if not commit:
            return super().save(commit=False)
        from .services.assets import media_asset_saved

        new = self.instance.pk is None
        file_changed = new or "file" in self.changed_data
        subtitles_changed = "subtitles" in self.changed_data
        with transaction.atomic():
            if new:
                asset = super().save()
            else:
                asset = self.instance
                asset.save(update_fields=self._editorial_fields())
                self._save_m2m()
            self.instance = media_asset_saved(
                asset_id=asset.pk,
                file_changed=file_changed,
                subtitles_changed=subtitles_changed,
            )
        return self.instance
