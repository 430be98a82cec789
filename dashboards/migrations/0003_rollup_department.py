"""Rollups carry the department as a column (NULL: the organization-wide row), so every
breakdown can be read for a department restriction. The old `department:<id>` rows become the
department's `all` rows; the department rows of the other keys are made by
`manage.py rebuild_rollups` (docs/operations.md)."""

import django.db.models.deletion
from django.db import migrations, models

def forward(apps, schema_editor):
    """department:<id> rows become that department's `all` rows (rows of departments since
    deleted go); plain SQL, as on PostgreSQL so on the embedded mode's SQLite."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id FROM organizations_department")
        departments = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT id, key FROM dashboards_rollup WHERE key LIKE 'department:%'")
        for pk, key in cursor.fetchall():
            department = key.split(":", 1)[1]
            if department.isdigit() and int(department) in departments:
                cursor.execute("UPDATE dashboards_rollup SET department_id = %s, key = 'all' WHERE id = %s",
                               [int(department), pk])
            else:
                cursor.execute("DELETE FROM dashboards_rollup WHERE id = %s", [pk])


def backward(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DELETE FROM dashboards_rollup WHERE department_id IS NOT NULL AND key <> 'all'")
        cursor.execute("SELECT id, department_id FROM dashboards_rollup WHERE department_id IS NOT NULL")
        for pk, department in cursor.fetchall():
            cursor.execute("UPDATE dashboards_rollup SET key = %s, department_id = NULL WHERE id = %s",
                           [f"department:{department}", pk])


class Migration(migrations.Migration):

    dependencies = [
        ('dashboards', '0002_report_subscriptions'),
        ('organizations', '0004_api_keys'),
    ]

    operations = [
        migrations.AddField(
            model_name='rollup',
            name='department',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE,
                                    related_name='+', to='organizations.department'),
        ),
        migrations.RemoveConstraint(model_name='rollup', name='rollup_unique_slice'),
        migrations.RemoveIndex(model_name='rollup', name='dashboards__organiz_bcf460_idx'),
        migrations.RunPython(forward, backward),
        migrations.AddConstraint(
            model_name='rollup',
            constraint=models.UniqueConstraint(condition=models.Q(('department__isnull', True)),
                                               fields=('organization', 'survey', 'day', 'key'),
                                               name='rollup_unique_slice'),
        ),
        migrations.AddConstraint(
            model_name='rollup',
            constraint=models.UniqueConstraint(condition=models.Q(('department__isnull', False)),
                                               fields=('organization', 'survey', 'day', 'department', 'key'),
                                               name='rollup_unique_department_slice'),
        ),
        migrations.AddIndex(
            model_name='rollup',
            index=models.Index(fields=['organization', 'department', 'key', 'day'], name='rollup_scope_key_day'),
        ),
    ]
