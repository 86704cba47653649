"""Reference data the service reads but never changes: UK regions and local authorities."""
