"""The Slack adapter (slack-bolt). Importing the package does not import the SDK."""
