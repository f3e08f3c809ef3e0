"""Vårdplan / SIP and its insatser, with their status history."""
