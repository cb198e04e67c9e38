// Start fauxqs (SQS) on 127.0.0.1 only. fauxqs's own startFauxqs() always
// listens on 0.0.0.0 (dist/app.js: app.listen({port, host: "0.0.0.0"})), so
// this builds the same Fastify app with its exported buildApp() and listens
// on loopback ourselves. Prints "fauxqs listening on http://127.0.0.1:PORT".
import { buildApp } from "fauxqs";

const app = buildApp({ logger: false });
const address = await app.listen({ port: 0, host: "127.0.0.1" });
console.log(`fauxqs listening on ${address}`);
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => app.close().finally(() => process.exit(0)));
}
