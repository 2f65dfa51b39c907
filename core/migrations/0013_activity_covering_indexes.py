"""Activities' case and profile indexes newest first with the id, covering what access
needs (restricted, organisation; and case for the profile index): listing and counting
every activity a user may see reads only these indexes on PostgreSQL (issue 8; see
``core.access.listing.VisibleActivityList``). Elsewhere the INCLUDE columns are left out."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0012_imports_more'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='activity',
            name='activity_case_idx',
        ),
        migrations.RemoveIndex(
            model_name='activity',
            name='activity_profile_idx',
        ),
        migrations.AddIndex(
            model_name='activity',
            index=models.Index(fields=['case', '-occurred_at', '-id'], include=('restricted', 'organisation'), name='activity_case_idx'),
        ),
        migrations.AddIndex(
            model_name='activity',
            index=models.Index(fields=['profile', '-occurred_at', '-id'], include=('case', 'restricted', 'organisation'), name='activity_profile_idx'),
        ),
    ]
