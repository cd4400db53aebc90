# The algorithm side: which function an input calls, with what (R/algorithm_wrapper.R), and the
# MockAlgorithmClient that runs subtasks in this session.
quiet <- options(vtg.quiet = TRUE)  # the wrapper's log lines, but for errors
withr::defer(options(quiet), teardown_env())

# An algorithm's functions, as a package namespace holds them.
algorithm_functions <- function() {
  functions <- new.env()
  local(envir = functions, {
    RPC_column_sum <- function(data, column, scale = 1) {
      list(sum = sum(data[[column]]) * scale, n = nrow(data))
    }
    RPC_arguments <- function(data, ...) list(data_rows = nrow(data), arguments = list(...))
    RPC_databases <- function(data) lapply(data, nrow)
    total <- function(client, column, scale = 1) {
      partials <- client$call("column_sum", column, scale = scale)
      list(total = sum(vapply(partials, function(p) p$sum, numeric(1))), parts = length(partials))
    }
    column_sum <- function(client, ...) "the central column_sum"
    arguments <- function(client, ...) list(client = class(client)[[1]], arguments = list(...))
    .hidden <- function(data) "hidden"
    helper_value <- 42
  })
  functions
}

frame <- data.frame(age = c(30, 40, 50), sex = c("f", "m", "f"), stringsAsFactors = FALSE)
fake_client <- structure(list(), class = "fake_client")

run <- function(input, data = frame, client = fake_client, functions = algorithm_functions()) {
  alg_dispatch(functions, parse_input(input, allow_rds = TRUE), "testalgo",
           load_data = function() data, make_client = function() client)
}

test_that("method m calls RPC_m with the data first, then args and kwargs", {
  expect_identical(run('{"method": "column_sum", "args": ["age"], "kwargs": {"scale": 2}}'),
                   list(sum = 240, n = 3L))
  result <- run('{"method": "arguments", "args": [1, "two", [3, 4]], "kwargs": {"five": {"x": 5}}}')
  expect_identical(result$data_rows, 3L)
  expect_identical(result$arguments, list(1L, "two", c(3L, 4L), five = list(x = 5L)))
})

test_that("without RPC_m, m is a central function and gets the client first", {
  result <- run('{"method": "arguments", "master": true, "args": [1], "kwargs": {"k": "v"}}')
  expect_identical(result, list(client = "fake_client", arguments = list(1L, k = "v")))
  functions <- algorithm_functions()
  rm("RPC_arguments", envir = functions)
  result <- run('{"method": "arguments", "args": [2]}', functions = functions)
  expect_identical(result$client, "fake_client")
})

test_that("the 3.x master flag: true calls only m; false is as if it were not there", {
  expect_identical(run('{"method": "column_sum", "master": true}'), "the central column_sum")
  expect_error(run('{"method": "databases", "master": true}'),
               "has no function databases \\(the input says master = true\\)")
  expect_identical(run('{"method": "column_sum", "master": false, "args": ["age"]}')$sum, 120)
  # what the R clients send with RDS input (master = FALSE) still reaches a central function
  expect_identical(run('{"method": "total", "master": false, "args": ["age"]}', client = NULL,
                       functions = local({
                         functions <- algorithm_functions()
                         functions$total <- function(client, column) paste("central", column)
                         functions
                       })),
                   "central age")
})

test_that("a method named RPC_m is an RPC_ function", {
  expect_identical(run('{"method": "RPC_column_sum", "args": ["age"]}')$sum, 120)
})

test_that("several databases reach the RPC_ function as a named list", {
  data <- list(first = frame, second = frame[1, ])
  expect_identical(run('{"method": "databases"}', data = data), list(first = 3L, second = 1L))
})

test_that("an unknown function fails listing the package's RPC_ and central functions", {
  expect_error(
    run('{"method": "nope"}'),
    paste0("algorithm package 'testalgo' has no function RPC_nope or nope. Its RPC_ functions: ",
           "RPC_arguments, RPC_column_sum, RPC_databases; its central functions: arguments, ",
           "column_sum, total$"),
    class = "vtg_algorithm_error"
  )
  expect_error(run('{"method": "helper_value"}'), "no function RPC_helper_value or helper_value")
})

