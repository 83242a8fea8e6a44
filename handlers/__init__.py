"""What TED does with a message. Handlers return replies; they never call a chat platform."""
