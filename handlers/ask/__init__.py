"""Questions: intent, conversation memory, the ask service and its chat handlers."""
