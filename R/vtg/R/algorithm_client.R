# The algorithm side: the client a central function gets, to create subtasks and read their
# results through the node proxy (an algorithm's container has no other network). It speaks
# as vantage6.algorithm.client (Python) does:
#   POST task                       a subtask: the input as plain base64 of its JSON for each
#                                   organization (the proxy encrypts it where needed), on the
#                                   image, collaboration and databases of the container token
#   GET  task/<id>/status           the subtask's status, polled until it is finished
#   GET  result?task_id=<id>        its results, paged; the proxy decrypts them (base64)
#   GET  organization?collaboration_id=<id> (or study_id)   the collaboration's organizations
# GETs are tried again while the proxy answers 502, 503 or 504 (the server is away) or cannot
# be reached; a POST only when it certainly was not applied.

# A refusal of the proxy or server, or a result that cannot be read.
alg_client_error <- function(message, unavailable = FALSE) {
  classes <- c("vtg_algorithm_client_error", "vtg_error", "error", "condition")
  if (unavailable) classes <- c("vtg_proxy_unavailable", classes)
  stop(structure(class = classes, list(message = message, call = NULL)))
}

ALG_TRANSIENT_STATUSES <- c(502L, 503L, 504L)
ALG_NOT_CREATED <- "The task was not created"  # how the proxy says a POST task was not applied
ALG_UNFINISHED_STATUSES <- c("pending", "initializing", "active")

