"""Running the sets: facilitators, session records, attendance, presenters' titles and actions."""
