# The algorithm side: AlgorithmClient (R/algorithm_client.R), offline: its requests are
# answered by a subclass, or by a port where nothing listens. (It is tried against a real
# node proxy by the node's own tests.)
quiet <- options(vtg.quiet = TRUE)
withr::defer(options(quiet), teardown_env())

jwt <- function(claims) {
  part <- function(value) {
    text <- jsonlite::base64_enc(charToRaw(as.character(jsonlite::toJSON(value, auto_unbox = TRUE, null = "null"))))
    gsub("=+$", "", chartr("+/", "-_", gsub("\n", "", text, fixed = TRUE)))
  }
  paste(part(list(alg = "HS256")), part(claims), "sig", sep = ".")
}

SUBJECT <- list(run_id = 11L, task_id = 5L, node_id = 3L, organization_id = 2L, collaboration_id = 7L,
                image = "vantage6/coxph:latest",
                databases = list(list(label = "default", type = "csv", query = NULL)))
TOKEN <- jwt(list(sub = SUBJECT, exp = 1e9))

# A client whose requests are answered from `answers` (in order) and recorded.
ScriptedClient <- R6::R6Class("ScriptedClient", inherit = AlgorithmClient, public = list(
  answers = list(), sent = list(),
  request = function(endpoint, method = "GET", params = NULL, body = NULL) {
    self$sent[[length(self$sent) + 1L]] <- list(endpoint = endpoint, method = method,
                                                 params = params, body = body)
    answer <- self$answers[[1]]
    self$answers <- self$answers[-1]
    if (is.function(answer)) answer() else answer
  }
))

scripted <- function(answers, token = TOKEN) {
  client <- ScriptedClient$new(token = token, host = "http://172.17.0.1", port = "7601", api_path = "")
  client$answers <- answers
  client
}

base64_json <- function(text) gsub("\n", "", jsonlite::base64_enc(charToRaw(text)), fixed = TRUE)

test_that("the token's subject says the run, collaboration, image and databases", {
  client <- scripted(list())
  expect_identical(client$collaboration_id, 7L)
  expect_identical(client$image, "vantage6/coxph:latest")
  expect_identical(client$node_id, 3L)
  expect_identical(client$databases[[1]]$label, "default")
  expect_identical(client$base_url, "http://172.17.0.1:7601")
  expect_identical(alg_token_claims(jwt(list(identity = list(collaboration_id = 1L))))$collaboration_id, 1L)
  expect_identical(alg_token_claims(jwt(list(sub = "someone"))), list())
  expect_error(alg_token_claims("not-a-token"), "not a JWT", class = "vtg_algorithm_error")
})

test_that("the node proxy's address and token come from the node's variables", {
  token_file <- tempfile()
  writeLines(TOKEN, token_file)
  withr::local_envvar(HOST = base32_encode("http://10.0.0.1"), PORT = base32_encode("5000"),
                      API_PATH = base32_encode("/api/"), TOKEN_FILE = base32_encode(token_file))
  client <- AlgorithmClient$new()
  expect_identical(client$base_url, "http://10.0.0.1:5000/api")
  expect_identical(client$token, TOKEN)
  withr::local_envvar(HOST = NA)
  expect_error(AlgorithmClient$new(), "HOST \\(the node proxy's address\\) is not set")
})

