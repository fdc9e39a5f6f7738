"""Platform adapters: a platform's deliveries in, the core's effects out."""
