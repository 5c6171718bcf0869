"""Accounts and sessions: the dashboard's pages and the rights of each role (registry), argon2
accounts and lock-out (auth), server-side sign-ins (sessions), in-process brakes on guessing (throttle)."""