test_that("a subtask's input is base64 of its JSON, on the token's image and databases", {
  client <- scripted(list(list(id = 12L, name = "subtask")))
  task <- client$createSubtask("column_sum", args = list("age", c(1.5, 2)), kwargs = list(scale = 2),
                               organizations = c(2, 4))
  expect_identical(task$id, 12L)
  sent <- client$sent[[1]]
  expect_identical(sent[c("endpoint", "method")], list(endpoint = "task", method = "POST"))
  body <- sent$body
  expect_identical(body$collaboration_id, 7L)
  expect_identical(body$image, "vantage6/coxph:latest")
  expect_identical(body$databases, SUBJECT$databases)
  expect_identical(vapply(body$organizations, `[[`, 1L, "id"), c(2L, 4L))
  input <- body$organizations[[1]]$input
  expect_false(grepl("\n", input))  # the proxy and server read strict base64
  expect_identical(rawToChar(jsonlite::base64_dec(input)),
                   '{"method":"column_sum","args":["age",[1.5,2]],"kwargs":{"scale":2}}')
  # as sent: organizations and databases are JSON arrays, ids are numbers
  text <- as.character(jsonlite::toJSON(body, auto_unbox = TRUE, null = "null", digits = NA))
  expect_match(text, '"organizations":[{"id":2,"input":"', fixed = TRUE)
  expect_match(text, '"databases":[{"label":"default","type":"csv","query":null}]', fixed = TRUE)
  expect_match(text, '"collaboration_id":7,', fixed = TRUE)
})

test_that("a subtask without kwargs sends an empty object", {
  expect_identical(subtask_input("m"), '{"method":"m","args":[],"kwargs":{}}')
  expect_identical(subtask_input("m", list(1L)), '{"method":"m","args":[1],"kwargs":{}}')
  expect_error(subtask_input("m", kwargs = list(1)), "needs a name")
  expect_error(scripted(list())$createSubtask("m"), "needs the ids of the organizations")
})

test_that("results are read from every page and decoded", {
  client <- scripted(list(
    list(data = list(list(id = 1L, result = base64_json('{"sum": 60, "names": ["a", "b"]}'))),
         links = list(first = "x", `next` = "y")),
    list(data = list(list(id = 2L, result = base64_json('json.[1, 2, 3]')),
                     list(id = 3L, result = NULL)),
         links = list(first = "x"))
  ))
  expect_identical(client$getResults(9L), list(list(sum = 60L, names = c("a", "b")), 1:3, NULL))
  expect_identical(client$sent[[1]]$params, list(task_id = "9", page = 1L, per_page = 100L))
  expect_identical(client$sent[[2]]$params$page, 2L)
  expect_identical(client$sent[[1]]$endpoint, "result")

  undecryptable <- scripted(list(list(data = list(list(id = 4L, result = NULL,
                                                       decryption_error = "cannot be decrypted")))))
  expect_error(undecryptable$getResults(9L), "cannot be decrypted", class = "vtg_algorithm_client_error")
})

test_that("waitForResults polls the status until the task completed", {
  client <- scripted(list(list(status = "pending"), list(status = "active"), list(status = "completed"),
                          list(data = list(list(id = 1L, result = base64_json("42"))))))
  expect_identical(client$waitForResults(list(id = 9L), interval = 0.01), list(42L))
  expect_identical(vapply(client$sent, `[[`, "", "endpoint"),
                   c("task/9/status", "task/9/status", "task/9/status", "result"))
})

test_that("waitForResults fails when a run failed or the time is up", {
  client <- scripted(list(list(status = "active"), list(status = "failed")))
  expect_error(client$waitForResults(9L, interval = 0.01), "task 9 did not complete: failed",
               class = "vtg_algorithm_client_error")
  client <- scripted(rep(list(list(status = "active")), 50))
  expect_error(client$waitForResults(9L, timeout = 0.05, interval = 0.02), "task 9 is still active after")
})

test_that("the collaboration's organizations (or the study's) are a data.frame", {
  client <- scripted(list(list(data = list(list(id = 1L, name = "A"), list(id = 2L, name = "B")))))
  expect_identical(client$getOrganizations(),
                   data.frame(id = 1:2, name = c("A", "B"), stringsAsFactors = FALSE))
  expect_identical(client$sent[[1]]$params[[1]], 7L)
  expect_named(client$sent[[1]]$params, c("collaboration_id", "page", "per_page"))
  study <- scripted(list(list(data = list())), token = jwt(list(sub = c(SUBJECT, list(study_id = 4L)))))
  expect_identical(nrow(study$getOrganizations()), 0L)
  expect_named(study$sent[[1]]$params, c("study_id", "page", "per_page"))
})

