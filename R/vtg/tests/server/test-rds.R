# A task made the way the original vtg makes it (R's serialize format, "RDS."): a node runs
# it only when its policy allows RDS (allow_rds), and its R algorithm answers in RDS.

rds_task <- function(client, organization) {
  client$createTask(
    image = server_setting("COXPH_IMAGE"), method = "get_unique_event_times_and_counts",
    kwargs = list(time_col = "Time", censor_col = "Censor"),
    organizations = organization, format = "rds"
  )
}

test_that("a node that does not allow RDS refuses it, naming the setting", {
  client <- signed_in()
  client$setCollaborationId(as.integer(server_setting("COLLABORATION")))
  refusing <- setdiff(organizations(), as.integer(server_setting("RDS_ORGANIZATION")))[1]
  task <- rds_task(client, refusing)
  waited <- tryCatch(quietly_wait(client, task), vtg_error = identity)
  expect_s3_class(waited, "vtg_error")
  expect_match(conditionMessage(waited), "not allowed")
  run <- client$request("GET", "run", query = list(task_id = task$id))$data[[1]]
  expect_equal(run$status, "not allowed")
  expect_match(run$log, "allow_rds = true")
})

test_that("a node that allows RDS runs it, and the R algorithm's RDS result is read back", {
  client <- signed_in()
  client$setCollaborationId(as.integer(server_setting("COLLABORATION")))
  task <- rds_task(client, as.integer(server_setting("RDS_ORGANIZATION")))
  result <- quietly_wait(client, task)[[1]]
  stored <- client$request("GET", "result", query = list(task_id = task$id))$data[[1]]$result
  expect_equal(rawToChar(openssl::base64_decode(stored)[1:4]), "RDS.")  # R's format, as sent
  expect_true(is.list(result) && length(result$counts) > 0)
  expect_equal(sum(result$counts), result$n_events)
})
