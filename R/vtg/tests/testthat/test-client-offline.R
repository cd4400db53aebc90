# The Client against a stand-in for the server (no server, no network): what it sends, how
# it reads the answers, its errors, token refresh, encryption per organization, waiting,
# and that print() never shows the private key.

# -- the stand-in ------------------------------------------------------------------------------

# `routes` maps "METHOD path" (relative to the API, without the query) to a function of the
# request giving list(status = 200, body = <R object as JSON>, headers = list(), text = <raw
# text instead of body>). Every request is kept in $log$requests.
fake_client <- function(routes) {
  log <- new.env()
  log$requests <- list()
  http <- function(method, url, query = NULL, body = NULL, token = NULL, timeout = 60) {
    path <- sub("^http://server/api/", "", url)
    request <- list(method = method, path = path, query = query, token = token,
                    body = if (!is.null(body)) jsonlite::parse_json(body), json = body)
    log$requests[[length(log$requests) + 1]] <- request
    route <- routes[[paste(method, path)]]
    answer <- if (is.null(route)) list(status = 404L, body = list(msg = "Not found")) else route(request)
    list(
      status = if (is.null(answer$status)) 200L else as.integer(answer$status),
      headers = if (is.null(answer$headers)) list() else answer$headers,
      text = if (!is.null(answer$text)) answer$text else if (is.null(answer$body)) "" else
        as.character(jsonlite::toJSON(answer$body, auto_unbox = TRUE, null = "null"))
    )
  }
  client <- vtg::Client$new("http://server", api_path = "/api")
  client$.__enclos_env__$private$http <- http
  list(client = client, log = log)
}

requests_to <- function(fake, method, path) {
  Filter(function(r) r$method == method && r$path == path, fake$log$requests)
}

# A JWT whose payload says when it expires (the client does not check the signature).
jwt <- function(expires_in = 3600, lifetime = 3600) {
  now <- as.numeric(Sys.time())
  b64url <- function(text) gsub("=+$", "", chartr("+/", "-_", openssl::base64_encode(charToRaw(text))))
  claims <- sprintf('{"exp": %.0f, "iat": %.0f}', now + expires_in, now + expires_in - lifetime)
  paste(b64url('{"alg": "HS256"}'), b64url(claims), "signature", sep = ".")
}

# Two organizations with key pairs: 1 is the user's.
new_key <- function() {
  key <- openssl::rsa_keygen(2048)
  path <- tempfile(fileext = ".pem")
  openssl::write_pem(key, path)
  list(path = path, b64 = openssl::base64_encode(charToRaw(openssl::write_pem(key$pubkey))),
       private = vtg:::crypto_read_private_key(path))
}
keys <- list(new_key(), new_key())

server_routes <- function(encrypted = FALSE, formats = NULL, token = jwt(), public_keys = keys) {
  organization <- function(id) function(request) {
    list(body = list(id = id, name = paste("Org", id), public_key = public_keys[[id]]$b64))
  }
  list(
    "POST token/user" = function(request) list(body = list(
      access_token = token, refresh_token = "refresh-1",
      refresh_url = "/api/token/refresh", user_url = "/api/user/7"
    )),
    "GET user/7" = function(request) {
      list(body = list(id = 7, username = "researcher", organization = list(id = 1)))
    },
    "GET organization/1" = organization(1),
    "GET organization/2" = organization(2),
    "GET collaboration/1" = function(request) list(body = list(
      id = 1, name = "demo", encrypted = encrypted,
      organizations = list(list(id = 1, name = "Org 1"), list(id = 2, name = "Org 2")),
      encryption_formats = formats
    )),
    "POST task" = function(request) list(status = 201, body = list(id = 12, name = request$body$name))
  )
}

logged_in <- function(routes = server_routes(), collaboration = TRUE) {
  fake <- fake_client(routes)
  fake$client$authenticate("researcher", "password")
  if (collaboration) fake$client$setCollaborationId(1)
  fake
}

input_of <- function(task_request, organization_id, private = NULL) {
  organizations <- task_request$body$organizations
  text <- Filter(function(o) o$id == organization_id, organizations)[[1]]$input
  rawToChar(vtg:::payload_open(text, private, allow_legacy = TRUE))
}

# -- conditions -------------------------------------------------------------------------------

