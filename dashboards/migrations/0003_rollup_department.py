"""Rollups carry the department as a column (NULL: the organization-wide row), so every
breakdown can be read for a department restriction. The old `department:<id>` rows become the
department's `all` rows; the department rows of the other keys are made by
`manage.py rebuild_rollups` (docs/operations.md)."""

import django.db.models.deletion
from django.db import migrations, models

FORWARD = [
    """UPDATE dashboards_rollup SET department_id = substring(key FROM 12)::bigint, key = 'all'
       WHERE key LIKE 'department:%'
         AND substring(key FROM 12)::bigint IN (SELECT id FROM organizations_department)""",
    "DELETE FROM dashboards_rollup WHERE key LIKE 'department:%'",
]
BACKWARD = [
    "DELETE FROM dashboards_rollup WHERE department_id IS NOT NULL AND key <> 'all'",
    """UPDATE dashboards_rollup SET key = 'department:' || department_id, department_id = NULL
       WHERE department_id IS NOT NULL""",
]


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
        migrations.RunSQL(FORWARD, BACKWARD),
        migrations.AddConstraint(
            model_name='rollup',
            constraint=models.UniqueConstraint(fields=('organization', 'survey', 'day', 'department', 'key'),
                                               name='rollup_unique_slice', nulls_distinct=False),
        ),
        migrations.AddIndex(
            model_name='rollup',
            index=models.Index(fields=['organization', 'department', 'key', 'day'], name='rollup_scope_key_day'),
        ),
    ]
