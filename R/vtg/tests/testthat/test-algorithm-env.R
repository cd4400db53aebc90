# The algorithm side: the node's variables and the run's data (R/algorithm_env.R).
quiet <- options(vtg.quiet = TRUE)  # the wrapper's log lines, but for errors
withr::defer(options(quiet), teardown_env())

# What Python's base64.b32encode(...).replace("=", "!") gives, as the node passes values.
PYTHON_ENCODED <- c(
  "f" = "MY!!!!!!", "fo" = "MZXQ!!!!", "foo" = "MZXW6!!!", "foob" = "MZXW6YQ!",
  "fooba" = "MZXW6YTB", "foobar" = "MZXW6YTBOI!!!!!!",
  "/mnt/run/input" = "F5WW45BPOJ2W4L3JNZYHK5A!",
  "default,extra" = "MRSWMYLVNR2CYZLYORZGC!!!"
)

test_that("values encoded as the node does are decoded", {
  for (plain in names(PYTHON_ENCODED)) {
    expect_identical(decode_env_value(PYTHON_ENCODED[[plain]]), plain)
  }
  expect_identical(decode_env_value("NDB2S3DMN4WCA56DWZZGYZA!"), "h\u00e9llo, w\u00f6rld")
  expect_identical(decode_env_value("MZXW6==="), "foo")  # '=' itself is read as well
  expect_identical(decode_env_value(""), "")
})

test_that("base32_encode writes what Python writes", {
  for (plain in names(PYTHON_ENCODED)) expect_identical(base32_encode(plain), PYTHON_ENCODED[[plain]])
  expect_identical(base32_encode("h\u00e9llo, w\u00f6rld"), "NDB2S3DMN4WCA56DWZZGYZA!")
})

test_that("values that are no base32 encoding are used as they are", {
  for (value in c("7601", "/mnt/data/default.csv", "MZXW6", "mzxw6===", "MZXW6=A=", "MZX=====",
                  "http://172.17.0.1", "true", "AAAAAAAA", "h\u00e9llo!!!")) {
    expect_identical(decode_env_value(value), value)
  }
  # valid base32 of bytes that are not UTF-8 text
  expect_identical(decode_env_value("77777777"), "77777777")
})

test_that("vtg_env decodes; decode_environment decodes in place, once", {
  withr::local_envvar(VTG_TEST_PLAIN = "7601", VTG_TEST_ENCODED = base32_encode("foob"),
                      VTG_TEST_TWICE = base32_encode(base32_encode("x")))
  expect_identical(vtg_env("VTG_TEST_PLAIN"), "7601")
  expect_identical(vtg_env("VTG_TEST_ENCODED"), "foob")
  expect_identical(vtg_env("VTG_TEST_UNSET", "none"), "none")
  decode_environment()
  expect_identical(Sys.getenv("VTG_TEST_ENCODED"), "foob")
  # decoded once: the plain value is itself base32, and stays as it is
  expect_identical(Sys.getenv("VTG_TEST_TWICE"), base32_encode("x"))
  expect_identical(vtg_env("VTG_TEST_TWICE"), base32_encode("x"))
  decode_environment()
  expect_identical(Sys.getenv("VTG_TEST_TWICE"), base32_encode("x"))
})

test_that("env_require names a missing variable and what it is for", {
  withr::local_envvar(VTG_TEST_MISSING = NA)
  expect_error(env_require("VTG_TEST_MISSING", "a test value"),
               "VTG_TEST_MISSING \\(a test value\\) is not set", class = "vtg_algorithm_error")
})

# Databases as the node describes them, every value encoded.
local_databases <- function(requested, databases, env = parent.frame()) {
  variables <- list(USER_REQUESTED_DATABASE_LABELS = base32_encode(paste(requested, collapse = ",")),
                    DB_LABELS = base32_encode(paste(names(databases), collapse = ",")))
  for (label in names(databases)) {
    prefix <- toupper(label)
    variables[[paste0(prefix, "_DATABASE_URI")]] <- base32_encode(databases[[label]][["uri"]])
    variables[[paste0(prefix, "_DATABASE_TYPE")]] <- base32_encode(databases[[label]][["type"]])
  }
  withr::local_envvar(unlist(variables), .local_envir = env)
}

