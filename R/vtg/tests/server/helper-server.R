# Where the real server and nodes of tests/integration/r/test_r_federation.py are (pytest
# starts them and runs these files with Rscript); without them every test here is skipped.
server_setting <- function(name) {
  value <- Sys.getenv(paste0("VTG_TEST_", name))
  if (!nzchar(value)) testthat::skip(paste0("VTG_TEST_", name, " is not set: no test server"))
  value
}

signed_in <- function() {
  client <- vtg::Client$new(server_setting("HOST"), api_path = server_setting("API_PATH"))
  client$authenticate(server_setting("USERNAME"), server_setting("PASSWORD"))
  client
}

organizations <- function() as.integer(strsplit(server_setting("ORGANIZATIONS"), ",")[[1]])

quietly_wait <- function(client, task) suppressMessages(client$waitForResults(task, timeout = 300))
