"""Curating the knowledge base: the queue of real questions to teach from, review reminders, the digest."""
