"""The platform-neutral contract: Message, Reply, actions and forms, the router."""
