# A researcher's connection to a vantage6 server: log in, pick a collaboration, create tasks,
# wait for them and read their results, with task input encrypted and results decrypted in
# encrypted collaborations.
#
#   client <- vtg::Client$new("http://127.0.0.1:7601", api_path = "/api")
#   client$authenticate("username", "password")
#   client$getCollaborations()
#   client$setCollaborationId(1)
#   client$setupEncryption("private_key.pem")        # encrypted collaborations only
#   task <- client$createTask("harbor2.vantage6.ai/demo/average", "central_average",
#                             kwargs = list(column_name = "age"))
#   results <- client$waitForResults(task)
#
# Whatever fails is a vtg_error (see conditions.R).

PAGE_SIZE <- 100L
NOT_LOGGED_IN <- "Not logged in: call client$authenticate(username, password) first"

Client <- R6::R6Class("Client",
  public = list(
    # host: e.g. "http://127.0.0.1:7601" (with its port); api_path: where the API is on it,
    # "" for the root; timeout: seconds to wait for each answer of the server.
    initialize = function(host, api_path = "/api", timeout = 60) {
      private$api_url <- http_api_url(host, api_path)
      private$timeout <- timeout
      private$http <- http_send
    },

    # Never shows the private key or the tokens.
    print = function(...) {
      user <- private$user
      who <- if (is.null(user)) {
        "not logged in"
      } else {
        sprintf("%s (organization %d%s)", user$username, user$organization_id,
                if (is.null(user$organization_name)) "" else paste0(", ", user$organization_name))
      }
      collaboration <- private$collaboration
      where <- if (is.null(collaboration)) {
        "none selected"
      } else {
        sprintf("%d (%s)%s", collaboration$id, collaboration$name,
                if (isTRUE(collaboration$encrypted)) ", encrypted" else "")
      }
      cat("<vtg::Client>\n",
          "  server:        ", private$api_url, "\n",
          "  user:          ", who, "\n",
          "  collaboration: ", where, "\n",
          "  encryption:    ", if (is.null(private$key)) "off" else "on", "\n",
          sep = "")
      invisible(self)
    },

    # Logs in; mfa_code is the six-digit code of an authenticator app when the server asks for
    # one. TRUE once logged in; FALSE when the server has just enrolled the user in two-factor
    # authentication (the instructions are shown): log in again with the app's code.
    authenticate = function(username, password, mfa_code = NULL) {
      body <- list(username = username, password = password)
      if (!is.null(mfa_code)) {
        body$mfa_code <- if (is.numeric(mfa_code)) sprintf("%06d", as.integer(mfa_code)) else mfa_code
      }
      answer <- tryCatch(
        private$fetch("POST", "token/user", body = body, authenticated = FALSE),
        vtg_error = function(e) {
          if (!isTRUE(e$status == 404)) stop(e)
          vtg_stop(sprintf(
            "%s/token/user does not exist: is api_path right ('/api', or '' for a server at the root)?",
            private$api_url
          ), status = e$status, msg = e$msg)
        }
      )
      if (!is.null(answer$qr_uri)) {
        message(
          "Two-factor authentication: add this account to an authenticator app with this link\n  ",
          answer$qr_uri, "\nor this secret: ", answer$otp_secret,
          "\nthen log in with client$authenticate(username, password, mfa_code = \"<6-digit code>\")"
        )
        return(invisible(FALSE))
      }
      if (is.null(answer$access_token)) {
        vtg_stop(sprintf(
          "%s: client$authenticate(username, password, mfa_code = \"123456\")",
          if (is.character(answer$msg)) answer$msg else "The server did not log you in"
        ))
      }
      private$use_tokens(answer)
      user <- private$fetch("GET", paste0("user/", sub(".*/", "", answer$user_url)))
      organization_id <- as.integer(user$organization$id)
      if (!identical(private$user$organization_id, organization_id)) {
        private$key <- NULL # a key belongs to one organization
      }
      private$user <- list(
        username = user$username,
        organization_id = organization_id,
        organization_name = private$organization_name(organization_id)
      )
      invisible(TRUE)
    },

    # All collaborations the user may see: a data.frame with columns id and name.
    getCollaborations = function() {
      client_frame(private$all("collaboration"), c(id = "integer", name = "character"))
    },

    # Selects the collaboration that tasks are created in and listed from.
    setCollaborationId = function(collaboration_id) {
      id <- client_id(collaboration_id, "collaboration_id")
      private$collaboration <- private$fetch(
        "GET", sprintf("collaboration/%d", id), query = list(include = "organizations")
      )
      invisible(self)
    },

    # The organizations of the selected collaboration (all the user may see when none is
    # selected): a data.frame with columns id and name.
    getOrganizations = function() {
      query <- if (!is.null(private$collaboration)) {
        list(collaboration_id = private$collaboration$id)
      }
      client_frame(private$all("organization", query), c(id = "integer", name = "character"))
    },

    # The tasks of the selected collaboration, newest first: a data.frame with columns id,
    # name, status and image.
    getTasks = function() {
      collaboration <- private$require_collaboration()
      client_frame(
        private$all("task", list(collaboration_id = collaboration$id)),
        c(id = "integer", name = "character", status = "character", image = "character")
      )
    },

    # Loads this organization's private key (a PEM file without password) for encrypted
    # collaborations, after checking that it belongs to the public key the server has for the
    # organization. allow_legacy: read results in the legacy format of vantage6 4.x (no
    # integrity check), and write input in it for 4.x nodes, which read nothing else.
    setupEncryption = function(private_key_path, allow_legacy = FALSE) {
      user <- private$require_login()
      key <- crypto_read_private_key(private_key_path)
      organization <- private$fetch("GET", sprintf("organization/%d", user$organization_id))
      whose <- sprintf("organization %d (%s)", user$organization_id, organization$name)
      if (is.null(organization$public_key) || !nzchar(organization$public_key)) {
        warning(sprintf(paste(
          "The server has no public key for %s: no task input or result can be encrypted for",
          "it until the public key of this private key is uploaded (its node does so when it",
          "starts with encryption on)"
        ), whose), call. = FALSE)
      } else {
        public <- tryCatch(crypto_public_key(organization$public_key, whose),
                           vtg_error = function(e) NULL)
        if (is.null(public) || !crypto_pairs(key, public)) {
          vtg_stop(sprintf(paste(
            "The private key in %s does not belong to the public key the server has for %s:",
            "use your organization's private key (the one its nodes use)"
          ), private_key_path, whose))
        }
      }
      private$key <- key
      private$allow_legacy <- isTRUE(allow_legacy)
      invisible(self)
    },

    # Creates a task in the selected collaboration: `method` of the algorithm in `image`,
    # called with args (positional) and kwargs (named), for `organizations` (ids; all of the
    # collaboration's by default). format "rds" sends R's serialize format to R algorithms of
    # the original vtg; their RDS results are then read. Returns the created task (a list).
    createTask = function(image, method, args = list(), kwargs = list(), organizations = NULL,
                          databases = list(list(label = "default")), name = NULL,
                          description = "", format = c("json", "rds")) {
      format <- match.arg(format)
      if (!is.character(image) || length(image) != 1 || !nzchar(image)) {
        vtg_stop("image must be the name of the algorithm's Docker image, one string")
      }
      input <- payload_encode_input(method, args, kwargs, format)
      selected <- private$require_collaboration()
      # Fresh: whether it is encrypted, its members and what their nodes read may have changed.
      collaboration <- private$fetch(
        "GET", sprintf("collaboration/%d", selected$id), query = list(include = "organizations")
      )
      ids <- if (is.null(organizations)) {
        vapply(collaboration$organizations, function(o) as.integer(o$id), integer(1))
      } else {
        vapply(organizations, client_id, integer(1), what = "organizations")
      }
      if (length(ids) == 0) vtg_stop("the task would go to no organization")
      task <- private$fetch("POST", "task", body = list(
        name = name,
        description = description,
        image = image,
        collaboration_id = collaboration$id,
        organizations = private$seal_inputs(collaboration, ids, input),
        databases = databases
      ))
      if (format == "rds") private$rds_tasks <- c(private$rds_tasks, as.integer(task$id))
      task
    },

    # Waits until the task has finished, telling how far it is every few seconds, then returns
    # getResults(task). A vtg_error when it failed (with the failed runs' logs) or is still
    # running after `timeout` seconds; `interval` is the seconds between looks.
    waitForResults = function(task, timeout = 600, interval = 1) {
      id <- client_task_id(task)
      started <- Sys.time()
      next_report <- 0
      repeat {
        status <- private$fetch("GET", sprintf("task/%d", id))$status
        elapsed <- as.numeric(difftime(Sys.time(), started, units = "secs"))
        if (!status %in% TASK_OPEN) break
        if (elapsed >= timeout) {
          vtg_stop(sprintf(paste(
            "task %d is still '%s' after waiting %.0f s: wait longer with",
            "client$waitForResults(task, timeout = ...), or stop it with client$killTask(task)"
          ), id, status, elapsed))
        }
        if (elapsed >= next_report) {
          total <- private$count("run", list(task_id = id))
          open <- private$count("run", list(task_id = id, state = "open"))
          message(wait_progress_text(id, status, total - open, total, elapsed))
          next_report <- elapsed + WAIT_REPORT_SECONDS
        }
        Sys.sleep(min(interval, timeout - elapsed))
      }
      if (status != TASK_COMPLETED) {
        vtg_stop(wait_failure_text(id, status, private$all("run", list(task_id = id))))
      }
      self$getResults(id)
    },

    # The results of a task's runs, decrypted and decoded: a list with one R object per run
    # (NULL for a run without result), in run order; attributes organization_id and run_id
    # tell whose each is.
    getResults = function(task) {
      id <- client_task_id(task)
      record <- private$fetch("GET", sprintf("task/%d", id))
      collaboration <- private$fetch("GET", sprintf("collaboration/%d", record$collaboration$id))
      key <- if (isTRUE(collaboration$encrypted)) private$reader_key(collaboration, record)
      runs <- private$all("run", list(task_id = id))
      organization_of <- vapply(runs, function(run) as.integer(run$organization$id), integer(1))
      names(organization_of) <- vapply(runs, function(run) as.character(run$id), character(1))
      results <- private$all("result", list(task_id = id))
      rds_allowed <- id %in% private$rds_tasks
      decoded <- lapply(results, function(result) {
        if (is.null(result$result)) return(NULL)
        bytes <- tryCatch(
          payload_open(result$result, key, private$allow_legacy),
          vtg_error = function(e) {
            vtg_stop(sprintf("The result of run %d cannot be read: %s", result$id, conditionMessage(e)))
          }
        )
        payload_decode_result(bytes, rds_allowed)
      })
      run_ids <- vapply(results, function(result) as.integer(result$id), integer(1))
      structure(decoded,
                organization_id = unname(organization_of[as.character(run_ids)]),
                run_id = run_ids)
    },

    # Stops the task's runs that have not finished (and those of its subtasks). Returns the
    # server's answer: its msg and the runs killed.
    killTask = function(task) {
      private$fetch("POST", "kill/task", body = list(id = client_task_id(task)))
    },

    # The image (and task name) of call(); format as in createTask.
    setTaskImage = function(image, task.name = "", format = c("json", "rds")) {
      private$image <- image
      private$task_name <- task.name
      private$format <- match.arg(format)
      invisible(self)
    },

    # The organizations of call(); NULL for all of the collaboration's.
    setOrganizations = function(ids) {
      private$organizations <- ids
      invisible(self)
    },

    # Runs `method` of the image of setTaskImage at the organizations of setOrganizations,
    # with the unnamed ... as positional and the named ... as keyword arguments; waits, and
    # returns the list of results (see getResults).
    call = function(method, ...) {
      if (is.null(private$image)) vtg_stop("No image to call: first client$setTaskImage(image)")
      arguments <- payload_call_arguments(list(...))
      task <- self$createTask(private$image, method,
                              args = arguments$args, kwargs = arguments$kwargs,
                              organizations = private$organizations, name = private$task_name,
                              format = private$format)
      self$waitForResults(task)
    },

    # Any endpoint of the API (path relative to it, e.g. "task/5"): its decoded JSON answer.
    request = function(method, path, query = NULL, body = NULL) {
      private$fetch(toupper(method), path, query = query, body = body)
    }
  ),

  private = list(
    api_url = NULL,
    timeout = NULL,
    http = NULL, # http_send; tests answer in its place
    access_token = NULL,
    refresh_token = NULL,
    refresh_at = NULL,
    user = NULL,
    collaboration = NULL,
    key = NULL,
    allow_legacy = FALSE,
    rds_tasks = integer(0),
    image = NULL,
    task_name = "",
    format = "json",
    organizations = NULL,

    send = function(method, path, query = NULL, body = NULL, authenticated = TRUE) {
      url <- paste0(private$api_url, "/", path)
      json <- if (!is.null(body)) json_text(body)
      token <- if (authenticated) private$fresh_token()
      response <- private$http(method, url, query, json, token, private$timeout)
      if (authenticated && response$status == 401 && !is.null(private$refresh_token) &&
          grepl("expired", http_message(response), fixed = TRUE)) {
        # The server checks the token before doing anything: repeating the request is safe.
        private$refresh()
        response <- private$http(method, url, query, json, private$access_token, private$timeout)
      }
      c(response, list(method = method, url = url))
    },

    fetch = function(method, path, query = NULL, body = NULL, authenticated = TRUE) {
      http_answer(private$send(method, path, query, body, authenticated))
    },

    # Every record of a paged list, following its pages.
    all = function(path, query = NULL) {
      records <- list()
      page <- 1L
      repeat {
        answer <- private$fetch("GET", path, query = c(query, list(page = page, per_page = PAGE_SIZE)))
        records <- c(records, answer$data)
        if (is.null(answer$links[["next"]])) return(records)
        page <- page + 1L
      }
    },

    # How many records a list has, from its total-count header (NA when there is none).
    count = function(path, query) {
      response <- private$send("GET", path, c(query, list(per_page = 1L)))
      http_answer(response)
      total <- response$headers[["total-count"]]
      if (is.null(total)) NA_integer_ else as.integer(total)
    },

    use_tokens = function(answer) {
      private$access_token <- answer$access_token
      private$refresh_token <- answer$refresh_token
      private$refresh_at <- jwt_refresh_moment(answer$access_token)
    },

    fresh_token = function() {
      if (is.null(private$access_token)) vtg_stop(NOT_LOGGED_IN)
      if (!is.null(private$refresh_at) && as.numeric(Sys.time()) >= private$refresh_at) {
        private$refresh()
      }
      private$access_token
    },

    # Trades the refresh token for a new pair; a refused refresh ends the session.
    refresh = function() {
      if (is.null(private$refresh_token)) {
        vtg_stop("The session has expired: log in again with client$authenticate(username, password)")
      }
      url <- paste0(private$api_url, "/token/refresh")
      response <- private$http("POST", url, NULL, NULL, private$refresh_token, private$timeout)
      response <- c(response, list(method = "POST", url = url))
      if (response$status == 401) {
        private$access_token <- NULL
        private$refresh_token <- NULL
        private$refresh_at <- NULL
        msg <- http_message(response)
        vtg_stop(sprintf(
          "The session has ended (%s): log in again with client$authenticate(username, password)",
          msg
        ), status = response$status, msg = msg)
      }
      private$use_tokens(http_answer(response))
    },

    require_login = function() {
      if (is.null(private$user)) vtg_stop(NOT_LOGGED_IN)
      private$user
    },

    require_collaboration = function() {
      if (is.null(private$collaboration)) {
        vtg_stop("No collaboration selected: call client$setCollaborationId(<id>) first")
      }
      private$collaboration
    },

    # Users need not be allowed to see their own organization.
    organization_name = function(organization_id) {
      tryCatch(
        private$fetch("GET", sprintf("organization/%d", organization_id))$name,
        vtg_error = function(e) if (isTRUE(e$status == 403)) NULL else stop(e)
      )
    },

    # The input of each organization: base64, or in an encrypted collaboration encrypted
    # with that organization's public key (legacy for a 4.x node, when allowed).
    seal_inputs = function(collaboration, ids, input) {
      if (!isTRUE(collaboration$encrypted)) {
        return(lapply(ids, function(id) list(id = id, input = payload_seal(input))))
      }
      if (is.null(private$key)) {
        vtg_stop(sprintf(paste(
          "Collaboration %d is encrypted: first call",
          "client$setupEncryption(\"<path to your organization's private key>\")"
        ), collaboration$id))
      }
      legacy <- client_legacy_readers(collaboration, ids)
      if (length(legacy) > 0 && !private$allow_legacy) {
        vtg_stop(sprintf(paste(
          "The node of organization %s is a vantage6 4.x node, which reads only the legacy",
          "encryption format (it has no integrity check). To write it for them, call",
          "client$setupEncryption(<private key>, allow_legacy = TRUE)"
        ), paste(legacy, collapse = ", ")))
      }
      lapply(ids, function(id) {
        organization <- private$fetch("GET", sprintf("organization/%d", id))
        recipient <- crypto_public_key(organization$public_key, sprintf("Organization %d", id))
        list(id = id, input = payload_seal(input, recipient, legacy = id %in% legacy))
      })
    },

    # The key that opens the task's results: they are encrypted for the organization that
    # created the task.
    reader_key = function(collaboration, task) {
      user <- private$require_login()
      if (!isTRUE(task$init_org$id == user$organization_id)) {
        vtg_stop(sprintf(
          "The results of task %d are encrypted for organization %d, not for yours (%d)",
          task$id, task$init_org$id, user$organization_id
        ))
      }
      if (is.null(private$key)) {
        vtg_stop(sprintf(paste(
          "Collaboration %d is encrypted: first call",
          "client$setupEncryption(\"<path to your organization's private key>\")"
        ), collaboration$id))
      }
      private$key
    }
  )
)

# The organizations among `ids` whose node reads only the legacy format (a 4.x node), as the
# collaboration's encryption_formats say; a node that said nothing is written the current
# format.
client_legacy_readers <- function(collaboration, ids) {
  legacy <- Filter(
    function(entry) identical(unlist(entry$formats), "legacy"),
    collaboration$encryption_formats
  )
  intersect(ids, vapply(legacy, function(entry) as.integer(entry$organization_id), integer(1)))
}

client_id <- function(x, what) {
  if (!is.numeric(x) || length(x) != 1 || is.na(x) || x < 1 || x != round(x)) {
    vtg_stop(sprintf("%s must be an id: one whole number of at least 1", what))
  }
  as.integer(x)
}

# A task as createTask returns it, or its id.
client_task_id <- function(task) {
  client_id(if (is.list(task)) task$id else task, "task")
}

# Records (lists) as a data.frame of the given columns and types; a missing value is NA.
client_frame <- function(records, columns) {
  values <- lapply(names(columns), function(column) {
    cells <- lapply(records, function(record) if (is.null(record[[column]])) NA else record[[column]])
    as.vector(unlist(cells), mode = columns[[column]])
  })
  names(values) <- names(columns)
  data.frame(values, stringsAsFactors = FALSE)
}
