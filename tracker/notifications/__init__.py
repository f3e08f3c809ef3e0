"""In-app notifications and e-mail (SMTP or a development outbox)."""