#' The client of a central function, talking to the node proxy
#'
#' [docker.wrapper()] gives one to a central function as its first argument. Its container
#' token (the file `TOKEN_FILE`) says which collaboration, image and databases the run has;
#' subtasks reuse them.
#'
#' @section Methods:
#' * `createSubtask(method, args = list(), kwargs = list(), organizations, name = "subtask",
#'   description = NULL)`: a subtask calling `method` (`RPC_method` where the package has it)
#'   at each of `organizations` (ids); returns the task (a list with its `id`).
#' * `waitForResults(task_id, timeout = 3600, interval = 0.1)`: waits until every run of the
#'   task finished, polling at first every `interval` seconds and later every tenth of the time
#'   waited (at most every 5 s); returns `getResults(task_id)`, or fails when a run failed.
#' * `getResults(task_id)`: the results of the task's runs, in run order, each parsed with
#'   `jsonlite::fromJSON(simplifyVector = TRUE)`.
#' * `getOrganizations()`: the organizations of the collaboration (of the study, when the task
#'   is in one), a data.frame with columns `id` and `name`.
#' * `call(method, ...)`: `createSubtask()` for the organizations of `setOrganizations(ids)`
#'   (all of the collaboration's by default), with unnamed `...` as args and named ones as
#'   kwargs, then `waitForResults()` (as `vtg::Client$call()` and the original vtg client).
#'   `setTaskImage()` and `set.task.image()` are accepted and change nothing: subtasks run
#'   the task's own image.
#' * `request(endpoint, method = "GET", params = NULL, body = NULL)`: any other request to the
#'   proxy; the answer parsed with `jsonlite::parse_json()`.
#' @export
AlgorithmClient <- R6::R6Class(
  "AlgorithmClient",
  public = list(
    base_url = NULL,
    token = NULL,
    run_id = NULL,
    task_id = NULL,
    node_id = NULL,
    organization_id = NULL,
    collaboration_id = NULL,
    study_id = NULL,
    store_id = NULL,
    image = NULL,
    databases = list(),
    # the organizations that call() sends subtasks to; NULL: all of the collaboration
    organizations = NULL,
    use.master.container = FALSE,
    # how long to keep trying a request that failed transiently
    retry = list(attempts = 6L, patience = 90, first_delay = 0.5, max_delay = 15),
    request_timeout = 60,

    initialize = function(token = NULL, host = NULL, port = NULL, api_path = NULL) {
      if (is.null(host)) host <- env_require("HOST", "the node proxy's address")
      if (is.null(port)) port <- vtg_env("PORT")
      if (is.null(api_path)) api_path <- vtg_env("API_PATH")
      if (is.null(token)) token <- read_container_token()
      port <- as.character(port)
      base <- if (length(port) == 1L && nzchar(port)) paste0(sub("/+$", "", host), ":", port) else host
      self$base_url <- paste0(sub("/+$", "", base), sub("/+$", "", as.character(api_path)))
      self$token <- token
      claims <- alg_token_claims(token)
      for (field in c("run_id", "task_id", "node_id", "organization_id", "collaboration_id",
                      "study_id", "store_id", "image")) {
        self[[field]] <- claims[[field]]
      }
      if (!is.null(claims$databases)) self$databases <- claims$databases
      invisible(self)
    },

    request = function(endpoint, method = "GET", params = NULL, body = NULL) {
      method <- toupper(method)
      url <- paste0(self$base_url, "/", sub("^/+", "", endpoint))
      text <- if (is.null(body)) NULL else if (is.character(body)) body else {
        as.character(jsonlite::toJSON(body, auto_unbox = TRUE, null = "null", digits = NA))
      }
      started <- alg_elapsed_seconds()
      delay <- self$retry$first_delay
      attempt <- 0L
      repeat {
        attempt <- attempt + 1L
        outcome <- private$send(method, url, alg_query_strings(params), text)
        if (isTRUE(outcome$ok)) return(outcome$value)
        elapsed <- alg_elapsed_seconds() - started
        if (!outcome$retryable) {
          if (outcome$unavailable && !method %in% c("GET", "HEAD", "OPTIONS")) {
            alg_client_error(sprintf(
              "%s %s: %s; not tried again, as the server may have applied it (after %d attempt(s) in %.1f s): check before repeating it",
              method, url, outcome$text, attempt, elapsed
            ), unavailable = TRUE)
          }
          alg_client_error(sprintf("%s %s: %s", method, url, outcome$text))
        }
        if (attempt >= self$retry$attempts || elapsed + delay > self$retry$patience) {
          alg_client_error(sprintf("%s %s: %s; gave up after %d attempt(s) in %.1f s",
                               method, url, outcome$text, attempt, elapsed), unavailable = TRUE)
        }
        alg_log("WARNING", sprintf("%s %s: %s; trying again in %.1f s", method, url,
                                   outcome$text, delay))
        Sys.sleep(delay)
        delay <- min(delay * 2, self$retry$max_delay)
      }
    },

    # Every item of a paged list.
    listAll = function(endpoint, params = list()) {
      items <- list()
      page <- 1L
      repeat {
        answer <- self$request(endpoint, params = c(params, list(page = page, per_page = 100L)))
        items <- c(items, answer$data)
        if (is.null(answer$links[["next"]])) return(items)
        page <- page + 1L
      }
    },

    createSubtask = function(method, args = list(), kwargs = list(), organizations,
                             name = "subtask", description = NULL) {
      if (missing(organizations) || length(organizations) == 0L) {
        alg_client_error("createSubtask() needs the ids of the organizations to run the subtask at")
      }
      if (is.null(self$collaboration_id)) {
        alg_client_error("the container token names no collaboration to create a subtask in")
      }
      input_text <- subtask_input(method, args, kwargs)
      input <- gsub("\n", "", jsonlite::base64_enc(charToRaw(enc2utf8(input_text))), fixed = TRUE)
      body <- list(
        name = name,
        description = if (is.null(description)) {
          sprintf("task from container on node_id=%s",
                  if (is.null(self$node_id)) "unknown" else format(self$node_id))
        } else description,
        image = self$image,
        collaboration_id = as.integer(self$collaboration_id),
        organizations = lapply(as.integer(organizations), function(id) list(id = id, input = input)),
        databases = if (length(self$databases) == 0L) list() else self$databases
      )
      if (!is.null(self$study_id)) body$study_id <- self$study_id
      if (!is.null(self$store_id)) body$store_id <- self$store_id
      task <- self$request("task", method = "POST", body = body)
      alg_log("INFO", sprintf("created subtask %s (%s) for organization(s) %s", format(task$id),
                              method, paste(organizations, collapse = ", ")))
      task
    },

    getTask = function(task_id) {
      self$request(sprintf("task/%s", alg_task_id_of(task_id)))
    },

    getTaskStatus = function(task_id) {
      self$request(sprintf("task/%s/status", alg_task_id_of(task_id)))$status
    },

    waitForResults = function(task_id, timeout = 3600, interval = 0.1) {
      task_id <- alg_task_id_of(task_id)
      started <- alg_elapsed_seconds()
      repeat {
        status <- self$getTaskStatus(task_id)
        if (!is.character(status) || length(status) != 1L) {
          alg_client_error(sprintf("the status of task %s cannot be read", task_id))
        }
        if (identical(status, "completed")) return(self$getResults(task_id))
        if (!status %in% ALG_UNFINISHED_STATUSES) {
          alg_client_error(sprintf("task %s did not complete: %s", task_id, status))
        }
        now <- alg_elapsed_seconds()
        delay <- min(max(interval, (now - started) * 0.1), 5)
        if (!is.null(timeout) && now + delay - started > timeout) {
          alg_client_error(sprintf("task %s is still %s after %s s", task_id, status, format(timeout)))
        }
        Sys.sleep(delay)
      }
    },

    getResults = function(task_id) {
      task_id <- alg_task_id_of(task_id)
      runs <- self$listAll("result", list(task_id = task_id))
      lapply(runs, decode_run_result)
    },

    getOrganizations = function() {
      params <- if (!is.null(self$study_id)) {
        list(study_id = self$study_id)
      } else {
        list(collaboration_id = self$collaboration_id)
      }
      found <- self$listAll("organization", params)
      data.frame(
        id = vapply(found, function(o) as.integer(o$id), integer(1)),
        name = vapply(found, function(o) if (is.null(o$name)) NA_character_ else as.character(o$name),
                      character(1)),
        stringsAsFactors = FALSE
      )
    },

    call = function(method, ...) {
      arguments <- payload_call_arguments(list(...))
      organizations <- self$organizations
      if (is.null(organizations)) organizations <- self$getOrganizations()$id
      task <- self$createSubtask(method, args = arguments$args,
                                 kwargs = arguments$kwargs, organizations = organizations)
      self$waitForResults(task$id)
    },

    # As vtg::Client's (and the original vtg client's set.task.image()), so that central
    # functions written for the researcher's side run here too: subtasks always run the
    # image of the container token, as JSON.
    setTaskImage = function(image, task.name = "", format = "json") {
      invisible(self)
    },
    set.task.image = function(image, task.name = "") {
      invisible(self)
    },
    # The organizations of call(); NULL for all of the collaboration's.
    setOrganizations = function(ids) {
      self$organizations <- ids
      invisible(self)
    }
  ),
  private = list(
    # One attempt: list(ok = TRUE, value) or list(ok = FALSE, text, retryable, unavailable).
    send = function(method, url, query, text) {
      safe <- method %in% c("GET", "HEAD", "OPTIONS")
      config <- c(
        httr::add_headers(Authorization = paste("Bearer", self$token), Accept = "application/json"),
        httr::timeout(self$request_timeout)
      )
      if (!is.null(text)) config <- c(config, httr::content_type_json())
      response <- tryCatch(
        httr::VERB(method, url, config = config, query = query,
                   body = if (is.null(text)) NULL else text, encode = "raw"),
        error = function(e) e
      )
      if (inherits(response, "error")) {
        reason <- conditionMessage(response)
        not_sent <- grepl("Failed to connect|Couldn't connect|Connection refused|resolve host|resolve proxy",
                          reason, ignore.case = TRUE)
        return(list(ok = FALSE, text = sprintf("the node proxy cannot be reached (%s)", reason),
                    retryable = safe || not_sent, unavailable = TRUE))
      }
      status <- httr::status_code(response)
      body <- httr::content(response, as = "text", encoding = "UTF-8")
      if (status >= 400L) {
        message <- alg_answer_message(body, httr::http_status(response)$reason)
        transient <- status %in% ALG_TRANSIENT_STATUSES
        not_applied <- startsWith(message, ALG_NOT_CREATED)
        return(list(ok = FALSE, text = sprintf("%d %s", status, message),
                    retryable = transient && (safe || not_applied), unavailable = transient))
      }
      if (is.na(body) || !nzchar(trimws(body))) return(list(ok = TRUE, value = NULL))
      value <- tryCatch(jsonlite::parse_json(body, simplifyVector = FALSE), error = function(e) e)
      if (inherits(value, "error")) {
        return(list(ok = FALSE, text = sprintf("the answer is not JSON: %s", substr(body, 1, 200)),
                    retryable = FALSE, unavailable = FALSE))
      }
      list(ok = TRUE, value = value)
    }
  )
)

