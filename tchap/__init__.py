"""Tchap (Matrix) bot: a channel from agents' encrypted direct messages to the Rasa assistant.

Modules, one concept each: ``config`` (environment), ``store`` (what survives a restart),
``client`` (matrix-nio login, key store, sync loop), ``rasa`` (REST relay and pseudonymous
conversation ids), ``formatting`` (Rasa's answers as Matrix messages, French notices),
``bot`` (which events get which answer), ``runner`` (the foreground process).
"""
