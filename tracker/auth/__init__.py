"""Users, organisations, roles, login and server-side sessions."""
