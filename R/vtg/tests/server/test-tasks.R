# Tasks from R run by a Python algorithm (the demo average) and their results read back; the
# calls beyond the walk-through; the server's refusals as R conditions.

test_that("a task from R is run by a Python algorithm and its results come back as R values", {
  client <- signed_in()
  client$setCollaborationId(as.integer(server_setting("COLLABORATION")))
  expect_setequal(client$getOrganizations()$id, c(organizations(), client$getOrganizations()$id))

  task <- client$createTask(
    image = server_setting("AVERAGE_IMAGE"), method = "partial_average",
    kwargs = list(column_name = "Age"), organizations = organizations(),
    name = "made in R"  # the Python side of the test reads it too
  )
  results <- quietly_wait(client, task)
  expect_length(results, length(organizations()))
  expect_setequal(attr(results, "organization_id"), organizations())
  pooled <- read.csv(server_setting("POOLED_DATA"))
  expect_equal(sum(vapply(results, function(r) r$count, numeric(1))), nrow(pooled))
  expect_equal(sum(vapply(results, function(r) r$sum, numeric(1))), sum(pooled$Age))

  tasks <- client$getTasks()
  expect_true(task$id %in% tasks$id)
  expect_equal(tasks$status[tasks$id == task$id], "completed")
})

test_that("a central function's subtasks run and its single result is the pooled average", {
  client <- signed_in()
  client$setCollaborationId(as.integer(server_setting("COLLABORATION")))
  task <- client$createTask(
    image = server_setting("AVERAGE_IMAGE"), method = "central_average",
    kwargs = list(column_name = "Age", org_ids = I(organizations())),
    organizations = organizations()[1]
  )
  result <- quietly_wait(client, task)
  pooled <- read.csv(server_setting("POOLED_DATA"))
  expect_equal(result[[1]]$average, mean(pooled$Age), tolerance = 1e-9)
})

test_that("the server's refusals are vtg_error conditions carrying its message and status", {
  client <- vtg::Client$new(server_setting("HOST"), api_path = server_setting("API_PATH"))
  refused <- tryCatch(client$authenticate("root", "not the password"), vtg_error = identity)
  expect_s3_class(refused, "vtg_error")
  expect_equal(refused$status, 401)
  expect_true(nzchar(refused$msg))

  client <- signed_in()
  client$setCollaborationId(as.integer(server_setting("COLLABORATION")))
  refused <- tryCatch(
    client$createTask(image = server_setting("AVERAGE_IMAGE"), method = "partial_average",
                      organizations = 999999L),
    vtg_error = identity
  )
  expect_equal(refused$status, 400)
  expect_match(refused$msg, "999999")
  expect_match(conditionMessage(refused), "999999")
})

test_that("a killed task ends as killed, and waiting for it says so", {
  client <- signed_in()
  client$setCollaborationId(as.integer(server_setting("COLLABORATION")))
  # time.sleep(120) as the algorithm: a run that is still going when it is killed
  task <- client$createTask(
    image = server_setting("SLEEP_IMAGE"), method = "sleep", args = list(120),
    organizations = organizations()[1]
  )
  client$killTask(task)
  waited <- tryCatch(quietly_wait(client, task), vtg_error = identity)
  expect_s3_class(waited, "vtg_error")
  expect_match(conditionMessage(waited), "killed by user")
  expect_equal(client$request("GET", paste0("task/", task$id))$status, "killed by user")
})
