"""Smoke test of a running `make run`: waits for /healthz, logs in as the demo admin and opens
the demo organization. Exits non-zero with a reason on any failure."""

from __future__ import annotations

import http.cookiejar
import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def main(base: str) -> int:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    deadline = time.monotonic() + 240
    health = None
    while time.monotonic() < deadline:
        try:
            with opener.open(f"{base}/healthz", timeout=5) as r:
                health = json.load(r)
                break
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(1)
    if health is None:
        print("the server did not answer /healthz in time")
        return 1
    print("healthz:", health)
    if health.get("database") != "ok" or health.get("broker") != "ok":
        return 1
    with opener.open(f"{base}/accounts/login/", timeout=10) as r:
        page = r.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"login": "admin@demo.example", "password": "demo-nps-2026",
                                   "csrfmiddlewaretoken": token, "next": "/o/demo/"}).encode()
    login_url = f"{base}/accounts/login/"
    request = urllib.request.Request(login_url, data=data, headers={"Referer": login_url})
    with opener.open(request, timeout=10) as r:
        landed, body = r.geturl(), r.read().decode()
    if not landed.endswith("/o/demo/") or "Demo Company" not in body:
        print("login did not reach the demo organization:", landed)
        return 1
    print("logged in as the demo admin and opened", landed)

    # The demo campaign, started from its page, is sent by the worker on beat's next tick.
    with opener.open(f"{base}/o/demo/campaigns/", timeout=10) as r:
        campaign = re.search(r'href="(/o/demo/campaigns/\d+/)"', r.read().decode()).group(1)
    with opener.open(f"{base}{campaign}", timeout=10) as r:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.read().decode()).group(1)
    data = urllib.parse.urlencode({"action": "start", "csrfmiddlewaretoken": token}).encode()
    request = urllib.request.Request(f"{base}{campaign}action/", data=data, headers={"Referer": f"{base}{campaign}"})
    opener.open(request, timeout=10).close()
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        with opener.open(f"{base}/dev/outbox/", timeout=10) as r:
            sent = r.read().decode().count("vil gerne høre fra dig")
        if sent:
            print(f"the worker sent {sent} survey emails to the local outbox")
            return 0
        time.sleep(3)
    print("no survey email reached the outbox within 3 minutes")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
