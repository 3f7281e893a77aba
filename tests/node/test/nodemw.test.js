'use strict';

// nodemw logs in the pre-1.27 way: action=login without a token answers NeedToken with
// the token, which nodemw posts back. wikigate must keep that legacy handshake.
const assert = require('assert');
const Bot = require('nodemw');
const env = require('./env');

function makeBot() {
	const url = new URL(env.apiUrl);
	return new Bot({
		protocol: url.protocol.replace(':', ''),
		server: url.hostname,
		port: Number(url.port),
		path: url.pathname.replace(/\/api\.php$/, ''),
		userAgent: env.userAgent,
		silent: true,
		debug: false
	});
}

function call(fn) {
	return new Promise((resolve, reject) => {
		fn((err, data) => (err ? reject(err) : resolve(data)));
	});
}

describe('nodemw', function () {
	it('logIn with a bot password (NeedToken handshake)', async function () {
		const bot = makeBot();
		const data = await call((cb) => bot.logIn(env.botName, env.botPassword, cb));
		assert.strictEqual(data.result, 'Success');
		assert.strictEqual(data.lgusername, env.adminName);
		const me = await call((cb) => bot.whoami(cb));
		assert.strictEqual(me.name, env.adminName);
		assert.ok(me.groups.includes('sysop'));
	});

	it('reads the MediaWiki version from siteinfo', async function () {
		const bot = makeBot();
		const version = await call((cb) => bot.getMediaWikiVersion(cb));
		assert.match(version, /^1\.39/);
	});

	it('reports a wrong password as a failed login', async function () {
		const bot = makeBot();
		await assert.rejects(call((cb) => bot.logIn(env.botName, 'wrong-password', cb)),
			/Logging in failed: Failed - Incorrect username or password entered\. Please try again\./);
	});
});
