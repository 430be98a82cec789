from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`{{ dict|get_item:key }}`: templates cannot index a dict by a variable."""
    if not mapping or not hasattr(mapping, "get"):
        return ""
    return mapping.get(key, "")
