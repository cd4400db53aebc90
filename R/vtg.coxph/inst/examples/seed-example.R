# The federated Cox regression of the vantage6 user documentation (R client, "Example"), as a
# script against any server, e.g. the demo network (`vdev run-demo --keep`; its collaboration
# 2, example_survival, holds the bundled survival data):
#
#   Rscript seed-example.R http://127.0.0.1:7601 /api example_user1 <password> 2 [result.csv]
#
# The password is in the demo network's credentials.json. With a sixth argument the fitted
# table is also written to that CSV file.
arguments <- commandArgs(trailingOnly = TRUE)
if (length(arguments) < 5) {
  stop("usage: Rscript seed-example.R <host> <api_path> <username> <password> <collaboration id> [result.csv]")
}

setup.client <- function() {
  # Username/password should be provided by the administrator of
  # the server.
  username <- arguments[3]
  password <- arguments[4]

  host <- arguments[1]
  api_path <- arguments[2]

  # Create the client & authenticate
  client <- vtg::Client$new(host, api_path=api_path)
  client$authenticate(username, password)

  return(client)
}

# Create a client
client <- setup.client()

print( client$getCollaborations() )

# Select a collaboration
client$setCollaborationId(as.integer(arguments[5]))

# Define explanatory variables, time column and censor column
expl_vars <- c("Age","Race2","Race3","Mar2","Mar3","Mar4","Mar5","Mar9",
               "Hist8520","hist8522","hist8480","hist8501","hist8201",
               "hist8211","grade","ts","nne","npn","er2","er4")
time_col <- "Time"
censor_col <- "Censor"

# vtg.coxph contains the function `dcoxph`.
result <- vtg.coxph::dcoxph(client, expl_vars, time_col, censor_col)
print(result)
if (length(arguments) >= 6) write.csv(result, arguments[6])
