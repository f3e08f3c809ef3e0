"""Scheduled jobs and the scheduler process."""