test_that("vtg_error is an error condition with the server's status and msg", {
  e <- vtg::vtg_error("No such task (HTTP 404 from GET x)", status = 404L, msg = "No such task")
  expect_identical(class(e), c("vtg_error", "error", "condition"))
  expect_identical(conditionMessage(e), "No such task (HTTP 404 from GET x)")
  expect_identical(e$status, 404L)
  expect_identical(e$msg, "No such task")
  expect_identical(tryCatch(stop(e), vtg_error = function(caught) caught), e)
  plain <- vtg::vtg_error("refused")
  expect_null(plain$status)
  expect_null(plain$msg)
})

# -- the connection ---------------------------------------------------------------------------

test_that("the API's address is host plus api_path, '' meaning the root", {
  shown <- function(client) paste(capture.output(print(client)), collapse = "\n")
  expect_match(shown(vtg::Client$new("http://h:7601/", api_path = "")), "server: +http://h:7601\n")
  expect_match(shown(vtg::Client$new("http://h:7601", api_path = "api/")), "server: +http://h:7601/api\n")
  expect_match(shown(vtg::Client$new("https://h")), "server: +https://h/api\n")
  expect_error(vtg::Client$new("h:7601"), "http://", class = "vtg_error")
})

test_that("a server that cannot be reached is a vtg_error naming the URL", {
  client <- vtg::Client$new("http://127.0.0.1:9", api_path = "/api")
  expect_error(client$authenticate("a", "b"), "http://127.0.0.1:9/api/token/user",
               class = "vtg_error")
})

test_that("an answer that is not JSON is a vtg_error", {
  fake <- fake_client(list("POST token/user" = function(request) list(text = "<html></html>")))
  expect_error(fake$client$authenticate("a", "b"), "not JSON", class = "vtg_error")
})

# -- logging in -------------------------------------------------------------------------------

test_that("authenticate posts the credentials and learns the user's organization", {
  fake <- logged_in(collaboration = FALSE)
  login <- requests_to(fake, "POST", "token/user")[[1]]
  expect_identical(login$body, list(username = "researcher", password = "password"))
  expect_null(login$token)
  expect_identical(requests_to(fake, "GET", "user/7")[[1]]$token, fake$client$.__enclos_env__$private$access_token)
  expect_match(paste(capture.output(print(fake$client)), collapse = "\n"),
               "researcher \\(organization 1, Org 1\\)")
})

test_that("a two-factor code is sent as six digits", {
  fake <- fake_client(server_routes())
  fake$client$authenticate("researcher", "password", mfa_code = 1234)
  expect_identical(requests_to(fake, "POST", "token/user")[[1]]$body$mfa_code, "001234")
})

test_that("a refused login is a vtg_error with the server's msg and status", {
  fake <- fake_client(list("POST token/user" = function(request) {
    list(status = 401, body = list(msg = "Invalid username or password"))
  }))
  error <- tryCatch(fake$client$authenticate("researcher", "wrong"), vtg_error = function(e) e)
  expect_s3_class(error, "vtg_error")
  expect_identical(error$status, 401L)
  expect_identical(error$msg, "Invalid username or password")
  expect_match(conditionMessage(error), "Invalid username or password (HTTP 401 from POST http://server/api/token/user)",
               fixed = TRUE)
})

test_that("a wrong api_path and a missing two-factor code are explained", {
  expect_error(fake_client(list())$client$authenticate("a", "b"), "is api_path right",
               class = "vtg_error")
  fake <- fake_client(list("POST token/user" = function(request) {
    list(body = list(msg = "Please include your two-factor authentication code"))
  }))
  expect_error(fake$client$authenticate("a", "b"), "mfa_code", class = "vtg_error")
})

test_that("nothing is asked before logging in", {
  fake <- fake_client(server_routes())
  expect_error(fake$client$getCollaborations(), "Not logged in", class = "vtg_error")
  expect_length(fake$log$requests, 0)
})

# -- tokens -----------------------------------------------------------------------------------

test_that("an access token about to expire is refreshed first", {
  routes <- server_routes(token = jwt(expires_in = 30))
  routes[["POST token/refresh"]] <- function(request) {
    list(body = list(access_token = "new-access", refresh_token = "refresh-2"))
  }
  fake <- fake_client(routes)
  fake$client$authenticate("researcher", "password") # GET user/7 after it refreshes
  refresh <- requests_to(fake, "POST", "token/refresh")
  expect_length(refresh, 1)
  expect_identical(refresh[[1]]$token, "refresh-1")
  expect_identical(requests_to(fake, "GET", "user/7")[[1]]$token, "new-access")
})

