"""The cooperation calendar: APScheduler set-up (engine), the jobs, and cron parsing."""
