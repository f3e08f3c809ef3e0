"""Pulsmöten: meetings, series, agendas, minutes, ICS export and feeds."""
