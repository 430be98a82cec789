"""An erased contact's words leave the comment insights' own copies: the example comments of the
suggested themes, and those a theme took from a suggestion when it was accepted (the answers
themselves, and their analyses, are the response stage's to blank)."""

from django.dispatch import receiver

from responses.privacy import contact_erased

from .services import erased_comments_scrub


@receiver(contact_erased)
def scrub_suggestions(sender, organization, contact_id, response_ids, comments=(), **kwargs):
    erased_comments_scrub(organization=organization, comments=comments)
