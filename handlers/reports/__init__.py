"""Reports: form, intake and routing, views, actions, escalation, outbox, delivery, CLI."""
