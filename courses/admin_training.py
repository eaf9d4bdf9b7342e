"""Admin screens for training: their URLs and menu items are registered here as
Wagtail hooks (imported by courses/wagtail_hooks.py)."""
