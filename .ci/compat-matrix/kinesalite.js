// Start kinesalite (Kinesis) in memory on 127.0.0.1, on a free port, with
// stream state changes instant. Prints "kinesalite listening on http://127.0.0.1:PORT".
const kinesalite = require("kinesalite");

const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0 });
server.listen(0, "127.0.0.1", () => {
  console.log(`kinesalite listening on http://127.0.0.1:${server.address().port}`);
});
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
