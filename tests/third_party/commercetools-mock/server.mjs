// Serves @labdigital/commercetools-mock over real HTTP on 127.0.0.1, for the connector's client
// tests (tests/integration/conftest.py starts it).
//
//   node server.mjs [port]        port 0 (the default) picks a free one
//
// When it listens, it prints one JSON line on stdout with its URL and the credentials to use:
//   {"url": "http://127.0.0.1:PORT", "projectKey": ..., "clientId": ..., "clientSecret": ...}
// It exits when stdin closes, so it never outlives the test process that started it.
//
// Authentication is on and drafts are validated (`strict`). The emulator issues a token to any
// client id and secret; this harness makes it behave like the platform: only the fixed client
// below gets a token (401 `invalid_client` otherwise). Like the connector's own sandbox it serves
// `POST /sandbox/tokens/expire`, which invalidates every issued token, so tests can check that a
// client refreshes its token once after a 401.

import { CommercetoolsMock } from "@labdigital/commercetools-mock";

const PROJECT_KEY = "ct-mock";
const CLIENT_ID = "ct-mock-client";
const CLIENT_SECRET = "ct-mock-secret";
const BAD_CLIENT = "Please provide valid client credentials using HTTP Basic Authentication.";

const port = Number.parseInt(process.argv[2] ?? "0", 10);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
	console.error(`invalid port: ${process.argv[2]}`);
	process.exit(2);
}

const mock = new CommercetoolsMock({
	enableAuthentication: true,
	validateCredentials: true,
	defaultProjectKey: PROJECT_KEY,
	strict: true,
	silent: true,
});

function hasFixedClient(authorization) {
	const [scheme, encoded] = (authorization ?? "").split(" ");
	if (scheme?.toLowerCase() !== "basic" || !encoded) return false;
	const expected = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64");
	return encoded.trim() === expected;
}

mock.app.addHook("onRequest", async (request, reply) => {
	if (request.url.split("?")[0] === "/oauth/token" && !hasFixedClient(request.headers.authorization)) {
		await reply.status(401).send({
			statusCode: 401,
			message: BAD_CLIENT,
			errors: [{ code: "invalid_client", message: BAD_CLIENT }],
			error: "invalid_client",
			error_description: BAD_CLIENT,
		});
	}
});

mock.app.post("/sandbox/tokens/expire", async () => {
	const store = mock.authStore();
	const expired = store.tokens.length;
	store.tokens = [];
	store.tokenClientMap.clear();
	return { expired };
});

await mock.app.listen({ host: "127.0.0.1", port });
const address = mock.app.server.address();
console.log(
	JSON.stringify({
		url: `http://127.0.0.1:${address.port}`,
		projectKey: PROJECT_KEY,
		clientId: CLIENT_ID,
		clientSecret: CLIENT_SECRET,
	}),
);

const stop = async () => {
	await mock.app.close();
	process.exit(0);
};
process.stdin.on("end", stop);
process.stdin.on("close", stop);
process.stdin.resume();
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
