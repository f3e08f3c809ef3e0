"""Time reporting, allocation keys, hourly costs, month locks and invoicing."""