test_that("call() sends a subtask to every organization and returns their results", {
  client <- scripted(list(
    list(data = list(list(id = 1L, name = "A"), list(id = 2L, name = "B"))),
    list(id = 20L),
    list(status = "completed"),
    list(data = list(list(id = 1L, result = base64_json("1")), list(id = 2L, result = base64_json("2"))))
  ))
  expect_identical(client$call("count", "age", scale = 2), list(1L, 2L))
  input <- rawToChar(jsonlite::base64_dec(client$sent[[2]]$body$organizations[[2]]$input))
  expect_identical(input, '{"method":"count","args":["age"],"kwargs":{"scale":2}}')
})

test_that("setOrganizations() and setTaskImage(), as vtg::Client has them, suit call()", {
  client <- scripted(list(list(id = 21L), list(status = "completed"),
                          list(data = list(list(id = 1L, result = base64_json("3"))))))
  client$setTaskImage("ignored/image:latest", task.name = "x")$setOrganizations(5L)
  expect_identical(client$call("count"), list(3L))
  expect_identical(client$sent[[1]]$body$organizations[[1]]$id, 5L)
  expect_identical(client$sent[[1]]$body$image, "vantage6/coxph:latest")  # the token's
})

# -- requests: what is tried again -------------------------------------------------------------

# A client whose attempts get the outcomes in `outcomes`, in order.
FlakyClient <- R6::R6Class("FlakyClient", inherit = AlgorithmClient, public = list(
  outcomes = list(), attempts = 0L
), private = list(
  send = function(method, url, query, text) {
    self$attempts <- self$attempts + 1L
    outcome <- self$outcomes[[1]]
    self$outcomes <- self$outcomes[-1]
    outcome
  }
))

flaky <- function(outcomes) {
  client <- FlakyClient$new(token = TOKEN, host = "http://127.0.0.1", port = "7601")
  client$retry <- list(attempts = 3L, patience = 5, first_delay = 0.001, max_delay = 0.002)
  client$outcomes <- outcomes
  client
}
unavailable <- list(ok = FALSE, text = "503 The server is away", retryable = TRUE, unavailable = TRUE)

test_that("a GET is tried again while the proxy is unavailable, then gives up", {
  client <- flaky(list(unavailable, unavailable, list(ok = TRUE, value = list(status = "active"))))
  expect_identical(client$getTaskStatus(1L), "active")
  expect_identical(client$attempts, 3L)
  client <- flaky(rep(list(unavailable), 5))
  expect_error(client$getTaskStatus(1L), "gave up after 3 attempt\\(s\\)", class = "vtg_proxy_unavailable")
})

test_that("a refusal is not tried again", {
  client <- flaky(list(list(ok = FALSE, text = "404 no such task", retryable = FALSE, unavailable = FALSE)))
  expect_error(client$getTaskStatus(1L), "GET http://127.0.0.1:7601/task/1/status: 404 no such task$",
               class = "vtg_algorithm_client_error")
  expect_identical(client$attempts, 1L)
})

test_that("a POST the server may have applied is not tried again, and says so", {
  client <- flaky(list(list(ok = FALSE, text = "504 too slow", retryable = FALSE, unavailable = TRUE)))
  expect_error(client$request("task", method = "POST", body = list(a = 1)),
               "not tried again, as the server may have applied it", class = "vtg_proxy_unavailable")
})

test_that("a proxy that cannot be reached: a real request to a closed port", {
  client <- AlgorithmClient$new(token = TOKEN, host = "http://127.0.0.1", port = "9")
  client$retry <- list(attempts = 2L, patience = 5, first_delay = 0.001, max_delay = 0.002)
  client$request_timeout <- 5
  expect_error(client$getTaskStatus(1L), "cannot be reached.*gave up after 2 attempt",
               class = "vtg_proxy_unavailable")
})
