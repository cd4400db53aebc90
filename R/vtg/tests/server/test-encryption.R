# An encrypted collaboration: input sealed per organization, results opened with the
# organization's private key, byte-compatible with the Python nodes.

test_that("tasks in an encrypted collaboration need the key, and then run end to end", {
  client <- signed_in()
  client$setCollaborationId(as.integer(server_setting("ENCRYPTED_COLLABORATION")))
  refused <- tryCatch(
    client$createTask(image = server_setting("AVERAGE_IMAGE"), method = "partial_average",
                      kwargs = list(column_name = "Age")),
    vtg_error = identity
  )
  expect_s3_class(refused, "vtg_error")
  expect_match(conditionMessage(refused), "setupEncryption")

  client$setupEncryption(server_setting("PRIVATE_KEY"))
  expect_output(print(client), "encryption:\\s+on")
  members <- client$getOrganizations()$id
  task <- client$createTask(
    image = server_setting("AVERAGE_IMAGE"), method = "partial_average",
    kwargs = list(column_name = "Age"), organizations = members
  )
  results <- quietly_wait(client, task)
  pooled <- read.csv(server_setting("POOLED_DATA"))
  expect_equal(sum(vapply(results, function(r) r$count, numeric(1))), nrow(pooled))
  stored <- client$request("GET", "result", query = list(task_id = task$id))$data[[1]]$result
  expect_match(stored, "^v6e1\\$")  # what the server holds is sealed
})

test_that("a key that is not the organization's is refused", {
  client <- signed_in()
  client$setCollaborationId(as.integer(server_setting("ENCRYPTED_COLLABORATION")))
  other <- tempfile(fileext = ".pem")
  openssl::write_pem(openssl::rsa_keygen(2048), other, password = NULL)
  refused <- tryCatch(client$setupEncryption(other), vtg_error = identity)
  expect_s3_class(refused, "vtg_error")
})
