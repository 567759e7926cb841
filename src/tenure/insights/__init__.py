"""Pure analytics on Polars frames: no Django, no database, no network."""
