"""A trigram index on the comments' upper case (PostgreSQL): the comment explorer's and the
responses list's search (`comment__icontains`, which Django writes as UPPER(comment) LIKE
UPPER(…)) finds a rare word without reading every answer, and ANALYZE keeps statistics on the
expression, so the planner knows how common a word is (issue 16). SQLite: nothing."""

from django.db import migrations

INDEX = "responses_response_comment_trgm"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON responses_response "
                          "USING gin (upper(comment) gin_trgm_ops)")
    schema_editor.execute("ANALYZE responses_response")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("responses", "0002_anonymous_key")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
