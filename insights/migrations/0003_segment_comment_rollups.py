"""The comment rollups of saved segments (`insights.rollups`): built by a task when a segment's
members may have changed or a page asks for them, and by `manage.py comment_rollups_rebuild`."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0002_import_duplicates'),
        ('insights', '0002_comment_rollups'),
        ('organizations', '0008_organization_two_factor_required'),
        ('surveys', '0003_ask_employee'),
    ]

    operations = [
        migrations.CreateModel(
            name='SegmentCommentRollupState',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('built', models.PositiveBigIntegerField(blank=True, null=True)),
                ('filters', models.JSONField(blank=True, null=True)),
                ('built_at', models.DateTimeField(blank=True, null=True)),
                ('organization', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organizations.organization')),
                ('segment', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='contacts.segment')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('organization', 'segment'), name='segmentcommentrollupstate_unique')],
            },
        ),
        migrations.CreateModel(
            name='SegmentSentimentRollup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('category', models.CharField(max_length=10)),
                ('sentiment', models.CharField(blank=True, max_length=8)),
                ('n', models.PositiveIntegerField(default=0)),
                ('department', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organizations.department')),
                ('organization', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organizations.organization')),
                ('segment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='contacts.segment')),
                ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='surveys.survey')),
            ],
            options={
                'indexes': [models.Index(fields=['organization', 'segment', 'department', 'day'], name='segmentsentiment_scope_day')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('department__isnull', True)), fields=('organization', 'segment', 'survey', 'day', 'category', 'sentiment'), name='segmentsentimentrollup_unique_slice'), models.UniqueConstraint(condition=models.Q(('department__isnull', False)), fields=('organization', 'segment', 'survey', 'day', 'department', 'category', 'sentiment'), name='segmentsentimentrollup_unique_department_slice')],
            },
        ),
        migrations.CreateModel(
            name='SegmentThemeRollup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('category', models.CharField(max_length=10)),
                ('n', models.PositiveIntegerField(default=0)),
                ('department', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organizations.department')),
                ('organization', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organizations.organization')),
                ('segment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='contacts.segment')),
                ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='surveys.survey')),
                ('theme', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='insights.theme')),
            ],
            options={
                'indexes': [models.Index(fields=['organization', 'segment', 'department', 'day'], name='segmenttheme_scope_day')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('department__isnull', True)), fields=('organization', 'segment', 'survey', 'day', 'theme', 'category'), name='segmentthemerollup_unique_slice'), models.UniqueConstraint(condition=models.Q(('department__isnull', False)), fields=('organization', 'segment', 'survey', 'day', 'department', 'theme', 'category'), name='segmentthemerollup_unique_department_slice')],
            },
        ),
    ]
