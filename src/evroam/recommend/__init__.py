"""Where and how long to charge or swap, and whole trips with their stops."""