write_csv <- function(frame) {
  path <- tempfile(fileext = ".csv")
  utils::write.csv(frame, path, row.names = FALSE)
  path
}

test_that("the first requested database is a data.frame read as csv", {
  path <- write_csv(data.frame(`a b` = 1:3, name = c("x", "y", "z"), check.names = FALSE))
  local_databases("default", list(default = list(uri = path, type = "csv")))
  expect_identical(requested_labels(), "default")
  data <- load_run_data()
  expect_s3_class(data, "data.frame")
  expect_named(data, c("a b", "name"))  # check.names = FALSE
  expect_type(data$name, "character")  # stringsAsFactors = FALSE
  expect_identical(data$`a b`, 1:3)
})

test_that("several requested databases are a list of data.frames named by label, in task order", {
  one <- write_csv(data.frame(v = 1:2))
  two <- write_csv(data.frame(w = 3:5))
  local_databases(c("second", "first"), list(first = list(uri = one, type = "csv"),
                                             second = list(uri = two, type = "csv")))
  data <- load_run_data()
  expect_named(data, c("second", "first"))
  expect_identical(nrow(data$second), 3L)
  expect_identical(data$first$v, 1:2)
})

test_that("folder and other databases are given as their location", {
  local_databases(c("images"), list(images = list(uri = tempdir(), type = "folder")))
  expect_identical(load_run_data(), tempdir())
})

test_that("databases that cannot be read fail with a clear message", {
  local_databases("default", list())
  expect_error(load_run_data(), "database 'default' was requested but this node has no such database",
               class = "vtg_algorithm_error")

  local_databases("default", list(default = list(uri = "/nonexistent/x.csv", type = "csv")))
  expect_error(load_run_data(), "database 'default' \\(/nonexistent/x.csv\\): file not found")

  path <- write_csv(data.frame(v = 1))
  local_databases("default", list(default = list(uri = path, type = "sparql")))
  expect_error(load_run_data(), "type 'sparql' is not supported by the R wrapper")

  withr::local_envvar(USER_REQUESTED_DATABASE_LABELS = "", DATABASE_URI = NA)
  expect_error(load_run_data(), "the task requested no database")
})

test_that("parquet and excel without their R reader name the type and the package", {
  skip_if(requireNamespace("arrow", quietly = TRUE), "arrow is installed")
  path <- tempfile(fileext = ".parquet")
  writeBin(as.raw(1:10), path)
  local_databases("default", list(default = list(uri = path, type = "parquet")))
  expect_error(load_run_data(), "is of type parquet, which needs the R package arrow",
               class = "vtg_algorithm_error")
})

test_that("excel is read with readxl, or refused naming the type and the package", {
  path <- tempfile(fileext = ".xlsx")
  writeBin(as.raw(1:10), path)
  local_databases("default", list(default = list(uri = path, type = "excel")))
  if (requireNamespace("readxl", quietly = TRUE)) {
    expect_error(load_run_data(), "could not be read as excel", class = "vtg_algorithm_error")
  } else {
    expect_error(load_run_data(), "is of type excel, which needs the R package readxl")
  }
})

test_that("a preprocessed database is refused, an sql database without data explained", {
  path <- write_csv(data.frame(v = 1))
  local_databases("default", list(default = list(uri = path, type = "csv")))
  withr::local_envvar(DEFAULT_PREPROCESSING = base32_encode('[{"function": "select_rows"}]'))
  expect_error(load_run_data(), "preprocessing is not supported yet")

  withr::local_envvar(USER_REQUESTED_DATABASE_LABELS = "warehouse", WAREHOUSE_DATABASE_URI = NA,
                      WAREHOUSE_DATABASE_TYPE = "sql")
  expect_error(load_run_data(), "type sql, which the node loads itself")
})

test_that("a node of the original kind (DATABASE_URI only) still gives data", {
  path <- write_csv(data.frame(v = 1:2))
  withr::local_envvar(USER_REQUESTED_DATABASE_LABELS = NA, DATABASE_URI = path, DATABASE_TYPE = NA)
  expect_identical(load_run_data()$v, 1:2)
})
