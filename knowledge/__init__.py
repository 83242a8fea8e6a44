"""Policy documents -> clauses -> index -> answers. Never imports a chat platform SDK."""
