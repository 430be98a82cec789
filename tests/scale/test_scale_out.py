"""Past one machine, for real (issue 21): two web processes (granian, nps_platform.serve) behind one address, two
Celery workers and beat on RabbitMQ (quorum queues), dashboards on a PostgreSQL streaming replica.
Each process is a "host" of its own: its own port, var/ and media directory; they share only
PostgreSQL, Redis and RabbitMQ. The tests run in this order on one stack (tests/scale/conftest.py);
the last one stops the replica."""

from __future__ import annotations

import re
import time

import pytest
import requests

from .conftest import LEASE, PEOPLE, PUBLIC_LIMIT
from .stack import sql, wait_until

pytestmark = [pytest.mark.scale, pytest.mark.worker]

CLAIM_CHUNK = 20  # distribution's claim chunk: at most this many may go twice after a dead worker


def get(s, url, **kwargs):
    # A new connection per request: the proxy hands each to the next web process.
    return s.get(url, headers={"Connection": "close"}, allow_redirects=False, timeout=30, **kwargs)


def post(s, url, data, **kwargs):
    return s.post(url, data=data, headers={"Connection": "close"}, allow_redirects=False, timeout=30, **kwargs)


def member(stack, who: str) -> requests.Session:
    s = requests.Session()
    s.cookies.set(stack.info["session_cookie"], stack.info[f"{who}_session"], domain="127.0.0.1", path="/")
    return s


def db(stack, query, params=()):
    """A query on the stack's primary."""
    return sql(query, params, dbname=stack.dbname, port=stack.primary.port)


def one(stack, query, params=()):
    return db(stack, query, params)[0][0]


def test_an_upload_made_on_one_host_is_served_by_every_host_from_the_shared_store(stack):
    logo = bytes.fromhex(stack.info["logo_hex"])
    assert stack.info["logo_url"] == "/media/" + stack.info["logo_name"]  # our own address, not the store's
    assert stack.info["logo_name"] in stack.store.keys()
    assert not [p for p in stack.stack.dir.rglob("*.png")], "a host kept the upload on its own disk"
    anyone = requests.Session()
    for _ in range(2):  # each web process in turn
        served = get(anyone, stack.url + stack.info["logo_url"])
        assert served.status_code == 200 and served.content == logo
        assert served.headers["Content-Type"] == "image/png"
    page = get(anyone, f"{stack.url}/s/{stack.info['public_token']}/")
    assert f'src="{stack.info["logo_url"]}"' in page.text
    assert get(anyone, f"{stack.url}/media/logos/not-there.png").status_code == 404


def test_a_public_link_on_two_web_processes_counts_once_shares_its_limit_and_its_survey_cache(stack):
    url = f"{stack.url}/s/{stack.info['public_token']}/"
    survey_id = stack.info["survey_id"]
    anyone = requests.Session()
    served_before = list(stack.proxy.served)
    for _ in range(2):  # both web processes now keep the survey in their per-process cache
        assert get(anyone, url).status_code == 200
    assert all(after > before for after, before in zip(stack.proxy.served, served_before, strict=True))

    # Paused on the primary: both processes notice at once (the cache is checked against a fingerprint).
    db(stack, "UPDATE surveys_survey SET status = 'paused' WHERE id = %s", [survey_id])
    assert [get(anyone, url).status_code for _ in range(2)] == [503, 503]
    db(stack, "UPDATE surveys_survey SET status = 'published' WHERE id = %s", [survey_id])
    assert [get(anyone, url).status_code for _ in range(2)] == [200, 200]

    # One browser answers, then changes its mind on the other web process: one response, updated.
    browser = requests.Session()
    first = post(browser, url, {"score": "2", "q_reason": "Slow delivery"})
    assert first.status_code == 302, first.text[:500]
    second = post(browser, url, {"score": "3"})
    assert second.status_code == 302
    assert one(stack, "SELECT count(*) FROM responses_response WHERE survey_id = %s", [survey_id]) == 1
    assert one(stack, "SELECT score FROM responses_response WHERE survey_id = %s", [survey_id]) == 3

    # The detractor alert reaches the owner once, from one of the workers on RabbitMQ.
    owner = stack.info["owner_email"]
    messages = stack.sink.wait_for(lambda ms: any(m["To"] == owner for m in ms), timeout=30)
    time.sleep(2)  # a second alert would come within this
    alerts = [m for m in stack.sink.messages if m["To"] == owner]
    assert len(alerts) == 1, [m["Subject"] for m in messages]
    assert alerts[0]["Subject"].startswith("[")

    # The per-address limit is counted across both processes: the (limit + 1)th POST is refused,
    # though neither process alone saw more than the limit.
    statuses = [post(requests.Session(), url, {"score": "9"}).status_code for _ in range(PUBLIC_LIMIT - 2 + 1)]
    assert statuses[:-1] == [302] * (PUBLIC_LIMIT - 2)
    assert statuses[-1] == 429
    assert one(stack, "SELECT count(*) FROM responses_response WHERE survey_id = %s", [survey_id]) == PUBLIC_LIMIT - 1


