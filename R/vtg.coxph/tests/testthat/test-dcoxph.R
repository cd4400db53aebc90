skip_if_not_installed("survival")

vars <- c("Age", "Race2", "Race3", "Mar2", "grade")

# Largest absolute differences between dcoxph and a pooled survival::coxph fit.
differences <- function(result, fit) {
    c(coef = max(abs(result$coef - unname(stats::coef(fit)))),
      se = max(abs(result[["se(coef)"]] - unname(sqrt(diag(fit$var))))),
      loglik = max(abs(attr(result, "loglik") - fit$loglik)))
}

expect_matches_coxph <- function(result, fit, tolerance = 1e-6) {
    d <- differences(result, fit)
    expect_lt(d[["coef"]], tolerance)
    expect_lt(d[["se"]], tolerance)
    expect_lt(d[["loglik"]], tolerance)
    expect_equal(result$z, unname(stats::coef(fit) / sqrt(diag(fit$var))), tolerance = 1e-6)
    invisible(d)
}

test_that("the bundled three-node data gives the pooled Breslow fit (several covariates)", {
    nodes <- bundled_nodes()
    client <- MockClient(nodes)
    result <- dcoxph(client, vars, "Time", "Censor")

    pooled <- extdata("coxph-all.csv")
    expect_equal(nrow(pooled), sum(vapply(nodes, nrow, 1L)))
    fit <- pooled_fit(pooled, vars)
    expect_matches_coxph(result, fit)

    expect_s3_class(result, "data.frame")
    expect_identical(rownames(result), vars)
    expect_identical(names(result), c("coef", "exp(coef)", "se(coef)", "z", "p"))
    expect_equal(result[["exp(coef)"]], exp(result$coef))
    expect_equal(result$p, 2 * pnorm(-abs(result$z)))
    expect_true(attr(result, "converged"))
    expect_gte(attr(result, "iterations"), 3)
    expect_equal(attr(result, "n"), 600)
    expect_equal(attr(result, "nevent"), sum(pooled$Censor))
    expect_equal(attr(result, "nodes"), 3)
    expect_equal(unname(attr(result, "var")), unname(fit$var), tolerance = 1e-6)

    expect_identical(client$image, "vantage6/coxph")
    expect_identical(client$task_name, "vtg.coxph")
    expect_null(client$organizations)
    expect_identical(client$calls[1:3], c("get_unique_event_times_and_counts",
                                          "compute_summed_z", "perform_iteration"))
})

test_that("the documented call with all SEER covariates gives the pooled Breslow fit", {
    client <- MockClient(bundled_nodes())
    # exactly as the users' documentation (and README.md) has it
    expl_vars <- c("Age","Race2","Race3","Mar2","Mar3","Mar4","Mar5","Mar9",
                   "Hist8520","hist8522","hist8480","hist8501","hist8201",
                   "hist8211","grade","ts","nne","npn","er2","er4")
    time_col <- "Time"
    censor_col <- "Censor"
    expect_no_warning(result <- dcoxph(client, expl_vars, time_col, censor_col))

    expect_true(attr(result, "converged"))
    expect_lt(attr(result, "iterations"), 25)
    expect_identical(rownames(result), expl_vars)

    pooled <- extdata("coxph-all.csv")
    fit <- survival::coxph(survival::Surv(Time, Censor) ~ Age + Race2 + Race3 + Mar2 + Mar3 +
                               Mar4 + Mar5 + Mar9 + Hist8520 + hist8522 + hist8480 + hist8501 +
                               hist8201 + hist8211 + grade + ts + nne + npn + er2 + er4,
                           data = pooled, ties = "breslow")
    expect_identical(names(stats::coef(fit)), expl_vars)
    expect_false(anyNA(stats::coef(fit)))
    expect_lt(max(abs(result$coef - unname(stats::coef(fit)))), 1e-6)
    expect_lt(max(abs(result[["se(coef)"]] - unname(sqrt(diag(fit$var))))), 1e-6)
    expect_matches_coxph(result, fit)
    expect_equal(attr(result, "n"), 600)
    expect_equal(attr(result, "nevent"), fit$nevent)
})

