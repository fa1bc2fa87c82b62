-- wrk script: every request POSTs one new event (the API generates its eventId).
wrk.method = "POST"
wrk.path = "/events/generate"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"userId":"bench-user","eventType":"PRODUCT_VIEW","payload":{"sku":"A-1","price":9.5}}'
