"""The admin form for assets (wagtailmedia's ``MEDIA_FORM_BASE``): shape only; a
new or replaced file hands the asset to the processing service."""

from wagtailmedia.forms import BaseMediaForm


class MediaAssetForm(BaseMediaForm):
    def save(self, commit=True):
        new_file = self.instance.pk is None or "file" in self.changed_data
        asset = super().save(commit=commit)
        if commit and new_file:
            from .services.processing import media_file_uploaded

            media_file_uploaded(asset_id=asset.pk)
        return asset
