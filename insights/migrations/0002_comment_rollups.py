"""The comment figures as rollups (`insights.rollups`). Existing analyses are counted into them
by `manage.py comment_rollups_rebuild` after migrating (new analyses refresh them as written)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('insights', '0001_initial'),
        ('organizations', '0008_organization_two_factor_required'),
        ('surveys', '0003_ask_employee'),
    ]

    operations = [
        migrations.CreateModel(
            name='SentimentRollup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('category', models.CharField(max_length=10)),
                ('sentiment', models.CharField(blank=True, max_length=8)),
                ('n', models.PositiveIntegerField(default=0)),
                ('department', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organizations.department')),
                ('organization', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organizations.organization')),
                ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='surveys.survey')),
            ],
            options={
                'indexes': [models.Index(fields=['organization', 'department', 'day'], name='sentimentrollup_scope_day')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('department__isnull', True)), fields=('organization', 'survey', 'day', 'category', 'sentiment'), name='sentimentrollup_unique_slice'), models.UniqueConstraint(condition=models.Q(('department__isnull', False)), fields=('organization', 'survey', 'day', 'department', 'category', 'sentiment'), name='sentimentrollup_unique_department_slice')],
            },
        ),
        migrations.CreateModel(
            name='ThemeRollup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('category', models.CharField(max_length=10)),
                ('n', models.PositiveIntegerField(default=0)),
                ('department', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organizations.department')),
                ('organization', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organizations.organization')),
                ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='surveys.survey')),
                ('theme', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='insights.theme')),
            ],
            options={
                'indexes': [models.Index(fields=['organization', 'department', 'day'], name='themerollup_scope_day')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('department__isnull', True)), fields=('organization', 'survey', 'day', 'theme', 'category'), name='themerollup_unique_slice'), models.UniqueConstraint(condition=models.Q(('department__isnull', False)), fields=('organization', 'survey', 'day', 'department', 'theme', 'category'), name='themerollup_unique_department_slice')],
            },
        ),
    ]
