# The algorithm side end to end: docker.wrapper() in an Rscript of its own, as an image runs it,
# with the node's variables (base32-encoded), a run folder, data and a tiny algorithm package.

rscript <- file.path(R.home("bin"), "Rscript")
# Against the installed vtg when these tests run from it, else against the sourced files.
package_mode <- identical(environmentName(environment(parse_input)), "vtg")
source_dir <- normalizePath(test_path("..", "..", "R"), mustWork = FALSE)

# The algorithm package, installed into a library of this test run.
algorithm_library <- local({
  root <- tempfile("vtgtestalgo-")
  dir.create(file.path(root, "vtgtestalgo", "R"), recursive = TRUE)
  writeLines(c("Package: vtgtestalgo", "Version: 0.0.1", "Title: A Test Algorithm",
               "Description: Functions for the tests of the vtg wrapper.",
               "License: Apache License 2.0", "Encoding: UTF-8"),
             file.path(root, "vtgtestalgo", "DESCRIPTION"))
  writeLines('exportPattern("^[[:alpha:]]+")', file.path(root, "vtgtestalgo", "NAMESPACE"))
  writeLines(c(
    "RPC_column_sum <- function(data, column, scale = 1) list(sum = sum(data[[column]]) * scale, n = nrow(data))",
    "RPC_describe <- function(data) list(labels = names(data), rows = unname(vapply(data, nrow, 1L)))",
    "RPC_frame <- function(data) data",
    "RPC_fail <- function(data) { check <- function(x) stop('deliberate failure in the algorithm'); check(data) }",
    "token_facts <- function(client, ...) list(collaboration = client$collaboration_id, image = client$image,",
    "  base_url = client$base_url, databases = client$databases, extra = list(...))",
    ".hidden <- function(data) 'hidden'"
  ), file.path(root, "vtgtestalgo", "R", "algorithm.R"))
  library <- file.path(root, "library")
  dir.create(library)
  status <- system2(file.path(R.home("bin"), "R"),
                    c("CMD", "INSTALL", "--no-docs", "--no-html", "--no-multiarch", "-l",
                      shQuote(library), shQuote(file.path(root, "vtgtestalgo"))),
                    stdout = FALSE, stderr = FALSE)
  if (status != 0) stop("the test algorithm package did not install")
  library
})

# A JWT as the node gives a container (its signature is not checked by the algorithm).
container_token <- function(subject) {
  part <- function(value) {
    text <- jsonlite::base64_enc(charToRaw(as.character(jsonlite::toJSON(value, auto_unbox = TRUE))))
    gsub("=+$", "", chartr("+/", "-_", gsub("\n", "", text, fixed = TRUE)))
  }
  paste(part(list(alg = "HS256", typ = "JWT")), part(list(sub = subject)), "signature", sep = ".")
}

# Run the wrapper on `input` with the node's variables; list(status, output (raw or NULL), log).
run_wrapper <- function(input, databases = list(), requested = names(databases), extra = list(),
                        token = NULL, pkg = "vtgtestalgo") {
  run <- tempfile("run-")
  dir.create(run)
  if (is.character(input)) input <- charToRaw(enc2utf8(input))
  writeBin(input, file.path(run, "input"))
  variables <- list(INPUT_FILE = file.path(run, "input"), OUTPUT_FILE = file.path(run, "output"),
                    TOKEN_FILE = file.path(run, "token"), HOST = "http://127.0.0.1", PORT = "7601",
                    API_PATH = "", TEMPORARY_FOLDER = tempdir(),
                    USER_REQUESTED_DATABASE_LABELS = paste(requested, collapse = ","),
                    DB_LABELS = paste(names(databases), collapse = ","), PKG_NAME = pkg)
  for (label in names(databases)) {
    variables[[paste0(toupper(label), "_DATABASE_URI")]] <- databases[[label]]
    variables[[paste0(toupper(label), "_DATABASE_TYPE")]] <- "csv"
  }
  variables <- c(variables, extra)
  if (!is.null(token)) writeLines(token, file.path(run, "token"))
  encoded <- vapply(variables, base32_encode, character(1))
  script <- file.path(run, "main.R")
  writeLines(if (package_mode) {
    "vtg::docker.wrapper(Sys.getenv('PKG_NAME'))"
  } else {
    c(sprintf("for (f in list.files(%s, '^algorithm_.*[.]R$', full.names = TRUE)) source(f)",
              deparse(source_dir)),
      "docker.wrapper(Sys.getenv('PKG_NAME'))")
  }, script)
  libraries <- paste(c(algorithm_library, .libPaths()), collapse = .Platform$path.sep)
  log <- file.path(run, "log")
  status <- system2(rscript, shQuote(script), stdout = log, stderr = log,
                    env = c(paste0("R_LIBS=", shQuote(libraries)),
                            paste0(names(encoded), "=", shQuote(encoded))))
  output <- file.path(run, "output")
  list(status = status,
       output = if (file.exists(output)) readBin(output, "raw", file.size(output)) else NULL,
       log = paste(readLines(log, warn = FALSE), collapse = "\n"))
}

