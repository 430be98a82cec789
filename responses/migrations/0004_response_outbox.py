"""The answers' outbox (responses.outbox): one row per saved, changed or deleted answer, written
in the answer's transaction and deleted by the worker that handled it.

Waking the consumers (PostgreSQL): a NOTIFY with every answer would serialise the commits (a
transaction that notifies holds a database-wide lock through its commit's flush: measured here,
about a third of the answers per second an insert alone reaches). So a consumer with nothing to
do marks `responses_outbox_wake.waiting` before it sleeps, and the statement trigger on the
outbox sends NOTIFY responses_outbox only if the mark is set, clearing it: an idle worker is woken
by the first answer at once, and a busy one (which takes what is due before it sleeps again) costs
the answers one read of a one-row table. SQLite (the embedded mode) has neither: it polls."""

import django.db.models.deletion
import django.db.models.functions.datetime
from django.db import migrations, models

NOTIFY = """
CREATE TABLE IF NOT EXISTS responses_outbox_wake (id integer PRIMARY KEY, waiting boolean NOT NULL);
INSERT INTO responses_outbox_wake (id, waiting) VALUES (1, false) ON CONFLICT (id) DO NOTHING;
CREATE OR REPLACE FUNCTION responses_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM responses_outbox_wake WHERE waiting) THEN
        UPDATE responses_outbox_wake SET waiting = false WHERE waiting;
        IF FOUND THEN
            PERFORM pg_notify('responses_outbox', '');
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER responses_outbox_notify AFTER INSERT ON responses_outbox
    FOR EACH STATEMENT EXECUTE FUNCTION responses_outbox_notify();
"""


def notify_add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(NOTIFY)


def notify_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS responses_outbox_notify ON responses_outbox")
        schema_editor.execute("DROP FUNCTION IF EXISTS responses_outbox_notify()")
        schema_editor.execute("DROP TABLE IF EXISTS responses_outbox_wake")


class Migration(migrations.Migration):

    dependencies = [
        ('organizations', '0008_organization_two_factor_required'),
        ('responses', '0003_comment_trigram'),
    ]

    operations = [
        migrations.CreateModel(
            name='ResponseOutbox',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('response_id', models.BigIntegerField()),
                ('survey_id', models.BigIntegerField()),
                ('answered_at', models.DateTimeField()),
                ('kind', models.PositiveSmallIntegerField(choices=[(1, 'created'), (2, 'changed'), (3, 'deleted')])),
                ('has_comment', models.BooleanField(default=False)),
                ('due_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now())),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('organization', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organizations.organization')),
            ],
            options={
                'db_table': 'responses_outbox',
                'indexes': [models.Index(fields=['due_at'], name='responses_outbox_due')],
            },
        ),
        migrations.RunPython(notify_add, notify_drop, elidable=False),
    ]
