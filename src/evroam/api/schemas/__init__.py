"""Public API schemas (pydantic), one module per context."""
