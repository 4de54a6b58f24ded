-- POST /v1/uploads with a grant, as a browser asks for a CSV upload form.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("GRANT")
wrk.body = '{"kind":"csv","file_name":"recipients.csv","size":2048,"content_type":"text/csv"}'