def test_a_campaign_on_two_workers_survives_a_worker_killed_mid_send(stack):
    campaign_id, survey_id = stack.info["campaign_id"], stack.info["survey_id"]
    db(stack, "UPDATE distribution_campaign SET next_run_at = now() WHERE id = %s", [campaign_id])
    stack.sink.wait_for(lambda ms: sum(m["To"].endswith("@kunde.dk") for m in ms) >= 40, timeout=60)
    stack.stack.kill("worker1")  # SIGKILL mid-campaign: its unacked batch goes back to RabbitMQ
    arrived = sum(stack.sink.to("p").values())
    assert arrived < PEOPLE, "the campaign finished before the kill; the test proves nothing"
    assert "distribution.invitations_send" in stack.stack.procs["worker1"].log_path.read_text()
    stack.stack.start(workers=1, first=3)  # its supervisor starts another one

    everyone = {f"p{i}@kunde.dk" for i in range(PEOPLE)}
    stack.sink.wait_for(lambda ms: {m["To"] for m in ms} >= everyone, timeout=60 + 3 * LEASE)
    counts = stack.sink.to("p")
    assert set(counts) == everyone, stack.stack.logs()
    twice = {to for to, n in counts.items() if n > 1}
    assert max(counts.values()) <= 2 and len(twice) <= CLAIM_CHUNK

    def all_marked():
        return one(stack, "SELECT count(*) FROM distribution_emailsend WHERE status <> 'sent'") == 0
    try:
        wait_until(all_marked, 20, what="every send marked sent")
    except AssertionError as exc:
        rows = db(stack, "SELECT status, maybe_duplicate, kind, count(*) FROM distribution_emailsend GROUP BY 1, 2, 3")
        raise AssertionError(f"{exc}: {rows}\n{stack.stack.logs()}") from None
    flagged = {row[0] for row in db(
        stack, "SELECT i.email FROM distribution_emailsend e JOIN distribution_invitation i ON i.id = e.invitation_id "
        "WHERE e.maybe_duplicate")}
    assert twice <= flagged and len(flagged) <= CLAIM_CHUNK
    assert one(stack, "SELECT count(*) FROM distribution_invitation WHERE campaign_id = %s", [campaign_id]) == PEOPLE
    page = get(member(stack, "owner"), f"{stack.url}/o/{stack.info['org_slug']}/campaigns/{campaign_id}/")
    assert page.status_code == 200
    if flagged:
        assert f"{len(flagged)} may have been sent twice" in page.text
    assert survey_id


