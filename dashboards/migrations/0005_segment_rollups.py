"""Segment rollups (issue 16): `SegmentRollup`, the rollup rows of one saved segment's answers, and
`SegmentRollupState`, whether they may be read. Empty at first: a segment's dashboard counts the
raw answers until its rollups are built (on the segment's next save, its first dashboard view,
or `manage.py rebuild_rollups`)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0002_import_duplicates'),
        ('dashboards', '0004_report_every_labels'),
        ('organizations', '0008_organization_two_factor_required'),
        ('surveys', '0003_ask_employee'),
    ]

    operations = [
        migrations.CreateModel(
            name='SegmentRollup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('key', models.CharField(max_length=120)),
                ('c0', models.PositiveIntegerField(default=0)),
                ('c1', models.PositiveIntegerField(default=0)),
                ('c2', models.PositiveIntegerField(default=0)),
                ('c3', models.PositiveIntegerField(default=0)),
                ('c4', models.PositiveIntegerField(default=0)),
                ('c5', models.PositiveIntegerField(default=0)),
                ('c6', models.PositiveIntegerField(default=0)),
                ('c7', models.PositiveIntegerField(default=0)),
                ('c8', models.PositiveIntegerField(default=0)),
                ('c9', models.PositiveIntegerField(default=0)),
                ('c10', models.PositiveIntegerField(default=0)),
                ('comments', models.PositiveIntegerField(default=0)),
                ('department', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organizations.department')),
                ('organization', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organizations.organization')),
                ('segment', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='contacts.segment')),
                ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='surveys.survey')),
            ],
            options={
                'indexes': [models.Index(fields=['organization', 'segment', 'department', 'key', 'day'], name='segment_rollup_scope_key_day')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('department__isnull', True)), fields=('organization', 'segment', 'survey', 'day', 'key'), name='segment_rollup_unique_slice'), models.UniqueConstraint(condition=models.Q(('department__isnull', False)), fields=('organization', 'segment', 'survey', 'day', 'department', 'key'), name='segment_rollup_unique_department_slice')],
            },
        ),
        migrations.CreateModel(
            name='SegmentRollupState',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('wanted', models.PositiveBigIntegerField(default=1)),
                ('built', models.PositiveBigIntegerField(blank=True, null=True)),
                ('filters', models.JSONField(blank=True, null=True)),
                ('built_at', models.DateTimeField(blank=True, null=True)),
                ('organization', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organizations.organization')),
                ('segment', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='contacts.segment')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('organization', 'segment'), name='segment_rollup_state_unique_segment')],
            },
        ),
    ]
