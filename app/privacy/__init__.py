"""Personal data: retention (`als purge`), erasure on request, subject access, backup and restore."""
