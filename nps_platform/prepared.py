"""A hot statement as a server-side prepared statement on PostgreSQL.

Django sends every query with its values quoted into the text (psycopg's client-side binding),
so PostgreSQL parses and plans it each time. For a statement run for every request of a busy
path (a public answer: an INSERT of the answer and its outbox event, checking the survey in the
same statement) the planning costs the database more than the writing: prepared, the statement
is planned once per connection and later runs send only its values (pgbench, this statement, 8
clients: about 1.3–1.8 × the transactions a second). Pooled connections keep their prepared
statements from request to request.

`DB_PREPARED_STATEMENTS` off sends the same statement unprepared (server-side binding still):
for a PgBouncer in transaction mode older than 1.21, which cannot follow prepared statements."""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection


def fetch_one(sql: str, params: list) -> tuple | None:
    """Runs `sql` (with %s placeholders) on the default connection, in its transaction if one is
    open, and returns its first row. PostgreSQL only. Errors are Django's (IntegrityError, …);
    the statement is logged like any other when queries are (DEBUG, the tests' query capture)."""
    import psycopg  # PostgreSQL's driver: not needed by the embedded mode, which never comes here

    connection.ensure_connection()
    connection.validate_no_broken_transaction()
    started = time.monotonic()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=settings.DB_PREPARED_STATEMENTS)
        row = cursor.fetchone()
    if connection.queries_logged:
        connection.queries_log.append({"sql": f"{sql} -- {params!r}", "time": f"{time.monotonic() - started:.3f}"})
    return row
