"""The table the rate limits count in (Django's database cache), shared by every process.

Created here so that ``tenure migrate`` (and ``tenure init``) is all a fresh installation
needs; ``createcachetable`` makes the same table and skips it when it exists. The name is
fixed rather than read from settings: a migration must do the same thing every time.
"""

from django.core.management import call_command
from django.db import migrations

TABLE = "tenure_throttle_cache"


def create_table(apps, schema_editor):
    call_command("createcachetable", TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("access", "0001_initial")]

    operations = [migrations.RunPython(create_table, drop_table, elidable=False)]
