"""Payment-provider adapters: the built-in sandbox and signed webhooks."""
