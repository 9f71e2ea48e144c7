"""The transport: parse, call a service, serialize. No rules live here."""
