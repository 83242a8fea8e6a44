"""The Microsoft Teams adapter, on botbuilder or the Microsoft 365 Agents SDK (TEAMS_SDK; bot.teams.binding).
Importing the package imports no SDK."""
