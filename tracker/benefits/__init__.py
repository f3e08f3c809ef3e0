"""Aktivitetsersättning: läkarutlåtanden, FK decisions, bevakningar and alarms."""