csv_file <- function(frame) {
  path <- tempfile(fileext = ".csv")
  utils::write.csv(frame, path, row.names = FALSE)
  path
}
patients <- csv_file(data.frame(age = c(30, 40, 50), sex = c("f", "m", "f")))

test_that("an RPC_ function runs on the requested database and its result is JSON", {
  ran <- run_wrapper('{"method": "column_sum", "args": ["age"], "kwargs": {"scale": 0.5}}',
                     databases = list(default = patients))
  expect_identical(ran$status, 0L, info = ran$log)
  expect_identical(rawToChar(ran$output), '{"sum":60,"n":3}')
  expect_match(ran$log, "calling vtgtestalgo::RPC_column_sum with data \\(3 rows x 2 columns\\)")
})

test_that("the output is JSON Python reads: a data.frame column-wise", {
  ran <- run_wrapper('{"method": "frame"}', databases = list(default = patients))
  expect_identical(ran$status, 0L, info = ran$log)
  expect_identical(rawToChar(ran$output), '{"age":[30,40,50],"sex":["f","m","f"]}')
  python <- Sys.which("python3")
  skip_if(!nzchar(python), "no python3")
  file <- tempfile()
  writeBin(ran$output, file)
  read <- system2(python, c("-c", shQuote(sprintf(
    "import json; print(sorted(json.load(open(%s))['sex']))", deparse(file)))), stdout = TRUE)
  expect_identical(read, "['f', 'f', 'm']")
})

test_that("several databases are a list in task order; a json. input gets a json. output", {
  other <- csv_file(data.frame(x = 1:5))
  ran <- run_wrapper('json.{"method": "describe", "master": false}',
                     databases = list(default = patients, other = other),
                     requested = c("other", "default"))
  expect_identical(ran$status, 0L, info = ran$log)
  expect_identical(rawToChar(ran$output), 'json.{"labels":["other","default"],"rows":[5,3]}')
})

test_that("a central function gets a client made from the container token and node proxy", {
  token <- container_token(list(collaboration_id = 7L, image = "vantage6/test-r:latest", node_id = 3L,
                                databases = list(list(label = "default", type = "csv"))))
  ran <- run_wrapper('{"method": "token_facts", "kwargs": {"note": "x"}}', token = token)
  expect_identical(ran$status, 0L, info = ran$log)
  expect_identical(
    jsonlite::fromJSON(rawToChar(ran$output), simplifyVector = FALSE),
    list(collaboration = 7L, image = "vantage6/test-r:latest", base_url = "http://127.0.0.1:7601",
         databases = list(list(label = "default", type = "csv")), extra = list(note = "x"))
  )
})

test_that("an error in the algorithm fails the run (status 1) with its message and calls", {
  ran <- run_wrapper('{"method": "fail"}', databases = list(default = patients))
  expect_identical(ran$status, 1L)
  expect_null(ran$output)
  expect_match(ran$log, "ERROR vtg: the algorithm failed \\(in check\\): deliberate failure in the algorithm")
  expect_match(ran$log, "Traceback (calls only, innermost last):\n  1: RPC_fail\n  2: check", fixed = TRUE)
})

test_that("bad input, unknown functions and missing packages fail the run with one line", {
  ran <- run_wrapper('{"method": "nothing_here"}', databases = list(default = patients))
  expect_identical(ran$status, 1L)
  expect_match(ran$log, "has no function RPC_nothing_here or nothing_here. Its RPC_ functions: RPC_column_sum")
  expect_false(grepl("Traceback", ran$log))

  ran <- run_wrapper('{"method": ".hidden"}', databases = list(default = patients))
  expect_identical(ran$status, 1L)
  expect_match(ran$log, "'.hidden' is not the name of a public function", fixed = TRUE)

  ran <- run_wrapper(c(charToRaw("pickle."), as.raw(c(0x80, 0x04, 0x95))))
  expect_identical(ran$status, 1L)
  expect_match(ran$log, "pickled input is refused")

  ran <- run_wrapper('{"method": "column_sum"}', pkg = "vtg.not.installed")
  expect_identical(ran$status, 1L)
  expect_match(ran$log, "algorithm package 'vtg.not.installed' is not installed in this image")
})

test_that("RDS input runs only where the node allows it; its output is RDS when asked", {
  input <- c(charToRaw("RDS."), serialize(list(master = FALSE, debug = FALSE, method = "column_sum",
                                               args = list("age"), kwargs = list(scale = 2),
                                               output_format = "RDS"), NULL))
  refused <- run_wrapper(input, databases = list(default = patients))
  expect_identical(refused$status, 1L)
  expect_match(refused$log, "allow_rds = true in the [policies] section", fixed = TRUE)
  expect_null(refused$output)

  allowed <- run_wrapper(input, databases = list(default = patients), extra = list(VTG_ALLOW_RDS = "true"))
  expect_identical(allowed$status, 0L, info = allowed$log)
  expect_identical(rawToChar(allowed$output[1:4]), "RDS.")
  expect_identical(unserialize(allowed$output[-(1:4)]), list(sum = 240, n = 3L))
})
