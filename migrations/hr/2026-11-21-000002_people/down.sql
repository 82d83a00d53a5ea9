DROP FUNCTION auth_use_api_token(bytea);
DROP FUNCTION auth_find_user(text);
DROP TABLE timesheet_entries, timesheet_periods, leave_requests, leave_allocations, public_holidays,
    api_tokens, users, employment_history, employees, departments, tenants;
DROP FUNCTION timesheet_entries_period_open();