test_that("hidden and non-syntactic names are refused, even from RDS input", {
  call <- list(method = ".hidden", args = list(), kwargs = list())
  expect_error(alg_dispatch(algorithm_functions(), call, "testalgo", load_data = function() frame),
               "not the name of a public function", class = "vtg_algorithm_error")
})

test_that("a missing algorithm package is named", {
  expect_error(algorithm_namespace("vtg.no.such.package"),
               "algorithm package 'vtg.no.such.package' is not installed in this image",
               class = "vtg_algorithm_error")
})

test_that("MockAlgorithmClient runs a central function's subtasks here, through JSON", {
  datasets <- list(frame, data.frame(age = c(20, 60)))
  client <- MockAlgorithmClient$new(datasets, functions = algorithm_functions())
  expect_identical(client$getOrganizations()$id, 1:2)
  expect_identical(
    run('{"method": "total", "args": ["age"], "kwargs": {"scale": 0.5}}', client = client),
    list(total = 100, parts = 2L)
  )
  task <- client$createSubtask("column_sum", args = list("age"), organizations = 2L)
  expect_identical(client$waitForResults(task$id), list(list(sum = 80L, n = 2L)))
  expect_error(client$createSubtask("column_sum", organizations = 3L), "have no data set")
})

test_that("the calls that led to an error are logged by name, without their values", {
  functions <- algorithm_functions()
  local(envir = functions, {
    RPC_fail <- function(data) {
      step <- function(rows) stop("no good: ", rows, " rows")
      step(nrow(data))
    }
    RPC_refuse <- function(data) {
      stop(structure(class = c("vtg_error", "error", "condition"),
                     list(message = "too few rows to share", call = NULL)))
    }
  })
  failure <- tryCatch(run('{"method": "fail"}', functions = functions), error = function(e) e)
  expect_identical(conditionMessage(failure), "no good: 3 rows")
  log <- capture.output(report_failure(failure), type = "message")
  expect_match(log[[1]], "ERROR vtg: the algorithm failed \\(in step\\): no good: 3 rows")
  expect_identical(log[[2]], "Traceback (calls only, innermost last):")
  # each call by name, with where it is when the source is kept
  expect_match(log[[3]], "^  1: RPC_fail( \\(.*\\))?$")
  expect_match(log[[4]], "^  2: step( \\(.*:[0-9]+\\))?$")
  expect_match(log[[5]], "^  3: stop( \\(.*:[0-9]+\\))?$")
  expect_length(log, 5L)
  expect_false(any(grepl("30|40|50", sub("^[0-9-]+ [0-9:]+ ", "", log))))  # no data in the log

  refusal <- tryCatch(run('{"method": "refuse"}', functions = functions), error = function(e) e)
  log <- capture.output(report_failure(refusal), type = "message")
  expect_length(log, 1L)  # a vtg_error: its message only
  expect_match(log, "ERROR vtg: too few rows to share")
})

test_that("a central function written for vtg::Client runs on MockAlgorithmClient (vtg.coxph)", {
  skip_if_not_installed("vtg.coxph")
  skip_if_not_installed("survival")
  folder <- system.file("extdata", package = "vtg.coxph")
  sites <- lapply(1:3, function(i) {
    utils::read.csv(file.path(folder, sprintf("coxph-node%d.csv", i)), check.names = FALSE,
                    stringsAsFactors = FALSE)
  })
  client <- MockAlgorithmClient$new(sites, pkg = "vtg.coxph")
  fit <- getExportedValue("vtg.coxph", "dcoxph")(client, expl_vars = c("Age", "Race2"),
                                                  time_col = "Time", censor_col = "Censor")
  pooled <- survival::coxph(survival::Surv(Time, Censor) ~ Age + Race2, ties = "breslow",
                            data = do.call(rbind, sites))
  expect_equal(unname(fit$coef), unname(stats::coef(pooled)), tolerance = 1e-6)
})