test_that("a 401 saying the token expired is refreshed once and repeated", {
  routes <- server_routes()
  routes[["POST token/refresh"]] <- function(request) {
    list(body = list(access_token = "new-access", refresh_token = "refresh-2"))
  }
  routes[["GET collaboration"]] <- function(request) {
    if (request$token != "new-access") {
      return(list(status = 401, body = list(msg = "Authentication failed: token has expired")))
    }
    list(body = list(data = list(list(id = 1, name = "demo")), links = list()))
  }
  fake <- logged_in(routes, collaboration = FALSE)
  expect_identical(fake$client$getCollaborations(), data.frame(id = 1L, name = "demo"))
  expect_length(requests_to(fake, "POST", "token/refresh"), 1)
})

test_that("a refused refresh ends the session", {
  routes <- server_routes(token = jwt(expires_in = 30))
  routes[["POST token/refresh"]] <- function(request) {
    list(status = 401, body = list(msg = "Authentication failed: token has expired"))
  }
  fake <- fake_client(routes)
  expect_error(fake$client$authenticate("researcher", "password"), "session has ended",
               class = "vtg_error")
})

# -- lists ------------------------------------------------------------------------------------

test_that("getCollaborations follows the pages", {
  routes <- server_routes()
  routes[["GET collaboration"]] <- function(request) {
    if (request$query$page == 1) {
      list(body = list(data = list(list(id = 1, name = "a"), list(id = 2, name = "b")),
                       links = list(`next` = "/api/collaboration?page=2")))
    } else {
      list(body = list(data = list(list(id = 3, name = "c")), links = list()))
    }
  }
  fake <- logged_in(routes, collaboration = FALSE)
  expect_identical(fake$client$getCollaborations(), data.frame(id = 1:3, name = c("a", "b", "c")))
  pages <- requests_to(fake, "GET", "collaboration")
  expect_identical(vapply(pages, function(r) r$query$page, integer(1)), 1:2)
})

test_that("getOrganizations and getTasks are of the selected collaboration", {
  routes <- server_routes()
  routes[["GET organization"]] <- function(request) list(body = list(
    data = list(list(id = 1, name = "Org 1"), list(id = 2, name = "Org 2")), links = list()
  ))
  routes[["GET task"]] <- function(request) list(body = list(
    data = list(list(id = 12, name = NULL, status = "active", image = "img")), links = list()
  ))
  fake <- logged_in(routes)
  expect_identical(fake$client$getOrganizations(), data.frame(id = 1:2, name = c("Org 1", "Org 2")))
  expect_identical(fake$client$getTasks(),
                   data.frame(id = 12L, name = NA_character_, status = "active", image = "img"))
  expect_identical(requests_to(fake, "GET", "task")[[1]]$query$collaboration_id, 1L)
  expect_identical(requests_to(fake, "GET", "organization")[[1]]$query$collaboration_id, 1L)
})

# -- tasks ------------------------------------------------------------------------------------

test_that("createTask sends base64 JSON input to every organization by default", {
  fake <- logged_in()
  task <- fake$client$createTask("img", "avg", kwargs = list(column = "age"))
  expect_identical(task$id, 12L)
  sent <- requests_to(fake, "POST", "task")[[1]]
  expect_identical(sent$body$collaboration_id, 1L)
  expect_identical(sent$body$image, "img")
  expect_null(sent$body$name)
  expect_identical(sent$body$databases, list(list(label = "default")))
  expect_identical(vapply(sent$body$organizations, function(o) o$id, integer(1)), 1:2)
  for (id in 1:2) {
    expect_identical(input_of(sent, id), '{"method":"avg","args":[],"kwargs":{"column":"age"}}')
  }
})

test_that("createTask needs a selected collaboration", {
  fake <- logged_in(collaboration = FALSE)
  expect_error(fake$client$createTask("img", "avg"), "setCollaborationId", class = "vtg_error")
})

test_that("an encrypted collaboration needs setupEncryption first", {
  fake <- logged_in(server_routes(encrypted = TRUE))
  expect_error(fake$client$createTask("img", "avg"), "setupEncryption", class = "vtg_error")
  expect_length(requests_to(fake, "POST", "task"), 0)
})

test_that("in an encrypted collaboration each organization's input is for its key only", {
  fake <- logged_in(server_routes(encrypted = TRUE))
  fake$client$setupEncryption(keys[[1]]$path)
  fake$client$createTask("img", "avg", args = list(1))
  sent <- requests_to(fake, "POST", "task")[[1]]
  expected <- '{"method":"avg","args":[1],"kwargs":{}}'
  expect_identical(input_of(sent, 1, keys[[1]]$private), expected)
  expect_identical(input_of(sent, 2, keys[[2]]$private), expected)
  expect_error(input_of(sent, 2, keys[[1]]$private), "another organization's key")
  expect_match(sent$body$organizations[[1]]$input, "^v6e1\\$")
})

