"""The invitation email as sent (the SMTP bytes) fits a phone: rendered at 320 and 375 px there is
no horizontal scrolling, and the eleven score buttons stay one row of tappable cells. The dev
outbox shows the same HTML, styled, in a sandboxed frame."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest
from django.utils import timezone

from contacts.models import Contact
from distribution.emails import invitation_prebuilt
from distribution.models import EmailSend
from distribution.services import invitation_for as _invitation_for
from nps_platform.tenancy import tenant_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sent_html(organization, owner, survey, campaign, name="Anne-Sofie Kristensen-Møllerhøj") -> str:
    with tenant_context(organization):
        contact = Contact.objects.create(organization=organization, email="anne@x.dk", name=name, language="da")
        invitation = _invitation_for(campaign, contact, survey.current_version.definition, timezone.now())
        invitation.save()
        prebuilt = invitation_prebuilt(invitation=invitation, kind=EmailSend.Kind.INVITATION, cache={})
    msg = message_from_bytes(prebuilt.data, policy=policy.default)
    return msg.get_body(preferencelist=("html",)).get_content()


@pytest.mark.parametrize("width", [320, 375])
def test_the_sent_invitation_fits_a_phone(browser, make_org, published_survey, campaign_for, width):
    organization, owner = make_org("Cykelmageren Østerbro ApS")
    survey = published_survey(organization, owner, languages=("da", "en"))
    campaign = campaign_for(organization, owner, survey, start=False)
    html = sent_html(organization, owner, survey, campaign)
    context = browser.new_context(viewport={"width": width, "height": 800}, java_script_enabled=True)
    page = context.new_page()
    page.set_content(html)
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"{scroll} px wide at {width} px"
    cells = page.evaluate("""[...document.querySelectorAll('a[href*="score="]')].map(a => {
        const r = a.getBoundingClientRect();
        return [a.textContent.trim(), r.left, r.right, r.top, r.width, r.height]; })""")
    assert [c[0] for c in cells] == [str(n) for n in range(11)]
    assert len({round(c[3]) for c in cells}) == 1  # one row: the scale reads 0 to 10
    assert all(c[1] >= 0 and c[2] <= inner for c in cells)
    assert min(c[4] for c in cells) >= 20 and min(c[5] for c in cells) >= 36  # tappable
    context.close()


def test_the_outbox_shows_the_sent_html_styled(browser, live_server, settings, tmp_path, make_org, published_survey,
                                               campaign_for):
    from django.core.mail import get_connection

    settings.DEBUG = True
    settings.EMAIL_OUTBOX_DIR = tmp_path
    organization, owner = make_org("Cykelmageren")
    survey = published_survey(organization, owner, languages=("da", "en"))
    campaign = campaign_for(organization, owner, survey, start=False)
    with tenant_context(organization):
        contact = Contact.objects.create(organization=organization, email="bo@x.dk", name="Bo", language="da")
        invitation = _invitation_for(campaign, contact, survey.current_version.definition, timezone.now())
        invitation.save()
        from distribution.emails import invitation_email

        message = invitation_email(invitation=invitation, kind=EmailSend.Kind.INVITATION)
        message.connection = get_connection("nps_platform.mail.OutboxEmailBackend")
        message.send()
    message_id = next(tmp_path.glob("*.eml")).stem
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1000, "height": 900})  # real CSP
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"/dev/outbox/{message_id}/")
    frame = page.frame_locator("iframe.outbox-frame")
    button = frame.locator('a[href*="score=10"]')
    button.wait_for()
    assert button.evaluate("a => getComputedStyle(a).fontWeight") == "700"  # the inline styles apply
    assert button.evaluate("a => getComputedStyle(a).textDecorationLine") == "none"
    assert not errors, errors
    context.close()
