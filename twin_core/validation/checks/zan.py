"""ZAN checks (hindcasts against observed land take go here)."""
