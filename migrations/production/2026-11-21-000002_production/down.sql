DROP TABLE time_logs, notes, versions, task_assignments, workflow_transitions, task_dependencies,
    tasks, assets, shots, sequences, projects, employee_replica;