alg_elapsed_seconds <- function() proc.time()[["elapsed"]]

alg_task_id_of <- function(task) {
  if (is.list(task)) task <- task$id
  if (is.null(task) || length(task) != 1L || is.na(task)) alg_client_error("no task id given")
  format(task, scientific = FALSE, trim = TRUE)
}

alg_query_strings <- function(params) {
  if (length(params) == 0L) return(NULL)
  lapply(params, function(value) {
    if (is.numeric(value)) format(value, scientific = FALSE, trim = TRUE) else as.character(value)
  })
}

alg_answer_message <- function(body, fallback) {
  message <- tryCatch(jsonlite::parse_json(body)$msg, error = function(e) NULL)
  if (is.character(message) && length(message) == 1L) message else fallback
}

# The JSON input of a subtask: {"method", "args": [...], "kwargs": {...}}, written as results
# are (see alg_to_json()).
subtask_input <- function(method, args = list(), kwargs = list()) {
  if (!is.character(method) || length(method) != 1L || !nzchar(method)) {
    alg_client_error("a subtask needs the name of the method to call")
  }
  args <- as.list(args)
  names(args) <- NULL
  kwargs <- as.list(kwargs)
  if (length(kwargs) == 0L) {
    kwargs <- alg_empty_named_list()
  } else if (is.null(names(kwargs)) || any(!nzchar(names(kwargs)))) {
    alg_client_error("every kwargs value of a subtask needs a name")
  }
  alg_to_json(list(method = method, args = args, kwargs = kwargs))
}

