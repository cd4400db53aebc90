# What waitForResults (client.R) tells while waiting, and when a task failed. The statuses are
# those of vantage6.common.task_status: a run is open until it completes or fails.

TASK_OPEN <- c("pending", "initializing", "active")
TASK_COMPLETED <- "completed"
WAIT_REPORT_SECONDS <- 5
LOG_TAIL_LINES <- 10L

wait_progress_text <- function(task_id, status, finished, total, seconds) {
  done <- if (is.na(total)) status else sprintf("%d of %d runs finished", finished, total)
  sprintf("waiting for task %d: %s (%.0f s)", task_id, done, seconds)
}

# The failed runs of a task, each with its status and the end of its log.
wait_failure_text <- function(task_id, status, runs) {
  failed <- Filter(function(run) !run$status %in% c(TASK_OPEN, TASK_COMPLETED), runs)
  details <- vapply(failed, function(run) {
    sprintf("run %d at organization %d: %s%s", run$id, run$organization$id, run$status,
            wait_log_tail(run$log))
  }, character(1))
  sprintf("task %d failed (%s)%s", task_id, status,
          paste0("\n  ", details, collapse = ""))
}

wait_log_tail <- function(log) {
  if (is.null(log) || !nzchar(log)) return("; no log")
  lines <- strsplit(log, "\n", fixed = TRUE)[[1]]
  last <- lines[seq(max(1L, length(lines) - LOG_TAIL_LINES + 1L), length(lines))]
  paste0("; log ends with:\n    ", paste(last, collapse = "\n    "))
}