test_that("the legacy format is written only for 4.x nodes, and only when allowed", {
  formats <- list(list(organization_id = 1, formats = list("v6e1", "legacy")),
                  list(organization_id = 2, formats = list("legacy")))
  fake <- logged_in(server_routes(encrypted = TRUE, formats = formats))
  fake$client$setupEncryption(keys[[1]]$path)
  expect_error(fake$client$createTask("img", "avg"), "organization 2 is a vantage6 4.x node",
               class = "vtg_error")
  fake$client$setupEncryption(keys[[1]]$path, allow_legacy = TRUE)
  fake$client$createTask("img", "avg")
  inputs <- requests_to(fake, "POST", "task")[[1]]$body$organizations
  expect_match(inputs[[1]]$input, "^v6e1\\$")
  expect_length(strsplit(inputs[[2]]$input, "$", fixed = TRUE)[[1]], 3)
  expect_identical(input_of(requests_to(fake, "POST", "task")[[1]], 2, keys[[2]]$private),
                   '{"method":"avg","args":[],"kwargs":{}}')
})

test_that("setupEncryption refuses a key the server does not have, and warns without one", {
  other <- server_routes(encrypted = TRUE, public_keys = list(keys[[2]], keys[[2]]))
  fake <- logged_in(other)
  expect_error(fake$client$setupEncryption(keys[[1]]$path), "does not belong", class = "vtg_error")
  expect_match(paste(capture.output(print(fake$client)), collapse = "\n"), "encryption: +off")

  none <- server_routes(public_keys = list(list(b64 = NULL), keys[[2]]))
  fake <- logged_in(none)
  expect_warning(fake$client$setupEncryption(keys[[1]]$path), "no public key")
})

test_that("print() shows who and where, never the key or the tokens", {
  fake <- logged_in(server_routes(encrypted = TRUE))
  fake$client$setupEncryption(keys[[1]]$path)
  shown <- paste(capture.output(print(fake$client)), collapse = "\n")
  expect_match(shown, "researcher")
  expect_match(shown, "collaboration: +1 \\(demo\\), encrypted")
  expect_match(shown, "encryption: +on")
  pem <- readLines(keys[[1]]$path)
  for (line in pem[nchar(pem) > 20]) expect_false(grepl(line, shown, fixed = TRUE))
  expect_false(grepl("BEGIN", shown))
  expect_false(grepl(fake$client$.__enclos_env__$private$access_token, shown, fixed = TRUE))
})

# -- waiting and results ----------------------------------------------------------------------

# A task 12 whose status goes through `statuses`, with runs 31 (organization 1) and 32
# (organization 2) and their results.
task_routes <- function(statuses, results, runs = NULL, encrypted = FALSE) {
  routes <- server_routes(encrypted = encrypted)
  polls <- 0
  routes[["GET task/12"]] <- function(request) {
    polls <<- polls + 1
    list(body = list(id = 12, status = statuses[min(polls, length(statuses))],
                     collaboration = list(id = 1), init_org = list(id = 1)))
  }
  if (is.null(runs)) {
    runs <- list(list(id = 31, status = "completed", organization = list(id = 1), log = ""),
                 list(id = 32, status = "active", organization = list(id = 2), log = ""))
  }
  routes[["GET run"]] <- function(request) {
    if (identical(request$query$per_page, 1L)) { # counting
      open <- Filter(function(run) run$status %in% c("pending", "initializing", "active"), runs)
      total <- length(if (identical(request$query$state, "open")) open else runs)
      return(list(body = list(data = list(), links = list()),
                  headers = list(`total-count` = as.character(total))))
    }
    list(body = list(data = runs, links = list()))
  }
  routes[["GET result"]] <- function(request) list(body = list(
    data = list(list(id = 31, result = results[[1]]), list(id = 32, result = results[[2]])),
    links = list()
  ))
  routes
}

b64_json <- function(text) openssl::base64_encode(charToRaw(text))

test_that("waitForResults tells how far the task is and returns the decoded results", {
  results <- list(b64_json('{"sum": 10, "n": 4}'), b64_json("[1.5, 2.5]"))
  fake <- logged_in(task_routes(c("active", "active", "completed"), results))
  expect_message(
    decoded <- fake$client$waitForResults(list(id = 12), interval = 0),
    "waiting for task 12: 1 of 2 runs finished \\(0 s\\)"
  )
  expect_identical(decoded[[1]], list(sum = 10L, n = 4L))
  expect_identical(decoded[[2]], c(1.5, 2.5))
  expect_identical(attr(decoded, "organization_id"), 1:2)
  expect_identical(attr(decoded, "run_id"), 31:32)
  expect_length(requests_to(fake, "GET", "task/12"), 4) # 3 polls, then getResults
})

