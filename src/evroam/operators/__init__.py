"""Protocol adapters: one subpackage per partner protocol (wire ⇄ domain only)."""
