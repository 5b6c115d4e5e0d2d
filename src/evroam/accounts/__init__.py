"""Driver accounts, their bearer tokens and registered vehicles."""