# A result as the proxy gives it (base64 of what the run wrote, decrypted), decoded.
decode_run_result <- function(run) {
  what <- sprintf("the result of run %s", format(run$id))
  if (is.null(run$result) || identical(run$result, "")) {
    if (!is.null(run$decryption_error)) alg_client_error(run$decryption_error)
    return(NULL)
  }
  bytes <- tryCatch(jsonlite::base64_dec(run$result), error = function(e) NULL)
  if (is.null(bytes)) alg_client_error(sprintf("%s is not base64", what))
  decode_payload(bytes, what)
}

# The container token, from the file TOKEN_FILE names.
read_container_token <- function() {
  path <- env_require("TOKEN_FILE", "the file holding the container token")
  token <- tryCatch(readLines(path, warn = FALSE), error = function(e) {
    algorithm_error(sprintf("the container token cannot be read (%s)", conditionMessage(e)))
  })
  trimws(paste(token, collapse = ""))
}

# The token's subject (run, task, node, organization, collaboration, image, databases), read
# without verification: the proxy and server verify it.
alg_token_claims <- function(token) {
  parts <- strsplit(token, ".", fixed = TRUE)[[1]]
  if (length(parts) < 2L) algorithm_error("the container token is not a JWT")
  payload <- chartr("-_", "+/", parts[[2]])
  payload <- paste0(payload, strrep("=", (4L - nchar(payload) %% 4L) %% 4L))
  claims <- tryCatch(
    jsonlite::parse_json(rawToChar(jsonlite::base64_dec(payload)), simplifyVector = FALSE),
    error = function(e) algorithm_error(sprintf("the container token is not a JWT (%s)",
                                                conditionMessage(e)))
  )
  for (key in c("sub", "identity")) {  # "identity": the tokens of vantage6 3.x
    subject <- claims[[key]]
    if (is.list(subject) && !is.null(names(subject))) return(subject)
  }
  list()
}

