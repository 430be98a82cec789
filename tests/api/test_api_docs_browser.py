"""/api/docs/ in a real browser under the real Content-Security-Policy (no bypass): Swagger UI
starts and lists the operations."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def strict_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(20000)
    violations: list[str] = []
    pg.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    pg.violations = violations
    yield pg
    pg.wait_for_load_state("networkidle")
    context.close()


def test_swagger_ui_lists_the_operations_under_the_csp(strict_page):
    response = strict_page.goto("/api/docs/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    strict_page.locator(".opblock").first.wait_for()
    paths = strict_page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/contacts/" in p.replace("\u200b", "") for p in paths), paths
    assert any("/api/v1/stats/summary/" in p.replace("\u200b", "") for p in paths), paths
    assert strict_page.locator(".opblock").count() >= 20
    assert not [v for v in strict_page.violations if "script" in v], strict_page.violations


def test_the_docs_page_carries_no_inline_script(client, db):
    html = client.get("/api/docs/").content.decode()
    # Every <script> either loads a file or is JSON data.
    import re

    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "<style" not in html
