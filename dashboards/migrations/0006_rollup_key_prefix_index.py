"""The rollups' scope index with `key` in varchar_pattern_ops, so a breakdown's `key LIKE
'channel:%'` is a range of the index (the C.UTF-8 collation does not make LIKE indexable): a
breakdown at 2 000 000 answers read 17 000 rows of the scope through the department's index and
filtered them (400 ms cold), and now reads its own ~1 000 (1 ms). Equality (`key = 'all'`) uses it
too. PostgreSQL only; SQLite ignores operator classes."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('dashboards', '0005_segment_rollups'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='rollup',
            name='rollup_scope_key_day',
        ),
        migrations.RemoveIndex(
            model_name='segmentrollup',
            name='segment_rollup_scope_key_day',
        ),
        migrations.AddIndex(
            model_name='rollup',
            index=models.Index(fields=['organization', 'department', 'key', 'day'], name='rollup_scope_key_prefix_day', opclasses=['', '', 'varchar_pattern_ops', '']),
        ),
        migrations.AddIndex(
            model_name='segmentrollup',
            index=models.Index(fields=['organization', 'segment', 'department', 'key', 'day'], name='segment_rollup_scope_prefix', opclasses=['', '', '', 'varchar_pattern_ops', '']),
        ),
    ]
