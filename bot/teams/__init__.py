"""The Microsoft Teams adapter (botbuilder). Importing the package does not import the SDK."""