test_that("a failed task is a vtg_error with its failed runs' status and log", {
  runs <- list(
    list(id = 31, status = "completed", organization = list(id = 1), log = "fine"),
    list(id = 32, status = "crashed", organization = list(id = 2),
         log = paste0("line ", 1:30, collapse = "\n"))
  )
  fake <- logged_in(task_routes("crashed", list(NULL, NULL), runs))
  error <- tryCatch(fake$client$waitForResults(12, interval = 0), vtg_error = function(e) e)
  expect_s3_class(error, "vtg_error")
  expect_match(conditionMessage(error), "task 12 failed (crashed)", fixed = TRUE)
  expect_match(conditionMessage(error), "run 32 at organization 2: crashed", fixed = TRUE)
  expect_match(conditionMessage(error), "line 30")
  expect_no_match(conditionMessage(error), "line 20\n")
  expect_no_match(conditionMessage(error), "run 31")
})

test_that("waiting longer than the timeout is a vtg_error", {
  fake <- logged_in(task_routes("active", list(NULL, NULL)))
  expect_error(suppressMessages(fake$client$waitForResults(12, timeout = 0)),
               "task 12 is still 'active'", class = "vtg_error")
})

test_that("results of an encrypted collaboration are decrypted with the key", {
  public <- vtg:::crypto_public_key(keys[[1]]$b64, "organization 1")
  results <- list(vtg:::crypto_encrypt(charToRaw('{"a": 1}'), public), NULL)
  fake <- logged_in(task_routes("completed", results, encrypted = TRUE))
  expect_error(fake$client$getResults(12), "setupEncryption", class = "vtg_error")
  fake$client$setupEncryption(keys[[1]]$path)
  decoded <- fake$client$getResults(12)
  expect_identical(decoded[[1]], list(a = 1L))
  expect_null(decoded[[2]])
  expect_length(decoded, 2)
})

test_that("a result that cannot be decrypted says which run", {
  public <- vtg:::crypto_public_key(keys[[2]]$b64, "organization 2")
  results <- list(vtg:::crypto_encrypt(charToRaw("1"), public), NULL)
  fake <- logged_in(task_routes("completed", results, encrypted = TRUE))
  fake$client$setupEncryption(keys[[1]]$path)
  expect_error(fake$client$getResults(12), "result of run 31 cannot be read", class = "vtg_error")
})

test_that("RDS results are read only for tasks this client created with format rds", {
  rds <- openssl::base64_encode(c(charToRaw("RDS."), serialize(list(beta = 0.5), NULL)))
  fake <- logged_in(task_routes("completed", list(rds, NULL)))
  expect_error(fake$client$getResults(12), "format = \"rds\"", class = "vtg_error")
  fake$client$createTask("img", "coxph", format = "rds")
  input <- vtg:::payload_open(requests_to(fake, "POST", "task")[[1]]$body$organizations[[1]]$input)
  expect_identical(input[1:4], charToRaw("RDS."))
  expect_identical(fake$client$getResults(12)[[1]], list(beta = 0.5))
})

test_that("killTask posts the task's id to kill/task", {
  routes <- server_routes()
  routes[["POST kill/task"]] <- function(request) {
    list(body = list(msg = "1 run(s) of task 12 and its subtasks were killed", killed = list()))
  }
  fake <- logged_in(routes)
  answer <- fake$client$killTask(list(id = 12))
  expect_identical(requests_to(fake, "POST", "kill/task")[[1]]$body, list(id = 12L))
  expect_match(answer$msg, "killed")
})

test_that("call() creates a task for the set image and organizations and waits for it", {
  routes <- task_routes("completed", list(b64_json("3"), NULL))
  fake <- logged_in(routes)
  expect_error(fake$client$call("m"), "setTaskImage", class = "vtg_error")
  fake$client$setTaskImage("img", task.name = "sum")
  fake$client$setOrganizations(2)
  results <- fake$client$call("total", 1, "two", column = "age")
  sent <- requests_to(fake, "POST", "task")[[1]]
  expect_identical(sent$body$name, "sum")
  expect_identical(vapply(sent$body$organizations, function(o) o$id, integer(1)), 2L)
  expect_identical(input_of(sent, 2),
                   '{"method":"total","args":[1,"two"],"kwargs":{"column":"age"}}')
  expect_identical(results[[1]], 3L)
})
