// A loopback proxy in front of kinesalite that names streams by name.
//
// kinesalite speaks the Kinesis API of about 2020: it refuses the StreamARN
// parameter (ValidationException … streamName, or "Either NextToken or
// StreamName should be provided" from ListShards), while sluice names a
// stream by ARN wherever it has one — always when it reads back the records
// a DLQ message points at. This proxy rewrites StreamARN into StreamName
// (the ARN's last part) and changes nothing else, so the rest of the flow
// still runs against kinesalite's own shards, sequence numbers and records.
// The matrix also runs `sluice streams` without it, to report the gap by name.
//
//   node kinesis-arn-shim.js UPSTREAM_URL
// prints "shim listening on http://127.0.0.1:PORT"; logs each rewrite on stderr.
const http = require("http");

const upstream = new URL(process.argv[2]);
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    let body = Buffer.concat(chunks);
    try {
      const input = JSON.parse(body.toString("utf8"));
      if (input && typeof input.StreamARN === "string") {
        const name = input.StreamARN.split("/").pop();
        console.error(`${req.headers["x-amz-target"]}: StreamARN ${input.StreamARN} -> StreamName ${name}`);
        delete input.StreamARN;
        input.StreamName = name;
        body = Buffer.from(JSON.stringify(input));
      }
    } catch {
      // Not JSON: pass it on untouched.
    }
    const headers = { ...req.headers, "content-length": String(body.length) };
    const out = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (up) => {
      res.writeHead(up.statusCode, up.headers);
      up.pipe(res);
    });
    out.on("error", (err) => {
      res.writeHead(502);
      res.end(String(err));
    });
    out.end(body);
  });
});
server.listen(0, "127.0.0.1", () => {
  console.log(`shim listening on http://127.0.0.1:${server.address().port}`);
});
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => process.exit(0));
}
