vars <- c("Age", "Race2", "grade")

test_that("a missing column is named, with the node", {
    nodes <- bundled_nodes()
    nodes[[2]]$grade <- NULL
    expect_error(dcoxph(MockClient(nodes), vars, "Time", "Censor"),
                 "node 2 of 3 refused.*column 'grade' not found")
    expect_error(dcoxph(MockClient(bundled_nodes()), vars, "Tijd", "Censor"),
                 "node 1 of 3 refused.*column 'Tijd' not found")
    expect_error(dcoxph(MockClient(bundled_nodes()), c("Age", "Foo", "Bar"), "Time", "Censor"),
                 "columns 'Foo', 'Bar' not found")
})

test_that("a non-numeric column is named", {
    nodes <- bundled_nodes()
    nodes[[3]]$Race2 <- ifelse(nodes[[3]]$Race2 == 1, "black", "white")
    expect_error(dcoxph(MockClient(nodes), vars, "Time", "Censor"),
                 "node 3 of 3 refused.*column 'Race2' is not numeric \\(it holds character")
    nodes <- bundled_nodes()
    nodes[[1]]$grade <- factor(nodes[[1]]$grade)
    expect_error(dcoxph(MockClient(nodes), vars, "Time", "Censor"),
                 "node 1 of 3 refused.*column 'grade' is not numeric \\(it holds factor")
})

test_that("a node with too few rows refuses, and says so", {
    nodes <- bundled_nodes()
    nodes[[2]] <- nodes[[2]][1:4, ]
    expect_error(dcoxph(MockClient(nodes), vars, "Time", "Censor"),
                 "node 2 of 3 refused.*4 usable rows.*minimum of 10")
    # rows with missing values do not count
    nodes <- bundled_nodes()
    nodes[[3]]$Age[-(1:9)] <- NA
    expect_error(dcoxph(MockClient(nodes), vars, "Time", "Censor"),
                 "node 3 of 3 refused.*9 usable rows")
    # every partial function checks, not only the first
    small <- bundled_nodes()[[1]][1:3, ]
    for (r in list(RPC_compute_summed_z(small, vars, "Time", "Censor"),
                   RPC_perform_iteration(small, vars, "Time", "Censor", beta = c(0, 0, 0),
                                         unique_event_times = 5))) {
        expect_match(r$error, "3 usable rows")
        expect_identical(names(r), "error")
    }
})

test_that("the node's administrator sets the minimum, not the researcher", {
    small <- bundled_nodes()[[1]][1:20, ]
    withr::local_envvar(VTG_COXPH_MIN_ROWS = "25")
    expect_match(RPC_get_unique_event_times_and_counts(small, "Time", "Censor")$error,
                 "20 usable rows.*minimum of 25")
    withr::local_envvar(VTG_COXPH_MIN_ROWS = "5")
    expect_null(RPC_get_unique_event_times_and_counts(small, "Time", "Censor")$error)
    withr::local_options(vtg.coxph.min_rows = 50)
    expect_match(RPC_get_unique_event_times_and_counts(small, "Time", "Censor")$error,
                 "minimum of 50")
    expect_error(RPC_get_unique_event_times_and_counts(small, "Time", "Censor",
                                                       min_rows = 1), "unused argument")
})

test_that("a censor column that is not 0/1 is refused", {
    nodes <- bundled_nodes()
    nodes[[1]]$Censor <- nodes[[1]]$Censor + 1
    expect_error(dcoxph(MockClient(nodes), vars, "Time", "Censor"),
                 "node 1 of 3 refused.*'Censor' must be 0 \\(censored\\) or 1")
})

test_that("logical event indicators are accepted", {
    skip_if_not_installed("survival")
    nodes <- bundled_nodes()
    nodes <- lapply(nodes, function(d) transform(d, Censor = Censor == 1))
    result <- dcoxph(MockClient(nodes), vars, "Time", "Censor")
    fit <- pooled_fit(do.call(rbind, nodes), vars)
    expect_lt(max(abs(result$coef - unname(coef(fit)))), 1e-6)
})

test_that("bad arguments are caught before any task is sent", {
    client <- MockClient(bundled_nodes())
    expect_error(dcoxph(client, character(0), "Time", "Censor"), "expl_vars must be")
    expect_error(dcoxph(client, c("Age", "Age"), "Time", "Censor"), "names a column twice")
    expect_error(dcoxph(client, c("Age", "Time"), "Time", "Censor"), "'Time' cannot be both")
    expect_error(dcoxph(client, vars, c("Time", "x"), "Censor"), "time_col must be")
    expect_error(dcoxph(client, vars, "Time", "Time"), "must be different")
    expect_error(dcoxph(client, vars, "Time", "Censor", max_iter = 0), "max_iter")
    expect_length(client$calls, 0)
})

test_that("collinear or constant covariates give a clear error", {
    nodes <- lapply(bundled_nodes(), function(d) transform(d, Age2 = 2 * Age))
    expect_error(dcoxph(MockClient(nodes), c("Age", "Age2"), "Time", "Censor"),
                 "collinear or constant.*'Age2'")
    nodes <- lapply(bundled_nodes(), function(d) transform(d, one = 1))
    expect_error(dcoxph(MockClient(nodes), c("Age", "one"), "Time", "Censor"),
                 "collinear or constant.*'one'")
})

test_that("no events anywhere is a clear error", {
    nodes <- lapply(bundled_nodes(), function(d) transform(d, Censor = 0))
    expect_error(dcoxph(MockClient(nodes), vars, "Time", "Censor"), "no events")
})

test_that("a failing task or a missing node result is reported", {
    failing <- list(setTaskImage = function(...) NULL,
                    call = function(method, ...) stop("server unreachable"))
    expect_error(dcoxph(failing, vars, "Time", "Censor"),
                 "task 'get_unique_event_times_and_counts' failed: server unreachable")
    silent <- list(setTaskImage = function(...) NULL,
                   call = function(method, ...) list(list(times = 1, counts = 1), NULL))
    expect_error(dcoxph(silent, vars, "Time", "Censor"), "node 2 of 2 returned no result")
})

test_that("separation: no convergence gives a warning, not a wrong answer silently", {
    nodes <- bundled_nodes()
    nodes <- lapply(nodes, function(d) transform(d, sep = as.integer(Time > 60)))
    expect_warning(result <- dcoxph(MockClient(nodes), c("Age", "sep"), "Time", "Censor",
                                    max_iter = 5), "no convergence")
    expect_false(attr(result, "converged"))
})