def _csrf(page) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def test_signing_in_on_one_web_process_signs_in_on_the_other_and_signing_out_there_signs_out_here(stack):
    host_a, host_b = (f"http://127.0.0.1:{port}" for port in stack.stack.web_ports)
    dashboard = f"/o/{stack.info['org_slug']}/dashboard/"
    browser = requests.Session()  # one browser; its cookies go to both (a cookie has no port)
    form = get(browser, host_a + "/accounts/login/")
    assert form.status_code == 200
    signed_in = post(browser, host_a + "/accounts/login/", {
        "csrfmiddlewaretoken": _csrf(form), "login": stack.info["owner_email"], "password": "pass-Word-123"})
    assert signed_in.status_code == 302, signed_in.text[:2000]
    assert get(browser, host_a + dashboard).status_code == 200
    page = get(browser, host_b + dashboard)
    assert page.status_code == 200 and ">Relationship" in page.text

    confirm = get(browser, host_b + "/accounts/logout/")
    assert confirm.status_code == 200
    assert post(browser, host_b + "/accounts/logout/", {"csrfmiddlewaretoken": _csrf(confirm)}).status_code == 302
    for host in (host_a, host_b):
        gone = get(browser, host + dashboard)
        assert gone.status_code == 302 and "/accounts/login/" in gone.headers["Location"]


def _survey_settings_post(stack, s, name: str):
    url = f"{stack.url}/o/{stack.info['org_slug']}/surveys/{stack.info['survey_id']}/settings/"
    form = get(s, url)
    assert form.status_code == 200, form.status_code
    done = post(s, url, {"csrfmiddlewaretoken": _csrf(form), "name": name, "kind": stack.info["survey_kind"],
                         "company_name": "Scale", "default_language": "en", "languages": ["en", "da"]})
    assert done.status_code == 302, done.text[:2000]


def test_dashboards_read_from_the_replica_a_fresh_edit_from_the_primary_and_a_stopped_replica_changes_nothing(
        stack):
    dashboard = f"{stack.url}/o/{stack.info['org_slug']}/dashboard/"
    owner, viewer = member(stack, "owner"), member(stack, "viewer")

    def replica_transactions() -> int:
        return sql("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s", [stack.dbname],
                   port=stack.replica.port)[0][0]
    for _ in range(2):  # a session made on one "host" is good on the other
        page = get(viewer, dashboard)
        assert page.status_code == 200 and ">Relationship<" in page.text

    # The replica stops applying the primary's changes: what it serves is what it had.
    sql("SELECT pg_wal_replay_pause()", port=stack.replica.port)
    try:
        _survey_settings_post(stack, owner, "Relationship 2027")
        assert one(stack, "SELECT name FROM surveys_survey WHERE id = %s", [stack.info["survey_id"]]) \
            == "Relationship 2027"
        # The owner just saved it: their dashboard reads the primary (on either web process).
        for _ in range(2):
            assert ">Relationship 2027<" in get(owner, dashboard).text
        # Everyone else reads the replica, which has not seen the change yet; the replica counts
        # the transactions those pages ran in the stack's database.
        before = replica_transactions()
        for _ in range(2):
            page = get(viewer, dashboard)
            assert page.status_code == 200
            assert ">Relationship<" in page.text and "Relationship 2027" not in page.text
        wait_until(lambda: replica_transactions() > before, 10, what="the replica counting the dashboards' reads")
        # A few seconds later the owner's reads go back to the replica too.
        time.sleep(4.5)
        assert "Relationship 2027" not in get(owner, dashboard).text
    finally:
        sql("SELECT pg_wal_replay_resume()", port=stack.replica.port)
    wait_until(lambda: ">Relationship 2027<" in get(viewer, dashboard).text, 20, what="the replica catching up")

    # The replica goes away: the dashboards keep working from the primary.
    stack.replica.stop()
    _survey_settings_post(stack, owner, "Relationship 2028")
    time.sleep(4.5)  # past the owner's pin: these reads would go to the replica if it were there
    for s in (viewer, viewer, owner):
        page = get(s, dashboard)
        assert page.status_code == 200 and ">Relationship 2028<" in page.text
    assert requests.get(f"{stack.url}/healthz", timeout=10).status_code == 200