test_that("one covariate gives the pooled fit", {
    nodes <- bundled_nodes()
    result <- dcoxph(MockClient(nodes), "Age", "Time", "Censor")
    fit <- pooled_fit(do.call(rbind, nodes), "Age")
    expect_matches_coxph(result, fit)
    expect_identical(rownames(result), "Age")
})

test_that("heavily tied event times give the pooled Breslow fit", {
    pooled <- do.call(rbind, bundled_nodes())
    pooled$Time <- ceiling(pooled$Time / 12)        # years: ~10 distinct times for 600 rows
    expect_lt(length(unique(pooled$Time[pooled$Censor == 1])), 12)
    nodes <- split_rows(pooled, c(300, 180, 120))
    result <- dcoxph(MockClient(nodes), vars, "Time", "Censor")
    fit <- pooled_fit(pooled, vars)
    expect_matches_coxph(result, fit)
    # and it is the Breslow fit, not Efron's (survival::coxph's default)
    efron <- survival::coxph(survival::Surv(Time, Censor) ~ Age + Race2 + Race3 + Mar2 + grade,
                             data = pooled)
    expect_gt(max(abs(result$coef - unname(coef(efron)))), 1e-3)
})

test_that("awkward non-integer times and 15-digit-unsafe covariates give the pooled fit", {
    pooled <- do.call(rbind, bundled_nodes())
    pooled$Time <- pooled$Time * 30.4375 / 365.25        # months to years: long decimals
    pooled$Age <- pooled$Age / 7
    nodes <- split_rows(pooled, c(200, 200, 200))
    # even when the client serializes the task's arguments with jsonlite's default 4 digits
    for (digits in c(NA, 4)) {
        result <- dcoxph(MockClient(nodes, kwargs_digits = digits), vars, "Time", "Censor")
        expect_matches_coxph(result, pooled_fit(pooled, vars))
    }
})

test_that("arguments parsed without simplification (lists) work too", {
    nodes <- bundled_nodes()
    result <- dcoxph(MockClient(nodes, kwargs_simplify = FALSE), vars, "Time", "Censor")
    expect_matches_coxph(result, pooled_fit(do.call(rbind, nodes), vars))
})

test_that("survival's lung data (missing values, status 1/2) split over 3 nodes", {
    lung <- survival::lung
    lung$event <- as.integer(lung$status == 2)
    lung_vars <- c("age", "sex", "ph.ecog", "ph.karno", "wt.loss")
    nodes <- split_rows(lung, c(100, 70, 58))
    result <- dcoxph(MockClient(nodes), lung_vars, "time", "event")
    fit <- pooled_fit(lung, lung_vars, "time", "event")
    expect_matches_coxph(result, fit)
    expect_equal(attr(result, "n"), fit$n)
})

test_that("organizations are passed on to the client", {
    nodes <- bundled_nodes()
    client <- MockClient(nodes)
    result <- dcoxph(client, vars, "Time", "Censor", organizations = c(1, 3),
                     image = "registry.example/coxph:1")
    expect_identical(client$organizations, c(1, 3))
    expect_identical(client$image, "registry.example/coxph:1")
    expect_equal(attr(result, "nodes"), 2)
    expect_matches_coxph(result, pooled_fit(rbind(nodes[[1]], nodes[[3]]), vars))
})

test_that("the result prints like survival's", {
    result <- dcoxph(MockClient(bundled_nodes()), vars, "Time", "Censor")
    output <- capture.output(print(result))
    expect_true(any(grepl("exp(coef)", output, fixed = TRUE)))
    expect_true(any(grepl("Likelihood ratio test", output)))
    expect_true(any(grepl("n= 600", output)))
    expect_true(any(grepl("Converged after", output)))
    expect_output(print(result[1:2, ]), "Age")
})
