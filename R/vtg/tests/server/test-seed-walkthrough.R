# The R client walk-through of the user documentation, as written there; only the server's
# address and the account are this test server's.

test_that("the documented setup, collaboration choice and federated Cox regression work", {
  setup.client <- function() {
    # Username/password should be provided by the administrator of
    # the server.
    username <- server_setting("USERNAME")
    password <- server_setting("PASSWORD")

    host <- server_setting("HOST")
    api_path <- server_setting("API_PATH")

    # Create the client & authenticate
    client <- vtg::Client$new(host, api_path=api_path)
    client$authenticate(username, password)

    return(client)
  }

  # Create a client
  client <- setup.client()

  collaborations <- client$getCollaborations()
  expect_s3_class(collaborations, "data.frame")
  expect_true(all(c("id", "name") %in% names(collaborations)))
  collaboration <- as.integer(server_setting("COLLABORATION"))
  expect_true(collaboration %in% collaborations$id)
  expect_output(print( client$getCollaborations() ), "name")

  # Select a collaboration
  client$setCollaborationId(collaboration)

  # Define explanatory variables, time column and censor column
  expl_vars <- c("Age","Race2","Race3","Mar2","Mar3","Mar4","Mar5","Mar9",
                 "Hist8520","hist8522","hist8480","hist8501","hist8201",
                 "hist8211","grade","ts","nne","npn","er2","er4")
  time_col <- "Time"
  censor_col <- "Censor"

  # vtg.coxph contains the function `dcoxph`.
  result <- suppressMessages(vtg.coxph::dcoxph(client, expl_vars, time_col, censor_col))

  pooled <- read.csv(server_setting("POOLED_DATA"))
  formula <- as.formula(paste("survival::Surv(Time, Censor) ~", paste(expl_vars, collapse = "+")))
  reference <- survival::coxph(formula, data = pooled, ties = "breslow")
  expect_equal(result[expl_vars, "coef"], unname(coef(reference)[expl_vars]), tolerance = 1e-6)
  expect_equal(
    result[expl_vars, "se(coef)"], unname(sqrt(diag(vcov(reference)))), tolerance = 1e-6
  )
})
