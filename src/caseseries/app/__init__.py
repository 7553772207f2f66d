"""Use cases called by every adapter: the command line and the web app."""