#' A stand-in for AlgorithmClient, to try central functions without a node
#'
#' Its subtasks run the algorithm package's RPC_ (or central) functions right away, in this R
#' session, one run per data set, with the input and the result going through the same JSON
#' as on a node (so a result that would not survive the trip does not here either). It has
#' the methods of [AlgorithmClient] that central functions use.
#'
#' @examples
#' \dontrun{
#' client <- MockAlgorithmClient$new(list(df1, df2), pkg = "vtg.coxph")
#' vtg.coxph::dcoxph(client, expl_vars = c("Age"), time_col = "Time", censor_col = "Censor")
#' }
#' @export
MockAlgorithmClient <- R6::R6Class(
  "MockAlgorithmClient",
  inherit = AlgorithmClient, # call(), setOrganizations() and the like are the same
  public = list(
    datasets = NULL,
    functions = NULL,
    pkg = NULL,
    organization_id = 1L,
    collaboration_id = 1L,

    # datasets: one data.frame (or list of them, for several databases) per organization,
    # whose ids are 1, 2, ...; pkg: the algorithm package, or functions: an environment
    # holding the functions (for algorithms that are not a package yet).
    initialize = function(datasets, pkg = NULL, functions = NULL) {
      if (is.data.frame(datasets)) datasets <- list(datasets)
      self$datasets <- datasets
      self$pkg <- if (is.null(pkg)) "mock" else pkg
      self$functions <- if (!is.null(functions)) functions else algorithm_namespace(pkg)
      private$results <- list()
      invisible(self)
    },

    createSubtask = function(method, args = list(), kwargs = list(), organizations,
                             name = "subtask", description = NULL) {
      if (missing(organizations) || length(organizations) == 0L) {
        alg_client_error("createSubtask() needs the ids of the organizations to run the subtask at")
      }
      unknown <- setdiff(organizations, seq_along(self$datasets))
      if (length(unknown) > 0L) {
        alg_client_error(sprintf("organization(s) %s have no data set", paste(unknown, collapse = ", ")))
      }
      input <- charToRaw(enc2utf8(subtask_input(method, args, kwargs)))
      results <- lapply(as.integer(organizations), function(id) {
        call <- parse_input(input, allow_rds = FALSE)
        result <- alg_dispatch(self$functions, call, self$pkg,
                           load_data = function() self$datasets[[id]],
                           make_client = function() self)
        decode_payload(encode_output(result, call), allow_rds = FALSE)
      })
      id <- length(private$results) + 1L
      private$results[[id]] <- results
      list(id = id, name = name)
    },

    waitForResults = function(task_id, timeout = 3600, interval = 0.1) {
      self$getResults(task_id)
    },

    getResults = function(task_id) {
      task_id <- as.integer(alg_task_id_of(task_id))
      if (is.na(task_id) || task_id > length(private$results)) {
        alg_client_error(sprintf("there is no task %s", task_id))
      }
      private$results[[task_id]]
    },

    getOrganizations = function() {
      data.frame(id = seq_along(self$datasets),
                 name = sprintf("organization %d", seq_along(self$datasets)),
                 stringsAsFactors = FALSE)
    }
  ),
  private = list(results = NULL)
)
