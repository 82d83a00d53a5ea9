DROP TABLE worker_blocklist, attempts, render_tasks, jobs, workers, pool_quotas, pools, employee_replica;
