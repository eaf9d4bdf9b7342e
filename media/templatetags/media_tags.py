from django import template

register = template.Library()


@register.filter
def clock(seconds) -> str:
    """912.4 → "15:12"; an hour or more → "1:02:05"."""
    try:
        total = round(float(seconds or 0))
    except (TypeError, ValueError):
        return ""
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
