"""Inventory: settings, database, schema, administrative units and the demo dataset."""
