-- wrk script: every request POSTs one batch of events (bench/run writes the body; BATCH_BODY names the file).
wrk.method = "POST"
wrk.path = "/events/generate/batch"
wrk.headers["Content-Type"] = "application/json"
local file = assert(io.open(os.getenv("BATCH_BODY"), "r"))
wrk.body = file:read("*a")
file:close()
